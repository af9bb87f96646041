/// When a constraint is checked.
public enum Deferrability: String, Hashable, Codable, Sendable {
    case notDeferrable
    case deferrableInitiallyImmediate
    case deferrableInitiallyDeferred

    /// The SQL clause, empty for the default (not deferrable).
    public var sqlClause: String {
        switch self {
        case .notDeferrable: ""
        case .deferrableInitiallyImmediate: "DEFERRABLE"
        case .deferrableInitiallyDeferred: "DEFERRABLE INITIALLY DEFERRED"
        }
    }
}

/// A table's primary key.
public struct PrimaryKey: Hashable, Codable, Sendable {
    /// The constraint's name; `nil` where the engine did not name it (SQLite without `CONSTRAINT`).
    public var name: String?
    public var columns: [String]
    /// SQLite's `AUTOINCREMENT` on an `INTEGER PRIMARY KEY`.
    public var isAutoincrement: Bool
    public var deferrability: Deferrability
    /// PostgreSQL 18's `WITHOUT OVERLAPS` on the last column (a range): rows with equal other
    /// columns may not overlap in it, a temporal key.
    @FalseUnlessPresent public var withoutOverlaps: Bool

    public init(
        name: String? = nil,
        columns: [String],
        isAutoincrement: Bool = false,
        deferrability: Deferrability = .notDeferrable,
        withoutOverlaps: Bool = false
    ) {
        self.name = name
        self.columns = columns
        self.isAutoincrement = isAutoincrement
        self.deferrability = deferrability
        self.withoutOverlaps = withoutOverlaps
    }
}

/// A `UNIQUE` constraint (not a unique index: those are ``Index`` with `isUnique`).
public struct UniqueConstraint: Hashable, Codable, Sendable {
    public var name: String?
    public var columns: [String]
    public var deferrability: Deferrability
    /// PostgreSQL 15's `NULLS NOT DISTINCT`.
    public var areNullsDistinct: Bool
    /// PostgreSQL 18's `WITHOUT OVERLAPS` on the last column (see ``PrimaryKey/withoutOverlaps``).
    @FalseUnlessPresent public var withoutOverlaps: Bool

    public init(
        name: String? = nil,
        columns: [String],
        deferrability: Deferrability = .notDeferrable,
        areNullsDistinct: Bool = true,
        withoutOverlaps: Bool = false
    ) {
        self.name = name
        self.columns = columns
        self.deferrability = deferrability
        self.areNullsDistinct = areNullsDistinct
        self.withoutOverlaps = withoutOverlaps
    }
}

/// A `CHECK` constraint on a table or a domain.
public struct CheckConstraint: Hashable, Codable, Sendable {
    public var name: String?
    /// The condition, without the `CHECK` keyword and outer parentheses as the engine prints it.
    public var expression: String
    /// Declared on a parent table and inherited, so not declared again here.
    public var isInherited: Bool
    /// PostgreSQL `NO INHERIT`.
    public var isNoInherit: Bool
    /// `false` for a PostgreSQL constraint added `NOT VALID` and not validated since.
    public var isValidated: Bool
    /// PostgreSQL 18's `NOT ENFORCED`: declared, never checked (and never validated).
    @FalseUnlessPresent public var isNotEnforced: Bool

    public init(
        name: String? = nil,
        expression: String,
        isInherited: Bool = false,
        isNoInherit: Bool = false,
        isValidated: Bool = true,
        isNotEnforced: Bool = false
    ) {
        self.name = name
        self.expression = expression
        self.isInherited = isInherited
        self.isNoInherit = isNoInherit
        self.isValidated = isValidated
        self.isNotEnforced = isNotEnforced
    }
}

/// What a foreign key does when the referenced row changes.
public enum ReferentialAction: String, Hashable, Codable, Sendable {
    case noAction
    case restrict
    case cascade
    case setNull
    case setDefault

    /// The SQL words (`NO ACTION`, `CASCADE`, …).
    public var sql: String {
        switch self {
        case .noAction: "NO ACTION"
        case .restrict: "RESTRICT"
        case .cascade: "CASCADE"
        case .setNull: "SET NULL"
        case .setDefault: "SET DEFAULT"
        }
    }
}

/// How a multi-column foreign key matches rows with NULLs.
public enum ForeignKeyMatch: String, Hashable, Codable, Sendable {
    case simple
    case full
    case partial
}

/// A foreign key from this table's columns to another table's.
public struct ForeignKey: Hashable, Codable, Sendable {
    public var name: String?
    public var columns: [String]
    public var referencedTable: QualifiedName
    /// The referenced columns; empty means the referenced table's primary key (SQLite allows it).
    public var referencedColumns: [String]
    public var onUpdate: ReferentialAction
    public var onDelete: ReferentialAction
    public var match: ForeignKeyMatch
    public var deferrability: Deferrability
    /// `false` for a PostgreSQL constraint added `NOT VALID` and not validated since.
    public var isValidated: Bool
    /// PostgreSQL 18's `NOT ENFORCED`: declared, never checked.
    @FalseUnlessPresent public var isNotEnforced: Bool
    /// PostgreSQL 18's `PERIOD` on the last column of both sides: the referenced rows' ranges
    /// must together cover this row's (a temporal foreign key).
    @FalseUnlessPresent public var hasPeriod: Bool

    public init(
        name: String? = nil,
        columns: [String],
        referencedTable: QualifiedName,
        referencedColumns: [String],
        onUpdate: ReferentialAction = .noAction,
        onDelete: ReferentialAction = .noAction,
        match: ForeignKeyMatch = .simple,
        deferrability: Deferrability = .notDeferrable,
        isValidated: Bool = true,
        isNotEnforced: Bool = false,
        hasPeriod: Bool = false
    ) {
        self.isNotEnforced = isNotEnforced
        self.hasPeriod = hasPeriod
        self.name = name
        self.columns = columns
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.onUpdate = onUpdate
        self.onDelete = onDelete
        self.match = match
        self.deferrability = deferrability
        self.isValidated = isValidated
    }
}

/// A PostgreSQL exclusion constraint, kept as the engine's own definition.
public struct ExclusionConstraint: Hashable, Codable, Sendable {
    public var name: String
    /// `EXCLUDE USING gist (room WITH =, during WITH &&)`, as `pg_get_constraintdef` prints it.
    public var definition: String

    public init(name: String, definition: String) {
        self.name = name
        self.definition = definition
    }
}
