import Foundation
import GRDB
import GodwitCore

/// Reads a SQLite database's schema into the model, from `sqlite_schema`, the table-valued
/// pragmas (`pragma_table_list`, `pragma_table_xinfo`, `pragma_index_list`,
/// `pragma_index_xinfo`, `pragma_foreign_key_list`) and the stored `CREATE` text for what the
/// pragmas do not tell.
struct SQLiteInspector {
    let options: InspectionOptions

    func inspect(_ db: GRDB.Database) throws -> Schema {
        let objects = try GRDB.Row.fetchAll(
            db,
            sql: "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
        )
        let tableList = try GRDB.Row.fetchAll(db, sql: "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'")
        var tableFlags: [String: (withoutRowID: Bool, strict: Bool, type: String)] = [:]
        for row in tableList {
            tableFlags[row["name"]] = (row["wr"] == 1, row["strict"] == 1, row["type"])
        }
        var indexSQL: [String: String] = [:]
        var indexOwner: [String: String] = [:]
        for object in objects where object["type"] as String == "index" {
            indexSQL[object["name"]] = object["sql"] ?? ""
            indexOwner[object["name"]] = object["tbl_name"]
        }
        let sizes = options.tableSizes ? (try? Self.tableSizes(db, indexOwner: indexOwner)) ?? [:] : [:]
        let estimates = try Self.statEstimates(db)
        var schema = Schema(engine: .sqlite)
        var relationNames: [String: String] = [:]
        for object in objects where ["table", "view"].contains(object["type"] as String) {
            let name: String = object["name"]
            relationNames[name.lowercased()] = name
        }
        for object in objects {
            let type: String = object["type"]
            let name: String = object["name"]
            let sql: String = object["sql"] ?? ""
            switch type {
            case "table":
                guard tableFlags[name]?.type == "table" else { continue }  // virtual and shadow tables
                if name.hasPrefix("godwit_") { continue }  // Godwit's own state (StateStore)
                var table = try inspectTable(db, name: name, sql: sql, indexSQL: indexSQL)
                table.isWithoutRowID = tableFlags[name]?.withoutRowID ?? false
                table.isStrict = tableFlags[name]?.strict ?? false
                table.statistics = try statistics(db, table: table, size: sizes[name], estimate: estimates[name])
                schema.tables.append(table)
            case "view":
                let dependencies = Self.referencedNames(in: sql, among: relationNames, excluding: name)
                schema.views.append(View(name: QualifiedName(name), definition: sql, dependencies: dependencies))
            case "trigger":
                schema.triggers.append(
                    Trigger(name: name, table: QualifiedName(object["tbl_name"]), definition: sql)
                )
            default:
                continue
            }
        }
        return schema.canonicalized()
    }

    private func inspectTable(_ db: GRDB.Database, name: String, sql: String, indexSQL: [String: String]) throws -> Table {
        let definition = SQLiteTableDefinition(sql: sql)
        var table = Table(name: QualifiedName(name))
        var primaryKey: [(position: Int, column: String)] = []
        for row in try cachedRows(
            db,
            sql: "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid",
            arguments: [name]
        ) {
            let hidden: Int = row["hidden"]
            if hidden == 1 { continue }
            let columnName: String = row["name"]
            let facts = definition.columns[columnName] ?? definition.columns.first {
                $0.key.caseInsensitiveCompare(columnName) == .orderedSame
            }?.value
            let column = Column(
                name: columnName,
                type: row["type"] ?? "",
                isNullable: row["notnull"] == 0,
                defaultExpression: row["dflt_value"],
                generated: facts?.generated,
                collation: facts?.collation
            )
            table.columns.append(column)
            let position: Int = row["pk"]
            if position > 0 { primaryKey.append((position, columnName)) }
        }
        if !primaryKey.isEmpty {
            table.primaryKey = PrimaryKey(
                name: definition.primaryKeyName,
                columns: primaryKey.sorted { $0.position < $1.position }.map(\.column),
                isAutoincrement: definition.isAutoincrement
            )
        }
        table.uniqueConstraints = definition.uniqueConstraints.map { unique in
            var unique = unique
            unique.columns = unique.columns.map { canonicalColumnName($0, in: table) }
            return unique
        }
        table.checkConstraints = definition.checkConstraints
        table.foreignKeys = try foreignKeys(db, table: table, definition: definition)
        table.indexes = try indexes(db, table: table, indexSQL: indexSQL)
        return table
    }

