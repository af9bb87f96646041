/// One database's schema, engine-neutral: the single model every Godwit command reads and writes.
///
/// A `Schema` is a value: `Sendable`, `Codable`, and — once ``canonicalized()`` — equal to any
/// other reading of the same database, whatever order the engine listed things in. Drivers
/// return canonical schemas.
public struct Schema: Hashable, Codable, Sendable {
    /// The engine the schema was read from; types and expressions are in its dialect.
    public var engine: Engine
    /// PostgreSQL schemas other than the system ones (and `public` only when commented).
    public var namespaces: [Namespace]
    public var extensions: [Extension]
    public var enums: [EnumType]
    public var domains: [Domain]
    public var sequences: [SequenceDefinition]
    public var tables: [Table]
    public var views: [View]
    public var functions: [Function]
    public var triggers: [Trigger]
    public var rules: [Rule]
    /// Extended statistics objects (PostgreSQL).
    public var extendedStatistics: [ExtendedStatistics]
    /// Composite types (PostgreSQL).
    public var compositeTypes: [CompositeType]

    public init(
        engine: Engine,
        namespaces: [Namespace] = [],
        extensions: [Extension] = [],
        enums: [EnumType] = [],
        domains: [Domain] = [],
        sequences: [SequenceDefinition] = [],
        tables: [Table] = [],
        views: [View] = [],
        functions: [Function] = [],
        triggers: [Trigger] = [],
        rules: [Rule] = [],
        extendedStatistics: [ExtendedStatistics] = [],
        compositeTypes: [CompositeType] = []
    ) {
        self.engine = engine
        self.namespaces = namespaces
        self.extensions = extensions
        self.enums = enums
        self.domains = domains
        self.sequences = sequences
        self.tables = tables
        self.views = views
        self.functions = functions
        self.triggers = triggers
        self.rules = rules
        self.extendedStatistics = extendedStatistics
        self.compositeTypes = compositeTypes
    }

    /// Reads a schema stored by any Godwit version: kinds of object added later (extended
    /// statistics, composite types) are empty when a stored plan predates them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        engine = try container.decode(Engine.self, forKey: .engine)
        namespaces = try container.decode([Namespace].self, forKey: .namespaces)
        extensions = try container.decode([Extension].self, forKey: .extensions)
        enums = try container.decode([EnumType].self, forKey: .enums)
        domains = try container.decode([Domain].self, forKey: .domains)
        sequences = try container.decode([SequenceDefinition].self, forKey: .sequences)
        tables = try container.decode([Table].self, forKey: .tables)
        views = try container.decode([View].self, forKey: .views)
        functions = try container.decode([Function].self, forKey: .functions)
        triggers = try container.decode([Trigger].self, forKey: .triggers)
        rules = try container.decode([Rule].self, forKey: .rules)
        extendedStatistics = try container.decodeIfPresent([ExtendedStatistics].self, forKey: .extendedStatistics) ?? []
        compositeTypes = try container.decodeIfPresent([CompositeType].self, forKey: .compositeTypes) ?? []
    }

    /// The table with this name, if any.
    public func table(named name: QualifiedName) -> Table? {
        tables.first { $0.name == name }
    }

    /// The view with this name, if any.
    public func view(named name: QualifiedName) -> View? {
        views.first { $0.name == name }
    }
}

extension Schema {
    /// The same schema in canonical order: objects sorted by name, constraints and indexes by
    /// name then content. Column order and index key order are kept: they carry meaning.
    public func canonicalized() -> Schema {
        var copy = self
        copy.namespaces.sort { $0.name < $1.name }
        copy.extensions.sort { $0.name < $1.name }
        copy.enums.sort { $0.name < $1.name }
        copy.domains = domains.map { domain in
            var domain = domain
            domain.checkConstraints.sort(by: Self.checkOrder)
            return domain
        }.sorted { $0.name < $1.name }
        copy.sequences.sort { $0.name < $1.name }
        copy.tables = tables.map { $0.canonicalized() }.sorted { $0.name < $1.name }
        copy.views = views.map { view in
            var view = view
            view.indexes.sort { $0.name < $1.name }
            view.dependencies = Array(Set(view.dependencies)).sorted()
            return view
        }.sorted { $0.name < $1.name }
        copy.functions = functions.map { function in
            var function = function
            function.dependencies = Array(Set(function.dependencies)).sorted()
            return function
        }.sorted { ($0.name, $0.identityArguments) < ($1.name, $1.identityArguments) }
        copy.triggers.sort { ($0.table, $0.name) < ($1.table, $1.name) }
        copy.rules.sort { ($0.table, $0.name) < ($1.table, $1.name) }
        copy.extendedStatistics.sort { $0.name < $1.name }
        copy.compositeTypes.sort { $0.name < $1.name }
        return copy
    }

    /// The same schema without row counts and sizes: its structure alone, for comparing two
    /// databases whose data differ.
    public func removingStatistics() -> Schema {
        var copy = self
        copy.tables = tables.map { table in
            var table = table
            table.statistics = nil
            return table
        }
        return copy
    }

    static func checkOrder(_ lhs: CheckConstraint, _ rhs: CheckConstraint) -> Bool {
        (lhs.name ?? "", lhs.expression) < (rhs.name ?? "", rhs.expression)
    }
}

extension Table {
    /// The same table in canonical order (see ``Schema/canonicalized()``).
    public func canonicalized() -> Table {
        var copy = self
        copy.uniqueConstraints.sort { lhs, rhs in
            let l = lhs.name ?? "", r = rhs.name ?? ""
            return l != r ? l < r : lhs.columns.lexicographicallyPrecedes(rhs.columns)
        }
        copy.checkConstraints.sort(by: Schema.checkOrder)
        copy.foreignKeys.sort { lhs, rhs in
            let l = lhs.name ?? "", r = rhs.name ?? ""
            if l != r { return l < r }
            if lhs.columns != rhs.columns { return lhs.columns.lexicographicallyPrecedes(rhs.columns) }
            return lhs.referencedTable < rhs.referencedTable
        }
        copy.exclusionConstraints.sort { $0.name < $1.name }
        copy.indexes.sort { $0.name < $1.name }
        return copy
    }
}
