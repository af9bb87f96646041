import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Counting live rows within a budget on PostgreSQL")
struct ProbeBudgetPostgresTests {
    @Test("Exact within the bound; past the row bound the NULL check counts a TABLESAMPLE and says so; past the time budget the duplicates check is 'not counted' and lint warns (GW131)")
    func postgresBudget() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await ProbeBudgetScenario.load(url)

            let exact = try await ProbeBudgetScenario.counts(url, budget: ProbeBudget())
            let nulls = try #require(ProbeBudgetScenario.nulls(exact.counts))
            #expect(nulls.rows == ProbeBudgetScenario.nullKinds && nulls.basis == .exact)
            #expect(ProbeBudgetScenario.duplicates(exact.counts)?.basis == .exact)
            #expect(!exact.lint.contains { $0.code == "GW131" })

            let small = try await ProbeBudgetScenario.counts(url, budget: ProbeBudget(exactRows: 1_000, seconds: 10, sampleRows: 8_000))
            let sampled = try #require(ProbeBudgetScenario.nulls(small.counts))
            guard case .sampled(let share) = sampled.basis else { Issue.record("not sampled: \(sampled.basis)"); return }
            #expect(share > 0.02 && share < 0.6, "\(share)")
            // Whole pages are sampled; every page holds about a tenth NULLs.
            #expect(abs(sampled.rows - ProbeBudgetScenario.nullKinds) <= 1_200, "\(sampled.rows)")

            let hurried = try await ProbeBudgetScenario.counts(url, budget: ProbeBudget(exactRows: 10_000_000, seconds: 0.001, sampleRows: 8_000))
            let duplicates = try #require(ProbeBudgetScenario.duplicates(hurried.counts))
            #expect(duplicates.basis == .notCounted(seconds: 0.001), "\(duplicates.basis)")
            #expect(duplicates.rowsText.hasPrefix("not counted"))
            #expect(hurried.lint.contains { $0.code == "GW131" && $0.severity == .warning && $0.message.contains("may stop on rows nobody counted") },
                    "\(hurried.lint.map(\.message))")
        }
    }
}
