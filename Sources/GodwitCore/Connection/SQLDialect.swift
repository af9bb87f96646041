/// What differs between the engines in the SQL Godwit writes for its own records — the state
/// store, copy progress, change capture, other tools' histories — supplied by each driver, so
/// the code that keeps those records writes one statement instead of asking which engine it
/// talks to.
public protocol SQLDialect: Sendable {
    var engine: Engine { get }
    /// How names are quoted.
    var quoter: SQLIdentifierQuoter { get }
    /// Godwit's own table NAME: `godwit.NAME` on PostgreSQL (a schema of its own), `godwit_NAME`
    /// on SQLite.
    func godwitTable(_ name: String) -> String
    /// The statement that makes room for Godwit's tables before they are created (PostgreSQL:
    /// its schema); nil where nothing is needed.
    var godwitNamespace: String? { get }
    /// A query counting Godwit's tables named as its one parameter (`migrations`).
    var godwitTableCount: String { get }
    /// A query counting the tables named as its one parameter (`schema_migrations`).
    var tableCount: String { get }
    /// The `number`-th bound parameter (from 1): `$1` on PostgreSQL, `?1` on SQLite.
    func parameter(_ number: Int) -> String
    /// The column type that holds a boolean, and a literal of one.
    var booleanType: String { get }
    func literal(_ flag: Bool) -> String
    /// The type of a key numbered by the engine as rows are added.
    var autoNumberedKey: String { get }
    /// The current time with fractions of a second, as an SQL expression.
    var now: String { get }
    /// An expression ordering a table's rows as they were added, for tables without a key.
    var insertionOrder: String { get }
}

extension SQLDialect {
    /// `count` parameters from 1, comma separated.
    public func parameters(_ count: Int) -> String {
        (1...max(count, 1)).map(parameter).joined(separator: ", ")
    }
}
