import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Counting live rows within a budget on SQLite")
struct ProbeBudgetSQLiteTests {
    @Test("Exact within the bound; past it the NULL check counts a sample of rowid windows and says so, duplicates stay exact; the plan and lint show which")
    func sqliteBudget() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = try DatabaseURL(parsing: "sqlite:" + directory.path("events.db"))
        try await ProbeBudgetScenario.load(url)

        let exact = try await ProbeBudgetScenario.counts(url, budget: ProbeBudget())
        let nulls = try #require(ProbeBudgetScenario.nulls(exact.counts))
        #expect(nulls.rows == ProbeBudgetScenario.nullKinds && nulls.basis == .exact)
        #expect(ProbeBudgetScenario.duplicates(exact.counts)?.basis == .exact)

        let small = try await ProbeBudgetScenario.counts(url, budget: ProbeBudget(exactRows: 1_000, seconds: 10, sampleRows: 4_000))
        let sampled = try #require(ProbeBudgetScenario.nulls(small.counts))
        guard case .sampled(let share) = sampled.basis else { Issue.record("not sampled: \(sampled.basis)"); return }
        #expect(share > 0.05 && share < 0.2, "\(share)")
        #expect(abs(sampled.rows - ProbeBudgetScenario.nullKinds) <= 400, "\(sampled.rows)")
        #expect(sampled.rowsText.hasPrefix("about ") && sampled.rowsText.contains("% sample)"), "\(sampled.rowsText)")
        #expect(ProbeBudgetScenario.duplicates(small.counts)?.basis == .exact, "duplicates cannot be read off a sample")
        #expect(small.lint.contains { $0.code == "GW130" && $0.message.hasPrefix("about ") }, "\(small.lint.map(\.message))")
    }
}
