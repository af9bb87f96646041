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
            reasons: [shared.reasons.first, reason].compactMap { $0 }
        )
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
