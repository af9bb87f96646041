/// Applies operations to a schema model: the schema a migration leads to, computed without a
/// database. It checks each operation against the schema as it stands at that point (a column
/// must exist to be renamed), so bad migrations fail with a clear error before any SQL runs.
public struct SchemaTransformer: Sendable {
    public init() {}

    /// The schema after `operations`, in order.
    /// - Parameter locate: names an operation in errors (`001_x.yaml: operations[2]`).
    public func applying(_ operations: [Operation], to schema: Schema, locate: (Int) -> String = { "operations[\($0)]" }) throws -> Schema {
        var result = schema
        for (position, operation) in operations.enumerated() {
            try apply(operation, to: &result, at: locate(position))
        }
        result.canonicalize()
        return result
    }

    /// Resolves a migration's table name against the schema: exact, or the same name in `public`,
    /// or the only table of that name.
    /// The key with its referenced table named as the schema names it (`users` → `public.users`).
    private func resolved(_ key: ForeignKey, in schema: Schema) -> ForeignKey {
        var key = key
        if let name = resolve(key.referencedTable, in: schema) { key.referencedTable = name }
        return key
    }

    public func resolve(_ name: QualifiedName, in schema: Schema) -> QualifiedName? {
        if schema.table(named: name) != nil { return name }
        guard name.schema == nil else { return nil }
        if schema.table(named: QualifiedName(schema: "public", name.name)) != nil { return QualifiedName(schema: "public", name.name) }
        let matches = schema.tables.filter { $0.name.name == name.name }
        return matches.count == 1 ? matches[0].name : nil
    }

    private func apply(_ operation: Operation, to schema: inout Schema, at location: String) throws {
        func tableIndex(_ name: QualifiedName) throws -> Int {
            guard let resolved = resolve(name, in: schema), let index = schema.tables.firstIndex(where: { $0.name == resolved }) else {
                throw GodwitError(.invalidMigration, "Unknown table \(name)", location: location,
                                  reason: "the database has no such table at this point of the migration",
                                  remedy: "Check the name, or create the table in an earlier operation.")
            }
            return index
        }
        func columnIndex(_ column: String, in table: Int) throws -> Int {
            guard let index = schema.tables[table].columns.firstIndex(where: { $0.name == column }) else {
                throw GodwitError(.invalidMigration, "Unknown column \(schema.tables[table].name).\(column)", location: location,
                                  reason: "the table has no such column at this point of the migration",
                                  remedy: "The table has: \(schema.tables[table].columns.map(\.name).joined(separator: ", ")).")
            }
            return index
        }
        func requireAbsentColumn(_ column: String, in table: Int) throws {
            if schema.tables[table].column(named: column) != nil {
                throw GodwitError(.invalidMigration, "Column \(schema.tables[table].name).\(column) already exists", location: location,
                                  remedy: "Pick another name, or drop the column first.")
            }
        }

        switch operation {
        case .createTable(var table):
            if let existing = resolve(table.name, in: schema), schema.table(named: existing) != nil {
                throw GodwitError(.invalidMigration, "Table \(existing) already exists", location: location, remedy: "Pick another name.")
            }
            if table.name.schema == nil, schema.engine == .postgresql { table.name.schema = "public" }
            // A key naming its parent as written (`parent`) points at the table as the schema
            // names it (`public.parent`), as for keys added to existing tables.
            table.foreignKeys = table.foreignKeys.map { resolved($0, in: schema) }
            schema.tables.append(table)
        case .dropTable(let name):
            let index = try tableIndex(name)
            let dropped = schema.tables[index].name
            schema.tables.remove(at: index)
            schema.triggers.removeAll { $0.table == dropped }
        case .renameTable(let name, let newName):
            let index = try tableIndex(name)
            let old = schema.tables[index].name
            let new = QualifiedName(schema: old.schema, newName)
            if schema.table(named: new) != nil {
                throw GodwitError(.invalidMigration, "Table \(new) already exists", location: location, remedy: "Pick another name.")
            }
            schema.tables[index].name = new
            for other in schema.tables.indices {
                for key in schema.tables[other].foreignKeys.indices where schema.tables[other].foreignKeys[key].referencedTable == old {
                    schema.tables[other].foreignKeys[key].referencedTable = new
                }
            }
            for trigger in schema.triggers.indices where schema.triggers[trigger].table == old { schema.triggers[trigger].table = new }
            for sequence in schema.sequences.indices where schema.sequences[sequence].ownedBy?.table == old {
                schema.sequences[sequence].ownedBy?.table = new
            }
        case .addColumn(let change):
            let index = try tableIndex(change.table)
            try requireAbsentColumn(change.column.name, in: index)
            schema.tables[index].columns.append(change.column)
        case .dropColumn(let table, let column):
            let index = try tableIndex(table)
            let position = try columnIndex(column, in: index)
            schema.tables[index].columns.remove(at: position)
            schema.tables[index].indexes.removeAll { index in index.elements.contains { !$0.isExpression && $0.expression == column } }
            schema.tables[index].uniqueConstraints.removeAll { $0.columns.contains(column) }
            schema.tables[index].foreignKeys.removeAll { $0.columns.contains(column) }
            // Constraints and partial indexes whose expressions name the column go with it.
            schema.tables[index].checkConstraints.removeAll { SQLText.mentions($0.expression, column) }
            schema.tables[index].indexes.removeAll { index in
                index.predicate.map { SQLText.mentions($0, column) } == true
                    || index.elements.contains { $0.isExpression && SQLText.mentions($0.expression, column) }
            }
        case .renameColumn(let table, let from, let to):
            let index = try tableIndex(table)
            let position = try columnIndex(from, in: index)
            try requireAbsentColumn(to, in: index)
            schema.tables[index].columns[position].name = to
            schema.tables[index].renameColumnReferences(from: from, to: to)
            let tableName = schema.tables[index].name
            for sequence in schema.sequences.indices where schema.sequences[sequence].ownedBy == ColumnReference(table: tableName, column: from) {
                schema.sequences[sequence].ownedBy?.column = to
            }
            for other in schema.tables.indices {
                for key in schema.tables[other].foreignKeys.indices where schema.tables[other].foreignKeys[key].referencedTable == tableName {
                    schema.tables[other].foreignKeys[key].referencedColumns = schema.tables[other].foreignKeys[key].referencedColumns.map { $0 == from ? to : $0 }
                }
            }
        case .alterColumn(let change):
            let index = try tableIndex(change.table)
            let position = try columnIndex(change.column, in: index)
            if let type = change.type { schema.tables[index].columns[position].type = type }
            if let nullable = change.isNullable { schema.tables[index].columns[position].isNullable = nullable }
            switch change.defaultChange {
            case .set(let value): schema.tables[index].columns[position].defaultExpression = value
            case .drop: schema.tables[index].columns[position].defaultExpression = nil
            case nil: break
            }
            if let check = change.check { schema.tables[index].checkConstraints.append(check) }
            if change.isUnique == true { schema.tables[index].uniqueConstraints.append(UniqueConstraint(columns: [change.column])) }
            if let key = change.references { schema.tables[index].foreignKeys.append(resolved(key, in: schema)) }
        case .createIndex(let table, let newIndex):
            let index = try tableIndex(table)
            if schema.tables.contains(where: { $0.indexes.contains { $0.name == newIndex.name } }) {
                throw GodwitError(.invalidMigration, "Index \(newIndex.name) already exists", location: location, remedy: "Pick another name.")
            }
            for element in newIndex.elements where !element.isExpression { _ = try columnIndex(element.expression, in: index) }
            schema.tables[index].indexes.append(newIndex)
        case .dropIndex(let table, let name):
            let index = try tableIndex(table)
            guard let position = schema.tables[index].indexes.firstIndex(where: { $0.name == name }) else {
                throw GodwitError(.invalidMigration, "Unknown index \(name) on \(schema.tables[index].name)", location: location,
                                  remedy: "The table's indexes: \(schema.tables[index].indexes.map(\.name).joined(separator: ", ")).")
            }
            schema.tables[index].indexes.remove(at: position)
        case .addConstraint(let table, let constraint):
            let index = try tableIndex(table)
            switch constraint {
            case .primaryKey(let key):
                if schema.tables[index].primaryKey != nil {
                    throw GodwitError(.invalidMigration, "\(schema.tables[index].name) already has a primary key", location: location)
                }
                schema.tables[index].primaryKey = key
            case .unique(let unique): schema.tables[index].uniqueConstraints.append(unique)
            case .check(let check): schema.tables[index].checkConstraints.append(check)
            case .foreignKey(let key): schema.tables[index].foreignKeys.append(resolved(key, in: schema))
            }
        case .dropConstraint(let table, let name):
            let index = try tableIndex(table)
            guard schema.tables[index].removeConstraint(named: name) else {
                throw GodwitError(.invalidMigration, "Unknown constraint \(name) on \(schema.tables[index].name)", location: location,
                                  remedy: "Check the name with godwit inspect.")
            }
        case .updateRows(let update):
            _ = try tableIndex(update.table)
        case .rawSQL(let raw):
            // What the SQL did on a scratch copy; without that run, Godwit cannot know.
            if let effect = raw.effect { schema = effect.applied(to: schema) }
        }
    }
}

