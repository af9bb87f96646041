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

    @Test("A SQLite REAL and a PostgreSQL double precision are checksummed in each database (the server's shortest text of a double): equal, then a value one unit in the last place away is found by key")
    func doubles() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let source = DatabaseURL.sqlite(.init(path: directory.path("port.db")))
                let target = DatabaseURL.postgres(endpoint)
                // Tiny and huge numbers, a sum that is not 0.3, integers stored as REAL, a number whose
                // shortest text lies half-way between two doubles (5e22), NULL.
                let values = "(1, 9.8), (2, 0.30000000000000004), (3, 1e-7), (4, 1e300), (5, -2.5e-300), (6, 123456.789), (7, NULL), (8, 3), "
                    + "(9, 5e22), (10, 1e15), (11, 123456789012345.6), (12, 0.0001)"
                try await DatabaseConnector.withDriver(source, access: .create) {
                    try await $0.executeScript(unsafeSQL: "CREATE TABLE measures (id INTEGER PRIMARY KEY, v REAL); INSERT INTO measures VALUES \(values);")
                }
                try await DatabaseConnector.withDriver(target) {
                    try await $0.executeScript(unsafeSQL: "CREATE TABLE measures (id integer PRIMARY KEY, v double precision); INSERT INTO measures VALUES \(values);")
                }
                var verification = CrossVerification(source: source, target: target)
                verification.bisectionThreshold = 2
                let equal = try await verification.run()
                #expect(equal.passes, "\(equal.markdown())")
                #expect(equal.tables.first?.comparison == .checksums, "\(equal.markdown())")
                #expect(equal.tables.first?.sourceSide.checksum == equal.tables.first?.targetSide.checksum)

                _ = try await DatabaseConnector.withDriver(target) {
                    try await $0.execute(unsafeSQL: "UPDATE measures SET v = 0.3000000000000001 WHERE id = 2")
                }
                let changed = try await verification.run()
                #expect(!changed.passes)
                #expect(changed.tables.first?.comparison == .checksums)
                #expect(changed.tables.first?.modifiedRows.map(\.key) == ["(2)"], "\(changed.markdown())")
            }
        }
    }
}
