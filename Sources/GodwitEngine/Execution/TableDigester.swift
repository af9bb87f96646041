import GodwitCore

/// Reads row counts and order-independent checksums of tables (see ``TableDigest``).
enum TableDigester {
    /// Digests of `tables` over the columns each has in `schema`, in that column order: a
    /// hundred tables to a statement (`UNION ALL`), so a migration's checkpoint costs one round
    /// trip, not one per table.
    static func digests(of tables: [QualifiedName], in schema: Schema, on driver: any DatabaseDriver) async throws -> [TableDigest] {
        try await digests(of: tables.compactMap { name in schema.table(named: name).map { (name, $0.columns.map(\.name)) } }, on: driver)
    }

    /// Digests of tables over the columns given for each.
    static func digests(of found: [(QualifiedName, [String])], on driver: any DatabaseDriver) async throws -> [TableDigest] {
        var digests: [TableDigest] = []
        for start in stride(from: 0, to: found.count, by: 100) {
            let chunk = Array(found[start..<min(start + 100, found.count)])
            let sql = chunk.enumerated().map { offset, table in
                "SELECT \(offset) AS godwit_position, digest.* FROM (\(TableDigest.query(table: table.0, columns: table.1, engine: driver.engine))) AS digest"
            }.joined(separator: "\nUNION ALL\n")
            let rows = try await driver.query(unsafeSQL: sql)
            for row in rows {
                guard let position = row.values[0].integerValue.map(Int.init), position < chunk.count else { continue }
                let (name, columns) = chunk[position]
                digests.append(TableDigest(table: name, columns: columns, rows: row.values[1].integerValue ?? 0,
                                           checksum: "\(row.values[2].textValue ?? "0"):\(row.values[3].textValue ?? "0")"))
            }
        }
        return digests.sorted { $0.table < $1.table }
    }

    static func digest(of table: QualifiedName, columns: [String], on driver: any DatabaseDriver) async throws -> TableDigest {
        let row = try await driver.query(unsafeSQL: TableDigest.query(table: table, columns: columns, engine: driver.engine)).first
        return TableDigest(table: table, columns: columns, rows: row?[0].integerValue ?? 0,
                           checksum: "\(row?[1].textValue ?? "0"):\(row?[2].textValue ?? "0")")
    }

    /// The tables a migration touches, as named in the schema before it (every table when it
    /// runs raw SQL, whose reach Godwit cannot see).
    static func touchedTables(by migration: Migration, in schema: Schema) -> [QualifiedName] {
        if migration.operations.contains(where: { $0.table == nil }) {
            // Another tool's history table changes with every run Godwit records there.
            return schema.tables.map(\.name).filter { !Schema.isGodwitHelper($0.name) && !LegacyHistory.isHistoryTable($0) }
        }
        let transformer = SchemaTransformer()
        let names = migration.operations.compactMap(\.table).compactMap { transformer.resolve($0, in: schema) }
        var tables = Set(names.filter { schema.table(named: $0) != nil })
        // A new foreign key reads its parent; include the tables the touched ones reference.
        for name in tables {
            for key in schema.table(named: name)?.foreignKeys ?? [] where schema.table(named: key.referencedTable) != nil {
                tables.insert(key.referencedTable)
            }
        }
        return tables.sorted()
    }
}
