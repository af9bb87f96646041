public import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Where the engine meets the drivers: the one place that knows which ``EngineSupport`` serves
/// which engine. Everything engine-specific is reached through it.
public enum DatabaseConnector {
    /// Whether a command may change the database.
    public typealias Access = DatabaseAccess

    /// What an engine brings: driver, planner, DDL writer, runner lock, copies.
    public static func support(for engine: Engine) -> any EngineSupport {
        switch engine {
        case .sqlite: SQLiteEngineSupport()
        case .postgresql: PostgresEngineSupport()
        }
    }

    /// Opens a connection.
    /// - Throws: ``GodwitError`` with the driver's words for what went wrong.
    public static func open(_ url: DatabaseURL, access: Access = .readWrite) async throws -> any DatabaseDriver {
        try await support(for: url.engine).open(url, access: access)
    }

    /// Runs `body` with an open connection, closing it afterwards whatever happens.
    public static func withDriver<Result: Sendable>(
        _ url: DatabaseURL,
        access: Access = .readWrite,
        _ body: (any DatabaseDriver) async throws -> Result
    ) async throws -> Result {
        try await open(url, access: access).closing(body)
    }

    /// The migration planner for an engine.
    public static func planner(for engine: Engine) -> any MigrationPlanner {
        support(for: engine).planner
    }

    /// `CREATE TABLE` for one table on `engine`.
    static func tableWriter(for engine: Engine) -> @Sendable (Table) -> String {
        let writer = support(for: engine).schemaWriter
        return { writer.createTable($0) }
    }

    /// The DDL writer for an engine.
    public static func schemaWriter(for engine: Engine) -> any SchemaScriptWriter {
        support(for: engine).schemaWriter
    }
}
