import Foundation

/// A rename the user declared, because a diff alone cannot tell a rename from a drop and an add.
public enum RenameHint: Hashable, Sendable {
    /// `--rename old_table=new_table`
    case table(from: String, to: String)
    /// `--rename table.old_column=new_column`
    case column(table: String, from: String, to: String)

    /// Parses `table=new` or `table.column=new`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw GodwitError(.invalidArgument, "Malformed rename '\(text)'",
                              remedy: "Write --rename old_table=new_table or --rename table.old_column=new_column.")
        }
        if let dot = parts[0].lastIndex(of: ".") {
            self = .column(table: String(parts[0][..<dot]), from: String(parts[0][parts[0].index(after: dot)...]), to: parts[1])
        } else {
            self = .table(from: parts[0], to: parts[1])
        }
    }

    /// `-- godwit:rename users.name=full_name` lines in a desired-schema file.
    public static func annotations(in sql: String) throws -> [RenameHint] {
        try sql.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "godwit:rename ") , line.trimmingWhitespace().hasPrefix("--") else { return nil }
            return try RenameHint(parsing: line[range.upperBound...].trimmingWhitespace())
        }
    }
}

/// What a diff found besides operations: warnings for the user.
public struct SchemaDiff: Sendable {
    public var operations: [Operation]
    /// `Artist.Name was dropped and Artist.ArtistName added with the same type: if it is a rename, …`
    public var warnings: [String]
}

/// Diffs two schema models of one engine into the operations that turn `current` into `desired`.
///
/// Tables and columns are matched by name; a rename is taken only from a hint — without one a
/// drop and an add stay a drop and an add, and a warning names the likely rename, so a column's
/// data is never lost silently. Views, triggers and functions, which the operation catalogue does
/// not model, become raw SQL with their reverse.
public struct SchemaDiffer: Sendable {
    public init() {}

    public func diff(from current: Schema, to desired: Schema, renames: [RenameHint] = []) -> SchemaDiff {
        var operations: [Operation] = []
        var warnings: [String] = []
        let tableRenames: [String: String] = Dictionary(renames.compactMap {
            if case .table(let from, let to) = $0 { return (from, to) } else { return nil }
        }, uniquingKeysWith: { $1 })

        // Tables that go, are renamed, stay.
        // What depends on tables goes first and comes back last (``objects(from:to:)``).
        let (objectsGoing, objectsComing) = objects(from: current, to: desired)
        operations += objectsGoing
        var matched: [(Table, Table)] = []
        var renamedTables: [String: String] = [:]  // the hinted renames that found both tables
        for table in current.tables {
            if let newName = tableRenames[table.name.name], let target = desired.tables.first(where: { $0.name.name == newName && $0.name.schema == table.name.schema }) {
                operations.append(.renameTable(table.name, to: newName))
                renamedTables[table.name.name] = newName
                var renamed = table
                renamed.name = target.name
                matched.append((renamed, target))
            } else if let target = desired.table(named: table.name) {
                matched.append((table, target))
            }
        }
        let matchedDesired = Set(matched.map(\.1.name))
        let created = desired.tables.filter { !matchedDesired.contains($0.name) }
        let dropped = current.tables.filter { table in !matched.contains { $0.0.name == table.name || tableRenames[table.name.name] == $0.1.name.name } }
        // Referenced tables first: a new child's foreign key needs its new parent.
        for table in DependencyOrder.sorted(created, name: \.name, dependencies: { $0.foreignKeys.map(\.referencedTable) }) {
            // The table, then each of its indexes as an operation of its own (created once).
            var bare = table
            bare.indexes = []
            operations.append(.createTable(bare))
            operations += table.indexes.map { .createIndex(table: table.name, index: $0) }
        }
        // Each matched table's hinted column renames, by its new name. A column's rename names
        // its table as it was then: before or after the table's own rename.
        var columnRenames: [QualifiedName: [(String, String)]] = [:]
        for (old, new) in matched {
            let formerName = renamedTables.first { $0.value == new.name.name }?.key
            columnRenames[new.name] = renames.compactMap {
                if case .column(let table, let from, let to) = $0,
                   table == new.name.name || table == new.name.description || table == old.name.name || table == formerName { return (from, to) }
                return nil
            }
        }
        // A foreign key to a renamed table, or to renamed columns, is the same key after the
        // renames (SQLite rewrites it with them): it is not dropped and added again.
        let references = ReferenceRenames(tables: renamedTables, columns: columnRenames.mapValues { Dictionary($0, uniquingKeysWith: { $1 }) })
        for (old, new) in matched {
            let result = diff(old, new, renames: columnRenames[new.name] ?? [], references: references)
            operations += result.operations
            warnings += result.warnings
        }
        for table in dropped {
            if let similar = created.first(where: { $0.columns.map(\.name) == table.columns.map(\.name) }) {
                warnings.append("\(table.name) is dropped and \(similar.name) created with the same columns: if it is a rename, pass --rename \(table.name.name)=\(similar.name.name) to keep its rows.")
            }
            operations.append(.dropTable(table.name))
        }
        operations += objectsComing
        return SchemaDiff(operations: operations, warnings: warnings)
    }

