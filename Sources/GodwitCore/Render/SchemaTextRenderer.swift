import Foundation

/// Writes a schema as a plain-text listing for people at a terminal.
public struct SchemaTextRenderer: Sendable {
    /// A safe description of where the schema came from (a redacted URL).
    public var source: String

    public init(source: String) { self.source = source }

    /// The listing.
    public func render(_ schema: Schema) -> String {
        var out: [String] = []
        out.append("\(schema.engine) database \(source)")
        out.append(Self.summary(of: schema))
        for namespace in schema.namespaces {
            out.append("")
            out.append("SCHEMA \(namespace.name)" + (namespace.comment.map { "  -- \($0)" } ?? ""))
        }
        for item in schema.extensions {
            out.append("EXTENSION \(item.name) \(item.version) in \(item.schema)")
        }
        for item in schema.enums {
            out.append("")
            out.append("ENUM \(item.name): \(item.labels.joined(separator: ", "))")
        }
        for domain in schema.domains {
            out.append("")
            var line = "DOMAIN \(domain.name) AS \(domain.baseType)"
            if !domain.isNullable { line += " NOT NULL" }
            if let value = domain.defaultExpression { line += " DEFAULT \(value)" }
            out.append(line)
            for check in domain.checkConstraints { out.append("  check \(check.name ?? ""): \(check.expression)") }
        }
        for sequence in schema.sequences {
            var line = "SEQUENCE \(sequence.name) \(sequence.dataType)"
            if let owner = sequence.ownedBy { line += " owned by \(owner)" }
            out.append(line)
        }
        for table in schema.tables {
            out.append("")
            out.append(renderTable(table))
        }
        for view in schema.views {
            out.append("")
            out.append("\(view.isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(view.name)")
            if !view.dependencies.isEmpty {
                out.append("  reads \(view.dependencies.map(\.description).joined(separator: ", "))")
            }
            for index in view.indexes { out.append("  " + Self.describe(index)) }
        }
        if !schema.functions.isEmpty { out.append("") }
        for function in schema.functions {
            out.append("\(function.kind.rawValue.uppercased()) \(function.signature) [\(function.language)]")
        }
        if !schema.triggers.isEmpty { out.append("") }
        for trigger in schema.triggers {
            out.append("TRIGGER \(trigger.name) ON \(trigger.table)" + (trigger.isEnabled ? "" : " (disabled)"))
        }
        for rule in schema.rules {
            out.append("RULE \(rule.name) ON \(rule.table)")
        }
        for statistics in schema.extendedStatistics {
            out.append("STATISTICS \(statistics.name) ON \(statistics.table)")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `11 tables, 1 view, 22 indexes, …`
    static func summary(of schema: Schema) -> String {
        let indexCount = schema.tables.reduce(0) { $0 + $1.indexes.count }
        var parts = [
            plural(schema.tables.count, "table"),
            plural(schema.views.count, "view"),
            plural(indexCount, "index", "indexes"),
            plural(schema.triggers.count, "trigger"),
        ]
        if !schema.sequences.isEmpty { parts.append(plural(schema.sequences.count, "sequence")) }
        if !schema.functions.isEmpty { parts.append(plural(schema.functions.count, "function")) }
        if !schema.enums.isEmpty { parts.append(plural(schema.enums.count, "enum")) }
        if !schema.domains.isEmpty { parts.append(plural(schema.domains.count, "domain")) }
        return parts.joined(separator: ", ")
    }

    static func plural(_ count: Int, _ word: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? word : (plural ?? word + "s"))"
    }

    private func renderTable(_ table: Table) -> String {
        var header = "TABLE \(table.name)"
        var flags: [String] = []
        if table.isWithoutRowID { flags.append("WITHOUT ROWID") }
        if table.isStrict { flags.append("STRICT") }
        if table.isUnlogged { flags.append("UNLOGGED") }
        if let partitioning = table.partitioning { flags.append("PARTITION BY \(partitioning.key)") }
        if let partition = table.partitionOf { flags.append("PARTITION OF \(partition.parent) \(partition.bound)") }
        if !table.inheritsFrom.isEmpty { flags.append("INHERITS \(table.inheritsFrom.map(\.description).joined(separator: ", "))") }
        if !flags.isEmpty { header += " [" + flags.joined(separator: ", ") + "]" }
        if let stats = Self.describe(table.statistics) { header += "  (\(stats))" }
        var lines = [header]
        let nameWidth = table.columns.map(\.name.count).max() ?? 0
        let typeWidth = table.columns.map { $0.type.count }.max() ?? 0
        for column in table.columns {
            var line = "  " + column.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            line += "  " + (column.type.isEmpty ? "(any)" : column.type).padding(toLength: max(typeWidth, 5), withPad: " ", startingAt: 0)
            line += column.isNullable ? "  NULL    " : "  NOT NULL"
            if let value = column.defaultExpression { line += "  DEFAULT \(value)" }
            if let generated = column.generated { line += "  AS (\(generated.expression))" }
            if let collation = column.collation { line += "  COLLATE \(collation)" }
            let tags = table.tags(for: column)
            if !tags.isEmpty { line += "  " + tags.joined(separator: ", ") }
            lines.append(line.trimmingTrailingSpaces())
        }
        if let key = table.primaryKey, key.columns.count > 1 || key.name != nil {
            lines.append("  primary key \(key.name.map { $0 + " " } ?? "")(\(key.columns.joined(separator: ", ")))")
        }
        for unique in table.uniqueConstraints {
            lines.append("  unique \(unique.name.map { $0 + " " } ?? "")(\(unique.columns.joined(separator: ", ")))")
        }
        for check in table.checkConstraints where !check.isInherited {
            lines.append("  check \(check.name.map { $0 + " " } ?? "")(\(check.expression))")
        }
        for key in table.foreignKeys {
            var line = "  foreign key \(key.name.map { $0 + " " } ?? "")(\(key.columns.joined(separator: ", "))) → \(key.referencedTable)"
            if !key.referencedColumns.isEmpty { line += "(\(key.referencedColumns.joined(separator: ", ")))" }
            if key.onUpdate != .noAction { line += " ON UPDATE \(key.onUpdate.sql)" }
            if key.onDelete != .noAction { line += " ON DELETE \(key.onDelete.sql)" }
            if key.deferrability != .notDeferrable { line += " \(key.deferrability.sqlClause)" }
            lines.append(line)
        }
        for exclusion in table.exclusionConstraints {
            lines.append("  exclusion \(exclusion.name) \(exclusion.definition)")
        }
        for index in table.indexes { lines.append("  " + Self.describe(index)) }
        if let comment = table.comment { lines.append("  -- \(comment)") }
        return lines.joined(separator: "\n")
    }

    /// `unique index name (a, lower(b) DESC) where …`
    static func describe(_ index: Index) -> String {
        var line = index.isUnique ? "unique index " : "index "
        line += index.name
        if let method = index.method, method != "btree" { line += " using \(method)" }
        let keys = index.elements.map { element -> String in
            var key = element.isExpression ? "(\(element.expression))" : element.expression
            if let collation = element.collation { key += " COLLATE \(collation)" }
            if let opclass = element.operatorClass { key += " \(opclass)" }
            if element.order == .descending { key += " DESC" }
            if let nulls = element.nulls { key += " NULLS \(nulls.rawValue.uppercased())" }
            return key
        }
        line += " (\(keys.joined(separator: ", ")))"
        if !index.includedColumns.isEmpty { line += " include (\(index.includedColumns.joined(separator: ", ")))" }
        if let predicate = index.predicate { line += " where \(predicate)" }
        return line
    }

    /// `347 rows, 48.0 KiB`, or nil when nothing is known.
    static func describe(_ statistics: TableStatistics?) -> String? {
        guard let statistics else { return nil }
        var parts: [String] = []
        if let exact = statistics.exactRowCount {
            parts.append("\(QuantityFormat.count(exact)) rows")
        } else if let estimate = statistics.estimatedRowCount {
            parts.append("~\(QuantityFormat.count(estimate)) rows")
        }
        if let size = statistics.sizeInBytes { parts.append(QuantityFormat.bytes(size)) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