extension Table {
    /// Renames a column wherever the table's own keys, constraints and indexes name it.
    mutating func renameColumnReferences(from: String, to: String) {
        let rename: (String) -> String = { $0 == from ? to : $0 }
        if var key = primaryKey {
            key.columns = key.columns.map(rename)
            primaryKey = key
        }
        uniqueConstraints = uniqueConstraints.map { var unique = $0; unique.columns = unique.columns.map(rename); return unique }
        foreignKeys = foreignKeys.map { var key = $0; key.columns = key.columns.map(rename); return key }
        indexes = indexes.map { index in
            var index = index
            index.elements = index.elements.map { element in
                var element = element
                if !element.isExpression { element.expression = rename(element.expression) }
                return element
            }
            index.includedColumns = index.includedColumns.map(rename)
            return index
        }
    }

    /// Removes the named constraint of any kind; `false` when there is none.
    /// Removes the constraint called `name`, or the unnamed one `name` spells out
    /// (``UnnamedConstraint``); false when there is none.
    mutating func removeConstraint(named name: String) -> Bool {
        if let key = primaryKey, key.name == name || (key.name == nil && UnnamedConstraint.label(key) == name) { primaryKey = nil; return true }
        let counts = uniqueConstraints.count + checkConstraints.count + foreignKeys.count + exclusionConstraints.count
        uniqueConstraints.removeAll { $0.name == name || ($0.name == nil && UnnamedConstraint.label($0) == name) }
        checkConstraints.removeAll { $0.name == name || ($0.name == nil && UnnamedConstraint.label($0) == name) }
        foreignKeys.removeAll { $0.name == name || ($0.name == nil && UnnamedConstraint.label($0) == name) }
        exclusionConstraints.removeAll { $0.name == name }
        return uniqueConstraints.count + checkConstraints.count + foreignKeys.count + exclusionConstraints.count < counts
    }
}

