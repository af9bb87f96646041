import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("verify on SQLite")
struct VerifySQLiteTests {
    @Test("Against a target that has none of the source's tables, the source's rows, NULLs, checksum and dates are read and every row is missing")
    func emptyTarget() async throws {
        try await TemporaryDirectory.with { directory in
            let source = DatabaseURL.sqlite(.init(path: directory.path("source.db")))
            let target = DatabaseURL.sqlite(.init(path: directory.path("target.db")))
            try await DatabaseConnector.withDriver(source, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT, made DATE);
                    INSERT INTO a VALUES (1, NULL, '2024-01-05'), (2, 'x', '2024-03-01'), (3, NULL, '2023-12-31');
                    CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO b VALUES (1), (2);
                    """)
            }
            try await DatabaseConnector.withDriver(target, access: .create) { _ = try await $0.execute(unsafeSQL: "SELECT 1") }
            let report = try await CrossVerification(source: source, target: target).run()
            #expect(!report.passes)
            #expect(report.tables.map(\.sourceSide.rows) == [3, 2])
            #expect(report.tables.map(\.missing) == [3, 2])
            let markdown = report.markdown()
            #expect(markdown.contains("- Total records: 5"))
            #expect(markdown.contains("- Missing records: 5"))
            // The source's side still tells its NULLs, and no checksum is shown where none was taken.
            #expect(report.tables.map(\.sourceSide.nulls) == [2, 0])
            #expect(markdown.contains("- Null values: 0 (acceptable: 2, as in the source)"), "\(markdown)")
            // Its checksum and date range too: what the target should hold, to compare once it does.
            #expect(report.tables[0].sourceSide.checksum.count == 16, "\(markdown)")
            #expect(report.tables[0].sourceSide.dateRange?.first?.hasPrefix("2023-12-31") == true, "\(markdown)")
            #expect(report.tables[0].sourceSide.dateRange?.last?.hasPrefix("2024-03-01") == true, "\(markdown)")
            #expect(report.tables[1].sourceSide.dateRange == nil)
        }
    }
}
