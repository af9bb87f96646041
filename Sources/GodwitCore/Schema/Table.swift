/// A table with its columns, keys, constraints, indexes, inheritance and statistics.
public struct Table: Hashable, Codable, Sendable {
    /// A declaratively partitioned table's partition key.
    public struct Partitioning: Hashable, Codable, Sendable {
        /// `RANGE (payment_date)`, as `pg_get_partkeydef` prints it.
        public var key: String

        public init(key: String) { self.key = key }
    }

    /// The parent and bound of a table that is a partition.
    public struct PartitionBound: Hashable, Codable, Sendable {
        public var parent: QualifiedName
        /// `FOR VALUES FROM ('2007-01-01') TO ('2007-02-01')`, or `DEFAULT`.
        public var bound: String

        public init(parent: QualifiedName, bound: String) {
            self.parent = parent
            self.bound = bound
        }
    }

    public var name: QualifiedName
    /// Columns in their ordinal order (order is meaningful, so it is never sorted).
    public var columns: [Column]
    public var primaryKey: PrimaryKey?
    public var uniqueConstraints: [UniqueConstraint]
    public var checkConstraints: [CheckConstraint]
    public var foreignKeys: [ForeignKey]
    public var exclusionConstraints: [ExclusionConstraint]
    public var indexes: [Index]
    /// Parents under PostgreSQL table inheritance (`INHERITS`), in declared order.
    public var inheritsFrom: [QualifiedName]
    public var partitioning: Partitioning?
    public var partitionOf: PartitionBound?
    /// SQLite `WITHOUT ROWID`.
    public var isWithoutRowID: Bool
    /// SQLite `STRICT`.
    public var isStrict: Bool
    /// PostgreSQL `UNLOGGED`.
    public var isUnlogged: Bool
    public var comment: String?
    /// Storage parameters (PostgreSQL `WITH (fillfactor=70, …)`), as `name=value`; nil when none.
    public var storageParameters: [String]?
    /// Comments on the table's constraints, by constraint name (PostgreSQL); nil when none.
    public var constraintComments: [String: String]?
    /// Row counts and size; not part of the structure (see ``Schema/removingStatistics()``).
    public var statistics: TableStatistics?

    public init(
        name: QualifiedName,
        columns: [Column] = [],
        primaryKey: PrimaryKey? = nil,
        uniqueConstraints: [UniqueConstraint] = [],
        checkConstraints: [CheckConstraint] = [],
        foreignKeys: [ForeignKey] = [],
        exclusionConstraints: [ExclusionConstraint] = [],
        indexes: [Index] = [],
        inheritsFrom: [QualifiedName] = [],
        partitioning: Partitioning? = nil,
        partitionOf: PartitionBound? = nil,
        isWithoutRowID: Bool = false,
        isStrict: Bool = false,
        isUnlogged: Bool = false,
        comment: String? = nil,
        statistics: TableStatistics? = nil
    ) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
        self.uniqueConstraints = uniqueConstraints
        self.checkConstraints = checkConstraints
        self.foreignKeys = foreignKeys
        self.exclusionConstraints = exclusionConstraints
        self.indexes = indexes
        self.inheritsFrom = inheritsFrom
        self.partitioning = partitioning
        self.partitionOf = partitionOf
        self.isWithoutRowID = isWithoutRowID
        self.isStrict = isStrict
        self.isUnlogged = isUnlogged
        self.comment = comment
        self.statistics = statistics
    }

    /// The column with this name, if any.
    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }

    /// Whether the table is the parent of declarative partitions.
    public var isPartitioned: Bool { partitioning != nil }

    /// The tables this one needs to exist first: its parents (not foreign-key targets, which
    /// are added after every table exists).
    public var parents: [QualifiedName] {
        inheritsFrom + (partitionOf.map { [$0.parent] } ?? [])
    }
}
