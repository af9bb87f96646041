public import GodwitCore

extension SQLiteDriver: BulkLoading {
    public var bulkRowForm: BulkRowForm { .boundValues }

    public var relaxedDurability: String? { nil }

    public func bulkLoad(into table: QualifiedName, columns: [String], _ feed: (any BulkRowSink) async throws -> Void) async throws {
        try await feed(InsertSink(driver: self, statement: insert(into: table, columns: columns)))
    }

    public func bulkUpsert(into table: QualifiedName, columns: [String], key: [String], _ rows: BulkRows) async throws {
        try await InsertSink(driver: self, statement: insert(into: table, columns: columns) + " " + conflictClause(columns: columns, key: key))
            .write(rows)
    }

    private func insert(into table: QualifiedName, columns: [String]) -> String {
        let quoter = dialect.quoter
        return "INSERT INTO \(quoter.quote(table)) (\(quoter.quoteList(columns))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
    }
}

/// Runs one prepared INSERT for every row of each batch.
private struct InsertSink: BulkRowSink {
    let driver: SQLiteDriver
    let statement: String

    func write(_ rows: BulkRows) async throws {
        guard case .boundValues(let values) = rows else { throw GodwitError.bulkRowFormMismatch(driver.engine) }
        if !values.isEmpty { try await driver.executeEach(unsafeSQL: statement, rows: values) }
    }
}