    private func diff(_ old: Table, _ new: Table, renames: [(String, String)], references: ReferenceRenames) -> SchemaDiff {
        var operations: [Operation] = []
        var warnings: [String] = []
        let name = new.name
        var columnMap: [String: String] = [:]  // old name → new name
        for (from, to) in renames where old.column(named: from) != nil && new.column(named: to) != nil {
            operations.append(.renameColumn(table: name, from: from, to: to))
            columnMap[from] = to
        }
        for column in old.columns where columnMap[column.name] == nil && new.column(named: column.name) != nil {
            columnMap[column.name] = column.name
        }
        let removedColumns = old.columns.filter { columnMap[$0.name] == nil }
        let addedColumns = new.columns.filter { column in !columnMap.values.contains(column.name) }

        // Indexes and constraints that name a removed or changed column go before the columns change.
        for index in old.indexes where !new.indexes.contains(renamedIndex(index, columnMap)) {
            operations.append(.dropIndex(table: name, name: index.name))
        }
        // A constraint without a name (SQLite's) is dropped by its definition (``UnnamedConstraint``).
        for unique in old.uniqueConstraints where !new.uniqueConstraints.contains(where: { Self.same(unique, $0, columnMap) }) {
            operations.append(.dropConstraint(table: name, name: unique.name ?? UnnamedConstraint.label(unique)))
        }
        for check in old.checkConstraints where !new.checkConstraints.contains(check) {
            operations.append(.dropConstraint(table: name, name: check.name ?? UnnamedConstraint.label(check)))
        }
        for key in old.foreignKeys where !new.foreignKeys.contains(where: { Self.same(key, $0, columnMap, references) }) {
            operations.append(.dropConstraint(table: name, name: key.name ?? UnnamedConstraint.label(key)))
        }
        // A primary key that changes goes before its columns do (a column in it cannot lose NOT
        // NULL, or be dropped aside, while the key holds it) and comes back last.
        let primaryKeyChanges = old.primaryKey?.columns.map({ columnMap[$0] ?? $0 }) != new.primaryKey?.columns
            || old.primaryKey?.withoutOverlaps != new.primaryKey?.withoutOverlaps || old.primaryKey?.deferrability != new.primaryKey?.deferrability
        if primaryKeyChanges, let key = old.primaryKey { operations.append(.dropConstraint(table: name, name: key.name ?? UnnamedConstraint.label(key))) }

        for column in addedColumns {
            operations.append(.addColumn(AddColumn(table: name, column: column)))
        }
        for (from, to) in columnMap {
            guard let before = old.column(named: from), let after = new.column(named: to) else { continue }
            var change = AlterColumn(table: name, column: to)
            if before.type.lowercased() != after.type.lowercased() { change.type = after.type }
            if before.isNullable != after.isNullable { change.isNullable = after.isNullable }
            if before.defaultExpression != after.defaultExpression { change.defaultChange = after.defaultExpression.map { .set($0) } ?? .drop }
            if change.type != nil || change.isNullable != nil || change.defaultChange != nil { operations.append(.alterColumn(change)) }
        }
        for column in removedColumns {
            if let twin = addedColumns.first(where: { $0.type.lowercased() == column.type.lowercased() }) {
                warnings.append("\(name).\(column.name) is dropped and \(name).\(twin.name) added with the same type: if it is a rename, pass --rename \(name.name).\(column.name)=\(twin.name) to keep its data.")
            }
            operations.append(.dropColumn(table: name, column: column.name))
        }

        for index in new.indexes where !old.indexes.map({ renamedIndex($0, columnMap) }).contains(index) {
            operations.append(.createIndex(table: name, index: index))
        }
        for unique in new.uniqueConstraints where !old.uniqueConstraints.contains(where: { Self.same($0, unique, columnMap) }) {
            operations.append(.addConstraint(table: name, constraint: .unique(unique)))
        }
        for check in new.checkConstraints where !old.checkConstraints.contains(check) {
            operations.append(.addConstraint(table: name, constraint: .check(check)))
        }
        for key in new.foreignKeys where !old.foreignKeys.contains(where: { Self.same($0, key, columnMap, references) }) {
            operations.append(.addConstraint(table: name, constraint: .foreignKey(key)))
        }
        if primaryKeyChanges, let key = new.primaryKey { operations.append(.addConstraint(table: name, constraint: .primaryKey(key))) }
        return SchemaDiff(operations: operations, warnings: warnings)
    }

