import Foundation

/// Writes a schema as a "data architecture" document in Markdown: an overview, a Mermaid ER
/// diagram of the relations, then every table's columns, keys, relations and size.
public struct SchemaMarkdownRenderer: Sendable {
    /// A safe description of where the schema came from (a redacted URL).
    public var source: String

    public init(source: String) { self.source = source }

    /// The document.
    public func render(_ schema: Schema) -> String {
        var out: [String] = []
        out.append("# Data architecture: \(Self.escape(source))")
        out.append("")
        out.append("\(schema.engine) database: \(SchemaTextRenderer.summary(of: schema)).")
        out.append("")
        out.append(contentsOf: overview(schema))
        if !schema.tables.isEmpty {
            out.append("## Relations")
            out.append("")
            out.append("```mermaid")
            out.append(MermaidERDiagram().render(schema))
            out.append("```")
            out.append("")
        }
        out.append(contentsOf: typesSection(schema))
        out.append("## Tables")
        out.append("")
        for table in schema.tables { out.append(contentsOf: tableSection(table, in: schema)) }
        out.append(contentsOf: viewsSection(schema))
        out.append(contentsOf: routinesSection(schema))
        return out.joined(separator: "\n")
    }

    private func overview(_ schema: Schema) -> [String] {
        guard !schema.tables.isEmpty else { return [] }
        var out = ["## Overview", "", "| Table | Columns | Rows | Size | Primary key | References |", "|---|---:|---:|---:|---|---|"]
        for table in schema.tables {
            let rows = table.statistics?.exactRowCount.map { QuantityFormat.count($0) }
                ?? table.statistics?.estimatedRowCount.map { "~" + QuantityFormat.count($0) } ?? "?"
            let size = table.statistics?.sizeInBytes.map(QuantityFormat.bytes) ?? "?"
            let key = table.primaryKey.map { $0.columns.joined(separator: ", ") } ?? "—"
            let references = Set(table.foreignKeys.map(\.referencedTable.description)).sorted().joined(separator: ", ")
            out.append(
                "| [\(Self.escape(table.name.description))](#\(Self.anchor(table.name))) | \(table.columns.count) | \(rows) | \(size) | \(Self.escape(key)) | \(Self.escape(references.isEmpty ? "—" : references)) |"
            )
        }
        out.append("")
        return out
    }

    private func typesSection(_ schema: Schema) -> [String] {
        guard !schema.enums.isEmpty || !schema.domains.isEmpty || !schema.sequences.isEmpty else { return [] }
        var out = ["## Types and sequences", ""]
        for item in schema.enums {
            out.append("- Enum `\(item.name)`: \(item.labels.map { "`\($0)`" }.joined(separator: ", "))")
        }
        for domain in schema.domains {
            var line = "- Domain `\(domain.name)` over `\(domain.baseType)`"
            if !domain.isNullable { line += ", not null" }
            let checks = domain.checkConstraints.map { "`\($0.expression)`" }
            if !checks.isEmpty { line += ", check " + checks.joined(separator: " and ") }
            out.append(line)
        }
        for sequence in schema.sequences {
            var line = "- Sequence `\(sequence.name)` (\(sequence.dataType))"
            if let owner = sequence.ownedBy { line += ", feeds `\(owner)`" }
            out.append(line)
        }
        out.append("")
        return out
    }

