import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Two ports of one database: SQLite keeps REAL as a double, PostgreSQL's `real` as a float4.
@Suite("verify at single precision")
struct SinglePrecisionVerifyTests {
    @Test("A SQLite REAL and a PostgreSQL real holding the same numbers verify equal (9.8 is 9.8); a changed one is found by key")
    func float4AgainstDouble() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let source = DatabaseURL.sqlite(.init(path: directory.path("port.db")))
                let target = DatabaseURL.postgres(endpoint)
                let values = "(1, 9.8), (2, 0.1), (3, 3.14159), (4, 1e10), (5, -2.5), (6, 123456.789), (7, NULL), (8, 0.3333333)"
                try await DatabaseConnector.withDriver(source, access: .create) {
                    try await $0.executeScript(unsafeSQL: "CREATE TABLE measures (id INTEGER PRIMARY KEY, v REAL); INSERT INTO measures VALUES \(values);")
                }
                try await DatabaseConnector.withDriver(target) {
                    try await $0.executeScript(unsafeSQL: "CREATE TABLE measures (id integer PRIMARY KEY, v real); INSERT INTO measures VALUES \(values);")
                }
                let equal = try await CrossVerification(source: source, target: target).run()
                #expect(equal.passes, "\(equal.markdown())")
                #expect(equal.tables.first?.modified == 0)

                _ = try await DatabaseConnector.withDriver(target) { try await $0.execute(unsafeSQL: "UPDATE measures SET v = 9.9 WHERE id = 1") }
                let changed = try await CrossVerification(source: source, target: target).run()
                #expect(!changed.passes)
                #expect(changed.tables.first?.modified == 1)
                #expect(changed.tables.first?.modifiedRows.first?.key == "(1)", "\(changed.markdown())")
            }
        }
    }
}
