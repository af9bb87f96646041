/// An index on a table or materialized view: plain, unique, partial or on expressions.
public struct Index: Hashable, Codable, Sendable {
    /// Sort direction of one index key.
    public enum SortOrder: String, Hashable, Codable, Sendable {
        case ascending
        case descending
    }

    /// Where NULLs sort, when stated.
    public enum NullsOrder: String, Hashable, Codable, Sendable {
        case first
        case last
    }

    /// One key of the index: a column or an expression.
    public struct Element: Hashable, Codable, Sendable {
        /// The column name, or the expression's SQL text.
        public var expression: String
        /// Whether ``expression`` is an expression rather than a plain column name.
        public var isExpression: Bool
        public var collation: String?
        /// A non-default operator class (PostgreSQL).
        public var operatorClass: String?
        public var order: SortOrder
        /// Set only where it differs from the default for ``order``.
        public var nulls: NullsOrder?

        public init(
            expression: String,
            isExpression: Bool = false,
            collation: String? = nil,
            operatorClass: String? = nil,
            order: SortOrder = .ascending,
            nulls: NullsOrder? = nil
        ) {
            self.expression = expression
            self.isExpression = isExpression
            self.collation = collation
            self.operatorClass = operatorClass
            self.order = order
            self.nulls = nulls
        }

        /// A plain column key.
        public static func column(_ name: String, order: SortOrder = .ascending) -> Element {
            Element(expression: name, order: order)
        }
    }

    public var name: String
    public var isUnique: Bool
    /// The access method (`btree`, `gist`, `gin`, …); `nil` on SQLite.
    public var method: String?
    public var elements: [Element]
    /// Non-key columns stored in the index (PostgreSQL `INCLUDE`).
    public var includedColumns: [String]
    /// The `WHERE` condition of a partial index.
    public var predicate: String?
    /// PostgreSQL 15's `NULLS NOT DISTINCT` on a unique index.
    public var areNullsDistinct: Bool
    public var comment: String?
    /// Storage parameters (PostgreSQL `WITH (pages_per_range=1, …)`), as `name=value`; nil when none.
    public var storageParameters: [String]?

    public init(
        name: String,
        isUnique: Bool = false,
        method: String? = nil,
        elements: [Element],
        includedColumns: [String] = [],
        predicate: String? = nil,
        areNullsDistinct: Bool = true,
        comment: String? = nil
    ) {
        self.name = name
        self.isUnique = isUnique
        self.method = method
        self.elements = elements
        self.includedColumns = includedColumns
        self.predicate = predicate
        self.areNullsDistinct = areNullsDistinct
        self.comment = comment
    }

    /// Whether the index has a `WHERE` condition.
    public var isPartial: Bool { predicate != nil }
}
