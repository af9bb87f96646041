/// Draws tables and their foreign keys as a Mermaid `erDiagram`.
///
/// Mermaid entity and type names allow letters, digits, `_` and `-` only, so names are
/// sanitised (`public.film_actor` → `film_actor` when the whole schema is `public`, else
/// `public_film_actor`; `character varying(40)` → `character_varying_40`).
public struct MermaidERDiagram: Sendable {
    public init() {}

    /// The diagram source, without the surrounding code fence.
    public func render(_ schema: Schema) -> String {
        let schemas = Set(schema.tables.compactMap(\.name.schema))
        let entityName: (QualifiedName) -> String = { name in
            let text = schemas.count <= 1 ? name.name : name.description
            return Self.sanitize(text)
        }
        var lines = ["erDiagram"]
        for table in schema.tables {
            lines.append("    \(entityName(table.name)) {")
            for column in table.columns {
                var keys: [String] = []
                if table.isPrimaryKeyColumn(column.name) { keys.append("PK") }
                if !table.foreignKeys(including: column.name).isEmpty { keys.append("FK") }
                if table.isUniqueColumn(column.name) { keys.append("UK") }
                let type = Self.sanitize(column.type.isEmpty ? "any" : column.type)
                var line = "        \(type) \(Self.sanitize(column.name))"
                if !keys.isEmpty { line += " " + keys.joined(separator: ", ") }
                lines.append(line)
            }
            lines.append("    }")
        }
        let known = Set(schema.tables.map(\.name))
        for table in schema.tables {
            for key in table.foreignKeys where known.contains(key.referencedTable) {
                let allRequired = key.columns.allSatisfy { table.column(named: $0)?.isNullable == false }
                let unique = table.primaryKey?.columns == key.columns
                    || table.uniqueConstraints.contains { $0.columns == key.columns }
                let parentSide = allRequired ? "||" : "|o"
                let childSide = unique ? "o|" : "o{"
                let label = key.columns.joined(separator: ", ")
                lines.append(
                    "    \(entityName(key.referencedTable)) \(parentSide)--\(childSide) \(entityName(table.name)) : \"\(label)\""
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    static func sanitize(_ text: String) -> String {
        var result = ""
        var lastWasUnderscore = false
        for scalar in text.unicodeScalars {
            let isAllowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-"
            if isAllowed {
                result.unicodeScalars.append(scalar)
                lastWasUnderscore = false
            } else if !lastWasUnderscore {
                result.append("_")
                lastWasUnderscore = true
            }
        }
        while result.hasSuffix("_"), result.count > 1 { result.removeLast() }
        if let first = result.unicodeScalars.first, ("0"..."9").contains(first) { result = "_" + result }
        return result.isEmpty ? "_" : result
    }
}
