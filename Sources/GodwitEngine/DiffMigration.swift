import Foundation
public import GodwitCore

/// `godwit diff`: the migration from a database to a desired schema, written so it runs as it
/// is. Its downtime is the strictest the engine can hold for these changes (`zero`, else
/// `minutes` where a step must block writes, as SQLite's table rebuilds do), and a NOT NULL
/// over NULL rows gets the fill it needs first (the column's default) with a comment naming
/// the count; without a default to fill with, the comment says what to decide.
public enum DiffMigration {
    /// The migration, the warnings of the diff, and the comments to write above operations.
    public struct Result: Sendable {
        public var migration: Migration
        public var warnings: [String]
        public var header: [String]
        /// Comment lines above operation `i`.
        public var comments: [Int: [String]]

        /// The YAML file.
        public var yaml: String { MigrationWriter().yaml(migration, header: header, comments: comments) }
    }

    /// `operation` as SQL when it says what a migration file's operations cannot: a table or a
    /// constraint with a PostgreSQL 18 flag (``Constraint/hasPostgres18Flags``), or a table whose
    /// primary key has a name of its own (`create_table` names none).
    static func declaringAll(_ operation: GodwitCore.Operation, writer: any SchemaScriptWriter, quoter: SQLIdentifierQuoter) -> GodwitCore.Operation {
        switch operation {
        case .createTable(let table) where table.hasPostgres18ConstraintFlags
            || table.primaryKey?.name.map({ $0 != "\(table.name.name)_pkey" }) == true:
            let up = [writer.createTable(table)] + table.foreignKeys.compactMap { writer.addingForeignKey($0, to: table.name) }
            return .rawSQL(RawSQL(up: up.map { $0 + ";" }.joined(separator: "\n"), down: "DROP TABLE \(quoter.quote(table.name));"))
        case .addConstraint(let table, let constraint) where constraint.hasPostgres18Flags:
            guard let up = writer.addingConstraint(constraint, to: table), let name = constraint.name else { return operation }
            return .rawSQL(RawSQL(up: up + ";", down: "ALTER TABLE \(quoter.quote(table)) DROP CONSTRAINT \(quoter.quote(name));"))
        default:
            return operation
        }
    }

