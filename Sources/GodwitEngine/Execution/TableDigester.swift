import GodwitCore

/// Reads row counts and order-independent checksums of tables (see ``TableDigest``).
enum TableDigester {
    /// Digests of `tables` over the columns each has in `schema`, in that column order: a
    /// hundred tables to a statement (`UNION ALL`), so a migration's checkpoint costs one round
    /// trip, not one per table. Values are hashed where the engine can (``TableDigest/Algorithm/values``).
    static func digests(of tables: [QualifiedName], in schema: Schema, on driver: any DatabaseDriver) async throws -> [TableDigest] {
        try await scan(tables, in: schema, on: driver).digests
    }

    /// Digests, and the rows counted alongside them.
    struct Scan: Sendable {
        var digests: [TableDigest] = []
        /// Per table, the rows for which each condition asked for holds, in the order asked.
        var counts: [QualifiedName: [Int64]] = [:]
        /// ``TableDigest/Algorithm/legacyValues``: per table, the checksum by the second
        /// formula (the digest holds the first's).
        var alternatives: [QualifiedName: String] = [:]
    }

    /// Digests of `tables` as ``digests(of:in:on:)`` takes them, each table's scan also counting
    /// the rows for which each of its `conditions` holds.
    static func scan(_ tables: [QualifiedName], in schema: Schema, counting conditions: [QualifiedName: [String]] = [:],
                     on driver: any DatabaseDriver) async throws -> Scan {
        let found = tables.compactMap { name in schema.table(named: name).map { (name, $0.columns.map(\.name)) } }
        guard driver.dialect is any CanonicalSpelling else { return try await scan(found, on: driver, counting: conditions) }
        do {
            return try await scan(found, on: driver, algorithm: .values, schema: schema, counting: conditions)
        } catch let error as GodwitError where error.engineCode == "42883" {
            // PostgreSQL 13 has no hash_record_extended: the rows' text is hashed instead.
            return try await scan(found, on: driver, counting: conditions)
        }
    }

    /// Digests of tables over the columns given for each, hashed with `algorithm` (for
    /// ``TableDigest/Algorithm/values``, with the columns' types as `schema` declares them).
    static func digests(of found: [(QualifiedName, [String])], on driver: any DatabaseDriver,
                        algorithm: TableDigest.Algorithm = .current, schema: Schema? = nil) async throws -> [TableDigest] {
        try await scan(found, on: driver, algorithm: algorithm, schema: schema).digests
    }

    private static func scan(_ found: [(QualifiedName, [String])], on driver: any DatabaseDriver, algorithm: TableDigest.Algorithm = .current,
                             schema: Schema? = nil, counting conditions: [QualifiedName: [String]] = [:]) async throws -> Scan {
        var result = Scan()
        // Tables whose scans count conditions return more columns: one statement each.
        let width = conditions.isEmpty ? 100 : 1
        let quoter = driver.engine.quoter
        let byValue = algorithm == .values || algorithm == .legacyValues
        let valueHashes = { (table: QualifiedName, columns: [String]) -> [String] in
            guard byValue, let spelling = driver.dialect as? any CanonicalSpelling, let definition = schema?.table(named: table) else { return [] }
            let types = columns.map { column in definition.column(named: column)?.type ?? "" }
            if algorithm == .legacyValues { return spelling.legacyRowValueHashes(of: columns.map(quoter.quote), declaredTypes: types) }
            return spelling.rowValueHash(of: columns.map(quoter.quote), declaredTypes: types).map { [$0] } ?? []
        }
        for start in stride(from: 0, to: found.count, by: width) {
            let chunk = found[start..<min(start + width, found.count)].map { table in (name: table.0, columns: table.1, hashes: valueHashes(table.0, table.1)) }
            let sql = chunk.enumerated().map { offset, table in
                let query = TableDigest.query(table: table.name, columns: table.columns, engine: driver.engine,
                                              algorithm: table.hashes.isEmpty && byValue ? .current : algorithm, valueHashes: table.hashes,
                                              counting: conditions[table.name] ?? [])
                return "SELECT \(offset) AS godwit_position, digest.* FROM (\(query)) AS digest"
            }.joined(separator: "\nUNION ALL\n")
            let rows = try await driver.query(unsafeSQL: sql)
            for row in rows {
                guard let position = row.values[0].integerValue.map(Int.init), position < chunk.count else { continue }
                let table = chunk[position]
                let used: TableDigest.Algorithm = byValue && table.hashes.isEmpty ? .current : algorithm
                result.digests.append(TableDigest(table: table.name, columns: table.columns, rows: row.values[1].integerValue ?? 0,
                                                  checksum: TableDigest.checksum(row.values[2].textValue ?? "0", row.values[3].textValue ?? "0",
                                                                                 engine: driver.engine, algorithm: used)))
                if used == .legacyValues {
                    result.alternatives[table.name] = TableDigest.checksum(row.values[3].textValue ?? "0", "", engine: driver.engine, algorithm: used)
                }
                if let asked = conditions[table.name], !asked.isEmpty {
                    result.counts[table.name] = row.values.dropFirst(4).prefix(asked.count).map { $0.integerValue ?? 0 }
                }
            }
        }
        result.digests.sort { $0.table < $1.table }
        return result
    }

