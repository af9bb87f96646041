import GodwitCore

/// Finds where a table differs between two databases the way data-diff does: compares
/// checksums of key ranges on both sides and bisects the first range that differs down to a few
/// rows, then names their keys. Needs a single-column integer key; other tables are reported
/// whole.
struct DifferenceLocator {
    let original: any DatabaseDriver
    let copy: any DatabaseDriver
    /// Ranges of at most this many keys are compared row by row.
    var leafSize: Int64 = 16

    func locate(_ table: Table, columns: [String]) async throws -> RehearsalReport.Difference {
        let quoter = original.engine.quoter
        guard let keyColumns = table.primaryKey?.columns, keyColumns.count == 1,
              let keyType = table.columns.first(where: { $0.name == keyColumns[0] })?.type.lowercased(),
              ["int", "integer", "bigint", "smallint", "int4", "int8", "int2"].contains(keyType) else {
            return .init(table: table.name.description, keyRange: nil, keys: [], detail: "differs (no integer key to bisect on)")
        }
        let key = quoter.quote(keyColumns[0])
        let bounds = "SELECT min(\(key)), max(\(key)) FROM \(quoter.quote(table.name))"
        let left = try await original.query(unsafeSQL: bounds).first, right = try await copy.query(unsafeSQL: bounds).first
        let lows = [left?[0].integerValue, right?[0].integerValue].compactMap { $0 }
        let highs = [left?[1].integerValue, right?[1].integerValue].compactMap { $0 }
        guard let low = lows.min(), let high = highs.max() else {
            return .init(table: table.name.description, keyRange: nil, keys: [], detail: "differs (one side is empty)")
        }
        var range = (low, high)
        guard try await differs(table, columns, key: key, range) else {
            return .init(table: table.name.description, keyRange: nil, keys: [], detail: "checksums differ outside the key range")
        }
        while range.1 - range.0 >= leafSize {
            let middle = range.0 + (range.1 - range.0) / 2
            range = try await differs(table, columns, key: key, (range.0, middle)) ? (range.0, middle) : (middle + 1, range.1)
        }
        let keys = try await differingKeys(table, columns, key: key, range)
        return .init(table: table.name.description, keyRange: "\(keyColumns[0]) \(range.0)…\(range.1)", keys: keys.map(String.init),
                     detail: "\(keys.count) row(s) in the first differing range; rows found by bisecting per-range checksums")
    }

    private func differs(_ table: Table, _ columns: [String], key: String, _ range: (Int64, Int64)) async throws -> Bool {
        let filter = "\(key) BETWEEN \(range.0) AND \(range.1)"
        let sql = TableDigest.query(table: table.name, columns: columns, engine: original.engine, filter: filter)
        let left = try await original.query(unsafeSQL: sql).first?.values, right = try await copy.query(unsafeSQL: sql).first?.values
        return left != right
    }

    private func differingKeys(_ table: Table, _ columns: [String], key: String, _ range: (Int64, Int64)) async throws -> [Int64] {
        let quoter = original.engine.quoter
        let sql = "SELECT \(key), \(TableDigest.rowHash(columns, engine: original.engine)) FROM \(quoter.quote(table.name)) WHERE \(key) BETWEEN \(range.0) AND \(range.1)"
        func hashes(_ driver: any DatabaseDriver) async throws -> [Int64: DatabaseValue] {
            var result: [Int64: DatabaseValue] = [:]
            for row in try await driver.query(unsafeSQL: sql) { if let id = row[0].integerValue { result[id] = row[1] } }
            return result
        }
        let left = try await hashes(original), right = try await hashes(copy)
        return Set(left.keys).union(right.keys).filter { left[$0] != right[$0] }.sorted()
    }
}
