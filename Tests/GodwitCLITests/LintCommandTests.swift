import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit lint")
struct LintCommandTests {
    @Test("The example lints clean, its reasoned suppression shown; exit code 0")
    func clean() async throws {
        let result = try await GodwitBinary.run(
            ["lint", "examples/chinook/migrations", "--db", "Tests/Fixtures/chinook/Chinook_Sqlite.sqlite"], in: PlanCommandTests.root
        )
        #expect(result.status == 0)
        #expect(result.standardOutput.hasSuffix("0 errors, 0 warnings, 0 infos; 1 ignored\n"))
        #expect(result.standardOutput.contains("(ignored: the app release that reads DisplayName ships with this migration)"))
    }

    @Test("Findings exit with code 2, as GitHub annotations when asked")
    func findings() async throws {
        try await TemporaryDirectory.with { directory in
            try "name: drop\ndowntime: zero\noperations:\n  - drop_column: {table: Customer, column: Fax}\n  - rename_table: {table: Genre, to: Genres}\n"
                .write(toFile: directory.path("003_drop.yaml"), atomically: true, encoding: .utf8)
            let result = try await GodwitBinary.run(["lint", directory.url.path, "--db", Fixtures.chinookSQLite.path, "--format", "github"])
            #expect(result.status == 2)
            let lines = result.standardOutput.split(separator: "\n")
            #expect(lines.contains { $0.hasPrefix("::error file=\(directory.url.path)/003_drop.yaml,line=5,col=5,title=GW101 breaking-without-expand-contract::") })
            #expect(lines.contains { $0.hasPrefix("::warning file=\(directory.url.path)/003_drop.yaml,line=4,col=5,title=GW115 ban-drop-column::") })
        }
    }
}

@Suite("godwit lint without a database")
struct LintWithoutDatabaseCommandTests {
    @Test("No --db and no DATABASE_URL: the SQL is linted statement by statement, exit code 2 on findings")
    func sqlFiles() async throws {
        let risky = Fixtures.url("sql-corpus/postgres/risky").path
        let single = try SQLCorpus.single("001_blocking_index", of: risky)
        defer { single.remove() }
        let result = try await GodwitBinary.run(["lint", single.url.path])
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.contains("001_blocking_index/up.sql:1:1: error GW102 require-concurrent-index-creation"), "\(result.standardOutput)")
    }
}
