public import GodwitCore

/// SQLite's part in Godwit: connections through GRDB, the table-rebuild planner, the DDL writer,
/// the `flock` runner lock and backup-API copies.
public struct SQLiteEngineSupport: EngineSupport {
    public init() {}

    public var engine: Engine { .sqlite }

    public func open(_ url: DatabaseURL, access: DatabaseAccess) async throws -> any DatabaseDriver {
        guard case .sqlite(let location) = url else { throw GodwitError.wrongEngine(url, for: engine) }
        let mode: SQLiteDriver.OpenMode = switch access {
        case .readOnly: .readOnly
        case .readWrite: .readWrite
        case .create: .create
        }
        return try SQLiteDriver.open(location, mode: mode)
    }

    public var planner: any MigrationPlanner { SQLitePlanner() }
    public var schemaWriter: any SchemaScriptWriter { SQLiteSchemaWriter() }
    public var locking: any RunnerLocking { SQLiteRunnerLock() }
    public var bulkLoad: BulkLoadTraits {
        BulkLoadTraits(concurrentLoaders: false, loadingSessionSetup: ["PRAGMA foreign_keys = OFF"], constraintsAfterData: false,
                       foreignKeyCheck: "PRAGMA foreign_key_check", countersApart: false,
                       deferForeignKeys: "PRAGMA defer_foreign_keys = ON")
    }
    public var cloning: any DatabaseCloning { SQLiteCloning() }
}
