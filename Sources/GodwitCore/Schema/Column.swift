/// A column of a table: its type as the engine declares it, nullability, default, identity,
/// generation and collation.
public struct Column: Hashable, Codable, Sendable {
    /// How an identity column (PostgreSQL `GENERATED … AS IDENTITY`) takes its values.
    public enum IdentityGeneration: String, Hashable, Codable, Sendable {
        case always
        case byDefault
    }

    /// An identity column's generation and the sequence behind it.
    public struct Identity: Hashable, Codable, Sendable {
        public var generation: IdentityGeneration
        /// The implicit sequence, with its options (its name appears in dumps, so it is kept).
        public var sequence: SequenceDefinition

        public init(generation: IdentityGeneration, sequence: SequenceDefinition) {
            self.generation = generation
            self.sequence = sequence
        }
    }

    /// Where a generated column's value lives.
    public enum GeneratedStorage: String, Hashable, Codable, Sendable {
        case stored
        case virtual
    }

    /// A generated (computed) column's expression.
    public struct Generated: Hashable, Codable, Sendable {
        public var expression: String
        public var storage: GeneratedStorage

        public init(expression: String, storage: GeneratedStorage) {
            self.expression = expression
            self.storage = storage
        }
    }

    public var name: String
    /// The type as the engine spells it: PostgreSQL's `format_type` (`character varying(40)`,
    /// `numeric(5,2)`, `text[]`, `public.mpaa_rating`); SQLite's declared type, verbatim, or ""
    /// when none was declared.
    public var type: String
    public var isNullable: Bool
    /// The default as an SQL expression, verbatim from the engine.
    public var defaultExpression: String?
    public var identity: Identity?
    public var generated: Generated?
    /// A collation other than the type's default.
    public var collation: String?
    /// Whether the column comes from a parent table (PostgreSQL inheritance or partitioning)
    /// rather than being declared on this table.
    public var isInherited: Bool
    public var comment: String?

    public init(
        name: String,
        type: String,
        isNullable: Bool = true,
        defaultExpression: String? = nil,
        identity: Identity? = nil,
        generated: Generated? = nil,
        collation: String? = nil,
        isInherited: Bool = false,
        comment: String? = nil
    ) {
        self.name = name
        self.type = type
        self.isNullable = isNullable
        self.defaultExpression = defaultExpression
        self.identity = identity
        self.generated = generated
        self.collation = collation
        self.isInherited = isInherited
        self.comment = comment
    }

    /// Whether the column has a default value.
    public var hasDefault: Bool { defaultExpression != nil }
}
