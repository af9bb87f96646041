import Foundation
public import GodwitCore

/// Plans migrations for PostgreSQL with the techniques that keep old and new application
/// versions working (https://www.postgresql.org/docs/current/sql-altertable.html):
///
/// - indexes built and dropped `CONCURRENTLY`, outside a transaction;
/// - checks and foreign keys added `NOT VALID`, then validated under `SHARE UPDATE EXCLUSIVE`;
/// - `SET NOT NULL` after a validated `CHECK (c IS NOT NULL)`, so it needs no scan (PostgreSQL 12+);
/// - unique constraints attached to a concurrently built index (`USING INDEX`);
/// - new columns without a table rewrite, then backfilled in batches;
/// - a renamed table keeps a view under its old name until contract;
/// - dropped tables and columns go to an archive first, so contract can be undone until cleanup.
///
/// Renaming a column or changing its type run as plain DDL for now and are marked so; the
/// dual-write triggers that make them online come with `apply`.
public struct PostgresPlanner: MigrationPlanner {
    private let writer = PostgresSchemaWriter()
    private let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)

    public init() {}

    public func plan(_ migration: Migration, against schema: Schema) throws -> Plan {
        let archivePrefix = "_godwit_archive_\(migration.nameSafeID)_"
        let online = migration.downtime == .zero
        let id = migration.nameSafeID
        return try StagedPlanBuilder(engine: .postgresql).build(migration, against: schema) { operation, before, after in
            if online, let swap = try columnSwap(for: operation, before: before, migrationID: id) { return swap.steps() }
            if online, case .addColumn(let change) = operation, change.up != nil {
                return try addColumn(change, before: before) + fillTrigger(change, before: before, migrationID: id)
            }
            return try steps(for: operation, before: before, after: after, archivePrefix: archivePrefix)
        }
    }

    /// Under `downtime: zero`, a column rename or type change runs as expand/contract with dual
    /// writes; a change it cannot carry (a key or constraint on the column) is refused with why.
    private func columnSwap(for operation: GodwitCore.Operation, before: Schema, migrationID: String) throws -> PostgresColumnSwap? {
        let table: Table, column: Column, finalName: String, finalType: String, up: String?, down: String?
        switch operation {
        case .renameColumn(let name, let from, let to):
            table = try resolve(name, before)
            column = try table.plannedColumn(from)
            (finalName, finalType, up, down) = (to, column.type, nil, nil)
        case .alterColumn(let change) where change.isNullable == nil && change.defaultChange == nil
            && change.check == nil && change.isUnique == nil && change.references == nil:
            guard let type = change.type else { return nil }
            table = try resolve(change.table, before)
            column = try table.plannedColumn(change.column)
            if TypeChange.isBinaryCoercible(from: column.type, to: type) { return nil }
            (finalName, finalType, up, down) = (change.column, type, change.up, change.down)
        default:
            return nil
        }
        if let reason = PostgresColumnSwap.unsupportedReason(table, column.name) {
            throw GodwitError(.invalidMigration, "Cannot change \(table.name).\(column.name) online", reason: reason,
                              remedy: "Allow downtime for this migration (`downtime: window`), or change the constraint in its own steps first.")
        }
        return PostgresColumnSwap(table: table, column: column, finalName: finalName, finalType: finalType, up: up, down: down, migrationID: migrationID)
    }

    private func resolve(_ name: QualifiedName, _ schema: Schema) throws -> Table {
        try schema.plannedTable(name)
    }

    private func steps(for operation: GodwitCore.Operation, before: Schema, after: Schema, archivePrefix: String) throws -> [PlanStep] {
        switch operation {
        case .createTable(let table):
            let created = try after.plannedTable(table.name)
            // The writer leaves foreign keys to ALTER TABLE (a whole schema creates them after
            // every table); the new table is empty, so adding them checks no row.
            return [PlanStep(phase: .expand, title: "Create table \(created.name)",
                             forward: [writer.createTable(created)] + created.foreignKeys.map { writer.addForeignKey($0, to: created.name) },
                             reverse: ["DROP TABLE \(quoter.quote(created.name))"], lock: .none, duration: .instant)]
        case .dropTable(let name):
            let table = try resolve(name, before)
            let archive = archivePrefix + table.name.name
            return [
                PlanStep(phase: .contract, title: "Move table \(table.name) to the archive \(archive)",
                         forward: ["ALTER TABLE \(quoter.quote(table.name)) RENAME TO \(quoter.quote(archive))"],
                         reverse: ["ALTER TABLE \(quoter.quote(QualifiedName(schema: table.name.schema, archive))) RENAME TO \(quoter.quote(table.name.name))"],
                         lock: .accessExclusive, duration: .instant),
                PlanStep(phase: .cleanup, title: "Drop the archive \(archive)",
                         forward: ["DROP TABLE \(quoter.quote(QualifiedName(schema: table.name.schema, archive)))"], reverse: nil,
                         lock: .accessExclusive, duration: .instant),
            ]
        case .renameTable(let name, let newName):
            let table = try resolve(name, before)
            let new = QualifiedName(schema: table.name.schema, newName)
            return [
                PlanStep(phase: .expand, title: "Rename \(table.name) to \(newName), with a view under the old name",
                         forward: ["ALTER TABLE \(quoter.quote(table.name)) RENAME TO \(quoter.quote(newName))",
                                   "CREATE VIEW \(quoter.quote(table.name)) AS SELECT * FROM \(quoter.quote(new))"],
                         reverse: ["DROP VIEW \(quoter.quote(table.name))",
                                   "ALTER TABLE \(quoter.quote(new)) RENAME TO \(quoter.quote(table.name.name))"],
                         lock: .accessExclusive, duration: .instant),
                PlanStep(phase: .contract, title: "Drop the compatibility view \(table.name)",
                         forward: ["DROP VIEW \(quoter.quote(table.name))"],
                         reverse: ["CREATE VIEW \(quoter.quote(table.name)) AS SELECT * FROM \(quoter.quote(new))"],
                         lock: .accessExclusive, duration: .instant),
            ]
        case .addColumn(let change):
            return try addColumn(change, before: before)
        case .dropColumn(let name, let column):
            return try dropColumn(try resolve(name, before), column, archivePrefix: archivePrefix)
        case .renameColumn(let name, let from, let to):
            let table = try resolve(name, before).name
            return [PlanStep(phase: .expand, title: "Rename column \(table).\(from) to \(to) (offline: old code naming \(from) fails)",
                             forward: ["ALTER TABLE \(quoter.quote(table)) RENAME COLUMN \(quoter.quote(from)) TO \(quoter.quote(to))"],
                             reverse: ["ALTER TABLE \(quoter.quote(table)) RENAME COLUMN \(quoter.quote(to)) TO \(quoter.quote(from))"],
                             lock: .accessExclusive, duration: .instant, isOnline: false)]
        case .alterColumn(let change):
            return try alterColumn(change, before: before)
        case .createIndex(let name, let index):
            let table = try resolve(name, before).name
            return [PlanStep(phase: .expand, title: "Create index \(index.name) on \(table) concurrently",
                             forward: [writer.createIndex(index, on: table, concurrently: true)],
                             reverse: ["DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: table.schema, index.name)))"],
                             isTransactional: false, lock: .shareUpdateExclusive, duration: .scan,
                             checks: [UniqueIndexCheck.duplicates(of: index, on: table, quoter: quoter), invalidIndexCheck(index.name, schema: table.schema)]
                                 .compactMap { $0 })]
        case .dropIndex(let name, let indexName):
            let table = try resolve(name, before)
            guard let index = table.indexes.first(where: { $0.name == indexName }) else { throw Schema.plannerMiss("index \(indexName)") }
            return [PlanStep(phase: .contract, title: "Drop index \(indexName) concurrently",
                             forward: ["DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: table.name.schema, indexName)))"],
                             reverse: [writer.createIndex(index, on: table.name, concurrently: true)]
                                 + (index.comment.map { ["COMMENT ON INDEX \(quoter.quote(QualifiedName(schema: table.name.schema, indexName))) IS \(SQLIdentifierQuoter.literal($0))"] } ?? []),
                             isTransactional: false, lock: .shareUpdateExclusive, duration: .instant)]
        case .addConstraint(let name, let constraint):
            return addConstraint(constraint, to: try resolve(name, before))
        case .dropConstraint(let name, let constraintName):
            let table = try resolve(name, before)
            return [PlanStep(phase: .contract, title: "Drop constraint \(constraintName) on \(table.name)",
                             forward: ["ALTER TABLE \(quoter.quote(table.name)) DROP CONSTRAINT \(quoter.quote(constraintName))"],
                             reverse: try recreateConstraint(constraintName, of: table),
                             lock: .accessExclusive, duration: .instant)]
        case .updateRows(let update):
            return try updateRows(update, table: try resolve(update.table, before), archivePrefix: archivePrefix)
        case .rawSQL(let raw):
            return try RawSQLSteps.make(raw, engine: .postgresql, before: before)
        }
    }

    private func addColumn(_ change: AddColumn, before: Schema) throws -> [PlanStep] {
        let table = try resolve(change.table, before)
        let name = table.name
        var column = change.column
        let column_ = quoter.quote(column.name)
        var steps: [PlanStep] = []
        var fill = change.up
        let volatileDefault = column.defaultExpression.flatMap { VolatileExpression.isVolatile($0) ? $0 : nil }
        // NOT NULL with a non-volatile default is instant (PostgreSQL 11+ stores the default in the
        // catalog); without a default, or with a volatile one, the rows are filled first and NOT NULL
        // comes through a validated check.
        let needsNotNull = !column.isNullable && (column.defaultExpression == nil || volatileDefault != nil || change.up != nil)
        if needsNotNull { column.isNullable = true }
        if let value = volatileDefault { column.defaultExpression = nil; fill = fill ?? value }
        var forward = ["ALTER TABLE \(quoter.quote(name)) ADD COLUMN \(writer.columnDefinition(column))"]
        if let value = volatileDefault { forward.append("ALTER TABLE \(quoter.quote(name)) ALTER COLUMN \(column_) SET DEFAULT \(value)") }
        steps.append(PlanStep(phase: .expand, title: "Add column \(name).\(column.name)\(needsNotNull ? " (NOT NULL comes in contract)" : "")",
                              forward: forward, reverse: ["ALTER TABLE \(quoter.quote(name)) DROP COLUMN \(column_)"],
                              lock: .accessExclusive, duration: .instant))
        if let fill {
            steps.append(backfillStep(table: table, assignments: "\(column_) = \(fill)", condition: "\(column_) IS NULL",
                                      title: "Backfill \(name).\(column.name)",
                                      // A deterministic fill must equal fill(old) on every row
                                      // (it may be NULL where its inputs are); a volatile one
                                      // gives new values each time, so every row must be filled.
                                      check: VolatileExpression.isVolatile(fill)
                                          ? .counting("rows of \(column.name) still NULL", table: name, where: "\(column_) IS NULL", quoter: quoter)
                                          : .counting("backfill of \(column.name) equals up(old)", table: name,
                                                      where: "\(column_) IS DISTINCT FROM (\(fill))", quoter: quoter)))
        }
        if needsNotNull { steps += notNullSteps(table: name, column: column.name) }
        return steps
    }

    /// While old code still writes rows without the new column, triggers compute it from `up`
    /// for every row old code inserts without it or updates without setting it (before the
    /// backfill reaches the row or after), so neither a gap nor a stale value is left. Expand
    /// installs them (before the backfill); cleanup, with the other helpers, removes them. Both
    /// are reversible.
    private func fillTrigger(_ change: AddColumn, before: Schema, migrationID: String) throws -> [PlanStep] {
        guard let up = change.up else { return [] }
        let definition = try resolve(change.table, before)
        let table = definition.name
        let t = quoter.quote(table), c = quoter.quote(change.column.name)
        let function = quoter.quote(QualifiedName(schema: table.schema, PostgresColumnSwap.limit("godwit_\(migrationID)_fill_\(table.name)_\(change.column.name)")))
        let onInsert = quoter.quote(PostgresColumnSwap.limit("godwit_\(migrationID)_fill_\(change.column.name)"))
        let onUpdate = quoter.quote(PostgresColumnSwap.limit("godwit_\(migrationID)_refill_\(change.column.name)"))
        let body = """
            CREATE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $godwit$
            BEGIN
                NEW.\(c) := (SELECT \(up) FROM (SELECT (NEW).*) AS row);
                RETURN NEW;
            END
            $godwit$
            """
        // Old code never writes the column: a row it inserts arrives without it, and a row it
        // updates keeps the value up(row) gave before its other columns changed, so it is
        // computed again. The WHEN clauses keep the function out of writes that set the column;
        // `UPDATE OF` the columns `up` reads keeps the trigger out of the backfill's own batches
        // altogether (evaluating WHEN on each of their rows cost a tenth of the backfill).
        let read = Self.columns(readBy: up, in: definition).map { " OF " + $0.map(quoter.quote).joined(separator: ", ") } ?? ""
        let create = [
            "CREATE TRIGGER \(onInsert) BEFORE INSERT ON \(t) FOR EACH ROW WHEN (NEW.\(c) IS NULL) EXECUTE FUNCTION \(function)()",
            "CREATE TRIGGER \(onUpdate) BEFORE UPDATE\(read) ON \(t) FOR EACH ROW WHEN (NEW.\(c) IS NOT DISTINCT FROM OLD.\(c)) EXECUTE FUNCTION \(function)()",
        ]
        let drop = ["DROP TRIGGER \(onUpdate) ON \(t)", "DROP TRIGGER \(onInsert) ON \(t)", "DROP FUNCTION \(function)()"]
        return [
            PlanStep(phase: .expand, title: "Fill \(table).\(change.column.name) from up(row) on every write while old code runs",
                     forward: [body] + create, reverse: drop,
                     lock: .shareRowExclusive, duration: .instant),
            PlanStep(phase: .cleanup, title: "Remove the fill trigger of \(table).\(change.column.name)",
                     forward: drop, reverse: [body] + create,
                     lock: .shareRowExclusive, duration: .instant),
        ]
    }

    /// The columns of `table` that the expression `up` names, in table order; nil when it may
    /// read the whole row (it names `row`, the alias the fill function gives it) or names none.
    /// A name that is not really a column reference (another table's column of the same name)
    /// only makes the trigger fire more often, never less.
    static func columns(readBy up: String, in table: Table) -> [String]? {
        let names = Set(SQLLexer(engine: .postgresql).tokens(up).filter(\.isName).map { $0.name(on: .postgresql) })
        guard !names.contains("row") else { return nil }
        let read = table.columns.map(\.name).filter(names.contains)
        return read.isEmpty ? nil : read
    }

    /// NOT NULL without a long ACCESS EXCLUSIVE scan: a NOT VALID check, validated under SHARE
    /// UPDATE EXCLUSIVE, lets SET NOT NULL skip its scan; the helper check is then dropped.
    private func notNullSteps(table: QualifiedName, column: String) -> [PlanStep] {
        let check = quoter.quote("\(table.name)_\(column)_not_null")
        let t = quoter.quote(table), c = quoter.quote(column)
        return [
            PlanStep(phase: .verify, title: "Prove \(table).\(column) has no NULLs (CHECK NOT VALID, then VALIDATE)",
                     forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(check) CHECK (\(c) IS NOT NULL) NOT VALID",
                               "ALTER TABLE \(t) VALIDATE CONSTRAINT \(check)"],
                     reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(check)"], lock: .shareUpdateExclusive, duration: .scan,
                     checks: [.counting("NULLs in \(column)", table: table, where: "\(c) IS NULL", quoter: quoter, isPrecondition: true)]),
            PlanStep(phase: .contract, title: "SET NOT NULL on \(table).\(column) using the validated check",
                     forward: ["ALTER TABLE \(t) ALTER COLUMN \(c) SET NOT NULL", "ALTER TABLE \(t) DROP CONSTRAINT \(check)"],
                     reverse: ["ALTER TABLE \(t) ADD CONSTRAINT \(check) CHECK (\(c) IS NOT NULL) NOT VALID",
                               "ALTER TABLE \(t) VALIDATE CONSTRAINT \(check)", "ALTER TABLE \(t) ALTER COLUMN \(c) DROP NOT NULL"],
                     lock: .accessExclusive, duration: .instant),
        ]
    }

    private func alterColumn(_ change: AlterColumn, before: Schema) throws -> [PlanStep] {
        let table = try resolve(change.table, before)
        let t = quoter.quote(table.name), c = quoter.quote(change.column)
        let current = try table.plannedColumn(change.column)
        var steps: [PlanStep] = []
        if let type = change.type {
            let using = change.up.map { " USING \($0)" } ?? ""
            let back = change.down.map { " USING \($0)" } ?? " USING \(c)::\(current.type)"
            steps.append(PlanStep(phase: .expand, title: "Change \(table.name).\(change.column) to \(type) (offline: rewrites the table)",
                                  forward: ["ALTER TABLE \(t) ALTER COLUMN \(c) TYPE \(type)\(using)"],
                                  reverse: ["ALTER TABLE \(t) ALTER COLUMN \(c) TYPE \(current.type)\(back)"],
                                  lock: .accessExclusive, duration: .rewrite, isOnline: false))
        }
        if let nullable = change.isNullable {
            if nullable {
                steps.append(PlanStep(phase: .expand, title: "Drop NOT NULL on \(table.name).\(change.column)",
                                      forward: ["ALTER TABLE \(t) ALTER COLUMN \(c) DROP NOT NULL"],
                                      reverse: ["ALTER TABLE \(t) ALTER COLUMN \(c) SET NOT NULL"], lock: .accessExclusive, duration: .instant))
            } else {
                steps += notNullSteps(table: table.name, column: change.column)
            }
        }
        if let change = change.defaultChange {
            let forward: String
            switch change {
            case .set(let value): forward = "ALTER TABLE \(t) ALTER COLUMN \(c) SET DEFAULT \(value)"
            case .drop: forward = "ALTER TABLE \(t) ALTER COLUMN \(c) DROP DEFAULT"
            }
            let reverse = current.defaultExpression.map { "ALTER TABLE \(t) ALTER COLUMN \(c) SET DEFAULT \($0)" }
                ?? "ALTER TABLE \(t) ALTER COLUMN \(c) DROP DEFAULT"
            steps.append(PlanStep(phase: .expand, title: "Change the default of \(table.name).\(current.name)", forward: [forward], reverse: [reverse],
                                  lock: .accessExclusive, duration: .instant))
        }
        if let check = change.check { steps += addConstraint(.check(check), to: table, column: change.column) }
        if change.isUnique == true { steps += addConstraint(.unique(UniqueConstraint(columns: [change.column])), to: table) }
        if let key = change.references { steps += addConstraint(.foreignKey(key), to: table) }
        return steps
    }

    /// A temporal key (PostgreSQL 18's `WITHOUT OVERLAPS`) added in one step: its index is GiST,
    /// with no unique index to build first and attach.
    private func temporalKeyStep(_ kind: String, name: String, clause: String, of table: Table) -> PlanStep {
        let t = quoter.quote(table.name)
        return PlanStep(phase: .expand, title: "Add the temporal \(kind) \(name) (builds its index under the lock)",
                        forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) " + clause],
                        reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(quoter.quote(name))"], lock: .accessExclusive, duration: .scan)
    }

    private func addConstraint(_ constraint: Constraint, to table: Table, column: String? = nil) -> [PlanStep] {
        let t = quoter.quote(table.name)
        switch constraint {
        case .check(let check) where check.isNotEnforced:
            // PostgreSQL 18: declared and never checked, so there is nothing to validate.
            let name = check.name ?? "\(table.name.name)_\(column ?? "row")_check"
            return [PlanStep(phase: .expand, title: "Add CHECK \(name) on \(table.name), not enforced",
                             forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) " + writer.checkDefinition(check)],
                             reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(quoter.quote(name))"], lock: .accessExclusive, duration: .instant)]
        case .foreignKey(var key) where key.isNotEnforced:
            let name = key.name ?? "\(table.name.name)_\(key.columns.joined(separator: "_"))_fkey"
            key.name = name
            return [PlanStep(phase: .expand, title: "Add foreign key \(name), not enforced", forward: [writer.addForeignKey(key, to: table.name)],
                             reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(quoter.quote(name))"], lock: .shareRowExclusive, duration: .instant)]
        case .unique(let unique) where unique.withoutOverlaps:
            let name = unique.name ?? "\(table.name.name)_\(unique.columns.joined(separator: "_"))_key"
            return [temporalKeyStep("UNIQUE constraint", name: name, clause: writer.uniqueClause(unique), of: table)]
        case .primaryKey(let key) where key.withoutOverlaps:
            let name = key.name ?? "\(table.name.name)_pkey"
            var step = temporalKeyStep("primary key", name: name, clause: writer.primaryKeyClause(key), of: table)
            step.reverse = (step.reverse ?? []) + key.columns.compactMap { column in
                table.column(named: column)?.isNullable == true ? "ALTER TABLE \(t) ALTER COLUMN \(quoter.quote(column)) DROP NOT NULL" : nil
            }
            return [step]
        case .check(let check):
            let name = check.name ?? "\(table.name.name)_\(column ?? "row")_check"
            let n = quoter.quote(name)
            return [
                PlanStep(phase: .expand, title: "Add CHECK \(name) on \(table.name) as NOT VALID (new writes are checked)",
                         forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(n) CHECK (\(check.expression)) NOT VALID"],
                         reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(n)"], lock: .accessExclusive, duration: .instant),
                PlanStep(phase: .verify, title: "Validate CHECK \(name) on the existing rows",
                         forward: ["ALTER TABLE \(t) VALIDATE CONSTRAINT \(n)"], reverse: [], lock: .shareUpdateExclusive, duration: .scan,
                         checks: [.counting("rows violating \(name)", table: table.name, where: "NOT (\(check.expression))", quoter: quoter, isPrecondition: true)]),
            ]
        case .foreignKey(var key):
            let name = key.name ?? "\(table.name.name)_\(key.columns.joined(separator: "_"))_fkey"
            key.name = name
            key.isValidated = false
            let n = quoter.quote(name)
            return [
                PlanStep(phase: .expand, title: "Add foreign key \(name) as NOT VALID", forward: [writer.addForeignKey(key, to: table.name)],
                         reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(n)"], lock: .shareRowExclusive, duration: .instant),
                PlanStep(phase: .verify, title: "Validate foreign key \(name) on the existing rows",
                         forward: ["ALTER TABLE \(t) VALIDATE CONSTRAINT \(n)"], reverse: [], lock: .shareUpdateExclusive, duration: .scan,
                         checks: [orphanCheck(key, of: table.name)]),
            ]
        case .unique(let unique):
            let name = unique.name ?? "\(table.name.name)_\(unique.columns.joined(separator: "_"))_key"
            let index = Index(name: name, isUnique: true, elements: unique.columns.map { .column($0) })
            return [
                PlanStep(phase: .expand, title: "Build the unique index \(name) concurrently",
                         forward: [writer.createIndex(index, on: table.name, concurrently: true)],
                         reverse: ["DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: table.name.schema, name)))"],
                         isTransactional: false, lock: .shareUpdateExclusive, duration: .scan,
                         checks: [duplicateCheck(unique.columns, in: table.name), invalidIndexCheck(name, schema: table.name.schema)]),
                PlanStep(phase: .contract, title: "Make \(name) a UNIQUE constraint using the index",
                         forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) UNIQUE USING INDEX \(quoter.quote(name))"],
                         reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(quoter.quote(name))",
                                   writer.createIndex(index, on: table.name)],
                         lock: .accessExclusive, duration: .instant),
            ]
        case .primaryKey(let key):
            let name = key.name ?? "\(table.name.name)_pkey"
            let index = Index(name: name, isUnique: true, elements: key.columns.map { .column($0) })
            return [
                PlanStep(phase: .expand, title: "Build the primary key's index \(name) concurrently",
                         forward: [writer.createIndex(index, on: table.name, concurrently: true)],
                         reverse: ["DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: table.name.schema, name)))"],
                         isTransactional: false, lock: .shareUpdateExclusive, duration: .scan,
                         checks: [invalidIndexCheck(name, schema: table.name.schema)]),
                PlanStep(phase: .contract, title: "Make \(name) the primary key using the index",
                         forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) PRIMARY KEY USING INDEX \(quoter.quote(name))"],
                         reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(quoter.quote(name))", writer.createIndex(index, on: table.name)]
                             + key.columns.compactMap { column in
                                 table.column(named: column)?.isNullable == true ? "ALTER TABLE \(t) ALTER COLUMN \(quoter.quote(column)) DROP NOT NULL" : nil
                             },
                         lock: .accessExclusive, duration: .instant),
            ]
        }
    }

    /// The statements that put back a constraint as it stands in the live schema.
    private func recreateConstraint(_ name: String, of table: Table) throws -> [String] {
        let t = quoter.quote(table.name)
        if let key = table.primaryKey, key.name == name {
            return ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) " + writer.primaryKeyClause(key)]
        }
        if let unique = table.uniqueConstraints.first(where: { $0.name == name }) {
            return ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) " + writer.uniqueClause(unique)]
        }
        if let check = table.checkConstraints.first(where: { $0.name == name }) {
            return ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) " + writer.checkDefinition(check) + (check.isValidated ? "" : " NOT VALID")]
        }
        if let key = table.foreignKeys.first(where: { $0.name == name }) { return [writer.addForeignKey(key, to: table.name)] }
        if let exclusion = table.exclusionConstraints.first(where: { $0.name == name }) {
            return ["ALTER TABLE \(t) ADD CONSTRAINT \(quoter.quote(name)) \(exclusion.definition)"]
        }
        throw GodwitError(.invalidMigration, "Unknown constraint \(name) on \(table.name)")
    }

    /// Contract renames the column out of the way instead of dropping it: it keeps its place
    /// and its data, so the reverse is exact; NOT NULL is lifted so new code can insert without
    /// it. Cleanup drops it for good.
    private func dropColumn(_ table: Table, _ column: String, archivePrefix: String) throws -> [PlanStep] {
        let definition = try table.plannedColumn(column)
        // PostgreSQL names hold 63 bytes; cut on a character boundary.
        var parked = archivePrefix + column
        while parked.utf8.count > 63 { parked.removeLast() }
        let t = quoter.quote(table.name), c = quoter.quote(column), p = quoter.quote(parked)
        var forward = ["ALTER TABLE \(t) RENAME COLUMN \(c) TO \(p)"]
        var reverse: [String] = []
        if !definition.isNullable {
            forward.append("ALTER TABLE \(t) ALTER COLUMN \(p) DROP NOT NULL")
            reverse.append("ALTER TABLE \(t) ALTER COLUMN \(p) SET NOT NULL")
        }
        reverse.append("ALTER TABLE \(t) RENAME COLUMN \(p) TO \(c)")
        return [
            PlanStep(phase: .contract, title: "Park \(table.name).\(column) as \(parked) (its data kept until cleanup)",
                     forward: forward, reverse: reverse, lock: .accessExclusive, duration: .instant),
            PlanStep(phase: .cleanup, title: "Drop the parked column \(parked)", forward: ["ALTER TABLE \(t) DROP COLUMN \(p)"], reverse: nil,
                     lock: .accessExclusive, duration: .instant),
        ]
    }

    private func updateRows(_ update: UpdateRows, table: Table, archivePrefix: String) throws -> [PlanStep] {
        guard let key = table.primaryKey?.columns, !key.isEmpty else {
            throw GodwitError(.invalidMigration, "Cannot keep the old values of \(table.name) restorable", reason: "the table has no primary key",
                              remedy: "Add a primary key first, or use raw SQL with its own reverse.")
        }
        let columns = SQLText.assignedColumns(update.set)
        let archive = QualifiedName(schema: table.name.schema, archivePrefix + "\(table.name.name)_update")
        let t = quoter.quote(table.name), a = quoter.quote(archive)
        let condition = update.condition.map { " WHERE \($0)" } ?? ""
        let match = key.map { "a.\(quoter.quote($0)) = \(quoter.quote(table.name.name)).\(quoter.quote($0))" }.joined(separator: " AND ")
        var step = backfillStep(table: table, assignments: update.set, condition: update.condition,
                                title: "Update \(table.name) in batches (old values archived in \(archive.name))", check: nil,
                                batchSize: update.batchSize)
        step.forward.insert("CREATE TABLE \(a) AS SELECT \(quoter.quoteList(key + columns)) FROM \(t)\(condition)", at: 0)
        step.reverse = ["UPDATE \(t) SET \(columns.map { "\(quoter.quote($0)) = a.\(quoter.quote($0))" }.joined(separator: ", ")) FROM \(a) AS a WHERE \(match)",
                        "DROP TABLE \(a)"]
        return [step, PlanStep(phase: .cleanup, title: "Drop the archive \(archive.name)", forward: ["DROP TABLE \(a)"], reverse: nil,
                               lock: .accessExclusive, duration: .instant)]
    }

    private func backfillStep(table: Table, assignments: String, condition: String?, title: String, check: StepCheck?,
                              batchSize: Int = Backfill.defaultBatchSize) -> PlanStep {
        let key = table.primaryKey?.columns ?? []
        return PlanStep(
            phase: .backfill, title: title,
            forward: ["UPDATE \(quoter.quote(table.name)) SET \(assignments)\(condition.map { " WHERE \($0)" } ?? "")"],
            reverse: [], lock: .rowExclusive, duration: .scan,
            backfill: Backfill(table: table.name, assignments: assignments, condition: condition, keyColumns: key, batchSize: batchSize),
            checks: check.map { [$0] } ?? []
        )
    }

    /// Rows whose reference has no parent: counted before VALIDATE, which would only say "violates".
    private func orphanCheck(_ key: ForeignKey, of table: QualifiedName) -> StepCheck {
        let pairs = zip(key.columns, key.referencedColumns).map { "p.\(quoter.quote($1)) = c.\(quoter.quote($0))" }
        let present = key.columns.map { "c.\(quoter.quote($0)) IS NOT NULL" }
        return StepCheck(
            name: "orphans of \(key.name ?? "the foreign key") (rows whose \(key.referencedTable) is missing)",
            sql: "SELECT count(*) FROM \(quoter.quote(table)) AS c WHERE \(present.joined(separator: " AND ")) AND NOT EXISTS (SELECT 1 FROM \(quoter.quote(key.referencedTable)) AS p WHERE \(pairs.joined(separator: " AND ")))",
            isPrecondition: true
        )
    }

    /// Rows sharing a value that is about to become unique, counted before the index is built.
    private func duplicateCheck(_ columns: [String], in table: QualifiedName) -> StepCheck {
        UniqueIndexCheck.duplicates(of: columns, on: table, quoter: quoter)
    }

    /// An index left INVALID by a failed concurrent build.
    private func invalidIndexCheck(_ name: String, schema: String?) -> StepCheck {
        StepCheck(name: "index \(name) is valid",
                  sql: "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = \(SQLIdentifierQuoter.literal(name)) AND n.nspname = \(SQLIdentifierQuoter.literal(schema ?? "public")) AND NOT i.indisvalid")
    }
}