    /// Runs one of the per-table pragma queries through GRDB's statement cache: a thousand
    /// tables then cost one preparation per query, not one per table.
    private func cachedRows(_ db: GRDB.Database, sql: String, arguments: StatementArguments) throws -> [GRDB.Row] {
        try GRDB.Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    private func canonicalColumnName(_ name: String, in table: Table) -> String {
        table.columns.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.name ?? name
    }

    private func foreignKeys(_ db: GRDB.Database, table: Table, definition: SQLiteTableDefinition) throws -> [ForeignKey] {
        var keys: [Int: ForeignKey] = [:]
        for row in try cachedRows(
            db,
            sql: "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, \"match\" FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            arguments: [table.name.name]
        ) {
            let id: Int = row["id"]
            var key = keys[id] ?? ForeignKey(
                columns: [],
                referencedTable: QualifiedName(row["table"]),
                referencedColumns: [],
                onUpdate: Self.action(row["on_update"]),
                onDelete: Self.action(row["on_delete"])
            )
            key.columns.append(canonicalColumnName(row["from"], in: table))
            if let target: String = row["to"] { key.referencedColumns.append(target) }
            keys[id] = key
        }
        return keys.values.map { key in
            var key = key
            let lowered = key.columns.map { $0.lowercased() }
            if let facts = definition.foreignKeyNames.first(where: { $0.key.map { $0.lowercased() } == lowered })?.value {
                key.name = facts.name
                key.deferrability = facts.deferrability
            }
            return key
        }
    }

    /// The indexes made by `CREATE INDEX` (not those behind PRIMARY KEY and UNIQUE constraints).
    /// Their text comes from `indexSQL`, read once from `sqlite_schema`: joining the pragma with
    /// `sqlite_schema` per table would scan the schema once per index.
    private func indexes(_ db: GRDB.Database, table: Table, indexSQL: [String: String]) throws -> [GodwitCore.Index] {
        var result: [GodwitCore.Index] = []
        for row in try cachedRows(
            db,
            sql: "SELECT name, \"unique\" FROM pragma_index_list(?) WHERE origin = 'c'",
            arguments: [table.name.name]
        ) {
            let name: String = row["name"]
            let sql = indexSQL[name] ?? ""
            let definition = SQLiteIndexDefinition(sql: sql)
            let keyColumns = try cachedRows(
                db, sql: "SELECT cid, name, \"desc\" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
                arguments: [name]
            )
            var elements: [GodwitCore.Index.Element] = []
            for (position, keyRow) in keyColumns.enumerated() {
                let parsed = position < definition.keys.count ? definition.keys[position] : nil
                let cid: Int = keyRow["cid"]
                let isExpression = cid == -2
                elements.append(
                    GodwitCore.Index.Element(
                        expression: isExpression ? (parsed?.text ?? "") : (keyRow["name"] ?? "rowid"),
                        isExpression: isExpression,
                        collation: parsed?.collation,
                        order: keyRow["desc"] == 1 ? .descending : .ascending
                    )
                )
            }
            result.append(
                GodwitCore.Index(name: name, isUnique: row["unique"] == 1, elements: elements, predicate: definition.predicate)
            )
        }
        return result
    }

    /// Tables whose largest rowid is at most this are counted exactly when no `sqlite_stat1` estimate exists.
    static let exactCountBound: Int64 = 200_000

    private func statistics(_ db: GRDB.Database, table: Table, size: Int64?, estimate: Int64?) throws -> TableStatistics {
        var statistics = TableStatistics(sizeInBytes: size)
        let quoted = SQLIdentifierQuoter.alwaysQuoted(table.name.name)
        if options.exactRowCounts {
            statistics.exactRowCount = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(quoted)")
        }
        if let estimate {
            statistics.estimatedRowCount = estimate
        } else if let exact = statistics.exactRowCount {
            statistics.estimatedRowCount = exact
        } else if !table.isWithoutRowID {
            // max(rowid) is a single B-tree descent, but only an upper bound: a table that lost
            // rows overstates (830 rows with a max rowid of 11,077). Below the bound an exact
            // count costs little; above it, the bound stands.
            let upper = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM \(quoted)") ?? 0
            statistics.estimatedRowCount = upper <= Self.exactCountBound
                ? try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(quoted)") : upper
        } else {
            statistics.estimatedRowCount = try Int64.fetchOne(db, sql: "SELECT count(*) FROM \(quoted)")
        }
        return statistics
    }

    /// Bytes per table, its indexes included, from the `dbstat` virtual table in aggregate mode
    /// (one row per B-tree; https://www.sqlite.org/dbstat.html).
    private static func tableSizes(_ db: GRDB.Database, indexOwner: [String: String]) throws -> [String: Int64] {
        var sizes: [String: Int64] = [:]
        for row in try GRDB.Row.fetchAll(db, sql: "SELECT name, pgsize FROM dbstat('main', 1)") {
            let name: String = row["name"]
            sizes[indexOwner[name] ?? name, default: 0] += row["pgsize"] ?? 0
        }
        return sizes
    }

    /// Row estimates from `sqlite_stat1` (written by `ANALYZE`), when it exists.
    private static func statEstimates(_ db: GRDB.Database) throws -> [String: Int64] {
        guard try db.tableExists("sqlite_stat1") else { return [:] }
        var estimates: [String: Int64] = [:]
        for row in try GRDB.Row.fetchAll(db, sql: "SELECT tbl, stat FROM sqlite_stat1") {
            let table: String = row["tbl"]
            let stat: String? = row["stat"]
            if estimates[table] == nil, let first = stat?.split(separator: " ").first, let value = Int64(first) {
                estimates[table] = value
            }
        }
        return estimates
    }

    private static func action(_ text: String?) -> ReferentialAction {
        switch text?.uppercased() {
        case "CASCADE": .cascade
        case "RESTRICT": .restrict
        case "SET NULL": .setNull
        case "SET DEFAULT": .setDefault
        default: .noAction
        }
    }

    /// The names among `candidates` (keyed lower-cased) that appear as identifiers in `sql`.
    static func referencedNames(in sql: String, among candidates: [String: String], excluding own: String) -> [QualifiedName] {
        var found = Set<String>()
        for token in SQLiteTokenizer.tokenize(sql) where token.kind == .word || token.kind == .quotedIdentifier {
            let name = token.identifier
            if name.caseInsensitiveCompare(own) != .orderedSame, let actual = candidates[name.lowercased()] {
                found.insert(actual)
            }
        }
        return found.sorted().map { QualifiedName($0) }
    }
}
