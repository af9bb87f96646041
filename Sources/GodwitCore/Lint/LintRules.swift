/// The rules, with stable codes. Names follow squawk and strong_migrations where they have one;
/// GW1xx are seed 003's guardrails and safety of operations, GW2xx types, GW3xx raw SQL.
///
/// Every rule sees the live schema (through the classification's row counts, so a table created
/// earlier in the same migration is empty, not large), the migration and its whole plan.
public enum LintRules {
    /// What a rule may look at.
    public struct Context: Sendable {
        public var migration: Migration
        public var plan: Plan
        public var assessment: MigrationAssessment
        public var engine: Engine

        public init(migration: Migration, plan: Plan, assessment: MigrationAssessment) {
            self.migration = migration
            self.plan = plan
            self.assessment = assessment
            self.engine = plan.engine
        }
    }

    /// A finding for operation `index`, before its file and position are filled in.
    public struct Hit: Sendable {
        var index: Int?
        var message: String
    }

    /// One rule.
    public struct Rule: Sendable {
        public var code: String
        public var name: String
        public var severity: LintSeverity
        public var remedy: String
        let check: @Sendable (Context) -> [Hit]
    }

    /// Rows above which a scan or rewrite on a live table is "large".
    public static let largeTableRows: Int64 = 10_000

    public static let all: [Rule] = guardrails + operations + types + rawSQL

    // MARK: Seed 003's guardrails

    static let guardrails: [Rule] = [
        Rule(code: "GW100", name: "destructive-outside-contract", severity: .error,
             remedy: "Move the destructive part to a drop_* operation (Godwit runs those in contract, after the gate), or into its own migration after the soak period.") { context in
            context.plan.steps.enumerated().compactMap { _, step in
                guard step.phase < .contract, let index = step.operationIndex,
                      case .rawSQL(let raw) = context.migration.operations[index], RawSQLScan.isDestructive(raw.up) else { return nil }
                return Hit(index: index, message: "raw SQL drops or deletes data in \(step.phase.rawValue); destructive steps belong in contract")
            }
        },
        Rule(code: "GW101", name: "breaking-without-expand-contract", severity: .error,
             remedy: "Allow downtime (`downtime: window`), or split the change so each step keeps old code working (add, backfill, switch, then remove).") { context in
            guard context.migration.downtime == .zero else { return [] }
            return context.assessment.items.enumerated().compactMap { index, item in
                guard item.classification.kind != .additive,
                      context.plan.steps.contains(where: { $0.operationIndex == index && !$0.isOnline }) else { return nil }
                return Hit(index: index, message: "\(OperationText.describe(item.operation)) breaks old code and cannot run online here, but the migration says `downtime: zero`")
            }
        },
        Rule(code: "GW102", name: "require-concurrent-index-creation", severity: .error,
             remedy: "Use a create_index operation (Godwit builds it CONCURRENTLY), or write CREATE INDEX CONCURRENTLY with `transactional: false`.") { context in
            guard context.engine == .postgresql else { return [] }
            return rawStatements(context).compactMap { index, statement in
                RawSQLScan.isBlockingIndexBuild(statement) ? Hit(index: index, message: "CREATE INDEX without CONCURRENTLY blocks writes while it reads the whole table") : nil
            }
        },
    ]

    // MARK: Operations

