/// The rules, with stable codes. Names follow squawk and strong_migrations where they have one;
/// GW1xx are the migration-planning guide's guardrails and safety of operations, GW2xx types, GW3xx raw SQL.
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
        /// The live schema the migration starts from (with row counts).
        public var schema: Schema
        /// Whether `schema` is the whole database. Without one (a lint with no database), a table
        /// it lacks is taken to exist with an unknown number of rows, as squawk takes every table.
        public var schemaIsComplete: Bool
        /// What the plan's steps' checks find in the live data now.
        public var dataCounts: [DataCount]

        public init(migration: Migration, plan: Plan, assessment: MigrationAssessment, schema: Schema, schemaIsComplete: Bool = true,
                    dataCounts: [DataCount] = []) {
            self.migration = migration
            self.plan = plan
            self.assessment = assessment
            self.engine = plan.engine
            self.schema = schema
            self.schemaIsComplete = schemaIsComplete
            self.dataCounts = dataCounts
        }
    }

    /// A finding for operation `index`, before its file and position are filled in; hand-written
    /// SQL gives the statement and where it stands instead.
    public struct Hit: Sendable {
        var index: Int?
        var message: String
        var position: FilePosition?
        var source: SQLSource?
        var statement: String?
        /// Overrides the rule's remedy where it depends on the engine.
        var remedy: String?
        /// Overrides the rule's severity where the migration's downtime allows what it finds.
        var severity: LintSeverity?
    }

    /// Whether the migration's downtime allows a statement to block writes to `table` while it
    /// reads every row: never under `zero`; under `minutes` on a table known to be small — at
    /// most ``largeTableRows`` rows, or, its rows not counted yet (never analyzed), at most
    /// ``smallTableBytes`` on disk — a block of well under a minute; always in a `window`. The
    /// rule for online YAML operations (GW118) draws the same line.
    static func allowsBlockingScan(of table: Table, in context: Context) -> Bool {
        switch context.migration.downtime {
        case .zero: false
        case .minutes:
            if let rows = table.statistics?.rowCount { rows <= largeTableRows }
            else { table.statistics?.sizeInBytes.map { $0 <= smallTableBytes } ?? false }
        case .window: true
        }
    }

    /// A table this small on disk is read in well under a second.
    public static let smallTableBytes: Int64 = 8 << 20

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

    public static let all: [Rule] = guardrails + operations + types + RawSQLRules.all

    // MARK: The migration-planning guide's guardrails

    static let guardrails: [Rule] = [
        Rule(code: "GW130", name: "data-breaks-change", severity: .error,
             remedy: "Fix those rows first, as the finding says (an update_rows before this operation, or a migration of its own), or change the operation so the rows fit.") { context in
            context.dataCounts.filter { $0.rows > 0 }.map { count in
                let table = count.table.map { " of \($0)" } ?? ""
                return Hit(index: context.plan.steps[count.step].operationIndex,
                           message: "\(count.rowsText) \(count.rows == 1 ? "row" : "rows")\(table) \(count.rows == 1 ? "fails" : "fail") '\(count.check)' today: step \(count.step + 1) (\(count.stepTitle)) would stop there"
                               + (count.fix.map { "; fix: \($0)" } ?? ""))
            }
        },
        Rule(code: "GW131", name: "data-not-counted", severity: .warning,
             remedy: "Rehearse the migration (it runs every check on a copy of the data), or count the rows yourself outside busy hours.") { context in
            context.dataCounts.compactMap { count in
                guard case .notCounted = count.basis else { return nil }
                return Hit(index: context.plan.steps[count.step].operationIndex,
                           message: "'\(count.check)' was \(count.rowsText): step \(count.step + 1) (\(count.stepTitle)) may stop on rows nobody counted")
            }
        },
        Rule(code: "GW132", name: "data-written-by-earlier-migration", severity: .info,
             remedy: "Rehearse the pending migrations together: the rehearsal runs the earlier one on a copy, then this check on what it left.") { context in
            context.dataCounts.compactMap { count in
                guard case .afterEarlierMigration(let writer) = count.basis else { return nil }
                let table = count.table.map { " of \($0)" } ?? ""
                return Hit(index: context.plan.steps[count.step].operationIndex,
                           message: "'\(count.check)' is not counted now: migration \(writer), pending before this one, writes the rows\(table) first, so step \(count.step + 1) (\(count.stepTitle)) meets what \(writer) leaves")
            }
        },
        Rule(code: "GW100", name: "destructive-outside-contract", severity: .error,
             remedy: "Move the destructive part to a drop_* operation (Godwit runs those in contract, after the gate), or into its own migration after the soak period.") { context in
            // With downtime allowed the application is stopped and the steps run as written;
            // an update_rows keeps the values it overwrites in an archive until cleanup.
            guard context.migration.downtime == .zero else { return [] }
            return context.plan.steps.compactMap { step in
                guard step.phase < .contract, let index = step.operationIndex, index < context.assessment.items.count,
                      context.assessment.items[index].classification.kind == .destructive else { return nil }
                if case .updateRows = context.migration.operations[index] { return nil }
                return Hit(index: index, message: "\(OperationText.describe(context.migration.operations[index])) destroys data in \(step.phase.rawValue); destructive steps belong in contract")
            }
        },
        Rule(code: "GW101", name: "breaking-without-expand-contract", severity: .error,
             remedy: "Allow downtime (`downtime: window`), or split the change so each step keeps old code working (add, backfill, switch, then remove).") { context in
            guard context.migration.downtime == .zero else { return [] }
            return context.assessment.items.enumerated().compactMap { index, item in
                // SQL never run on a scratch (a lint with no database) has only a guessed kind;
                // the statement rules judge it instead.
                if case .rawSQL(let raw) = item.operation, raw.effect == nil { return nil }
                guard let step = context.plan.steps.first(where: { $0.operationIndex == index && !$0.isOnline }) else { return nil }
                let what = item.classification.kind == .additive
                    ? "blocks writes (\(step.lock.sqlName)) while it runs"
                    : "breaks old code and cannot run online here"
                return Hit(index: index, message: "\(OperationText.describe(item.operation)) \(what), but the migration says `downtime: zero`")
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
            guard context.migration.downtime != .window else { return [] }
            return context.assessment.items.enumerated().compactMap { index, item in
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
                return Hit(index: index, message: "NOT NULL on \(change.table).\(change.column) rejects old code's NULL writes",
                           remedy: context.engine == .sqlite
                               ? "SQLite sets NOT NULL by rebuilding \(change.table) (a copy of its rows under the write lock): plan it in a window, and make sure old code never writes NULL."
                               : nil)
            }
        },
        Rule(code: "GW121", name: "disallowed-unique-constraint", severity: .info,
             remedy: "Nothing to do for add_constraint: Godwit builds the index concurrently and attaches it (USING INDEX). In raw SQL, do the same.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                switch operation {
                case .addConstraint(let table, .unique(let unique)):
                    return Hit(index: index, message: "UNIQUE (\(unique.columns.joined(separator: ", "))) on \(table) builds an index; duplicates make it fail",
                               remedy: context.engine == .sqlite
                                   ? "SQLite adds it by rebuilding \(table) under the write lock; merge or delete duplicates first (plan and lint count them)."
                                   : nil)
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

    // MARK: Helpers

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

extension MigrationAssessment {
    /// The row count the classifier used for a table, 0 for one created by the migration.
    func rowCount(of table: QualifiedName) -> Int64? {
        items.first { $0.operation.table == table && $0.classification.rowsAffected != nil }?.classification.rowsAffected
            ?? (items.contains { if case .createTable(let created) = $0.operation { created.name == table } else { false } } ? 0 : nil)
    }
}
