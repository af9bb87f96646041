import Yams

/// Reads one entry of a migration's `operations:` list: a mapping with exactly one key, the
/// operation's kind (`add_column:`), whose value holds its fields.
enum OperationReader {
    static func read(_ reader: YAMLReader) throws -> Operation {
        let kinds = OperationKind.allCases.map(\.rawValue)
        let entry = try reader.mapping("an operation such as `add_column: {…}`", allowed: kinds)
        guard entry.entries.count == 1, let (key, body, _) = entry.entries.first, let kind = OperationKind(rawValue: key) else {
            throw reader.error(reason: "an operation is a mapping with exactly one key, its kind; found \(entry.keys.count)",
                               remedy: "Write each operation as its own list item: `- add_column: {…}`.")
        }
        switch kind {
        case .createTable: return .createTable(try createTable(body))
        case .dropTable:
            let fields = try body.mapping("{table}", allowed: ["table"])
            return .dropTable(try table(fields))
        case .renameTable:
            let fields = try body.mapping("{table, to}", allowed: ["table", "to"])
            return .renameTable(try table(fields), to: try fields.required("to", "the new table name").nonEmptyString("the new table name"))
        case .addColumn:
            let fields = try body.mapping("{table, column, up}", allowed: ["table", "column", "up"])
            return .addColumn(AddColumn(
                table: try table(fields),
                column: try column(try fields.required("column", "the new column: {name, type, …}")),
                up: try fields.optional("up")?.nonEmptyString("an SQL expression that fills existing rows")
            ))
        case .dropColumn:
            let fields = try body.mapping("{table, column}", allowed: ["table", "column"])
            return .dropColumn(table: try table(fields), column: try name(fields, "column"))
        case .renameColumn:
            let fields = try body.mapping("{table, from, to}", allowed: ["table", "from", "to"])
            return .renameColumn(table: try table(fields), from: try name(fields, "from"), to: try name(fields, "to"))
        case .alterColumn: return .alterColumn(try alterColumn(body))
        case .createIndex:
            let fields = try body.mapping("{table, name, columns, unique, method, include, where}",
                                          allowed: ["table", "name", "columns", "unique", "method", "include", "where"])
            return .createIndex(table: try table(fields), index: try index(fields))
        case .dropIndex:
            let fields = try body.mapping("{table, name}", allowed: ["table", "name"])
            return .dropIndex(table: try table(fields), name: try name(fields, "name"))
        case .addConstraint:
            let fields = try body.mapping("{table, name, and one of check, unique, primary_key, foreign_key}",
                                          allowed: ["table", "name", "check", "unique", "primary_key", "foreign_key"])
            return .addConstraint(table: try table(fields), constraint: try constraint(fields))
        case .dropConstraint:
            let fields = try body.mapping("{table, name}", allowed: ["table", "name"])
            return .dropConstraint(table: try table(fields), name: try name(fields, "name"))
        case .updateRows:
            let fields = try body.mapping("{table, set, where, down, batch_size}", allowed: ["table", "set", "where", "down", "batch_size"])
            return .updateRows(UpdateRows(
                table: try table(fields),
                set: try fields.required("set", "the SET list, such as `status = 'archived'`").nonEmptyString("the SET list"),
                condition: try fields.optional("where")?.nonEmptyString("an SQL condition"),
                down: try fields.optional("down")?.nonEmptyString("the SET list that undoes it"),
                batchSize: Int(try fields.optional("batch_size")?.int("a batch size from 1 to 1000000", range: 1...1_000_000) ?? 1000)
            ))
        case .sql:
            let fields = try body.mapping("{up, down, transactional}", allowed: ["up", "down", "transactional"])
            let up = try fields.required("up", "the SQL to run")
            let down = try fields.required("down", "the SQL that undoes `up` (raw SQL must say how to roll back)")
            return .rawSQL(RawSQL(
                up: try up.nonEmptyString("the SQL to run"),
                down: try down.nonEmptyString("the SQL that undoes `up`"),
                isTransactional: try fields.optional("transactional")?.bool() ?? true,
                upSource: sqlSource(up), downSource: sqlSource(down)
            ))
        }
    }

    /// Where a `sql:` operation's text starts in the YAML file: a block scalar (`up: |`) on the
    /// line after its indicator.
    static func sqlSource(_ reader: YAMLReader) -> SQLSource {
        let line = reader.node.mark?.line ?? 1, column = reader.node.mark?.column ?? 1
        let style = reader.node.scalar?.style
        if style == .literal || style == .folded { return SQLSource(file: reader.file, firstLine: line + 1) }
        let isQuoted = style == .singleQuoted || style == .doubleQuoted
        return SQLSource(file: reader.file, firstLine: line, firstColumn: isQuoted ? column + 1 : column)
    }

