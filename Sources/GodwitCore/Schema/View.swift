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
