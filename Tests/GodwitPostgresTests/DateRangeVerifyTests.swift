import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The reconciliation report's date range counts DATE columns, on every way a table is compared.
@Suite("Date ranges in verify")
struct DateRangeVerifyTests {
    @Test("A table whose only time column is a DATE has its range on both sides: PostgreSQL → SQLite, PostgreSQL → PostgreSQL, and a missing target")
    func dateColumns() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                try await TestPostgres.execute(sourceEndpoint, "CREATE TABLE events (id int PRIMARY KEY, day date, note text)")
                try await TestPostgres.execute(sourceEndpoint,
                                               "INSERT INTO events VALUES (1, '2024-01-05', 'a'), (2, '2024-03-01', NULL), (3, '2023-12-31', 'c'), (4, NULL, 'd')")
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let source = DatabaseURL.postgres(sourceEndpoint)
                let range = ["2023-12-31 00:00:00", "2024-03-01 00:00:00"]
                let missing = try await CrossVerification(source: source, target: .postgres(targetEndpoint)).run()
                #expect(missing.tables.first?.sourceSide.dateRange == range, "\(missing.markdown())")
                for target in [try DatabaseURL(parsing: "sqlite:" + directory.path("events.db")), DatabaseURL.postgres(targetEndpoint)] {
                    _ = try await DataCopy(source: source, target: target).run()
                    let report = try await CrossVerification(source: source, target: target).run()
                    #expect(report.passes, "\(target.engine): \(report.markdown())")
                    #expect(report.tables.first?.sourceSide.dateRange == range, "\(target.engine): \(report.markdown())")
                    #expect(report.tables.first?.targetSide.dateRange == range, "\(target.engine): \(report.markdown())")
                    #expect(report.markdown().contains("- Date range: 2023-12-31"), "\(target.engine): \(report.markdown())")
                }
            }
        }
    }
}
