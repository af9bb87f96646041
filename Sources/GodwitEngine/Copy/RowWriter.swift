import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Writes rows a sync re-read from the source into the target table: upserts on the target's
/// key (PostgreSQL: COPY into a staging table dropped at commit, then `INSERT … ON CONFLICT …
/// DO UPDATE`; SQLite: `INSERT … ON CONFLICT … DO UPDATE` per row), and deletes by key.
struct RowWriter {
    let table: TableCopy
    let target: any DatabaseDriver

    private var quoter: SQLIdentifierQuoter { target.engine.quoter }

    /// The target's key columns, in the source key's order.
    private var targetKey: [String] {
        table.key.compactMap { key in table.columns.first { $0.sourceName == key }?.target.name }
    }

    func upsert(_ rows: [Row]) async throws -> Int64 {
        let converter = RowConverter(table)
        var tally = FormatTally(columns: table.columns.count)
        let columns = table.target.columns.map(\.name)
        let updates = columns.filter { !targetKey.contains($0) }.map { "\(quoter.quote($0)) = excluded.\(quoter.quote($0))" }
        let conflict = "ON CONFLICT (\(quoter.quoteList(targetKey))) " + (updates.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + updates.joined(separator: ", "))
        do {
            switch target {
            case let postgres as PostgresDriver:
                let stage = QualifiedName(schema: nil, "godwit_stage_\(ChangeCapture.identifier(table.target.name))")
                try await postgres.execute(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(quoter.quote(stage)) ON COMMIT DROP AS SELECT \(quoter.quoteList(columns)) FROM \(quoter.quote(table.target.name)) WITH NO DATA")
                var buffer: [UInt8] = []
                for row in rows { CopyTextFormat.appendRow(try converter.postgres(row, tally: &tally), to: &buffer) }
                let schema = try await postgres.query(unsafeSQL: "SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()").first?[0].textValue
                try await postgres.copyIn(table: QualifiedName(schema: schema, stage.name), columns: columns) { sink in try await sink.write(buffer) }
                try await postgres.execute(unsafeSQL: "INSERT INTO \(quoter.quote(table.target.name)) (\(quoter.quoteList(columns))) OVERRIDING SYSTEM VALUE "
                                           + "SELECT \(quoter.quoteList(columns)) FROM \(quoter.quote(QualifiedName(schema: schema, stage.name))) \(conflict)")
                try await postgres.execute(unsafeSQL: "TRUNCATE \(quoter.quote(QualifiedName(schema: schema, stage.name)))")
            case let sqlite as SQLiteDriver:
                let values = try rows.map { try converter.sqlite($0, tally: &tally) }
                try await sqlite.executeEach(unsafeSQL: "INSERT INTO \(quoter.quote(table.target.name)) (\(quoter.quoteList(columns))) VALUES ("
                                             + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ") \(conflict)", rows: values)
            default: break
            }
        } catch let failure as ColumnFailure {
            throw GodwitError(.integrityFailure, "A changed row of \(table.source.name) cannot be written into \(table.target.name)",
                              reason: "column \(table.columns[failure.column].target.name): \(failure.reason)",
                              remedy: "Fix the row on the source (or the copy file), then run godwit sync again: it resumes at this change.")
        }
        if let map = table.idMap {
            let namespace = table.source.name.description
            let pairs = rows.compactMap { $0.values.first?.integerValue }.map { ($0, KeyUUID.make(table: namespace, id: $0)) }
            try await IDMap.write(pairs, to: map, on: target)
        }
        return Int64(rows.count)
    }

    /// Deletes the rows with these source keys.
    func delete(keys: [[DatabaseValue]]) async throws -> Int64 {
        let keyConversions = table.key.compactMap { key in table.columns.first { $0.sourceName == key }?.conversion }
        guard keyConversions.count == table.key.count, !keys.isEmpty else { return 0 }
        let keyRow = targetKey.count == 1 ? quoter.quote(targetKey[0]) : "(" + quoter.quoteList(targetKey) + ")"
        var deleted = 0
        for slice in stride(from: 0, to: keys.count, by: 500) {
            let literals = try keys[slice..<min(slice + 500, keys.count)].map { key in
                let parts = try zip(key, keyConversions).map { value, conversion -> String in
                    var found: TemporalValue.Format?
                    if target.engine == .postgresql {
                        return try conversion.postgresText(value, found: &found).map(SQLIdentifierQuoter.literal) ?? "NULL"
                    }
                    return BackfillBatchSQL.literal([try conversion.sqliteValue(value, found: &found)], engine: .sqlite)
                        .dropFirst().dropLast().description
                }
                return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: ", ") + ")"
            }
            deleted += try await target.execute(unsafeSQL: "DELETE FROM \(quoter.quote(table.target.name)) WHERE \(keyRow) IN (\(literals.joined(separator: ", ")))")
        }
        return Int64(deleted)
    }
}