    /// `table: users` or `table: billing.invoice`.
    static func table(_ fields: YAMLMapping) throws -> QualifiedName {
        let reader = try fields.required("table", "the table's name")
        return qualifiedName(try reader.nonEmptyString("the table's name, optionally schema-qualified"))
    }

    static func qualifiedName(_ text: String) -> QualifiedName {
        guard let dot = text.firstIndex(of: "."), !text.hasPrefix("\"") else { return QualifiedName(text) }
        return QualifiedName(schema: String(text[..<dot]), String(text[text.index(after: dot)...]))
    }

    private static func name(_ fields: YAMLMapping, _ key: String) throws -> String {
        try fields.required(key, "a name").nonEmptyString("a name")
    }

    static func column(_ reader: YAMLReader) throws -> Column {
        let fields = try reader.mapping("a column: {name, type, nullable, default, collation, comment}",
                                        allowed: ["name", "type", "nullable", "default", "collation", "comment", "generated"])
        var column = Column(
            name: try fields.required("name", "the column's name").nonEmptyString("the column's name"),
            type: try fields.required("type", "the column's SQL type").nonEmptyString("the column's SQL type, such as text or bigint"),
            isNullable: try fields.optional("nullable")?.bool() ?? true,
            defaultExpression: try fields.optional("default")?.defaultExpression(),
            collation: try fields.optional("collation")?.nonEmptyString("a collation name"),
            comment: try fields.optional("comment")?.string("text")
        )
        if let generated = fields.optional("generated") {
            column.generated = Column.Generated(expression: try generated.nonEmptyString("the generating SQL expression"), storage: .stored)
        }
        return column
    }

    private static func createTable(_ reader: YAMLReader) throws -> Table {
        let fields = try reader.mapping("{table, columns, primary_key, unique, checks, foreign_keys, comment}",
                                        allowed: ["table", "columns", "primary_key", "unique", "checks", "foreign_keys", "comment"])
        let columnsReader = try fields.required("columns", "a list of columns")
        let columns = try columnsReader.list().map(column)
        guard !columns.isEmpty else { throw columnsReader.error("at least one column") }
        var table = Table(name: try table(fields), columns: columns, comment: try fields.optional("comment")?.string("text"))
        if let key = fields.optional("primary_key") {
            table.primaryKey = PrimaryKey(columns: try key.stringList("column names"))
        }
        table.uniqueConstraints = try fields.optional("unique")?.list().map {
            UniqueConstraint(columns: try $0.stringList("column names"))
        } ?? []
        table.checkConstraints = try fields.optional("checks")?.list().map(check) ?? []
        table.foreignKeys = try fields.optional("foreign_keys")?.list().map { try foreignKey($0, columns: nil) } ?? []
        for name in (table.primaryKey?.columns ?? []) + table.uniqueConstraints.flatMap(\.columns) + table.foreignKeys.flatMap(\.columns)
        where table.column(named: name) == nil {
            throw fields.owner.error(reason: "the key names column '\(name)', which is not among the table's columns")
        }
        return table
    }

    /// `check: "amount > 0"` or `check: {name, expression}`.
    static func check(_ reader: YAMLReader) throws -> CheckConstraint {
        if case .scalar = reader.node { return CheckConstraint(expression: try reader.nonEmptyString("an SQL condition")) }
        let fields = try reader.mapping("a check: an SQL condition, or {name, expression}", allowed: ["name", "expression"])
        return CheckConstraint(
            name: try fields.optional("name")?.nonEmptyString("a constraint name"),
            expression: try fields.required("expression", "an SQL condition").nonEmptyString("an SQL condition")
        )
    }

    /// `{columns, references: {table, columns}, on_delete, on_update, deferrable, name}`; for a
    /// column's `references`, the columns are given by the caller.
    static func foreignKey(_ reader: YAMLReader, columns: [String]?) throws -> ForeignKey {
        var allowed = ["name", "references", "on_delete", "on_update", "deferrable"]
        if columns == nil { allowed.append("columns") }
        let fields = try reader.mapping("a foreign key: {\(allowed.joined(separator: ", "))}", allowed: allowed)
        let references = try fields.required("references", "{table, columns}")
            .mapping("{table, columns}", allowed: ["table", "columns"])
        return ForeignKey(
            name: try fields.optional("name")?.nonEmptyString("a constraint name"),
            columns: try columns ?? fields.required("columns", "the referencing columns").stringList("column names"),
            referencedTable: try table(references),
            referencedColumns: try references.optional("columns")?.stringList("column names") ?? [],
            onUpdate: try action(fields.optional("on_update")),
            onDelete: try action(fields.optional("on_delete")),
            deferrability: try fields.optional("deferrable")?.bool() == true ? .deferrableInitiallyImmediate : .notDeferrable
        )
    }

