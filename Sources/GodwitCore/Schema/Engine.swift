/// The database engines Godwit drives.
public enum Engine: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgresql

    /// The engine's name as people write it.
    public var description: String {
        switch self {
        case .sqlite: "SQLite"
        case .postgresql: "PostgreSQL"
        }
    }

    /// Whether DDL statements take part in transactions (both engines do; MySQL would not).
    public var supportsTransactionalDDL: Bool { true }
}
