import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// How a backfill finds its batches' bounds: a dense integer key is walked in ranges of key
/// values with no lookup; any other key (sparse, text, several columns) has each batch's last
/// key looked up in its index. Both fill every row, on both engines.
@Suite("Backfill batch bounds")
struct BackfillWalkTests {
    /// A key layout and the batches a walk of 50 takes over it.
    struct Layout: CustomTestStringConvertible, Sendable {
        var name: String
        var keyType: String
        /// Rows as (key literal, name).
        var keys: [String]
        var batches: Int
        var testDescription: String { name }
    }

    static let layouts: [Layout] = [
        // 1…1,000 with every tenth gone: 900 rows over 1,000 key values, walked in 20 ranges of 50.
        Layout(name: "dense integer key with holes", keyType: "integer",
               keys: (1...1000).filter { $0 % 10 != 0 }.map(String.init), batches: 20),
        // Negative keys too: -500…499, 1,000 rows, 20 ranges.
        Layout(name: "dense integer key below zero", keyType: "integer", keys: (-500..<500).map(String.init), batches: 20),
        // 10, 20, … 10,000: ten times wider than its rows, so each batch's last key is looked
        // up: 20 full batches and a last one that finds the rest empty.
        Layout(name: "sparse integer key", keyType: "integer", keys: (1...1000).map { String($0 * 10) }, batches: 21),
        Layout(name: "text key", keyType: "text", keys: (1...1000).map { "'k\(String(format: "%04d", $0))'" }, batches: 21),
    ]

    static let migration = ExecutionFixtures.nameUpperMigration

    static func setup(_ layout: Layout) -> String {
        "CREATE TABLE people (id \(layout.keyType) PRIMARY KEY, name text NOT NULL);\n"
            + layout.keys.map { "INSERT INTO people (id, name) VALUES (\($0), 'person ' || \($0));" }.joined(separator: "\n")
    }

    /// Applies the migration in batches of 50 and returns the batches it took; every row is
    /// then checked to hold `up(old)`.
    static func apply(_ layout: Layout, on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> Int {
        try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: setup(layout)) }
        try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true)
        try migration.write(toFile: directory.path("migrations/001_name_upper.yaml"), atomically: true, encoding: .utf8)
        let run = try await GodwitBinary.run(["apply", directory.path("migrations"), "--db", url.unredactedString, "--yes", "--unrehearsed",
                                              "--retention", "0s", "--batch-size", "50", "--batch-target", "0", "--json"])
        #expect(run.status == 0, "\(run.standardError)")
        let (rows, wrong) = try await DatabaseConnector.withDriver(url) { driver in
            let found = try await driver.query(unsafeSQL: "SELECT count(*), sum(CASE WHEN name_upper = upper(name) THEN 0 ELSE 1 END) FROM people")
            return (found.first?[0].integerValue, found.first?[1].integerValue)
        }
        #expect(rows == Int64(layout.keys.count))
        #expect(wrong == 0)
        return run.standardOutput.split(separator: "\n").filter {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["kind"] as? String == "batch"
        }.count
    }

    @Test("SQLite: each key layout is walked as expected and every row is filled", arguments: layouts)
    func sqlite(_ layout: Layout) async throws {
        try await TemporaryDirectory.with { directory in
            let url = try DatabaseURL(parsing: "sqlite:" + directory.path("app.db"))
            let batches = try await Self.apply(layout, on: url, in: directory)
            #expect(batches == layout.batches)
        }
    }

    @Test("PostgreSQL: each key layout is walked as expected and every row is filled", arguments: layouts)
    func postgres(_ layout: Layout) async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let batches = try await Self.apply(layout, on: .postgres(endpoint), in: directory)
                #expect(batches == layout.batches)
            }
        }
    }
}
