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


    /// How names are quoted for the engine: PostgreSQL folds unquoted names to lower case.
    public var quoter: SQLIdentifierQuoter { SQLIdentifierQuoter(foldsUnquotedToLowercase: self == .postgresql) }

    /// The longest name the engine keeps whole, in bytes: PostgreSQL cuts longer ones to 63
    /// without a word (NAMEDATALEN − 1); SQLite keeps any.
    public var maxIdentifierBytes: Int? {
        switch self {
        case .sqlite: nil
        case .postgresql: 63
        }
    }
}
