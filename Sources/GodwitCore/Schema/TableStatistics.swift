/// Size facts about a table, used for risk and time estimates.
public struct TableStatistics: Hashable, Codable, Sendable {
    /// The engine's estimate (PostgreSQL `reltuples`; SQLite `sqlite_stat1` or a count when cheap).
    public var estimatedRowCount: Int64?
    /// An exact `count(*)`, taken only when asked for.
    public var exactRowCount: Int64?
    /// Bytes on disk, indexes and TOAST included where the engine can tell.
    public var sizeInBytes: Int64?

    public init(estimatedRowCount: Int64? = nil, exactRowCount: Int64? = nil, sizeInBytes: Int64? = nil) {
        self.estimatedRowCount = estimatedRowCount
        self.exactRowCount = exactRowCount
        self.sizeInBytes = sizeInBytes
    }

    /// The best row count known: exact when taken, else the estimate.
    public var rowCount: Int64? { exactRowCount ?? estimatedRowCount }
}