    static let operations: [Rule] = [
        Rule(code: "GW110", name: "adding-required-field", severity: .error,
             remedy: "Give the column a default, or an `up` expression that fills existing rows.") { context in
            context.assessment.items.enumerated().compactMap { index, item in
                guard case .addColumn(let change) = item.operation, !change.column.isNullable, change.column.defaultExpression == nil,
                      change.up == nil, (context.assessment.rowCount(of: change.table) ?? 1) > 0 else { return nil }
                return Hit(index: index, message: "\(change.table).\(change.column.name) is NOT NULL with no default and no `up`: adding it fails on a table that has rows")
            }
        },
        Rule(code: "GW111", name: "adding-field-with-default", severity: .info,
             remedy: "Nothing to do: Godwit adds the column without it, sets it for new rows, and backfills in batches.") { context in
            context.assessment.items.enumerated().compactMap { index, item in
                guard case .addColumn(let change) = item.operation, let value = change.column.defaultExpression, VolatileExpression.isVolatile(value) else { return nil }
                return Hit(index: index, message: "the default \(value) is volatile: as plain DDL it would rewrite \(change.table)")
            }
        },
        Rule(code: "GW112", name: "changing-column-type", severity: .warning,
             remedy: "Add a new column, keep both in step while both app versions run, backfill, then drop the old one.") { context in
            context.assessment.items.enumerated().compactMap { index, item in
                guard case .alterColumn(let change) = item.operation, change.type != nil, item.classification.duration == .rewrite else { return nil }
                return Hit(index: index, message: "changing the type of \(change.table).\(change.column) rewrites \(rowsText(item)) and may break old code")
            }
        },
        Rule(code: "GW113", name: "renaming-column", severity: .warning,
             remedy: "Add the new column and keep both in step until old code is gone, or ship the rename with the code that uses it.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .renameColumn(let table, let from, let to) = operation else { return nil }
                return Hit(index: index, message: "renaming \(table).\(from) to \(to) breaks code that still names \(from)")
            }
        },
        Rule(code: "GW114", name: "renaming-table", severity: .warning,
             remedy: "Keep a view under the old name until old code is gone (Godwit does on PostgreSQL).") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .renameTable(let table, let to) = operation else { return nil }
                return Hit(index: index, message: "renaming \(table) to \(to) breaks code that still names \(table)\(context.engine == .sqlite ? "; SQLite has no compatibility view" : "")")
            }
        },
        Rule(code: "GW115", name: "ban-drop-column", severity: .warning,
             remedy: "Make sure no deployed code reads it; Godwit keeps it restorable until cleanup.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .dropColumn(let table, let column) = operation else { return nil }
                return Hit(index: index, message: "dropping \(table).\(column) loses its values once cleanup runs")
            }
        },
        Rule(code: "GW116", name: "ban-drop-table", severity: .warning,
             remedy: "Make sure no deployed code reads it; Godwit archives it until cleanup.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .dropTable(let table) = operation else { return nil }
                return Hit(index: index, message: "dropping \(table) loses its rows once cleanup runs")
            }
        },
        Rule(code: "GW117", name: "ban-drop-not-null", severity: .warning,
             remedy: "Check that every reader handles NULL before the first one is written.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .alterColumn(let change) = operation, change.isNullable == true else { return nil }
                return Hit(index: index, message: "dropping NOT NULL on \(change.table).\(change.column) lets NULLs reach code that never expected them")
            }
        },
        Rule(code: "GW118", name: "blocking-scan-on-large-table", severity: .error,
             remedy: "Use the operation's online technique, or allow downtime for it.") { context in
            context.assessment.items.enumerated().compactMap { index, item in
                let c = item.classification
                guard c.lock.blocksWrites, c.duration != .instant, (c.rowsAffected ?? 0) > largeTableRows,
                      context.plan.steps.contains(where: { $0.operationIndex == index && $0.lock.blocksWrites && $0.duration != .instant }) else { return nil }
                return Hit(index: index, message: "\(OperationText.describe(item.operation)) holds \(c.lock.sqlName) for a \(c.duration.rawValue) of \(rowsText(item)), blocking writes")
            }
        },
        Rule(code: "GW119", name: "adding-foreign-key-constraint", severity: .info,
             remedy: "Nothing to do: Godwit adds it NOT VALID and validates it under SHARE UPDATE EXCLUSIVE; as plain DDL it would block writes to both tables.") { context in
            guard context.engine == .postgresql else { return [] }
            return context.migration.operations.enumerated().compactMap { index, operation in
                switch operation {
                case .addConstraint(let table, .foreignKey(let key)):
                    return Hit(index: index, message: "the foreign key from \(table) to \(key.referencedTable) scans \(table)")
                case .alterColumn(let change) where change.references != nil:
                    return Hit(index: index, message: "the foreign key from \(change.table).\(change.column) scans \(change.table)")
                default:
                    return nil
                }
            }
        },
        Rule(code: "GW120", name: "adding-not-nullable-field", severity: .info,
             remedy: "Nothing to do: Godwit proves it with a validated CHECK first, so SET NOT NULL needs no long scan; make sure old code never writes NULL.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .alterColumn(let change) = operation, change.isNullable == false else { return nil }
                return Hit(index: index, message: "NOT NULL on \(change.table).\(change.column) rejects old code's NULL writes")
            }
        },
        Rule(code: "GW121", name: "disallowed-unique-constraint", severity: .info,
             remedy: "Nothing to do for add_constraint: Godwit builds the index concurrently and attaches it (USING INDEX). In raw SQL, do the same.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                switch operation {
                case .addConstraint(let table, .unique(let unique)):
                    return Hit(index: index, message: "UNIQUE (\(unique.columns.joined(separator: ", "))) on \(table) builds an index; duplicates make it fail")
                case .rawSQL(let raw) where RawSQLScan.addsUniqueWithoutIndex(raw.up):
                    return Hit(index: index, message: "ADD CONSTRAINT … UNIQUE in raw SQL builds its index under a lock that blocks writes")
                default:
                    return nil
                }
            }
        },
    ]

    // MARK: Types (PostgreSQL)

    static let types: [Rule] = [
        Rule(code: "GW200", name: "prefer-bigint-over-int", severity: .warning,
             remedy: "Use bigint (or bigint identity) for keys: integer keys run out at 2,147,483,647.") { context in
            guard context.engine == .postgresql else { return [] }
            return newColumns(context).compactMap { index, table, column in
                let type = column.type.lowercased()
                let isKey = table.map { $0.isPrimaryKeyColumn(column.name) } ?? (column.name == "id")
                guard ["integer", "int", "int4", "serial", "serial4"].contains(type), isKey else { return nil }
                return Hit(index: index, message: "the key column \(column.name) is \(column.type)")
            }
        },
        Rule(code: "GW201", name: "prefer-timestamptz", severity: .warning,
             remedy: "Use timestamptz: timestamp without time zone loses the offset of every value.") { context in
            guard context.engine == .postgresql else { return [] }
            return newColumns(context).compactMap { index, _, column in
                let type = column.type.lowercased()
                guard type == "timestamp" || type.hasPrefix("timestamp(") || type.hasPrefix("timestamp without") else { return nil }
                return Hit(index: index, message: "\(column.name) is \(column.type)")
            }
        },
        Rule(code: "GW202", name: "prefer-text-field", severity: .info,
             remedy: "Use text with a CHECK on length: changing a varchar's length later locks the table.") { context in
            guard context.engine == .postgresql else { return [] }
            return newColumns(context).compactMap { index, _, column in
                let type = column.type.lowercased()
                guard type.hasPrefix("varchar(") || type.hasPrefix("character varying(") else { return nil }
                return Hit(index: index, message: "\(column.name) is \(column.type)")
            }
        },
    ]

    // MARK: Raw SQL

    static let rawSQL: [Rule] = [
        Rule(code: "GW300", name: "transaction-nesting", severity: .error,
             remedy: "Remove BEGIN/COMMIT/ROLLBACK: Godwit runs each step in its own transaction.") { context in
            rawStatements(context).compactMap { index, statement in
                RawSQLScan.controlsTransaction(statement) ? Hit(index: index, message: "raw SQL controls the transaction itself") : nil
            }
        },
        Rule(code: "GW301", name: "ban-concurrent-index-creation-in-transaction", severity: .error,
             remedy: "Set `transactional: false` on this sql operation.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard case .rawSQL(let raw) = operation, raw.isTransactional, raw.up.uppercased().contains("CONCURRENTLY") else { return nil }
                return Hit(index: index, message: "CONCURRENTLY cannot run inside a transaction")
            }
        },
        Rule(code: "GW302", name: "constraint-missing-not-valid", severity: .error,
             remedy: "Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later step (or use add_constraint).") { context in
            guard context.engine == .postgresql else { return [] }
            return rawStatements(context).compactMap { index, statement in
                RawSQLScan.addsValidatedConstraint(statement) ? Hit(index: index, message: "ADD CONSTRAINT without NOT VALID scans the table under a blocking lock") : nil
            }
        },
        Rule(code: "GW303", name: "require-lock-timeout", severity: .warning,
             remedy: "Start the SQL with SET lock_timeout = '500ms', or use Godwit's operations (it sets the timeout and retries).") { context in
            guard context.engine == .postgresql else { return [] }
            return context.migration.operations.enumerated().compactMap { index, operation in
                guard case .rawSQL(let raw) = operation, RawSQLScan.takesStrongLock(raw.up), !raw.up.lowercased().contains("lock_timeout") else { return nil }
                return Hit(index: index, message: "raw SQL takes a strong lock with no lock_timeout: it can queue all traffic behind a long query")
            }
        },
        Rule(code: "GW304", name: "require-concurrent-index-deletion", severity: .warning,
             remedy: "Use DROP INDEX CONCURRENTLY with `transactional: false`, or a drop_index operation.") { context in
            guard context.engine == .postgresql else { return [] }
            return rawStatements(context).compactMap { index, statement in
                RawSQLScan.isBlockingIndexDrop(statement) ? Hit(index: index, message: "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table") : nil
            }
        },
    ]

    // MARK: Helpers

    private static func rawStatements(_ context: Context) -> [(Int, String)] {
        context.migration.operations.enumerated().flatMap { index, operation -> [(Int, String)] in
            guard case .rawSQL(let raw) = operation else { return [] }
            return raw.up.split(separator: ";").map { (index, String($0)) }
        }
    }

    private static func newColumns(_ context: Context) -> [(Int, Table?, Column)] {
        context.migration.operations.enumerated().flatMap { index, operation -> [(Int, Table?, Column)] in
            switch operation {
            case .createTable(let table): return table.columns.map { (index, table, $0) }
            case .addColumn(let change): return [(index, nil, change.column)]
            default: return []
            }
        }
    }

    private static func rowsText(_ item: MigrationAssessment.Item) -> String {
        item.classification.rowsAffected.map { "about \(QuantityFormat.count($0)) rows" } ?? "the table"
    }
}