    /// Diffs `current` (read from `url`) against `desired` (loaded from the file `source`).
    public static func write(from current: Schema, to desired: Schema, source: String, renames: [RenameHint], name: String,
                             on url: DatabaseURL) async throws -> Result {
        let diff = SchemaDiffer().diff(from: current.removingStatistics(), to: desired.removingStatistics(), renames: renames)
        var comments: [Int: [String]] = [:]
        let quoter = current.engine.quoter
        // Each NOT NULL over NULL rows: the fill it needs, or what to decide.
        var fills: [Int: (fill: GodwitCore.Operation?, comment: [String])] = [:]
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            for (index, operation) in diff.operations.enumerated() {
                guard case .alterColumn(let change) = operation, change.isNullable == false,
                      let table = SchemaTransformer().resolve(change.table, in: current) else { continue }
                let nulls = try await driver.query(unsafeSQL: "SELECT count(*) FROM \(quoter.quote(table)) WHERE \(quoter.quote(change.column)) IS NULL")
                    .first?.values.first?.integerValue ?? 0
                guard nulls > 0 else { continue }
                let rows = "\(QuantityFormat.count(nulls)) \(nulls == 1 ? "row" : "rows") of \(change.table).\(change.column) \(nulls == 1 ? "is" : "are") NULL today"
                let fill: String? = if case .set(let value) = change.defaultChange { value }
                    else { desired.table(named: table)?.column(named: change.column)?.defaultExpression }
                if let fill {
                    fills[index] = (.updateRows(UpdateRows(table: change.table, set: "\(quoter.quote(change.column)) = \(fill)",
                                                           condition: "\(quoter.quote(change.column)) IS NULL")),
                                    ["\(rows): filled with the column's default before NOT NULL."])
                } else {
                    fills[index] = (nil, ["\(rows) and the desired schema gives no default: NOT NULL fails on them.",
                                          "Fill them first (an update_rows above this line), or keep the column nullable."])
                }
            }
        }
        // A table's fills come before any other change to it, so its changes stay together (on
        // SQLite they are then one rebuild) and every NOT NULL finds its rows filled.
        var operations: [GodwitCore.Operation] = []
        var filled: Set<String> = []
        let tableKey = { (operation: GodwitCore.Operation) in operation.table.flatMap { SchemaTransformer().resolve($0, in: current) }?.description }
        for (index, operation) in diff.operations.enumerated() {
            if let key = tableKey(operation), !filled.contains(key) {
                filled.insert(key)
                for (at, entry) in fills.sorted(by: { $0.key < $1.key }) where tableKey(diff.operations[at]) == key {
                    guard let fill = entry.fill else { continue }
                    comments[operations.count] = entry.comment
                    operations.append(fill)
                }
            }
            if let entry = fills[index], entry.fill == nil { comments[operations.count] = entry.comment }
            operations.append(operation)
        }
        // What PostgreSQL 18 added to keys and constraints, which operations cannot say, as SQL.
        let writer = DatabaseConnector.schemaWriter(for: current.engine)
        operations = operations.map { Self.declaringAll($0, writer: writer, quoter: quoter) }
        // Enums, domains and sequences, which the operations leave out: created first (each
        // with its undo), sequences altered and dropped last. Dropping a type is left to the
        // user: a dropped table may use it until its cleanup phase.
        let types = TypeChanges(from: current, to: desired)
        let sequences = SequenceChanges(from: current, to: desired), undo = SequenceChanges(from: desired, to: current)
        var warnings = diff.warnings + types.warnings.map { $0 + ": recreate it by hand." }
        warnings += types.last.map { "The desired schema drops a type: run `\($0)` after the migration's cleanup, once no column uses it." }
        let extensions = ExtensionChanges(from: current, to: desired)
        warnings += extensions.dropping.map { "The desired schema drops an extension: run `\($0)` after the migration's cleanup, once nothing uses it." }
        let script = { (statements: [String]) in statements.map { $0 + ";" }.joined(separator: "\n") }
        func prepend(up: [String], down: [String], comment: String) {
            guard !up.isEmpty else { return }
            comments = Dictionary(uniqueKeysWithValues: comments.map { ($0.key + 1, $0.value) })
            comments[0] = [comment]
            operations.insert(.rawSQL(RawSQL(up: script(up), down: script(down))), at: 0)
        }
        prepend(up: sequences.creating, down: undo.dropping, comment: "Sequences the desired schema has and the database lacks.")
        prepend(up: types.first, down: types.undoFirst,
                comment: "Types the desired schema has and the database lacks (an enum's new labels cannot be taken back).")
        prepend(up: extensions.creating, down: extensions.undoCreating, comment: "Extensions the desired schema has and the database lacks.")
        if !sequences.last.isEmpty {
            comments[operations.count] = ["Sequences whose definition differs, or that the desired schema drops."]
            operations.append(.rawSQL(RawSQL(up: script(sequences.last), down: script(undo.creating + undo.altering + undo.owning))))
        }
        var migration = Migration(id: "", name: name, kind: .schema, downtime: .zero, operations: operations)
        var header = ["Written by godwit diff from \(url) to \(source). Review before applying."]
        // The strictest downtime the engine can hold for these changes: a change no online
        // technique carries (a primary key column's type) asks for a window.
        let planner = DatabaseConnector.planner(for: current.engine)
        let plan: Plan
        do {
            plan = try planner.plan(migration, against: current)
        } catch let refusal as GodwitError where refusal.code == .invalidMigration {
            migration.downtime = .window
            guard (try? planner.plan(migration, against: current)) != nil else { throw refusal }
            header.append("downtime: window, because \(refusal.summary.prefix(1).lowercased() + refusal.summary.dropFirst())" + (refusal.reason.map { ": \($0)" } ?? "") + ".")
            return Result(migration: migration, warnings: warnings, header: header, comments: comments)
        }
        // The steps that cannot run online are what GW101 refuses under zero downtime.
        let offline = plan.steps.filter { !$0.isOnline }
        if !offline.isEmpty {
            migration.downtime = .minutes
            header.append("downtime: minutes, because on \(current.engine) \(offline.count == 1 ? "one step blocks" : "\(offline.count) steps block") writes while it runs:")
            header += offline.map { "  \($0.title) (\($0.lock.sqlName))" }
        }
        return Result(migration: migration, warnings: warnings, header: header, comments: comments)
    }
}
