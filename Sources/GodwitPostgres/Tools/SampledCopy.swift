import Foundation
import GodwitCore

/// Copies a PostgreSQL database into an empty one with its very large tables cut down to a
/// sample (`godwit rehearse --sample ROWS`): every table whose row count is above `rowLimit`
/// holds about that many rows, picked by `TABLESAMPLE SYSTEM … REPEATABLE`, and every other
/// table is copied whole.
///
/// The order keeps the copy consistent: `pg_dump` without the big tables' data; its pre-data and
/// data sections restored; the samples streamed in with `COPY`; then rows whose foreign keys
/// point at rows the sample left out are deleted, repeatedly, until none are left; and only then
/// the post-data section (indexes, constraints, foreign keys, triggers), which so validates.
struct SampledCopy {
    let source: DatabaseURL.PostgresEndpoint
    let target: DatabaseURL.PostgresEndpoint
    let rowLimit: Int64

    /// The tables `make()` would sample, with their row counts (statistics, else exact).
    static func largeTables(in schema: Schema, over rowLimit: Int64) -> [(table: Table, rows: Int64)] {
        schema.tables.compactMap { table in
            guard !table.isPartitioned, let rows = table.statistics?.rowCount, rows > rowLimit else { return nil }
            return (table, rows)
        }
    }

    /// Makes the copy and says what was sampled.
    func make(schema: Schema) async throws -> [RehearsalReport.SampledTable] {
        let large = Self.largeTables(in: schema, over: rowLimit)
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-sample-\(UUID().uuidString).dump").path
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let purpose = "cloning the database with samples"
        let patterns = large.map { "--exclude-table-data=" + Self.pattern($0.table.name) }
        try await PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", archive] + patterns
                                  + ["--dbname", PostgresTools.connectionString(source)], endpoint: source, purpose: purpose)
        let restore = ["--no-owner", "--no-privileges", "--exit-on-error", "--dbname", PostgresTools.connectionString(target)]
        try await PostgresTools.run("pg_restore", restore + ["--section=pre-data", "--section=data", archive], endpoint: target, purpose: purpose)

        let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
        for (table, rows) in large {
            let columns = quoter.quoteList(table.columns.filter { $0.generated == nil }.map(\.name))
            let percent = min(100, 150 * Double(rowLimit) / Double(max(rows, 1)))
            try await PostgresTools.copy(
                query: "SELECT \(columns) FROM ONLY \(quoter.quote(table.name)) TABLESAMPLE SYSTEM (\(percent)) REPEATABLE (42) LIMIT \(rowLimit)",
                from: source, into: "\(quoter.quote(table.name)) (\(columns))", to: target, purpose: purpose)
        }
        try await PostgresDriver.with(target) { driver in
            try await deleteOrphans(of: Set(large.map(\.table.name)), in: schema, on: driver)
        }
        try await PostgresTools.run("pg_restore", restore + ["--section=post-data", archive], endpoint: target, purpose: purpose)
        return try await PostgresDriver.with(target) { driver in
            try await driver.execute(unsafeSQL: "ANALYZE")
            var sampled: [RehearsalReport.SampledTable] = []
            for (table, rows) in large {
                let copied = try await driver.query(unsafeSQL: "SELECT count(*) FROM \(quoter.quote(table.name))").first?[0].integerValue ?? 0
                sampled.append(.init(table: table.name.description, rowsInSource: rows, rowsCopied: copied))
            }
            return sampled
        }
    }

    /// Deletes rows whose foreign key points at a row that is not there, starting from the
    /// sampled tables and following the keys outward until a pass deletes nothing.
    private func deleteOrphans(of sampled: Set<QualifiedName>, in schema: Schema, on driver: any DatabaseDriver) async throws {
        let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
        var shrunk = sampled
        var changed = true
        while changed {
            changed = false
            for child in schema.tables {
                for key in child.foreignKeys where shrunk.contains(key.referencedTable) {
                    let present = key.columns.map { "c.\(quoter.quote($0)) IS NOT NULL" }.joined(separator: " AND ")
                    let matches = zip(key.columns, key.referencedColumns)
                        .map { "p.\(quoter.quote($1)) = c.\(quoter.quote($0))" }.joined(separator: " AND ")
                    let deleted = try await driver.execute(unsafeSQL: """
                        DELETE FROM \(quoter.quote(child.name)) AS c WHERE \(present)
                          AND NOT EXISTS (SELECT 1 FROM \(quoter.quote(key.referencedTable)) AS p WHERE \(matches))
                        """)
                    if deleted > 0 {
                        shrunk.insert(child.name)
                        changed = true
                    }
                }
            }
        }
    }

    /// A `pg_dump` pattern matching exactly this table: both parts double-quoted, so case and
    /// pattern characters are taken literally.
    static func pattern(_ name: QualifiedName) -> String {
        [name.schema ?? "public", name.name].map(SQLIdentifierQuoter.alwaysQuoted).joined(separator: ".")
    }
}
