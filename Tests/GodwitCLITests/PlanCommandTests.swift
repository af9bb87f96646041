import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit plan")
struct PlanCommandTests {
    static let root = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test("The example's Markdown plan matches its golden file")
    func markdownGolden() async throws {
        let result = try await GodwitBinary.run(
            ["plan", "examples/chinook/migrations", "--db", "Tests/Fixtures/chinook/Chinook_Sqlite.sqlite"], in: Self.root
        )
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty)
        let file = Self.golden.appendingPathComponent("chinook-plan.md")
        if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" {
            try result.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(result.standardOutput == (try String(contentsOf: file, encoding: .utf8)))
        for section in ["## Overview", "## Change Classification", "## Schema Changes", "## Breaking Change Analysis", "## Strategy (ADR)",
                        "## Phases", "## Migration Sequence", "## Data Validation Queries", "## Risk Assessment", "## Rollback Plan",
                        "## Runbook", "## Generated Tasks", "## Acceptance Criteria"] {
            #expect(result.standardOutput.contains("\n\(section)\n"), "\(section)")
        }
    }

    @Test("Once the example is applied (its cleanup waiting), a new 900_idx.yaml plans and lints alone against the live schema; the applied one is named, not re-checked")
    func planningTheNextMigration() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            let migrations = directory.path("migrations")
            try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("examples/chinook/migrations/001_track_popularity.yaml").path,
                                            toPath: migrations + "/001_track_popularity.yaml")
            let applied = try await GodwitBinary.run(["apply", migrations, "--db", database, "--unrehearsed", "--yes"])
            #expect(applied.status == 0, "\(applied.standardError)")
            try "name: index\ndowntime: minutes\noperations:\n  - create_index: {table: Track, name: IX_TrackComposer, columns: [Composer]}\n"
                .write(toFile: migrations + "/900_idx.yaml", atomically: true, encoding: .utf8)
            let plan = try await GodwitBinary.run(["plan", migrations, "--db", database])
            #expect(plan.status == 0, "\(plan.standardError)")
            #expect(plan.standardOutput.hasPrefix("In this database already, so not planned again: 001 Track popularity (applied)."))
            #expect(plan.standardOutput.contains("# Migration Plan: index") && !plan.standardOutput.contains("# Migration Plan: Track popularity"))
            let lint = try await GodwitBinary.run(["lint", migrations, "--db", database])
            #expect(lint.status == 0, "\(lint.standardOutput)\(lint.standardError)")
            #expect(lint.standardOutput.hasPrefix("001 Track popularity: applied in this database, not linted again\n"))
        }
    }

    @Test("The forward SQL script, then the reverse one, leave a copy of the database identical")
    func scripts() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            let output = directory.path("plan.sql")
            let result = try await GodwitBinary.run(["plan", "examples/chinook/migrations", "--db", database, "--format", "sql", "--output", output], in: Self.root)
            #expect(result.status == 0)
            let forward = try String(contentsOfFile: output, encoding: .utf8)
            let reverse = try String(contentsOfFile: directory.path("plan.reverse.sql"), encoding: .utf8)
            let url = DatabaseURL.sqlite(.init(path: database))
            let (before, after, back) = try await DatabaseConnector.withDriver(url) { driver in
                let before = try await driver.inspect(InspectionOptions(exactRowCounts: true))
                try await driver.executeScript(unsafeSQL: forward)
                let after = try await driver.inspect(InspectionOptions())
                try await driver.executeScript(unsafeSQL: reverse)
                return (before, after, try await driver.inspect(InspectionOptions(exactRowCounts: true)))
            }
            #expect(after.table(named: QualifiedName("Track"))?.column(named: "Popularity") != nil)
            #expect(after.table(named: QualifiedName("Artist"))?.column(named: "DisplayName") != nil)
            #expect(back.removingStatistics() == before.removingStatistics())
            #expect(back.tables.map(\.statistics?.exactRowCount) == before.tables.map(\.statistics?.exactRowCount))
        }
    }

    @Test("JSON carries the classification, strategy and steps")
    func json() async throws {
        let result = try await GodwitBinary.run(
            ["plan", "examples/chinook/migrations", "--db", "Tests/Fixtures/chinook/Chinook_Sqlite.sqlite", "--format", "json"], in: Self.root
        )
        #expect(result.status == 0)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]])
        #expect(reports.count == 1)
        #expect(reports[0]["level"] as? String == "mixed")
        #expect((reports[0]["strategy"] as? [String: Any])?["strategy"] as? String == "big-bang")
        #expect((reports[0]["steps"] as? [Any])?.count == 5)
        #expect((reports[0]["operations"] as? [Any])?.count == 4)
    }

    @Test("A malformed migration is one error line naming file:line:column, and exit code 1")
    func malformed() async throws {
        try await TemporaryDirectory.with { directory in
            try "name: broken\noperations:\n  - add_column: {table: Track, column: {name: x}}\n"
                .write(toFile: directory.path("001_broken.yaml"), atomically: true, encoding: .utf8)
            let result = try await GodwitBinary.run(["plan", directory.url.path, "--db", Fixtures.chinookSQLite.path])
            #expect(result.status == 1)
            #expect(result.standardError == "godwit: error: Invalid migration at \(directory.url.path)/001_broken.yaml:3:40: operations[0].add_column.column: missing field 'type': expected the column's SQL type.\n")
        }
    }

    @Test("An unknown column is refused before anything runs, and the database is untouched")
    func unknownColumn() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: database))
            try "name: typo\noperations:\n  - rename_column: {table: Artist, from: Nmae, to: Title}\n"
                .write(toFile: directory.path("002_typo.yaml"), atomically: true, encoding: .utf8)
            let result = try await GodwitBinary.run(["plan", directory.url.path, "--db", database])
            #expect(result.status == 1)
            #expect(result.standardError == "godwit: error: Unknown column Artist.Nmae at \(directory.url.path)/002_typo.yaml:3:5 (operations[0]): the table has no such column at this point of the migration. The table has: ArtistId, Name.\n")
            #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == bytes)
        }
    }
}