    /// Whether a unique constraint is still the same one, its columns renamed by `columnMap`:
    /// a change to anything it declares (NULLS NOT DISTINCT, deferrability) replaces it.
    static func same(_ old: UniqueConstraint, _ new: UniqueConstraint, _ columnMap: [String: String]) -> Bool {
        var renamed = old
        renamed.columns = old.columns.map { columnMap[$0] ?? $0 }
        return renamed == new
    }

    /// Whether a foreign key is still the same one, its columns renamed by `columnMap`: a change
    /// to its actions, match, deferrability or referenced columns replaces it (so a down puts
    /// the old actions back); whether it was validated yet does not.
    static func same(_ old: ForeignKey, _ new: ForeignKey, _ columnMap: [String: String], _ references: ReferenceRenames = ReferenceRenames()) -> Bool {
        var renamed = old
        renamed.columns = old.columns.map { columnMap[$0] ?? $0 }
        (renamed.referencedTable, renamed.referencedColumns) = references.renaming(old.referencedTable, old.referencedColumns)
        renamed.isValidated = new.isValidated
        return renamed == new
    }

    /// The renames a diff makes, as seen from a foreign key pointing at the renamed table or columns.
    struct ReferenceRenames {
        /// Old table name → new one.
        var tables: [String: String] = [:]
        /// By a table's new name: old column name → new one.
        var columns: [QualifiedName: [String: String]] = [:]

        func renaming(_ table: QualifiedName, _ columns: [String]) -> (QualifiedName, [String]) {
            var target = table
            if let newName = tables[table.name] { target.name = newName }
            let map = self.columns[target] ?? self.columns.first { $0.key.name == target.name }?.value ?? [:]
            return (target, columns.map { map[$0] ?? $0 })
        }
    }

    private func renamedIndex(_ index: Index, _ columnMap: [String: String]) -> Index {
        var copy = index
        copy.elements = index.elements.map { element in
            var element = element
            if !element.isExpression, let renamed = columnMap[element.expression] { element.expression = renamed }
            return element
        }
        return copy
    }

