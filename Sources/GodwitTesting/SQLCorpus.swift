public import Foundation
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
