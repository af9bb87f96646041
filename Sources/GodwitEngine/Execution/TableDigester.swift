import GodwitCore

/// Reads row counts and order-independent checksums of tables (see ``TableDigest``).
enum TableDigester {
    /// Digests of `tables` over the columns each has in `schema`, in that column order.
    static func digests(of tables: [QualifiedName], in schema: Schema, on driver: any DatabaseDriver) async throws -> [TableDigest] {
        var digests: [TableDigest] = []
        for name in tables.sorted() {
            guard let table = schema.table(named: name) else { continue }
            digests.append(try await digest(of: name, columns: table.columns.map(\.name), on: driver))
        }
        return digests
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
            return schema.tables.map(\.name).filter { !Schema.isGodwitHelper($0.name) && !LegacyHistory.isHistoryTable($0.name) }
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