    private enum ActionWord: String, CaseIterable {
        case noAction = "no_action", restrict, cascade
        case setNull = "set_null"
        case setDefault = "set_default"
    }

    private static func action(_ reader: YAMLReader?) throws -> ReferentialAction {
        guard let reader else { return .noAction }
        switch try reader.choice(ActionWord.self) {
        case .noAction: return .noAction
        case .restrict: return .restrict
        case .cascade: return .cascade
        case .setNull: return .setNull
        case .setDefault: return .setDefault
        }
    }

    private static func alterColumn(_ reader: YAMLReader) throws -> AlterColumn {
        let fields = try reader.mapping(
            "{table, column, type, nullable, default, check, unique, references, up, down}",
            allowed: ["table", "column", "type", "nullable", "default", "check", "unique", "references", "up", "down"]
        )
        let columnName = try name(fields, "column")
        var change = AlterColumn(table: try table(fields), column: columnName)
        change.type = try fields.optional("type")?.nonEmptyString("the new SQL type")
        change.isNullable = try fields.optional("nullable")?.bool()
        if fields.isPresent("default") {
            change.defaultChange = try fields.optional("default").map { .set(try $0.defaultExpression()) } ?? .drop
        }
        change.check = try fields.optional("check").map(check)
        change.isUnique = try fields.optional("unique")?.bool()
        change.references = try fields.optional("references").map { try foreignKey($0, columns: [columnName]) }
        change.up = try fields.optional("up")?.nonEmptyString("an SQL expression giving the new value from the old row")
        change.down = try fields.optional("down")?.nonEmptyString("an SQL expression giving the old value from the new row")
        let changesSomething = change.type != nil || change.isNullable != nil || change.defaultChange != nil || change.check != nil
            || change.isUnique != nil || change.references != nil
        guard changesSomething else {
            throw reader.error(reason: "nothing to change", remedy: "Give at least one of type, nullable, default, check, unique, references.")
        }
        if change.up != nil || change.down != nil, change.type == nil {
            throw reader.error(reason: "`up` and `down` convert values between types, but no `type` is given",
                               remedy: "Add the new `type`, or use update_rows to change values.")
        }
        return change
    }

    private static func index(_ fields: YAMLMapping) throws -> Index {
        let columns = try fields.required("columns", "the indexed columns or expressions").list()
        guard !columns.isEmpty else { throw try fields.required("columns", "").error("at least one column") }
        let elements = try columns.map { element -> Index.Element in
            if case .scalar = element.node { return .column(try element.nonEmptyString("a column name")) }
            let key = try element.mapping("a column name, or {column | expression, order}", allowed: ["column", "expression", "order"])
            let descending = try key.optional("order").map { try $0.choice(SortWord.self) == .desc } ?? false
            if let expression = key.optional("expression") {
                return Index.Element(expression: try expression.nonEmptyString("an SQL expression"), isExpression: true,
                                     order: descending ? .descending : .ascending)
            }
            return Index.Element(expression: try key.required("column", "a column name").nonEmptyString("a column name"),
                                 order: descending ? .descending : .ascending)
        }
        return Index(
            name: try name(fields, "name"),
            isUnique: try fields.optional("unique")?.bool() ?? false,
            method: try fields.optional("method")?.nonEmptyString("an index method such as btree or gin"),
            elements: elements,
            includedColumns: try fields.optional("include")?.stringList("column names") ?? [],
            predicate: try fields.optional("where")?.nonEmptyString("an SQL condition")
        )
    }

    private enum SortWord: String, CaseIterable { case asc, desc }

    private static func constraint(_ fields: YAMLMapping) throws -> Constraint {
        let name = try fields.optional("name")?.nonEmptyString("a constraint name")
        let given = ["check", "unique", "primary_key", "foreign_key"].filter { fields.optional($0) != nil }
        guard given.count == 1 else {
            throw fields.owner.error(reason: "expected exactly one of check, unique, primary_key, foreign_key; found \(given.count)")
        }
        if let reader = fields.optional("check") {
            var check = try check(reader)
            check.name = check.name ?? name
            return .check(check)
        }
        if let reader = fields.optional("unique") {
            return .unique(UniqueConstraint(name: name, columns: try reader.stringList("column names")))
        }
        if let reader = fields.optional("primary_key") {
            return .primaryKey(PrimaryKey(name: name, columns: try reader.stringList("column names")))
        }
        var key = try foreignKey(try fields.required("foreign_key", "a foreign key"), columns: nil)
        key.name = key.name ?? name
        return .foreignKey(key)
    }
}
