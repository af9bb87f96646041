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

@Suite("godwit lint counts rows after hand-written SQL")
struct LintAfterSQLCommandTests {
    @Test("A unique index over duplicates is found in the second SQL file as in the first: the first's SQL writes another table only", arguments: Engine.allCases)
    func duplicatesAfterSQL(_ engine: Engine) async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("m")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "CREATE TABLE \"Odd Name & Ünïcode\" (\"Ident Ifier\" integer PRIMARY KEY, note text);\nINSERT INTO \"Odd Name & Ünïcode\" SELECT id, company FROM customer;\n"
                .write(toFile: folder + "/001_odd.up.sql", atomically: true, encoding: .utf8)
            try "DROP TABLE \"Odd Name & Ünïcode\";\n".write(toFile: folder + "/001_odd.down.sql", atomically: true, encoding: .utf8)
            try "CREATE UNIQUE INDEX customer_country ON customer (country);\n".write(toFile: folder + "/002_country.up.sql", atomically: true, encoding: .utf8)
            // Countries repeat and companies are mostly NULL, as in a real customer table.
            let load = "CREATE TABLE customer (id integer PRIMARY KEY, country text, company text);\n"
                + "INSERT INTO customer VALUES (1, 'USA', NULL), (2, 'USA', 'Acme'), (3, 'Brazil', NULL), (4, NULL, NULL), (5, NULL, NULL);"
            let lint = { (url: DatabaseURL) async throws in
                let result = try await GodwitBinary.run(["lint", folder, "--db", url.unredactedString])
                #expect(result.status == 2, "\(result.standardError)")
                #expect(result.standardOutput.contains("002_country.up.sql: error GW130 data-breaks-change: 1 row of "), "\(result.standardOutput)")
            }
            switch engine {
            case .sqlite:
                let path = directory.path("app.db")
                try await GodwitEngineFacade.executeScript(load, on: path)
                try await lint(try DatabaseURL(parsing: "sqlite:" + path))
            case .postgresql:
                try await TestPostgres.withTemporaryDatabase { endpoint in
                    try await DatabaseConnector.withDriver(.postgres(endpoint)) { try await $0.executeScript(unsafeSQL: load) }
                    try await lint(.postgres(endpoint))
                }
            }
        }
    }
}