    /// Views, triggers, rules, functions and extended statistics, as raw SQL with their
    /// reverse, in two parts. Before the tables change: the views that read a table about to
    /// be dropped, and its triggers and rules, while it still has its name (a planned drop may
    /// first rename it aside, and PostgreSQL drops no table a view reads). After: the other
    /// views, triggers and rules that go or change, then
    /// functions dropped, created and replaced, then views, triggers and rules created, types
    /// and statistics. A view on a table that only changes stays until the tables are done, as
    /// the planner's table changes expect (SQLite's rebuild of a table makes its views again).
    private func objects(from current: Schema, to desired: Schema) -> (going: [Operation], coming: [Operation]) {
        var going: [Operation] = [], operations: [Operation] = []
        let droppedTables = Set(current.tables.map(\.name)).subtracting(desired.tables.map(\.name))
        let quoter = current.engine.quoter
        func viewSQL(_ view: View, _ engine: Engine) -> String {
            engine == .sqlite ? view.definition : "CREATE \(view.isMaterialized ? "MATERIALIZED " : "")VIEW \(quoter.quote(view.name)) AS \(view.definition)"
        }
        func dropView(_ view: View) -> String { "DROP \(view.isMaterialized ? "MATERIALIZED " : "")VIEW \(quoter.quote(view.name))" }
        func dropTrigger(_ trigger: Trigger, _ engine: Engine) -> String {
            "DROP TRIGGER \(quoter.quote(trigger.name))\(engine == .postgresql ? " ON \(quoter.quote(trigger.table))" : "")"
        }
        func dropRule(_ rule: Rule) -> String { "DROP RULE \(quoter.quote(rule.name)) ON \(quoter.quote(rule.table))" }
        for view in current.views where desired.view(named: view.name) != view {
            let drop = Operation.rawSQL(RawSQL(up: dropView(view), down: viewSQL(view, current.engine)))
            if view.dependencies.contains(where: droppedTables.contains) { going.append(drop) } else { operations.append(drop) }
        }
        for trigger in current.triggers where !desired.triggers.contains(trigger) {
            let drop = Operation.rawSQL(RawSQL(up: dropTrigger(trigger, current.engine), down: trigger.definition))
            if droppedTables.contains(trigger.table) { going.append(drop) } else { operations.append(drop) }
        }
        for rule in current.rules where !desired.rules.contains(rule) {
            let drop = Operation.rawSQL(RawSQL(up: dropRule(rule), down: rule.definition))
            if droppedTables.contains(rule.table) { going.append(drop) } else { operations.append(drop) }
        }
        let replacedFunctions = functions(from: current, to: desired)
        operations += replacedFunctions.going + replacedFunctions.coming
        for view in DependencyOrder.sorted(desired.views, name: \.name, dependencies: \.dependencies) where current.view(named: view.name) != view {
            operations.append(.rawSQL(RawSQL(up: viewSQL(view, desired.engine), down: dropView(view))))
        }
        for trigger in desired.triggers where !current.triggers.contains(trigger) {
            operations.append(.rawSQL(RawSQL(up: trigger.definition, down: dropTrigger(trigger, desired.engine))))
        }
        for rule in desired.rules where !current.rules.contains(rule) {
            operations.append(.rawSQL(RawSQL(up: rule.definition, down: dropRule(rule))))
        }
        let quoted = { (type: CompositeType) in type.createStatement(quoting: quoter) }
        for type in current.compositeTypes where !desired.compositeTypes.contains(type) {
            operations.append(.rawSQL(RawSQL(up: "DROP TYPE \(quoter.quote(type.name))", down: quoted(type))))
        }
        for type in desired.compositeTypes where !current.compositeTypes.contains(type) {
            operations.append(.rawSQL(RawSQL(up: quoted(type), down: "DROP TYPE \(quoter.quote(type.name))")))
        }
        // A dropped table takes its statistics objects with it.
        for statistics in current.extendedStatistics where !desired.extendedStatistics.contains(statistics) && desired.table(named: statistics.table) != nil {
            operations.append(.rawSQL(RawSQL(up: "DROP STATISTICS \(quoter.quote(statistics.name))", down: statistics.definition)))
        }
        for statistics in desired.extendedStatistics where !current.extendedStatistics.contains(statistics) {
            operations.append(.rawSQL(RawSQL(up: statistics.definition, down: "DROP STATISTICS \(quoter.quote(statistics.name))")))
        }
        return (going, operations)
    }

    /// Functions, procedures and aggregates that go, come, or change their definition (one
    /// overload is its name and argument types). A changed one is replaced in place, as its
    /// `CREATE OR REPLACE` definition does, so what calls it keeps working; an aggregate, which
    /// has no such form before PostgreSQL 12, is dropped and created again.
    private func functions(from current: Schema, to desired: Schema) -> (going: [Operation], coming: [Operation]) {
        let quoter = current.engine.quoter
        func drop(_ function: Function) -> String {
            let kind = function.kind == .procedure ? "PROCEDURE" : function.kind == .aggregate ? "AGGREGATE" : "FUNCTION"
            return "DROP \(kind) \(quoter.quote(function.name))(\(function.identityArguments))"
        }
        func replacing(_ old: Function, with new: Function) -> String {
            new.kind == .aggregate ? drop(old) + ";\n" + new.definition : new.definition
        }
        var going: [Operation] = [], operations: [Operation] = []
        for function in current.functions where !desired.functions.contains(where: { $0.signature == function.signature }) {
            going.append(.rawSQL(RawSQL(up: drop(function), down: function.definition)))
        }
        for function in desired.functions {
            guard let old = current.functions.first(where: { $0.signature == function.signature }) else {
                operations.append(.rawSQL(RawSQL(up: function.definition, down: drop(function))))
                continue
            }
            guard old.definition != function.definition else { continue }
            operations.append(.rawSQL(RawSQL(up: replacing(old, with: function), down: replacing(function, with: old))))
        }
        return (going, operations)
    }
}
