import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("verify on SQLite")
struct VerifySQLiteTests {
    @Test("Against a target that has none of the source's tables, the source's rows and NULLs are counted and every row is missing")
    func emptyTarget() async throws {
        try await TemporaryDirectory.with { directory in
            let source = DatabaseURL.sqlite(.init(path: directory.path("source.db")))
            let target = DatabaseURL.sqlite(.init(path: directory.path("target.db")))
            try await DatabaseConnector.withDriver(source, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE a (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO a VALUES (1, NULL), (2, 'x'), (3, NULL);
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
            #expect(markdown.contains("| 3 / 0 | — / — |"), "\(markdown)")
        }
    }
}
