/// A function, procedure or aggregate (PostgreSQL).
public struct Function: Hashable, Codable, Sendable {
    /// What kind of routine it is.
    public enum Kind: String, Hashable, Codable, Sendable {
        case function
        case procedure
        case aggregate
        case window
    }

    public var name: QualifiedName
    /// The argument types that identify it among overloads (`p_film_id integer, p_store_id integer`).
    public var identityArguments: String
    public var kind: Kind
    /// `plpgsql`, `sql`, `c`, `internal`, …
    public var language: String
    /// The complete statement that creates it (`CREATE OR REPLACE FUNCTION …` or `CREATE AGGREGATE …`).
    public var definition: String
    /// Tables and views whose row types it uses in its signature, so it is created after them.
    public var dependencies: [QualifiedName]
    public var comment: String?

    public init(
        name: QualifiedName,
        identityArguments: String,
        kind: Kind = .function,
        language: String,
        definition: String,
        dependencies: [QualifiedName] = [],
        comment: String? = nil
    ) {
        self.name = name
        self.identityArguments = identityArguments
        self.kind = kind
        self.language = language
        self.definition = definition
        self.dependencies = dependencies
        self.comment = comment
    }

    /// `name(arguments)`, which names one overload.
    public var signature: String { "\(name)(\(identityArguments))" }
}

/// A trigger on a table or view.
public struct Trigger: Hashable, Codable, Sendable {
    public var name: String
    public var table: QualifiedName
    /// The whole `CREATE TRIGGER` statement, as the engine prints it.
    public var definition: String
    public var isEnabled: Bool
    public var comment: String?

    public init(name: String, table: QualifiedName, definition: String, isEnabled: Bool = true, comment: String? = nil) {
        self.name = name
        self.table = table
        self.definition = definition
        self.isEnabled = isEnabled
        self.comment = comment
    }
}

/// A PostgreSQL rewrite rule (other than a view's own `_RETURN` rule).
public struct Rule: Hashable, Codable, Sendable {
    public var name: String
    public var table: QualifiedName
    /// The whole `CREATE RULE` statement, as `pg_get_ruledef` prints it.
    public var definition: String
    public var comment: String?

    public init(name: String, table: QualifiedName, definition: String, comment: String? = nil) {
        self.name = name
        self.table = table
        self.definition = definition
        self.comment = comment
    }
}

/// A PostgreSQL extended statistics object (`CREATE STATISTICS`): what the planner gathers about
/// several columns or expressions of one table together.
public struct ExtendedStatistics: Hashable, Codable, Sendable {
    public var name: QualifiedName
    public var table: QualifiedName
    /// The whole `CREATE STATISTICS` statement, as `pg_get_statisticsobjdef` prints it.
    public var definition: String
    public var comment: String?

    public init(name: QualifiedName, table: QualifiedName, definition: String, comment: String? = nil) {
        self.name = name
        self.table = table
        self.definition = definition
        self.comment = comment
    }
}