    private func tableSection(_ table: Table, in schema: Schema) -> [String] {
        var out = ["### \(Self.escape(table.name.description))", ""]
        if let comment = table.comment { out.append(Self.escape(comment)); out.append("") }
        var facts: [String] = []
        if let stats = SchemaTextRenderer.describe(table.statistics) { facts.append(stats) }
        if table.isWithoutRowID { facts.append("WITHOUT ROWID") }
        if table.isStrict { facts.append("STRICT") }
        if let partitioning = table.partitioning { facts.append("partitioned by \(partitioning.key)") }
        if let partition = table.partitionOf { facts.append("partition of `\(partition.parent)` \(partition.bound)") }
        if !table.inheritsFrom.isEmpty { facts.append("inherits " + table.inheritsFrom.map { "`\($0)`" }.joined(separator: ", ")) }
        if !facts.isEmpty { out.append(Self.escape(facts.joined(separator: "; "))); out.append("") }
        out.append("| Column | Type | Null | Default | Keys | Comment |")
        out.append("|---|---|---|---|---|---|")
        for column in table.columns {
            let defaultText = column.generated.map { "AS \($0.expression)" } ?? column.defaultExpression ?? ""
            out.append(
                "| \(Self.escape(column.name)) | \(Self.escape(column.type)) | \(column.isNullable ? "yes" : "no") | \(Self.code(defaultText)) | \(Self.escape(table.tags(for: column).joined(separator: ", "))) | \(Self.escape(column.comment ?? "")) |"
            )
        }
        out.append("")
        let constraints = constraintLines(table)
        if !constraints.isEmpty {
            out.append(contentsOf: constraints)
            out.append("")
        }
        let referencedBy = schema.tables.flatMap { other in
            other.foreignKeys.filter { $0.referencedTable == table.name }.map { "`\(other.name)`(\($0.columns.joined(separator: ", ")))" }
        }
        if !referencedBy.isEmpty {
            out.append("Referenced by: " + referencedBy.joined(separator: ", ") + ".")
            out.append("")
        }
        return out
    }

    private func constraintLines(_ table: Table) -> [String] {
        var lines: [String] = []
        if let key = table.primaryKey {
            lines.append("- Primary key\(key.name.map { " `\($0)`" } ?? ""): (\(key.columns.joined(separator: ", ")))")
        }
        for unique in table.uniqueConstraints {
            lines.append("- Unique\(unique.name.map { " `\($0)`" } ?? ""): (\(unique.columns.joined(separator: ", ")))")
        }
        for check in table.checkConstraints where !check.isInherited {
            lines.append("- Check\(check.name.map { " `\($0)`" } ?? ""): \(Self.code(check.expression))")
        }
        for key in table.foreignKeys {
            var line = "- Foreign key\(key.name.map { " `\($0)`" } ?? ""): (\(key.columns.joined(separator: ", "))) → "
            line += "`\(key.referencedTable)`(\(key.referencedColumns.joined(separator: ", ")))"
            line += " on update \(key.onUpdate.sql.lowercased()), on delete \(key.onDelete.sql.lowercased())"
            lines.append(line)
        }
        for exclusion in table.exclusionConstraints {
            lines.append("- Exclusion `\(exclusion.name)`: \(Self.code(exclusion.definition))")
        }
        for index in table.indexes {
            lines.append("- " + Self.code(SchemaTextRenderer.describe(index)))
        }
        return lines
    }

    private func viewsSection(_ schema: Schema) -> [String] {
        guard !schema.views.isEmpty else { return [] }
        var out = ["## Views", ""]
        for view in schema.views {
            var line = "- \(view.isMaterialized ? "Materialized view" : "View") `\(view.name)`"
            if !view.dependencies.isEmpty { line += " reads " + view.dependencies.map { "`\($0)`" }.joined(separator: ", ") }
            out.append(line)
        }
        out.append("")
        return out
    }

    private func routinesSection(_ schema: Schema) -> [String] {
        guard !schema.functions.isEmpty || !schema.triggers.isEmpty || !schema.rules.isEmpty || !schema.extendedStatistics.isEmpty else { return [] }
        var out = ["## Functions, triggers, rules and statistics", ""]
        for function in schema.functions {
            out.append("- \(function.kind.rawValue.capitalized) `\(function.signature)` in \(function.language)")
        }
        for trigger in schema.triggers {
            out.append("- Trigger `\(trigger.name)` on `\(trigger.table)`\(trigger.isEnabled ? "" : " (disabled)")")
        }
        for rule in schema.rules {
            out.append("- Rule `\(rule.name)` on `\(rule.table)`")
        }
        for statistics in schema.extendedStatistics {
            out.append("- Statistics `\(statistics.name)` on `\(statistics.table)`")
        }
        out.append("")
        return out
    }

    /// Text safe inside a table cell.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// Inline code, safe inside a table cell; empty stays empty.
    static func code(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        return flat.contains("`") ? "``\(flat)``" : "`\(flat)`"
    }

    /// The GitHub heading anchor of a table's section.
    static func anchor(_ name: QualifiedName) -> String {
        name.description.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