/// Reads intent from raw SQL, which Godwit does not otherwise interpret.
enum RawSQLScan {
    private static func words(_ sql: String) -> [String] {
        sql.uppercased().split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
    }

    static func isDestructive(_ sql: String) -> Bool {
        let w = words(sql)
        for (i, word) in w.enumerated() {
            if word == "TRUNCATE" { return true }
            if word == "DROP", i + 1 < w.count, ["TABLE", "COLUMN", "SCHEMA"].contains(w[i + 1]) { return true }
            if word == "DELETE", i + 1 < w.count, w[i + 1] == "FROM" { return true }
        }
        return w.contains("DROP") && w.contains("ALTER") && w.contains("COLUMN")
    }

    static func isBlockingIndexBuild(_ statement: String) -> Bool {
        let w = words(statement)
        guard let create = w.firstIndex(of: "CREATE") else { return false }
        let rest = Array(w[create...].prefix(4))
        return rest.contains("INDEX") && !rest.contains("CONCURRENTLY")
    }

    static func isBlockingIndexDrop(_ statement: String) -> Bool {
        let w = words(statement)
        guard let drop = w.firstIndex(of: "DROP"), drop + 1 < w.count, w[drop + 1] == "INDEX" else { return false }
        return !(drop + 2 < w.count && w[drop + 2] == "CONCURRENTLY")
    }