    /// Row counts of `tables`, as digests without a checksum (one statement for them all).
    static func counts(of tables: [QualifiedName], on driver: any DatabaseDriver) async throws -> [TableDigest] {
        guard !tables.isEmpty else { return [] }
        let quoter = driver.engine.quoter
        let sql = tables.enumerated().map { "SELECT \($0.offset) AS godwit_position, count(*) AS rows FROM \(quoter.quote($0.element))" }
            .joined(separator: "\nUNION ALL\n")
        return try await driver.query(unsafeSQL: sql).compactMap { row in
            guard let position = row.values[0].integerValue.map(Int.init), position < tables.count else { return nil }
            return TableDigest(table: tables[position], columns: [], rows: row.values[1].integerValue ?? 0, checksum: "")
        }.sorted { $0.table < $1.table }
    }

    /// Digests to compare with `recorded` ones: each table hashed as its recorded digest was
    /// (by value with the column types `schema` declares now).
    static func digests(like recorded: [TableDigest], in schema: Schema, on driver: any DatabaseDriver) async throws -> [TableDigest] {
        let grouped = Dictionary(grouping: recorded) { TableDigest.Algorithm.of($0.checksum, engine: driver.engine) }
        var digests: [TableDigest] = []
        for (algorithm, tables) in grouped {
            let scanned = try await scan(tables.map { ($0.table, $0.columns) }, on: driver, algorithm: algorithm, schema: schema)
            // An `hv:` checksum was made by one of two formulas: the one that matches stands.
            digests += scanned.digests.map { digest in
                guard let alternative = scanned.alternatives[digest.table],
                      recorded.contains(where: { $0.table == digest.table && $0.checksum == alternative }) else { return digest }
                var matching = digest
                matching.checksum = alternative
                return matching
            }
        }
        return digests.sorted { $0.table < $1.table }
    }

    /// The tables a migration touches, as named in the schema before it: those its operations
    /// name and, for hand-written SQL, those its statements can write (``RawSQLReach``: every
    /// table when that cannot be read from the words), with the tables they reference.
    static func touchedTables(by migration: Migration, in schema: Schema) -> [QualifiedName] {
        let transformer = SchemaTransformer()
        var names = migration.operations.compactMap(\.table).compactMap { transformer.resolve($0, in: schema) }
        for case .rawSQL(let raw) in migration.operations {
            switch RawSQLReach.of(raw.up, engine: schema.engine, in: schema) {
            case .tables(let reached): names += reached
            case .unknown:
                // Another tool's history table changes with every run Godwit records there.
                return schema.tables.map(\.name).filter { !Schema.isGodwitHelper($0.name) && !LegacyHistory.isHistoryTable($0) }
            }
        }
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
