/// A PostgreSQL schema (namespace) other than the system ones.
public struct Namespace: Hashable, Codable, Sendable {
    public var name: String
    public var comment: String?

    public init(name: String, comment: String? = nil) {
        self.name = name
        self.comment = comment
    }
}

/// An installed PostgreSQL extension; objects it brings are not listed separately.
public struct Extension: Hashable, Codable, Sendable {
    public var name: String
    public var schema: String
    public var version: String

    public init(name: String, schema: String, version: String) {
        self.name = name
        self.schema = schema
        self.version = version
    }
}

/// A PostgreSQL enum type.
public struct EnumType: Hashable, Codable, Sendable {
    public var name: QualifiedName
    /// The labels in their sort order.
    public var labels: [String]
    public var comment: String?

    public init(name: QualifiedName, labels: [String], comment: String? = nil) {
        self.name = name
        self.labels = labels
        self.comment = comment
    }
}

/// A PostgreSQL composite type (`CREATE TYPE name AS (…)`), standing alone (not a table's row type).
public struct CompositeType: Hashable, Codable, Sendable {
    /// One attribute: its name and type as `format_type` prints it, and a collation other than the type's.
    public struct Attribute: Hashable, Codable, Sendable {
        public var name: String
        public var type: String
        public var collation: String?

        public init(name: String, type: String, collation: String? = nil) {
            self.name = name
            self.type = type
            self.collation = collation
        }
    }

    public var name: QualifiedName
    public var attributes: [Attribute]
    public var comment: String?

    public init(name: QualifiedName, attributes: [Attribute], comment: String? = nil) {
        self.name = name
        self.attributes = attributes
        self.comment = comment
    }

    /// `CREATE TYPE name AS (attribute type [COLLATE c], …)`.
    public func createStatement(quoting quoter: SQLIdentifierQuoter) -> String {
        let list = attributes.map { "\(quoter.quote($0.name)) \($0.type)" + ($0.collation.map { " COLLATE \($0)" } ?? "") }
        return "CREATE TYPE \(quoter.quote(name)) AS (\(list.joined(separator: ", ")))"
    }
}

/// A PostgreSQL domain: a base type with a default, nullability and checks.
public struct Domain: Hashable, Codable, Sendable {
    public var name: QualifiedName
    public var baseType: String
    public var isNullable: Bool
    public var defaultExpression: String?
    public var collation: String?
    public var checkConstraints: [CheckConstraint]
    public var comment: String?

    public init(
        name: QualifiedName,
        baseType: String,
        isNullable: Bool = true,
        defaultExpression: String? = nil,
        collation: String? = nil,
        checkConstraints: [CheckConstraint] = [],
        comment: String? = nil
    ) {
        self.name = name
        self.baseType = baseType
        self.isNullable = isNullable
        self.defaultExpression = defaultExpression
        self.collation = collation
        self.checkConstraints = checkConstraints
        self.comment = comment
    }
}
