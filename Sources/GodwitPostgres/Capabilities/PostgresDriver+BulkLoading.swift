public import GodwitCore

extension PostgresDriver: BulkLoading {
    public var bulkRowForm: BulkRowForm { .copyText }

    public var relaxedDurability: String? { "SET synchronous_commit = off" }

    public func bulkLoad(into table: QualifiedName, columns: [String], _ feed: (any BulkRowSink) async throws -> Void) async throws {
        try await copyIn(table: table, columns: columns) { sink in try await feed(TextCopySink(sink: sink, engine: engine)) }
    }

    /// COPY into a temporary staging table dropped at commit, then one `INSERT … ON CONFLICT …
    /// DO UPDATE` from it: a batch costs three statements, not one per row.
    public func bulkUpsert(into table: QualifiedName, columns: [String], key: [String], _ rows: BulkRows) async throws {
        let quoter = dialect.quoter
        let stageName = "godwit_stage_" + table.identifierText
        try await execute(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(quoter.quote(stageName)) ON COMMIT DROP AS SELECT \(quoter.quoteList(columns)) FROM \(quoter.quote(table)) WITH NO DATA")
        let schema = try await query(unsafeSQL: "SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()").first?[0].textValue
        let stage = QualifiedName(schema: schema, stageName)
        try await bulkLoad(into: stage, columns: columns, rows)
        try await execute(unsafeSQL: "INSERT INTO \(quoter.quote(table)) (\(quoter.quoteList(columns))) OVERRIDING SYSTEM VALUE "
                                     + "SELECT \(quoter.quoteList(columns)) FROM \(quoter.quote(stage)) \(conflictClause(columns: columns, key: key))")
        try await execute(unsafeSQL: "TRUNCATE \(quoter.quote(stage))")
    }
}

/// Hands COPY text batches to one `COPY … FROM STDIN`.
private struct TextCopySink: BulkRowSink {
    let sink: PostgresCopySink
    let engine: Engine

    func write(_ rows: BulkRows) async throws {
        guard case .copyText(let bytes) = rows else { throw GodwitError.bulkRowFormMismatch(engine) }
        if !bytes.isEmpty { try await sink.write(bytes) }
    }
}
