import Foundation

/// Writes a migration as a YAML file in the format ``MigrationFileParser`` reads: what
/// `godwit diff` produces. Strings that YAML could misread are written double-quoted.
public struct MigrationWriter: Sendable {
    public init() {}

    /// - Parameter comments: comment lines to write above operation `i` (its index).
    public func yaml(_ migration: Migration, header: [String] = [], comments: [Int: [String]] = [:]) -> String {
        var lines = header.map { "# " + $0 }
        lines.append("name: \(scalar(migration.name))")
        if let goal = migration.goal { lines.append("goal: \(scalar(goal))") }
        if let context = migration.context { lines.append("context: \(scalar(context))") }
        lines.append("type: \(migration.kind.rawValue)")
        lines.append("downtime: \(migration.downtime.rawValue)")
        if let owner = migration.owner { lines.append("owner: \(scalar(owner))") }
        lines.append("operations:")
        for (index, operation) in migration.operations.enumerated() {
            lines += (comments[index] ?? []).map { "  # " + $0 }
            lines.append("  - " + self.operation(operation))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func operation(_ operation: Operation) -> String {
        func flow(_ pairs: [(String, String?)]) -> String {
            "{" + pairs.compactMap { key, value in value.map { "\(key): \($0)" } }.joined(separator: ", ") + "}"
        }
        let body: String
        switch operation {
        case .createTable(let table):
            var pairs: [(String, String?)] = [("table", tableName(table.name)), ("columns", "[" + table.columns.map(column).joined(separator: ", ") + "]")]
            if let key = table.primaryKey { pairs.append(("primary_key", list(key.columns))) }
            if !table.uniqueConstraints.isEmpty { pairs.append(("unique", "[" + table.uniqueConstraints.map { list($0.columns) }.joined(separator: ", ") + "]")) }
            if !table.checkConstraints.isEmpty { pairs.append(("checks", "[" + table.checkConstraints.map(check).joined(separator: ", ") + "]")) }
            if !table.foreignKeys.isEmpty { pairs.append(("foreign_keys", "[" + table.foreignKeys.map { foreignKey($0, withColumns: true) }.joined(separator: ", ") + "]")) }
            body = flow(pairs)
        case .dropTable(let name): body = flow([("table", tableName(name))])
        case .renameTable(let name, let to): body = flow([("table", tableName(name)), ("to", scalar(to))])
        case .addColumn(let change): body = flow([("table", tableName(change.table)), ("column", column(change.column)), ("up", change.up.map(scalar))])
        case .dropColumn(let name, let column): body = flow([("table", tableName(name)), ("column", scalar(column))])
        case .renameColumn(let name, let from, let to): body = flow([("table", tableName(name)), ("from", scalar(from)), ("to", scalar(to))])
        case .alterColumn(let change):
            var defaultText: String?
            switch change.defaultChange {
            case .set(let value): defaultText = scalar(value)
            case .drop: defaultText = "null"
            case nil: defaultText = nil
            }
            body = flow([("table", tableName(change.table)), ("column", scalar(change.column)), ("type", change.type.map(scalar)),
                         ("nullable", change.isNullable.map { $0 ? "true" : "false" }), ("default", defaultText),
                         ("check", change.check.map(check)), ("unique", change.isUnique.map { $0 ? "true" : "false" }),
                         ("references", change.references.map { foreignKey($0, withColumns: false) }),
                         ("up", change.up.map(scalar)), ("down", change.down.map(scalar))])
        case .createIndex(let name, let index):
            let columns = "[" + index.elements.map { element -> String in
                let order = element.order == .descending ? ", order: desc" : ""
                if element.isExpression { return "{expression: \(scalar(element.expression))\(order)}" }
                return order.isEmpty ? scalar(element.expression) : "{column: \(scalar(element.expression))\(order)}"
            }.joined(separator: ", ") + "]"
            body = flow([("table", tableName(name)), ("name", scalar(index.name)), ("columns", columns), ("unique", index.isUnique ? "true" : nil),
                         ("method", index.method.map(scalar)),
                         ("include", index.includedColumns.isEmpty ? nil : list(index.includedColumns)), ("where", index.predicate.map(scalar))])
        case .dropIndex(let name, let index): body = flow([("table", tableName(name)), ("name", scalar(index))])
        case .addConstraint(let name, let constraint):
            var pairs: [(String, String?)] = [("table", tableName(name)), ("name", constraint.name.map(scalar))]
            switch constraint {
            case .check(let value): pairs.append(("check", scalar(value.expression)))
            case .unique(let value): pairs.append(("unique", list(value.columns)))
            case .primaryKey(let value): pairs.append(("primary_key", list(value.columns)))
            case .foreignKey(let value): pairs.append(("foreign_key", foreignKey(value, withColumns: true, named: false)))
            }
            body = flow(pairs)
        case .dropConstraint(let name, let constraint): body = flow([("table", tableName(name)), ("name", scalar(constraint))])
        case .updateRows(let update):
            body = flow([("table", tableName(update.table)), ("set", scalar(update.set)), ("where", update.condition.map(scalar)),
                         ("down", update.down.map(scalar)), ("batch_size", String(update.batchSize))])
        case .rawSQL(let raw):
            body = flow([("up", scalar(raw.up)), ("down", scalar(raw.down)), ("transactional", raw.isTransactional ? nil : "false")])
        }
        return "\(operation.kind.rawValue): \(body)"
    }

    private func tableName(_ name: QualifiedName) -> String { scalar(name.description) }

    private func column(_ column: Column) -> String {
        var pairs = ["name: \(scalar(column.name))", "type: \(scalar(column.type.isEmpty ? "ANY" : column.type))"]
        if !column.isNullable { pairs.append("nullable: false") }
        if let value = column.defaultExpression { pairs.append("default: \(scalar(value))") }
        if let collation = column.collation { pairs.append("collation: \(scalar(collation))") }
        if let generated = column.generated { pairs.append("generated: \(scalar(generated.expression))") }
        return "{" + pairs.joined(separator: ", ") + "}"
    }

    private func check(_ check: CheckConstraint) -> String {
        guard let name = check.name else { return scalar(check.expression) }
        return "{name: \(scalar(name)), expression: \(scalar(check.expression))}"
    }

    private func foreignKey(_ key: ForeignKey, withColumns: Bool, named: Bool = true) -> String {
        var pairs: [String] = []
        if named, let name = key.name { pairs.append("name: \(scalar(name))") }
        if withColumns { pairs.append("columns: \(list(key.columns))") }
        var references = "table: \(scalar(key.referencedTable.description))"
        if !key.referencedColumns.isEmpty { references += ", columns: \(list(key.referencedColumns))" }
        pairs.append("references: {\(references)}")
        let action: (ReferentialAction) -> String = { $0.sql.lowercased().replacingOccurrences(of: " ", with: "_") }
        if key.onDelete != .noAction { pairs.append("on_delete: \(action(key.onDelete))") }
        if key.onUpdate != .noAction { pairs.append("on_update: \(action(key.onUpdate))") }
        if key.deferrability != .notDeferrable { pairs.append("deferrable: true") }
        return "{" + pairs.joined(separator: ", ") + "}"
    }

    private func list(_ names: [String]) -> String {
        "[" + names.map(scalar).joined(separator: ", ") + "]"
    }

    /// A plain word when YAML reads it back unchanged, else a JSON-style double-quoted string
    /// (which YAML reads as the same text).
    func scalar(_ text: String) -> String {
        let plain = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            && !(text.first?.isNumber ?? false)
            && !["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"].contains(text.lowercased())
        if plain { return text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = try? encoder.encode(text)
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\(text)\""
    }
}
