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
    /// The name of the column's NOT NULL constraint where the engine names it (PostgreSQL 18)
    /// and the name is not the one it would choose itself (`<table>_<column>_not_null`).
    public var notNullConstraintName: String?
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


    /// Equal in structure: the NOT NULL constraint's name is carried into written DDL but is not
    /// compared, since PostgreSQL 18 keeps a renamed table's or column's old default name where
    /// older servers keep none, and a plan cannot tell which it will meet.
    public static func == (left: Column, right: Column) -> Bool {
        left.name == right.name && left.type == right.type && left.isNullable == right.isNullable
            && left.defaultExpression == right.defaultExpression && left.identity == right.identity
            && left.generated == right.generated && left.collation == right.collation
            && left.isInherited == right.isInherited && left.comment == right.comment
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(type)
        hasher.combine(isNullable)
        hasher.combine(defaultExpression)
        hasher.combine(identity)
        hasher.combine(generated)
        hasher.combine(collation)
        hasher.combine(isInherited)
        hasher.combine(comment)
    }
}
