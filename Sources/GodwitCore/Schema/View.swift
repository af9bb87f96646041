import Foundation

/// A view or materialized view.
public struct View: Hashable, Codable, Sendable {
    public var name: QualifiedName
    /// The query. PostgreSQL: `pg_get_viewdef`'s SELECT. SQLite: the whole `CREATE VIEW`
    /// statement as stored, since SQLite keeps its text verbatim.
    public var definition: String
    public var isMaterialized: Bool
    /// Indexes of a materialized view.
    public var indexes: [Index]
    /// Tables, views and functions the query reads, so views are created after them.
    public var dependencies: [QualifiedName]
    public var comment: String?

    public init(
        name: QualifiedName,
        definition: String,
        isMaterialized: Bool = false,
        indexes: [Index] = [],
        dependencies: [QualifiedName] = [],
        comment: String? = nil
    ) {
        self.name = name
        self.definition = definition
        self.isMaterialized = isMaterialized
        self.indexes = indexes
        self.dependencies = dependencies
        self.comment = comment
    }
}

extension View {
    /// A PostgreSQL view definition with its outermost select list in sorted order (one item per
    /// line, as `pg_get_viewdef` prints it), to compare two definitions with column order aside.
    /// Any other text is returned as it is.
    static func sortingSelectList(_ definition: String) -> String {
        let text = definition.drop { $0 == " " }
        guard text.hasPrefix("SELECT "), let from = text.range(of: "\n   FROM ") else { return definition }
        let items = text[text.index(text.startIndex, offsetBy: 7)..<from.lowerBound]
            .components(separatedBy: ",\n").map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
        return "SELECT " + items.joined(separator: ",\n") + text[from.lowerBound...]
    }
}
