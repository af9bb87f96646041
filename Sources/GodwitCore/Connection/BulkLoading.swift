/// The form a bulk load takes its rows in.
public enum BulkRowForm: Sendable {
    /// PostgreSQL's COPY text format: each value the text the server parses (``CopyTextFormat``).
    case copyText
    /// Bound values: one prepared statement run again for each row.
    case boundValues
}

/// A batch of rows for a bulk load, in the loader's ``BulkRowForm``.
public enum BulkRows: Sendable {
    /// Rows already written in COPY text format.
    case copyText([UInt8])
    /// Rows of bound values.
    case boundValues([[DatabaseValue]])

    /// Whether the batch holds no row.
    public var isEmpty: Bool {
        switch self {
        case .copyText(let bytes): bytes.isEmpty
        case .boundValues(let rows): rows.isEmpty
        }
    }
}

/// Takes batches of rows during one bulk load.
public protocol BulkRowSink: Sendable {
    func write(_ rows: BulkRows) async throws
}

/// Loading many rows into one table fast, inside the caller's transaction: `COPY … FROM STDIN`
/// on PostgreSQL, a prepared INSERT run again per row on SQLite. Copy and sync write through it
/// without knowing which engine they fill.
public protocol BulkLoading: DatabaseDriver {
    /// The form this engine takes rows in.
    var bulkRowForm: BulkRowForm { get }
    /// The statement that trades durability for speed for the rest of the session, where the
    /// engine has one (a copy resumes from its last committed chunk after a crash anyway).
    var relaxedDurability: String? { get }
    /// Loads the rows `feed` writes into `columns` of `table`.
    func bulkLoad(into table: QualifiedName, columns: [String], _ feed: (any BulkRowSink) async throws -> Void) async throws
    /// Inserts `rows`, updating the row with the same `key` where one exists.
    func bulkUpsert(into table: QualifiedName, columns: [String], key: [String], _ rows: BulkRows) async throws
}

extension BulkLoading {
    /// Loads one batch.
    public func bulkLoad(into table: QualifiedName, columns: [String], _ rows: BulkRows) async throws {
        try await bulkLoad(into: table, columns: columns) { sink in try await sink.write(rows) }
    }

    /// The upsert's conflict clause: update every non-key column from the new row.
    public func conflictClause(columns: [String], key: [String]) -> String {
        let quoter = dialect.quoter
        let updates = columns.filter { !key.contains($0) }.map { "\(quoter.quote($0)) = excluded.\(quoter.quote($0))" }
        return "ON CONFLICT (\(quoter.quoteList(key))) " + (updates.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + updates.joined(separator: ", "))
    }
}

extension GodwitError {
    /// A batch in a form the loader does not take: a bug in the caller.
    public static func bulkRowFormMismatch(_ engine: Engine) -> GodwitError {
        GodwitError(.internalError, "Rows in the wrong form for a bulk load into \(engine)")
    }

    /// A URL of another engine handed to an engine's parts: a bug in the caller.
    public static func wrongEngine(_ url: DatabaseURL, for engine: Engine) -> GodwitError {
        GodwitError(.internalError, "A \(url.engine) database was handed to \(engine)'s driver", location: url.description)
    }
}
