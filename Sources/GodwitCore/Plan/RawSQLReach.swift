/// Which existing tables' rows hand-written SQL can change, read from its statements: the tables
/// a migration's checksums must cover so its rollback can be proven, and no more (a one-line
/// `ALTER TABLE` on a small table must not hash every table of a large database, twice).
///
/// Sound by falling back: a statement whose reach cannot be read from its words — a `DO` block,
/// `CALL`, a `SELECT` or `WITH` (a function may write anywhere), a write to a table with triggers
/// or rules, a `TRUNCATE … CASCADE` — makes the reach every table.
public enum RawSQLReach: Hashable, Sendable {
    /// At most these tables (named as in the schema before the SQL runs).
    case tables(Set<QualifiedName>)
    /// Any table.
    case unknown

    /// The reach of `sql` run against `schema`.
    public static func of(_ sql: String, engine: Engine, in schema: Schema) -> RawSQLReach {
        var reached = Set<QualifiedName>()
        let resolve = { (name: QualifiedName?) -> QualifiedName? in
            name.flatMap { SchemaTransformer().resolve($0, in: schema) }.flatMap { schema.table(named: $0)?.name }
        }
        for statement in SQLScript.statements(in: sql, engine: engine) {
            if statement.transactionControl != nil { continue }
            let analysis = StatementAnalysis(statement, engine: engine)
            if statement.starts(with: "ALTER", "TABLE") || statement.starts(with: "DROP", "TABLE") {
                // A table this SQL has not created: its rows may change (a rewrite, a default)
                // or go (a drop, to be proven restored). One it created is new: no digest.
                guard let named = analysis.table, !statement.contains("CASCADE"),
                      !(statement.starts(with: "DROP") && Self.listsSeveral(statement)) else { return .unknown }
                if let table = resolve(named) { reached.insert(table) }
                continue
            }
            if statement.starts(with: "TRUNCATE") || statement.starts(with: "UPDATE") || statement.starts(with: "DELETE")
                || statement.starts(with: "INSERT") || statement.starts(with: "MERGE") || statement.starts(with: "REPLACE")
                || (statement.starts(with: "COPY") && statement.contains("FROM")) {
                let named = statement.starts(with: "COPY") ? statement.nameIndex(after: 1).flatMap { statement.qualifiedName(at: $0) } : analysis.table
                guard let named else { return .unknown }
                guard let table = resolve(named) else { continue }  // created by this SQL
                // Triggers and rules write where they like.
                if schema.triggers.contains(where: { $0.table == table }) || schema.rules.contains(where: { $0.table == table }) { return .unknown }
                if statement.starts(with: "TRUNCATE"), statement.contains("CASCADE") || Self.listsSeveral(statement) { return .unknown }
                reached.insert(table)
                // Deletes and key updates cascade to the tables that reference this one.
                if !statement.starts(with: "INSERT") && !statement.starts(with: "COPY") { reached.formUnion(referencing(table, in: schema)) }
                continue
            }
            if statement.isDataStatement || statement.starts(with: "DO") || statement.starts(with: "EXECUTE") { return .unknown }
            if statement.starts(with: "CREATE") || statement.starts(with: "DROP") || statement.starts(with: "COMMENT")
                || statement.starts(with: "GRANT") || statement.starts(with: "REVOKE") || statement.starts(with: "SET")
                || statement.starts(with: "RESET") || statement.starts(with: "ALTER") || statement.starts(with: "ANALYZE")
                || statement.starts(with: "VACUUM") || statement.starts(with: "REINDEX") || statement.starts(with: "PRAGMA") {
                // Schema objects: no existing row changes (a CREATE INDEX, a view, a function, a
                // type, a comment, a setting; ALTER of anything but a table).
                continue
            }
            return .unknown
        }
        return .tables(reached)
    }

    /// Whether a comma stands outside parentheses (`DROP TABLE a, b`).
    private static func listsSeveral(_ statement: SQLStatement) -> Bool {
        var depth = 0
        for token in statement.tokens where token.kind == .symbol {
            switch token.text {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0: return true
            default: break
            }
        }
        return false
    }

    /// The tables whose foreign keys reach `table`, directly or through others.
    private static func referencing(_ table: QualifiedName, in schema: Schema) -> Set<QualifiedName> {
        var found = Set<QualifiedName>(), frontier = [table]
        while let next = frontier.popLast() {
            for child in schema.tables where !found.contains(child.name) && child.foreignKeys.contains(where: { $0.referencedTable == next }) {
                found.insert(child.name)
                frontier.append(child.name)
            }
        }
        return found
    }
}
