import GodwitCore

/// Where Godwit keeps its own tables in a database: the schema `godwit` on PostgreSQL, tables
/// named `godwit_…` on SQLite. One naming for the state store, copy progress, change capture
/// and sync positions.
extension DatabaseDriver {
    /// `godwit.NAME` on PostgreSQL, `godwit_NAME` on SQLite.
    func godwitTable(_ name: String) -> String {
        dialect.godwitTable(name)
    }

    /// Whether Godwit's table NAME exists (read-only commands must not create it).
    func hasGodwitTable(_ name: String) async throws -> Bool {
        try await query(unsafeSQL: dialect.godwitTableCount, bindings: [.text(name)]).first?[0].integerValue ?? 0 > 0
    }
}

extension DatabaseDriver {
    /// The smallest and largest value of an integer key column, or nil for an empty table. Two
    /// single-aggregate subqueries: SQLite reads `min` and `max` from the B-tree only when each is
    /// a query of its own (`SELECT min(k), max(k)` scans the whole table).
    func keyBounds(of table: QualifiedName, key: String) async throws -> ClosedRange<Int64>? {
        let quoter = engine.quoter
        let key = quoter.quote(key), name = quoter.quote(table)
        let row = try await query(unsafeSQL: "SELECT (SELECT min(\(key)) FROM \(name)), (SELECT max(\(key)) FROM \(name))").first
        guard let low = row?[0].integerValue, let high = row?[1].integerValue, low <= high else { return nil }
        return low...high
    }
}
