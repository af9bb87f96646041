import Foundation
public import GodwitCore

/// Plans migrations for SQLite: `ALTER TABLE` where SQLite allows it, the 12-step table rebuild
/// where it does not, every step with its reverse. Destructive steps keep the data restorable:
/// a dropped table is renamed to an archive, a dropped column and overwritten values are copied
/// to an archive first, so even contract can be undone until cleanup drops the archives.
public struct SQLitePlanner: MigrationPlanner {
    private let writer = SQLiteSchemaWriter()
    private let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: false)
    private let rebuild = SQLiteTableRebuild()

    public init() {}

    public func plan(_ migration: Migration, against schema: Schema) throws -> Plan {
        let log = SQLiteRebuildMerger.Log()
        var plan = try StagedPlanBuilder(engine: .sqlite).build(migration, against: schema) { operation, before, after in
            defer { log.operation += 1 }
            return try steps(for: operation, before: before, after: after, migration: migration, log: log)
        }
        // A table changed by consecutive operations is rebuilt once.
        let merger = SQLiteRebuildMerger(rebuild: rebuild, quoter: quoter) { withRowID($0, $1, $2) }
        plan.steps = merger.merge(plan.steps, rebuilds: log.rebuilds)
        return plan
    }

    private func steps(for operation: Operation, before: Schema, after: Schema, migration: Migration, log: SQLiteRebuildMerger.Log) throws -> [PlanStep] {
        let archivePrefix = "_godwit_archive_\(migration.nameSafeID)_"
        switch operation {
        case .createTable(let table):
            let created = try after.plannedTable(table.name)
            return [PlanStep(phase: .expand, title: "Create table \(created.name)",
                             forward: [writer.createTable(created)] + created.indexes.map { writer.createIndex($0, on: created.name) },
                             reverse: ["DROP TABLE \(quoter.quote(created.name))"], lock: .databaseWrite, duration: .instant)]
        case .dropTable(let name):
            let table = try before.plannedTable(name)
            let archive = QualifiedName(archivePrefix + table.name.name)
            return [
                PlanStep(phase: .contract, title: "Move table \(table.name) to the archive \(archive)",
                         forward: ["ALTER TABLE \(quoter.quote(table.name)) RENAME TO \(quoter.quote(archive))"],
                         reverse: ["ALTER TABLE \(quoter.quote(archive)) RENAME TO \(quoter.quote(table.name))"], lock: .databaseWrite, duration: .instant),
                PlanStep(phase: .cleanup, title: "Drop the archive \(archive)", forward: ["DROP TABLE \(quoter.quote(archive))"],
                         reverse: nil, lock: .databaseWrite, duration: .instant),
            ]
        case .renameTable(let name, let newName):
            let old = try before.plannedName(name)
            return [PlanStep(phase: .expand, title: "Rename table \(old) to \(newName) (offline: old code naming \(old.name) fails)",
                             forward: ["ALTER TABLE \(quoter.quote(old)) RENAME TO \(quoter.quote(newName))"],
                             reverse: ["ALTER TABLE \(quoter.quote(QualifiedName(schema: old.schema, newName))) RENAME TO \(quoter.quote(old.name))"],
                             lock: .databaseWrite, duration: .instant, isOnline: false)]
        case .renameColumn(let name, let from, let to):
            let table = try before.plannedName(name)
            return [PlanStep(phase: .expand, title: "Rename column \(table).\(from) to \(to) (offline: old code naming \(from) fails)",
                             forward: ["ALTER TABLE \(quoter.quote(table)) RENAME COLUMN \(quoter.quote(from)) TO \(quoter.quote(to))"],
                             reverse: ["ALTER TABLE \(quoter.quote(table)) RENAME COLUMN \(quoter.quote(to)) TO \(quoter.quote(from))"],
                             lock: .databaseWrite, duration: .instant, isOnline: false)]
        case .addColumn(let change):
            return try addColumn(change, before: before, after: after, log: log)
        case .dropColumn(let name, let column):
            return try dropColumn(name, column, before: before, after: after, archive: archivePrefix)
        case .alterColumn(let change):
            return [try alterColumn(change, before: before, after: after, log: log)]
        case .createIndex(let name, let index):
            let table = try before.plannedName(name)
            return [PlanStep(phase: .expand, title: "Create index \(index.name) on \(table)", forward: [writer.createIndex(index, on: table)],
                             reverse: ["DROP INDEX \(quoter.quote(index.name))"], lock: .databaseWrite, duration: .scan,
                             checks: [UniqueIndexCheck.duplicates(of: index, on: table, quoter: quoter)].compactMap { $0 })]
        case .dropIndex(let name, let indexName):
            let table = try before.plannedTable(name)
            guard let index = table.indexes.first(where: { $0.name == indexName }) else { throw Schema.plannerMiss("index \(indexName)") }
            return [PlanStep(phase: .contract, title: "Drop index \(indexName) on \(table.name)", forward: ["DROP INDEX \(quoter.quote(indexName))"],
                             reverse: [writer.createIndex(index, on: table.name)], lock: .databaseWrite, duration: .instant)]
        case .addConstraint(let name, let constraint):
            return [try rebuildStep(.expand, "Rebuild \(name) with constraint \(constraint.name ?? "")", table: name, before: before, after: after,
                                checks: try violationChecks(constraint, table: name, in: before), log: log)]
        case .dropConstraint(let name, let constraintName):
            return [try rebuildStep(.contract, "Rebuild \(name) without constraint \(constraintName)", table: name, before: before, after: after, log: log)]
        case .updateRows(let update):
            return try updateRows(update, before: before, archive: archivePrefix)
        case .rawSQL(let raw):
            return try RawSQLSteps.make(raw, engine: .sqlite, before: before, frame: SQLiteDialect().foreignKeyFrame)
        }
    }

    private func addColumn(_ change: AddColumn, before: Schema, after: Schema, log: SQLiteRebuildMerger.Log) throws -> [PlanStep] {
        let name = try before.plannedName(change.table)
        var steps: [PlanStep]
        if SQLiteAlterTableLimits.addColumnNeedsRebuild(change.column) == nil {
            let table = try after.plannedTable(name)
            steps = [PlanStep(phase: .expand, title: "Add column \(name).\(change.column.name)",
                              forward: ["ALTER TABLE \(quoter.quote(name)) ADD COLUMN \(writer.columnDefinition(change.column, in: table))"],
                              reverse: ["ALTER TABLE \(quoter.quote(name)) DROP COLUMN \(quoter.quote(change.column.name))"],
                              lock: .databaseWrite, duration: .instant)]
        } else {
            var sources: [String: String] = [:]
            if let up = change.up { sources[change.column.name] = "(\(up))" }
            steps = [try rebuildStep(.expand, "Rebuild \(name) with the new column \(change.column.name)", table: name, before: before, after: after,
                                 extraForward: sources, log: log)]
        }
        if let up = change.up, SQLiteAlterTableLimits.addColumnNeedsRebuild(change.column) == nil {
            let table = try before.plannedTable(name)
            steps.append(PlanStep(
                phase: .backfill, title: "Backfill \(name).\(change.column.name)",
                forward: ["UPDATE \(quoter.quote(name)) SET \(quoter.quote(change.column.name)) = (\(up))"],
                reverse: [], lock: .databaseWrite, duration: .scan,
                backfill: Backfill(table: name, assignments: "\(quoter.quote(change.column.name)) = (\(up))",
                                   keyColumns: Self.keyColumns(table), batchSize: Backfill.defaultBatchSize),
                // A volatile `up` (randomblob, random) gives new values each time: check that
                // every row is filled; a deterministic one must equal up(old) on every row.
                checks: [VolatileExpression.isVolatile(up)
                    ? .counting("rows of \(change.column.name) still NULL", table: name, where: "\(quoter.quote(change.column.name)) IS NULL", quoter: quoter)
                    : .counting("backfill of \(change.column.name) equals up(old)", table: name,
                                where: "\(quoter.quote(change.column.name)) IS NOT (\(up))", quoter: quoter)]
            ))
        }
        return steps
    }

    private func dropColumn(_ name: QualifiedName, _ column: String, before: Schema, after: Schema, archive prefix: String) throws -> [PlanStep] {
        let tableName = try before.plannedName(name)
        let table = try before.plannedTable(tableName)
        let keys = Self.keyColumns(table)
        let archive = QualifiedName(prefix + "\(table.name.name)_\(column)")
        let keyList = keys.map { $0 == "rowid" ? "rowid AS \"rowid\"" : quoter.quote($0) }.joined(separator: ", ")
        let archiveStatement = "CREATE TABLE \(quoter.quote(archive)) AS SELECT \(keyList), \(quoter.quote(column)) FROM \(quoter.quote(tableName))"
        let newTable = try after.plannedTable(tableName)
        let forwardSources = Dictionary(uniqueKeysWithValues: newTable.columns.map { ($0.name, quoter.quote($0.name)) })
        var reverseSources = Dictionary(uniqueKeysWithValues: newTable.columns.map { ($0.name, quoter.quote($0.name)) })
        let match = keys.map { "a.\(quoter.quote($0)) IS \(quoter.quote(tableName.name)).\(quoter.quote($0))" }.joined(separator: " AND ")
        reverseSources[column] = "(SELECT a.\(quoter.quote(column)) FROM \(quoter.quote(archive)) AS a WHERE \(match))"
        return [
            PlanStep(phase: .contract, title: "Archive \(tableName).\(column) in \(archive), then rebuild \(tableName) without it",
                     setup: ["PRAGMA foreign_keys = OFF"],
                     forward: [archiveStatement] + rebuild.statements(from: table, to: newTable, sources: withRowID(forwardSources, table, newTable), in: before),
                     reverse: rebuild.statements(from: newTable, to: table, sources: withRowID(reverseSources, newTable, table), in: after)
                         + ["DROP TABLE \(quoter.quote(archive))"],
                     teardown: ["PRAGMA foreign_keys = ON"], lock: .databaseWrite, duration: .rewrite,
                     checks: [rebuild.foreignKeyCheck(tableName)], isOnline: false),
            PlanStep(phase: .cleanup, title: "Drop the archive \(archive)", forward: ["DROP TABLE \(quoter.quote(archive))"], reverse: nil,
                     lock: .databaseWrite, duration: .instant),
        ]
    }

    private func alterColumn(_ change: AlterColumn, before: Schema, after: Schema, log: SQLiteRebuildMerger.Log) throws -> PlanStep {
        let name = try before.plannedName(change.table)
        var checks: [StepCheck] = []
        let column = quoter.quote(change.column)
        if change.isNullable == false {
            checks.append(.counting("no NULL in \(change.column)", table: name, where: "\(column) IS NULL", quoter: quoter))
        }
        if let check = change.check { checks += try violationChecks(.check(check), table: name, in: before) }
        if change.isUnique == true { checks += try violationChecks(.unique(UniqueConstraint(columns: [change.column])), table: name, in: before) }
        if let key = change.references { checks += try violationChecks(.foreignKey(key), table: name, in: before) }
        var forward: [String: String] = [:], reverse: [String: String] = [:]
        if let up = change.up { forward[change.column] = "(\(up))" }
        if let down = change.down { reverse[change.column] = "(\(down))" }
        return try rebuildStep(.expand, "Rebuild \(name) to change \(change.column)", table: name, before: before, after: after,
                           extraForward: forward, extraReverse: reverse, checks: checks, log: log)
    }

    private func updateRows(_ update: UpdateRows, before: Schema, archive prefix: String) throws -> [PlanStep] {
        let name = try before.plannedName(update.table)
        let table = try before.plannedTable(name)
        let keys = Self.keyColumns(table)
        let columns = SQLText.assignedColumns(update.set)
        let archive = QualifiedName(prefix + "\(table.name.name)_update")
        let condition = update.condition.map { " WHERE \($0)" } ?? ""
        let keyList = keys.map { $0 == "rowid" ? "rowid AS \"rowid\"" : quoter.quote($0) }.joined(separator: ", ")
        let match = keys.map { "a.\(quoter.quote($0)) IS \(quoter.quote(name.name)).\(quoter.quote($0))" }.joined(separator: " AND ")
        let restore = columns.map { "\(quoter.quote($0)) = a.\(quoter.quote($0))" }.joined(separator: ", ")
        return [
            PlanStep(
                phase: .backfill, title: "Update \(name) in batches (old values archived in \(archive))",
                forward: ["CREATE TABLE \(quoter.quote(archive)) AS SELECT \(keyList), \(quoter.quoteList(columns)) FROM \(quoter.quote(name))\(condition)",
                          "UPDATE \(quoter.quote(name)) SET \(update.set)\(condition)"],
                reverse: ["UPDATE \(quoter.quote(name)) SET \(restore) FROM \(quoter.quote(archive)) AS a WHERE \(match)",
                          "DROP TABLE \(quoter.quote(archive))"],
                lock: .databaseWrite, duration: .scan,
                backfill: Backfill(table: name, assignments: update.set, condition: update.condition, keyColumns: keys, batchSize: update.batchSize)
            ),
            PlanStep(phase: .cleanup, title: "Drop the archive \(archive)", forward: ["DROP TABLE \(quoter.quote(archive))"], reverse: nil,
                     lock: .databaseWrite, duration: .instant),
        ]
    }

    /// A rebuild of `table` from its `before` form to its `after` form, and back.
    private func rebuildStep(
        _ phase: Phase, _ title: String, table name: QualifiedName, before: Schema, after: Schema,
        extraForward: [String: String] = [:], extraReverse: [String: String] = [:], checks: [StepCheck] = [], log: SQLiteRebuildMerger.Log
    ) throws -> PlanStep {
        let resolved = try before.plannedName(name)
        let old = try before.plannedTable(resolved)
        let new = try after.plannedTable(resolved)
        var forward = Dictionary(uniqueKeysWithValues: new.columns.filter { old.column(named: $0.name) != nil }.map { ($0.name, quoter.quote($0.name)) })
        forward.merge(extraForward) { $1 }
        var reverse = Dictionary(uniqueKeysWithValues: old.columns.filter { new.column(named: $0.name) != nil }.map { ($0.name, quoter.quote($0.name)) })
        reverse.merge(extraReverse) { $1 }
        log.rebuilds[log.operation] = .init(operation: log.operation, old: old, new: new, forward: forward, reverse: reverse, before: before, after: after)
        return PlanStep(
            phase: phase, title: title, setup: ["PRAGMA foreign_keys = OFF"],
            forward: rebuild.statements(from: old, to: new, sources: withRowID(forward, old, new), in: before),
            reverse: rebuild.statements(from: new, to: old, sources: withRowID(reverse, new, old), in: after),
            teardown: ["PRAGMA foreign_keys = ON"], lock: .databaseWrite, duration: .rewrite,
            checks: checks + [rebuild.foreignKeyCheck(resolved)], isOnline: false
        )
    }

    /// Keeps rowids across a rebuild of a rowid table without an INTEGER PRIMARY KEY, so row
    /// identity (and archives keyed by rowid) survive.
    private func withRowID(_ sources: [String: String], _ old: Table, _ new: Table) -> [String: String] {
        guard !old.isWithoutRowID, !new.isWithoutRowID, Self.keyColumns(old) == ["rowid"], Self.keyColumns(new) == ["rowid"] else { return sources }
        var copy = sources
        copy["rowid"] = "rowid"
        return copy
    }

    /// The checks that find rows a new constraint would reject.
    private func violationChecks(_ constraint: Constraint, table name: QualifiedName, in schema: Schema) throws -> [StepCheck] {
        let resolved = SchemaTransformer().resolve(name, in: schema) ?? name
        let table = quoter.quote(resolved)
        switch constraint {
        case .check(let check):
            return [.counting("rows violating CHECK (\(check.expression))", table: resolved, where: "NOT (\(check.expression))", quoter: quoter)]
        case .unique(let unique):
            let columns = quoter.quoteList(unique.columns)
            return [StepCheck(name: "duplicates of (\(unique.columns.joined(separator: ", ")))",
                              sql: "SELECT count(*) FROM (SELECT \(columns) FROM \(table) WHERE \(unique.columns.map { "\(quoter.quote($0)) IS NOT NULL" }.joined(separator: " AND ")) GROUP BY \(columns) HAVING count(*) > 1)")]
        case .primaryKey(let key):
            let columns = quoter.quoteList(key.columns)
            return [StepCheck(name: "duplicates or NULLs in the primary key",
                              sql: "SELECT (SELECT count(*) FROM (SELECT \(columns) FROM \(table) GROUP BY \(columns) HAVING count(*) > 1)) + (SELECT count(*) FROM \(table) WHERE \(key.columns.map { "\(quoter.quote($0)) IS NULL" }.joined(separator: " OR ")))")]
        case .foreignKey(let key):
            let target = quoter.quote(SchemaTransformer().resolve(key.referencedTable, in: schema) ?? key.referencedTable)
            let referenced = key.referencedColumns.isEmpty ? key.columns : key.referencedColumns
            let join = zip(key.columns, referenced).map { "p.\(quoter.quote($1)) = c.\(quoter.quote($0))" }.joined(separator: " AND ")
            let present = key.columns.map { "c.\(quoter.quote($0)) IS NOT NULL" }.joined(separator: " AND ")
            return [StepCheck(name: "orphans of the foreign key to \(key.referencedTable)",
                              sql: "SELECT count(*) FROM \(table) AS c WHERE \(present) AND NOT EXISTS (SELECT 1 FROM \(target) AS p WHERE \(join))")]
        }
    }

    /// The columns batches walk: the primary key, else `rowid`.
    static func keyColumns(_ table: Table) -> [String] {
        if let key = table.primaryKey, table.isWithoutRowID || key.columns.count >= 1 { return key.columns }
        return ["rowid"]
    }
}
