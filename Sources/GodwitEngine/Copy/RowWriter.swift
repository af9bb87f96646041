import Foundation
import GodwitCore

/// Writes rows a sync re-read from the source into the target table: upserts on the target's
/// key through the target's ``BulkLoading`` (PostgreSQL stages a COPY and inserts from it with
/// `ON CONFLICT … DO UPDATE`; SQLite runs that INSERT per row), and deletes by key.
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
        do {
            guard let loader = target as? any BulkLoading else { throw GodwitError(.invalidArgument, "Cannot write rows into \(target.engine)") }
            try await loader.bulkUpsert(into: table.target.name, columns: table.target.columns.map(\.name), key: targetKey,
                                        try converter.batch(rows, form: loader.bulkRowForm, tally: &tally))
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
                    switch (target as? any BulkLoading)?.bulkRowForm ?? .boundValues {
                    case .copyText:
                        return try conversion.postgresText(value, found: &found).map(SQLIdentifierQuoter.literal) ?? "NULL"
                    case .boundValues:
                        return BackfillBatchSQL.literal([try conversion.sqliteValue(value, found: &found)], engine: target.engine)
                            .dropFirst().dropLast().description
                    }
                }
                return parts.count == 1 ? parts[0] : "(" + parts.joined(separator: ", ") + ")"
            }
            deleted += try await target.execute(unsafeSQL: "DELETE FROM \(quoter.quote(table.target.name)) WHERE \(keyRow) IN (\(literals.joined(separator: ", ")))")
        }
        return Int64(deleted)
    }
}
