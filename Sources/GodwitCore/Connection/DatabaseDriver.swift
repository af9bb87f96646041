/// What to read when inspecting a database.
public struct InspectionOptions: Hashable, Sendable {
    /// Take an exact `count(*)` of every table (slow on big tables); estimates are always taken.
    public var exactRowCounts: Bool
    /// PostgreSQL schemas to read; empty means every schema but the system ones.
    public var schemas: [String]
    /// Measure each table's bytes (SQLite reads every page for it; a copy does not need them).
    public var tableSizes: Bool
    /// Read inside the transaction the caller holds open (and leave it open), seeing its own
    /// uncommitted changes; otherwise the reading is a read-only transaction of its own.
    public var withinTransaction: Bool
    /// PostgreSQL: read the catalog in two halves on two sessions (the second opened for the
    /// reading and closed after it) when the database holds more relations than this; a
    /// smaller catalog reads faster than a connection opens.
    public var splitAboveRelations: Int

    public init(exactRowCounts: Bool = false, schemas: [String] = [], tableSizes: Bool = true, withinTransaction: Bool = false,
                splitAboveRelations: Int = 2_000) {
        self.exactRowCounts = exactRowCounts
        self.schemas = schemas
        self.tableSizes = tableSizes
        self.withinTransaction = withinTransaction
        self.splitAboveRelations = splitAboveRelations
    }
}

/// One open connection to a database, of either engine.
///
/// A driver is one session: statements run in the order they are awaited, and a transaction
/// begun on it covers every statement until it ends. Use one driver from one task at a time.
/// Every method translates engine errors into ``GodwitError`` with no passwords or row values.
public protocol DatabaseDriver: Sendable {
    /// The engine behind this connection.
    var engine: Engine { get }
    /// How SQL for Godwit's own records is written on this engine.
    var dialect: any SQLDialect { get }

    /// The URL it was opened with (``DatabaseURL/description`` is safe to print).
    var url: DatabaseURL { get }

    /// Reads the whole schema, with table statistics, into the model.
    func inspect(_ options: InspectionOptions) async throws -> Schema

    /// Starts noting which objects later statements on this database create, change or drop,
    /// so that ``inspect(_:after:)`` can read only those again. For a throwaway database (the
    /// scratch SQL files are tried on), never a user's: it installs a recorder in the database.
    /// - Returns: whether the engine and the role allow it; without it every reading is whole.
    func trackSchemaChanges() async throws -> Bool

    /// Reads the schema; given an earlier reading of the same database, only what changed since
    /// is read again: the objects the tracked changes name (and their dependents), or else the
    /// objects `changed` names (``ChangedObjects``), the rest taken from `previous`.
    func inspect(_ options: InspectionOptions, after previous: SchemaReading?, changed: Set<QualifiedName>?) async throws -> SchemaReading

    /// Runs one statement that returns no rows.
    /// - Returns: the number of rows it changed, where the engine reports it.
    @discardableResult
    func execute(unsafeSQL sql: String, bindings: [DatabaseValue]) async throws -> Int

    /// Runs a script of several statements, in order, stopping at the first error.
    func executeScript(unsafeSQL script: String) async throws

    /// Runs a query and hands its rows over in pages of at most `pageSize`, reading the next
    /// page only after `body` returns, so memory stays bounded by one or two pages.
    func forEachPage(
        unsafeSQL sql: String,
        bindings: [DatabaseValue],
        pageSize: Int,
        _ body: @Sendable ([Row]) async throws -> Void
    ) async throws

    /// Closes the connection. Further calls fail.
    func close() async throws

    /// Whether the connection is gone (closed here, or ended by the server).
    var isClosed: Bool { get }
}

/// A schema reading and what its engine needs to read only what changed since (opaque).
public struct SchemaReading: Sendable {
    /// The schema read.
    public let schema: Schema
    /// The engine's own record of the catalog as read, for the next incremental reading.
    public let catalog: (any Sendable)?

    public init(schema: Schema, catalog: (any Sendable)? = nil) {
        self.schema = schema
        self.catalog = catalog
    }
}

extension DatabaseDriver {
    /// An engine that tracks nothing reads everything each time.
    public func trackSchemaChanges() async throws -> Bool { false }

    public func inspect(_ options: InspectionOptions, after previous: SchemaReading?, changed: Set<QualifiedName>?) async throws -> SchemaReading {
        SchemaReading(schema: try await inspect(options))
    }

    /// A reading after `previous`, of what the tracked changes name (see ``trackSchemaChanges()``).
    public func inspect(_ options: InspectionOptions, after previous: SchemaReading?) async throws -> SchemaReading {
        try await inspect(options, after: previous, changed: nil)
    }

    /// Runs `body` with this connection and closes it afterwards, whatever happens.
    public func closing<Result: Sendable>(_ body: (Self) async throws -> Result) async throws -> Result {
        do {
            let result = try await body(self)
            try? await close()
            return result
        } catch {
            try? await close()
            throw error
        }
    }

    /// Runs a query and returns all its rows: for small results (catalog reads, counts).
    public func query(unsafeSQL sql: String, bindings: [DatabaseValue] = []) async throws -> [Row] {
        let collector = RowCollector()
        try await forEachPage(unsafeSQL: sql, bindings: bindings, pageSize: 1024) { page in
            collector.append(page)
        }
        return collector.rows
    }

    /// Runs one statement that returns no rows, without bindings.
    @discardableResult
    public func execute(unsafeSQL sql: String) async throws -> Int {
        try await execute(unsafeSQL: sql, bindings: [])
    }

    /// Runs `body` inside a transaction: committed when it returns, rolled back when it throws
    /// or is cancelled.
    public func withTransaction<Result: Sendable>(
        _ body: @Sendable () async throws -> Result
    ) async throws -> Result {
        try await transaction(beginning: "BEGIN", body)
    }

    /// Runs `body` inside a transaction that writes: on SQLite `BEGIN IMMEDIATE`, which takes the
    /// write lock at once, so the transaction cannot fail halfway for want of it. Committed when
    /// `body` returns, rolled back when it throws.
    public func withWriteTransaction<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await transaction(beginning: engine == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN", body)
    }

    private func transaction<Result>(beginning begin: String, _ body: () async throws -> Result) async throws -> Result {
        try await execute(unsafeSQL: begin)
        let result: Result
        do {
            result = try await body()
        } catch {
            _ = try? await execute(unsafeSQL: "ROLLBACK")
            throw error
        }
        try await execute(unsafeSQL: "COMMIT")
        return result
    }
}

/// Gathers pages into one array; used by ``DatabaseDriver/query(unsafeSQL:bindings:)``.
private final class RowCollector: @unchecked Sendable {
    // Pages are handed over one at a time by the driver, never concurrently.
    private(set) var rows: [Row] = []

    func append(_ page: [Row]) { rows.append(contentsOf: page) }
}
