public import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Opens the right driver for a database URL, and names the engine-specific parts.
public enum DatabaseConnector {
    /// Whether a command may change the database.
    public enum Access: Sendable {
        case readOnly
        case readWrite
        /// Read-write, creating a SQLite file when it is missing.
        case create
    }

    /// Opens a connection.
    /// - Throws: ``GodwitError`` with the driver's words for what went wrong.
    public static func open(_ url: DatabaseURL, access: Access = .readWrite) async throws -> any DatabaseDriver {
        switch url {
        case .sqlite(let location):
            let mode: SQLiteDriver.OpenMode = switch access {
            case .readOnly: .readOnly
            case .readWrite: .readWrite
            case .create: .create
            }
            return try SQLiteDriver.open(location, mode: mode)
        case .postgres(let endpoint):
            return try await PostgresDriver.connect(endpoint)
        }
    }

    /// Runs `body` with an open connection, closing it afterwards whatever happens.
    public static func withDriver<Result: Sendable>(
        _ url: DatabaseURL,
        access: Access = .readWrite,
        _ body: (any DatabaseDriver) async throws -> Result
    ) async throws -> Result {
        let driver = try await open(url, access: access)
        do {
            let result = try await body(driver)
            try? await driver.close()
            return result
        } catch {
            try? await driver.close()
            throw error
        }
    }

    /// The migration planner for an engine.
    public static func planner(for engine: Engine) -> any MigrationPlanner {
        switch engine {
        case .sqlite: SQLitePlanner()
        case .postgresql: PostgresPlanner()
        }
    }

    /// The DDL writer for an engine.
    /// `CREATE TABLE` for one table on `engine`.
    static func tableWriter(for engine: Engine) -> @Sendable (Table) -> String {
        switch engine {
        case .postgresql: { PostgresSchemaWriter().createTable($0) }
        case .sqlite: { SQLiteSchemaWriter().createTable($0) }
        }
    }

    public static func schemaWriter(for engine: Engine) -> any SchemaScriptWriter {
        switch engine {
        case .sqlite: SQLiteSchemaWriter()
        case .postgresql: PostgresSchemaWriter()
        }
    }
}
