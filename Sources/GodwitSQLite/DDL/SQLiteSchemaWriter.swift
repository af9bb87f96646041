public import GodwitCore

/// Writes SQLite DDL that recreates a schema in an empty database.
///
/// Tables come first (SQLite checks foreign-key targets only when rows are written, so their
/// order is free), then indexes, views in dependency order, and triggers. Views and triggers
/// are written as SQLite stored them, since SQLite keeps their text verbatim.
public struct SQLiteSchemaWriter: SchemaScriptWriter {
    private let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: false)

    public init() {}

    public func createScript(for schema: Schema) -> String {
        var statements: [String] = []
        for table in schema.tables {
            statements.append(createTable(table))
            statements.append(contentsOf: table.indexes.map { createIndex($0, on: table.name) })
        }
        let views = DependencyOrder.sorted(schema.views, name: \.name, dependencies: \.dependencies)
        statements.append(contentsOf: views.map(\.definition))
        statements.append(contentsOf: schema.triggers.map(\.definition))
        return statements.map { $0 + ";\n" }.joined(separator: "\n")
    }

    /// `CREATE TABLE …` with every column and table constraint.
    public func createTable(_ table: GodwitCore.Table) -> String {
        var lines = table.columns.map { columnDefinition($0, in: table) }
        let key = table.primaryKey
        let autoincrementColumn = key?.isAutoincrement == true && key?.columns.count == 1 ? key?.columns.first : nil
        if let key, autoincrementColumn == nil {
            lines.append(constraintPrefix(key.name) + "PRIMARY KEY (\(quoter.quoteList(key.columns)))")
        }
        for unique in table.uniqueConstraints {
            lines.append(constraintPrefix(unique.name) + "UNIQUE (\(quoter.quoteList(unique.columns)))")
        }
        for check in table.checkConstraints {
            lines.append(constraintPrefix(check.name) + "CHECK (\(check.expression))")
        }
        for foreignKey in table.foreignKeys {
            lines.append(foreignKeyDefinition(foreignKey))
        }
        var options: [String] = []
        if table.isWithoutRowID { options.append("WITHOUT ROWID") }
        if table.isStrict { options.append("STRICT") }
        return "CREATE TABLE \(quoter.quote(table.name)) (\n    " + lines.joined(separator: ",\n    ") + "\n)"
            + (options.isEmpty ? "" : " " + options.joined(separator: ", "))
    }

    /// One column's definition inside `CREATE TABLE` (also used by `ALTER TABLE ADD COLUMN`).
    public func columnDefinition(_ column: GodwitCore.Column, in table: GodwitCore.Table) -> String {
        var parts = [quoter.quote(column.name)]
        if !column.type.isEmpty { parts.append(column.type) }
        if let key = table.primaryKey, key.isAutoincrement, key.columns == [column.name] {
            parts.append(constraintPrefix(key.name) + "PRIMARY KEY AUTOINCREMENT")
        }
        if !column.isNullable { parts.append("NOT NULL") }
        if let value = column.defaultExpression { parts.append("DEFAULT " + Self.defaultClause(value)) }
        if let collation = column.collation { parts.append("COLLATE \(quoter.quote(collation))") }
        if let generated = column.generated {
            parts.append("GENERATED ALWAYS AS (\(generated.expression)) \(generated.storage == .stored ? "STORED" : "VIRTUAL")")
        }
        return parts.joined(separator: " ")
    }

    /// `CONSTRAINT name FOREIGN KEY (…) REFERENCES …`.
    public func foreignKeyDefinition(_ key: GodwitCore.ForeignKey) -> String {
        var text = constraintPrefix(key.name) + "FOREIGN KEY (\(quoter.quoteList(key.columns))) REFERENCES \(quoter.quote(key.referencedTable))"
        if !key.referencedColumns.isEmpty { text += " (\(quoter.quoteList(key.referencedColumns)))" }
        if key.onUpdate != .noAction { text += " ON UPDATE \(key.onUpdate.sql)" }
        if key.onDelete != .noAction { text += " ON DELETE \(key.onDelete.sql)" }
        if key.deferrability != .notDeferrable { text += " " + key.deferrability.sqlClause }
        return text
    }

    /// `CREATE [UNIQUE] INDEX …`.
    public func createIndex(_ index: GodwitCore.Index, on table: QualifiedName) -> String {
        let keys = index.elements.map { element -> String in
            var key = element.isExpression ? element.expression : quoter.quote(element.expression)
            if let collation = element.collation { key += " COLLATE \(quoter.quote(collation))" }
            if element.order == .descending { key += " DESC" }
            return key
        }
        var text = "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(quoter.quote(index.name)) ON \(quoter.quote(table)) (\(keys.joined(separator: ", ")))"
        if let predicate = index.predicate { text += " WHERE \(predicate)" }
        return text
    }

    private func constraintPrefix(_ name: String?) -> String {
        name.map { "CONSTRAINT \(quoter.quote($0)) " } ?? ""
    }

    /// A default as SQLite accepts it: literals and keywords as they are, any other
    /// expression in parentheses (https://www.sqlite.org/lang_createtable.html#dfltval).
    static func defaultClause(_ expression: String) -> String {
        let tokens = SQLiteTokenizer.tokenize(expression)
        if expression.hasPrefix("("), SQLiteTokenStream(expression).parenthesizedTextSpansAll() { return expression }
        let isLiteral: Bool
        switch tokens.count {
        case 1: isLiteral = tokens[0].kind != .symbol
        case 2: isLiteral = tokens[0].kind == .symbol && ["-", "+"].contains(tokens[0].text) && tokens[1].kind == .number
        default: isLiteral = false
        }
        return isLiteral ? expression : "(\(expression))"
    }
}

extension SQLiteTokenStream {
    /// Whether the text is one parenthesised group from start to end.
    func parenthesizedTextSpansAll() -> Bool {
        var copy = self
        return copy.parenthesizedText() != nil && copy.isAtEnd
    }
}

extension SQLiteSchemaWriter {
    public func addingForeignKey(_ key: GodwitCore.ForeignKey, to table: QualifiedName) -> String? { nil }

    public func creatingType(_ type: UserDefinedType) -> String? { nil }
    public func creatingSequence(_ sequence: SequenceDefinition) -> String? { nil }
    public func owningSequence(_ sequence: SequenceDefinition) -> String? { nil }
    public func alteringSequence(to sequence: SequenceDefinition) -> String? { nil }
    public func droppingSequence(_ name: QualifiedName) -> String? { nil }
    public func addingConstraint(_ constraint: Constraint, to table: QualifiedName) -> String? { nil }
}
