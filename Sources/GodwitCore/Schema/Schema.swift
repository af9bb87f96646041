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

    /// The keys of a schema's JSON, in the order they are written (``SchemaJSONCache`` writes
    /// them too, so a key added here must be written there: its switch covers every case).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case engine, namespaces, extensions, enums, domains, sequences, tables, views, functions, triggers, rules, extendedStatistics,
             compositeTypes
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

    /// The table with this name, if any. (The search compares names in place: iterating the
    /// tables themselves would copy each one, arrays and all, and a 1,000-table schema is
    /// searched thousands of times while it is diffed and planned.)
    public func table(named name: QualifiedName) -> Table? {
        tables.indices.first { tables[$0].name == name }.map { tables[$0] }
    }

    /// The view with this name, if any.
    public func view(named name: QualifiedName) -> View? {
        views.indices.first { views[$0].name == name }.map { views[$0] }
    }
}

extension Schema {
    /// The same schema in canonical order: objects sorted by name, constraints and indexes by
    /// name then content. Column order and index key order are kept: they carry meaning.
    public func canonicalized() -> Schema {
        var copy = self
        copy.canonicalize()
        return copy
    }

    /// Puts the schema in canonical order in place (see ``canonicalized()``). Each list is
    /// checked before it is sorted: a schema read back or planned is mostly in order already,
    /// and checking copies nothing, where sorting a shared list copies all of it (planning
    /// canonicalizes after every operation, so a 1,000-table schema is canonicalized hundreds
    /// of times).
    public mutating func canonicalize() {
        namespaces.sortIfNeeded { $0.name < $1.name }
        extensions.sortIfNeeded { $0.name < $1.name }
        enums.sortIfNeeded { $0.name < $1.name }
        for index in domains.indices where !domains[index].checkConstraints.isSorted(by: Self.checkOrder) {
            domains[index].checkConstraints.sort(by: Self.checkOrder)
        }
        domains.sortIfNeeded { $0.name < $1.name }
        sequences.sortIfNeeded { $0.name < $1.name }
        for index in tables.indices where !tables[index].isCanonical {
            tables[index].canonicalize()
        }
        tables.sortIfNeeded { $0.name < $1.name }
        for index in views.indices {
            views[index].indexes.sortIfNeeded { $0.name < $1.name }
            if !views[index].dependencies.isStrictlyIncreasing {
                views[index].dependencies = Array(Set(views[index].dependencies)).sorted()
            }
        }
        views.sortIfNeeded { $0.name < $1.name }
        for index in functions.indices where !functions[index].dependencies.isStrictlyIncreasing {
            functions[index].dependencies = Array(Set(functions[index].dependencies)).sorted()
        }
        functions.sortIfNeeded { ($0.name, $0.identityArguments) < ($1.name, $1.identityArguments) }
        triggers.sortIfNeeded { ($0.table, $0.name) < ($1.table, $1.name) }
        rules.sortIfNeeded { ($0.table, $0.name) < ($1.table, $1.name) }
        extendedStatistics.sortIfNeeded { $0.name < $1.name }
        compositeTypes.sortIfNeeded { $0.name < $1.name }
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
        copy.canonicalize()
        return copy
    }

    /// Puts the table in canonical order in place.
    public mutating func canonicalize() {
        uniqueConstraints.sortIfNeeded(by: Self.uniqueOrder)
        checkConstraints.sortIfNeeded(by: Schema.checkOrder)
        foreignKeys.sortIfNeeded(by: Self.foreignKeyOrder)
        exclusionConstraints.sortIfNeeded { $0.name < $1.name }
        indexes.sortIfNeeded { $0.name < $1.name }
    }

    /// Whether ``canonicalized()`` would leave it as it is.
    var isCanonical: Bool {
        uniqueConstraints.isSorted(by: Self.uniqueOrder) && checkConstraints.isSorted(by: Schema.checkOrder)
            && foreignKeys.isSorted(by: Self.foreignKeyOrder) && exclusionConstraints.isSorted { $0.name < $1.name }
            && indexes.isSorted { $0.name < $1.name }
    }

    private static func uniqueOrder(_ lhs: UniqueConstraint, _ rhs: UniqueConstraint) -> Bool {
        let l = lhs.name ?? "", r = rhs.name ?? ""
        return l != r ? l < r : lhs.columns.lexicographicallyPrecedes(rhs.columns)
    }

    private static func foreignKeyOrder(_ lhs: ForeignKey, _ rhs: ForeignKey) -> Bool {
        let l = lhs.name ?? "", r = rhs.name ?? ""
        if l != r { return l < r }
        if lhs.columns != rhs.columns { return lhs.columns.lexicographicallyPrecedes(rhs.columns) }
        return lhs.referencedTable < rhs.referencedTable
    }
}

extension Array {
    /// Whether no element comes before the one ahead of it in `areInIncreasingOrder`'s order
    /// (what `sort(by:)` would leave in place; a stable sort keeps equal elements as they are).
    func isSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> Bool {
        var index = 1
        while index < count {
            if areInIncreasingOrder(self[index], self[index - 1]) { return false }
            index += 1
        }
        return true
    }

    /// Sorts in place unless already in order: the check copies nothing, a sort copies the array.
    mutating func sortIfNeeded(by areInIncreasingOrder: (Element, Element) -> Bool) {
        if !isSorted(by: areInIncreasingOrder) { sort(by: areInIncreasingOrder) }
    }
}

extension Array where Element: Comparable {
    /// Sorted with no element twice.
    var isStrictlyIncreasing: Bool {
        var index = 1
        while index < count {
            if !(self[index - 1] < self[index]) { return false }
            index += 1
        }
        return true
    }
}