    static func controlsTransaction(_ statement: String) -> Bool {
        guard let first = words(statement).first else { return false }
        return ["BEGIN", "COMMIT", "ROLLBACK", "START", "END"].contains(first) && !words(statement).contains("ATOMIC")
    }

    static func addsValidatedConstraint(_ statement: String) -> Bool {
        let w = words(statement)
        guard w.first == "ALTER", w.contains("ADD"), w.contains("CONSTRAINT") || w.contains("FOREIGN") || w.contains("CHECK") else { return false }
        guard w.contains("CHECK") || w.contains("FOREIGN") else { return false }
        return !(w.contains("NOT") && w.contains("VALID"))
    }

    static func addsUniqueWithoutIndex(_ sql: String) -> Bool {
        let w = words(sql)
        return w.contains("ALTER") && w.contains("ADD") && w.contains("UNIQUE") && !w.contains("USING")
    }

    static func takesStrongLock(_ sql: String) -> Bool {
        let w = words(sql)
        return w.contains("ALTER") || (w.contains("DROP") && (w.contains("TABLE") || w.contains("INDEX"))) || w.contains("TRUNCATE")
            || (w.contains("CREATE") && w.contains("INDEX") && !w.contains("CONCURRENTLY"))
    }
}

extension MigrationAssessment {
    /// The row count the classifier used for a table, 0 for one created by the migration.
    func rowCount(of table: QualifiedName) -> Int64? {
        items.first { $0.operation.table == table && $0.classification.rowsAffected != nil }?.classification.rowsAffected
            ?? (items.contains { if case .createTable(let created) = $0.operation { created.name == table } else { false } } ? 0 : nil)
    }
}
