public import GodwitCore

/// PostgreSQL's part in Godwit: connections through postgres-nio, the online planner, the DDL
/// writer, the advisory runner lock and `CREATE DATABASE` / `pg_dump` copies.
public struct PostgresEngineSupport: EngineSupport {
    public init() {}

    public var engine: Engine { .postgresql }

    public func open(_ url: DatabaseURL, access: DatabaseAccess) async throws -> any DatabaseDriver {
        guard case .postgres(let endpoint) = url else { throw GodwitError.wrongEngine(url, for: engine) }
        return try await PostgresDriver.connect(endpoint)
    }

    public var planner: any MigrationPlanner { PostgresPlanner() }
    public var schemaWriter: any SchemaScriptWriter { PostgresSchemaWriter() }
    public var locking: any RunnerLocking { PostgresRunnerLock() }
    public var bulkLoad: BulkLoadTraits {
        BulkLoadTraits(concurrentLoaders: true, loadingSessionSetup: [], constraintsAfterData: true, foreignKeyCheck: nil,
                       countersApart: true, deferForeignKeys: nil)
    }
    public var cloning: any DatabaseCloning { PostgresCloning() }
}
