/// A sequence (PostgreSQL), with the column that owns it when it backs a `serial` column.
public struct SequenceDefinition: Hashable, Codable, Sendable {
    public var name: QualifiedName
    /// `smallint`, `integer` or `bigint`.
    public var dataType: String
    public var start: Int64
    public var increment: Int64
    public var minValue: Int64
    public var maxValue: Int64
    public var cache: Int64
    public var cycles: Bool
    /// The column whose drop drops the sequence (`OWNED BY`); a `serial` column's sequence.
    public var ownedBy: ColumnReference?
    public var comment: String?

    public init(
        name: QualifiedName,
        dataType: String = "bigint",
        start: Int64 = 1,
        increment: Int64 = 1,
        minValue: Int64 = 1,
        maxValue: Int64 = Int64.max,
        cache: Int64 = 1,
        cycles: Bool = false,
        ownedBy: ColumnReference? = nil,
        comment: String? = nil
    ) {
        self.name = name
        self.dataType = dataType
        self.start = start
        self.increment = increment
        self.minValue = minValue
        self.maxValue = maxValue
        self.cache = cache
        self.cycles = cycles
        self.ownedBy = ownedBy
        self.comment = comment
    }
}
