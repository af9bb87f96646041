import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `godwit lint` with no database: SQL read statement by statement, every table it does not
/// create taken to exist with unknown rows, as squawk reads a file.
@Suite("Lint without a database")
struct LintWithoutDatabaseTests {
    private static func report(_ directory: String) throws -> String {
        let findings = try MigrationPlanning.planWithoutDatabase(directory: directory, engine: .postgresql).flatMap { planned in
            Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, schemaIsComplete: false)
        }
        return try LintReportRenderer.render(findings, as: .text).replacingOccurrences(of: Fixtures.url("sql-corpus").path + "/", with: "")
    }

    /// Each risky file alone, as the database lint of the corpus takes them.
    private static func riskyReport() throws -> String {
        let risky = Fixtures.url("sql-corpus/postgres/risky").path
        var report = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: risky).sorted() {
            let single = try SQLCorpus.single(name, of: risky)
            defer { single.remove() }
            report += try Self.report(single.url.path).replacingOccurrences(of: single.url.path + "/", with: "postgres/risky/")
        }
        return report
    }

    @Test("The PostgreSQL corpus lints to its golden findings with no server at all")
    func golden() throws {
        let report = try Self.report(SQLCorpus.chain(.postgresql)) + Self.report(SQLCorpus.oneWay(.postgresql)) + Self.riskyReport()
        let (actual, expected) = try SQLCorpus.golden("postgres/lint-offline.golden", report)
        #expect(actual == expected, "rerun with GODWIT_UPDATE_GOLDEN=1 and review the diff")
    }

    @Test("Every finding the database lint makes on the risky files, the lint without one makes at the same statement")
    func missesNothingOnRiskyFiles() throws {
        // The committed golden of the database lint (checked against a server by the PostgreSQL suite).
        let withDatabase = try String(contentsOf: Fixtures.url("sql-corpus/postgres/lint.golden"), encoding: .utf8)
        func places(_ report: String) -> Set<String> {
            Set(report.split(separator: "\n").filter { $0.hasPrefix("postgres/risky/") }.compactMap { line in
                let parts = line.split(separator: " ")
                return parts.count > 2 ? "\(parts[0]) \(parts[2])" : nil  // file:line:col: and code
            })
        }
        let offline = places(try Self.riskyReport())
        // GW101 judges a whole file by what it did on the scratch copy, and GW130 by the rows it
        // would meet: both need a server. Without one, the statement rules speak for the file.
        let wholeFile = places(withDatabase).filter { $0.hasSuffix(" GW101") || $0.hasSuffix(" GW130") }
        let online = places(withDatabase).subtracting(wholeFile)
        #expect(!online.isEmpty && !wholeFile.isEmpty)
        #expect(online.subtracting(offline).isEmpty, "missed without a database: \(online.subtracting(offline).sorted())")
        for file in wholeFile.map({ String($0.prefix { $0 != ":" }) }) {
            #expect(offline.contains { $0.hasPrefix(file + "/up.sql:") && !$0.hasSuffix("GW303") }, "\(file) has no finding but GW303 without a database")
        }
    }

    @Test("A YAML operation on a table the directory never creates asks for a database, naming the migration")
    func yamlNeedsTheDatabase() throws {
        try TemporaryDirectory.with { directory in
            try "name: add\noperations:\n  - add_column: {table: customers, column: {name: phone, type: text}}\n"
                .write(toFile: directory.path("001_add.yaml"), atomically: true, encoding: .utf8)
            let error = try #require(throws: GodwitError.self) { try MigrationPlanning.planWithoutDatabase(directory: directory.url.path, engine: .postgresql) }
            #expect(error.summary.hasPrefix("Without a database, migration 001 cannot be planned"))
            #expect(error.remedy?.contains("--db") == true)
        }
    }

    @Test("Tables the directory creates are known: an index on a table created earlier in the same file is fine")
    func knowsWhatTheDirectoryCreates() throws {
        try TemporaryDirectory.with { directory in
            let folder = directory.path("001_create")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "CREATE TABLE t (id bigint PRIMARY KEY, email text);\nCREATE INDEX t_email ON t (email);\n"
                .write(toFile: folder + "/up.sql", atomically: true, encoding: .utf8)
            try "DROP TABLE t;\n".write(toFile: folder + "/down.sql", atomically: true, encoding: .utf8)
            let second = directory.path("002_index")
            try FileManager.default.createDirectory(atPath: second, withIntermediateDirectories: true)
            try "CREATE INDEX t_email_2 ON t (email);\n".write(toFile: second + "/up.sql", atomically: true, encoding: .utf8)
            try "DROP INDEX t_email_2;\n".write(toFile: second + "/down.sql", atomically: true, encoding: .utf8)
            let report = try Self.report(directory.url.path)
            #expect(!report.contains("001_create/up.sql:2:1: error GW102"))
            #expect(report.contains("002_index/up.sql:1:1: error GW102 require-concurrent-index-creation"))
        }
    }
}
