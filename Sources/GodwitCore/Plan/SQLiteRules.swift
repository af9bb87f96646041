/// SQLite's cost per operation, from https://www.sqlite.org/lang_altertable.html: `RENAME`
/// and `ADD COLUMN` change only the schema; `DROP COLUMN` rewrites the table; everything else
/// `ALTER TABLE` cannot do goes through the 12-step table rebuild (a rewrite). Every write holds
/// the one database write lock (readers in WAL mode go on); everything runs in a transaction.
///
/// Whether old code breaks or data is lost does not depend on the engine, so the kind is the one
/// ``PostgresRules`` gives.
struct SQLiteRules {
    let context: ClassificationContext

    func classify(_ operation: Operation) -> Classification {
        let shared = PostgresRules(context: context).classify(operation)
        let (duration, technique, reason) = cost(of: operation)
        return Classification(
            kind: shared.kind,
            lock: .databaseWrite,
            duration: duration,
            isTransactional: true,
            isZeroDowntimePossible: duration != .rewrite && shared.isZeroDowntimePossible,
            technique: technique,
            risk: shared.kind == .breaking && operation.kind == .sql ? .medium : .low,
            reasons: [Self.effect(of: operation, kind: shared.kind), reason].compactMap { $0 }
        )
    }

    /// What the change does to old code and to data, in words true on any engine.
    static func effect(of operation: Operation, kind: ChangeKind) -> String {
        switch operation {
        case .createTable(let table): return "Creating \(table.name) changes nothing old code uses."
        case .dropTable(let name): return "Dropping \(name) loses its rows and breaks code that reads it."
        case .renameTable(let name, let to): return "Code that names \(name) fails once it is called \(to)."
        case .addColumn(let change):
            return kind == .additive ? "Adding \(change.table).\(change.column.name) keeps old code working."
                : "\(change.table).\(change.column.name) is NOT NULL without a default: inserts from old code fail."
        case .dropColumn(let table, let column): return "Dropping \(table).\(column) loses its values and breaks code that names it."
        case .renameColumn(let table, let from, let to): return "Code that names \(table).\(from) fails once it is called \(to)."
        case .alterColumn(let change):
            return kind == .additive ? "The change to \(change.table).\(change.column) keeps old code working."
                : "Old code may fail on \(change.table).\(change.column): a new type, NOT NULL or constraint rejects what it used to write."
        case .createIndex(let table, let index): return "The index \(index.name) on \(table) changes no results."
        case .dropIndex(_, let name): return "Queries that used \(name) get slower; none fail."
        case .addConstraint(let table, let constraint): return "Writes to \(table) that break \(constraint.name ?? "the new constraint") now fail."
        case .dropConstraint(let table, let name): return "Dropping \(name) on \(table) loosens the rules; old code keeps working."
        case .updateRows(let update):
            return update.down == nil ? "The update overwrites values and has no `down`." : "The update can be undone with its `down`."
        case .rawSQL: return "Godwit does not interpret raw SQL."
        }
    }

    private func cost(of operation: Operation) -> (LockDuration, String?, String?) {
        let rebuild = "12-step table rebuild in one transaction"
        switch operation {
        case .createTable, .dropTable, .renameTable, .renameColumn, .dropIndex:
            return (.instant, nil, "SQLite changes only the schema.")
        case .addColumn(let change):
            if let reason = SQLiteAlterTableLimits.addColumnNeedsRebuild(change.column) {
                return (.rewrite, rebuild, "ALTER TABLE ADD COLUMN cannot add it: \(reason).")
            }
            if change.up != nil { return (.scan, "batched backfill", "ADD COLUMN changes only the schema; the backfill writes every row.") }
            return (.instant, nil, "ADD COLUMN changes only the schema.")
        case .dropColumn:
            return (.rewrite, nil, "DROP COLUMN rewrites the table (or needs a rebuild when the column is indexed or constrained).")
        case .alterColumn:
            return (.rewrite, rebuild, "SQLite's ALTER TABLE cannot change a column: the table is rebuilt.")
        case .addConstraint(_, let constraint):
            if case .unique = constraint {
                return (.scan, "CREATE UNIQUE INDEX instead of a table constraint", "A unique index enforces it without a rebuild.")
            }
            return (.rewrite, rebuild, "SQLite cannot add a constraint to a table: the table is rebuilt.")
        case .dropConstraint:
            return (.rewrite, rebuild, "SQLite cannot drop a table constraint: the table is rebuilt.")
        case .createIndex:
            return (.scan, nil, "CREATE INDEX reads every row while holding the write lock.")
        case .updateRows(let update):
            return (.scan, "batches of \(update.batchSize) rows by rowid", nil)
        case .rawSQL:
            return (.scan, nil, nil)
        }
    }
}

/// What SQLite's `ALTER TABLE` cannot do (https://www.sqlite.org/lang_altertable.html).
public enum SQLiteAlterTableLimits {
    /// Why `ALTER TABLE ADD COLUMN` cannot add this column, if it cannot.
    public static func addColumnNeedsRebuild(_ column: Column) -> String? {
        if let generated = column.generated, generated.storage == .stored { return "it is a STORED generated column" }
        if let value = column.defaultExpression {
            let upper = value.uppercased().trimmingWhitespace()
            if ["CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"].contains(upper) { return "its default \(value) is not constant" }
            if upper.contains("(") { return "its default \(value) is an expression, not a constant" }
        } else if !column.isNullable {
            return "it is NOT NULL without a default"
        }
        return nil
    }
}
