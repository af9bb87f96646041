import Foundation
public import GodwitCore
public import GodwitEngine

/// The SQL migrations written for the tests (`Tests/Fixtures/sql-corpus`): per engine a base
/// schema with rows, a chain of reversible migrations applied one after another, and migrations
/// whose down cannot give everything back.
public enum SQLCorpus {
    public static func base(_ engine: Engine) throws -> String {
        try Fixtures.text("sql-corpus/\(folder(engine))/base.sql")
    }

    /// The directory of reversible migrations, applied as one project's history.
    public static func chain(_ engine: Engine) -> String {
        Fixtures.url("sql-corpus/\(folder(engine))/chain").path
    }

    /// The directory of migrations whose down does not restore everything.
    public static func oneWay(_ engine: Engine) -> String {
        Fixtures.url("sql-corpus/\(folder(engine))/one-way").path
    }

    /// A directory holding only `migration` of `directory`, to apply it alone.
    public static func single(_ migration: String, of directory: String) throws -> TemporaryDirectory {
        let target = try TemporaryDirectory()
        try FileManager.default.copyItem(atPath: (directory as NSString).appendingPathComponent(migration), toPath: target.path(migration))
        return target
    }

    private static func folder(_ engine: Engine) -> String { engine == .postgresql ? "postgres" : "sqlite" }

    /// Settings that pass every gate and keep nothing for a retention window, as a test wants.
    public static var settings: ExecutionSettings {
        var settings = ExecutionSettings()
        settings.approveGates = true
        settings.retention = 0
        settings.requireRehearsal = false
        return settings
    }
}

extension SQLCorpus {
    /// Lint's text report for a corpus directory against `url`, paths relative to the corpus.
    public static func lintReport(_ directory: String, on url: DatabaseURL) async throws -> String {
        let findings = try await MigrationPlanning.planAll(directory: directory, database: url, checkingDown: false).flatMap { planned in
            Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
        }
        let corpus = Fixtures.url("sql-corpus").path + "/"
        return try LintReportRenderer.render(findings, as: .text).replacingOccurrences(of: corpus, with: "")
    }

    /// Compares `actual` with the golden file `name` beside the corpus; `GODWIT_UPDATE_GOLDEN=1` rewrites it.
    public static func golden(_ name: String, _ actual: String) throws -> (actual: String, expected: String) {
        let file = Fixtures.url("sql-corpus/\(name)")
        if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        return (actual, try String(contentsOf: file, encoding: .utf8))
    }
}
