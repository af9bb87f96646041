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
    /// Drops a table (its name quoted) with what depends on it where the engine can (PostgreSQL:
    /// `CASCADE`; SQLite has no dependants to drop).
    func dropTable(_ quotedName: String) -> String
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
    /// The current time as other tools write it in their history tables (`now()`, `CURRENT_TIMESTAMP`).
    var currentTimestamp: String { get }
    /// `expression` as text, spelled the way the engine prints the value.
    func asText(_ expression: String) -> String
    /// A query counting the columns named as its second parameter of the table named as its first.
    var columnCount: String { get }
    /// A query listing the column names of Godwit's table NAME.
    func columnNames(ofGodwitTable name: String) -> String
    /// A query returning the bytes `table` takes on disk with its indexes (one integer).
    func tableSize(_ table: QualifiedName) -> String
    /// Statements that set up a session Godwit runs migrations on: how long a statement waits
    /// for a lock (and runs, where the engine can stop one) before it fails and is retried.
    func sessionSetup(lockTimeoutMilliseconds: Int, statementTimeoutMilliseconds: Int) -> [String]
    /// Statements for the transaction of one backfill batch: its own time limit, and a commit
    /// that does not wait for the disk (the batch and its record commit together, so one lost
    /// in a crash is lost with its record and simply runs again).
    func batchTransactionSetup(timeoutMilliseconds: Int) -> [String]
    /// A query returning the planner's estimate of `table`'s rows (one integer, negative when
    /// unknown), or nil where the engine keeps none cheaply.
    func rowEstimate(_ table: QualifiedName) -> String?
    /// Statements that open a transaction holding writers off `tables` until it ends (a
    /// cutover's freeze); readers go on.
    func freezingWrites(to tables: [QualifiedName]) -> [String]
    /// A query listing `schema, name` of indexes an interrupted concurrent build left unusable,
    /// or nil where builds cannot leave such indexes.
    var invalidIndexes: String? { get }
    /// How hand-written SQL that changes the schema is run: with foreign keys off around its
    /// transaction and checked before it commits (SQLite); nil where it runs as written.
    var foreignKeyFrame: ForeignKeyFrame? { get }
    /// The statement that gives back the space a table rewrite or backfill left behind, where
    /// the engine needs one run by hand (`VACUUM` on SQLite; PostgreSQL's autovacuum does it).
    var reclaimSpace: String? { get }
    /// Whether `ANALYZE` may run on a second session while the first holds a write transaction
    /// on the same table (PostgreSQL: its lock lets rows be read and written meanwhile; SQLite:
    /// one writer at a time).
    var analyzesBesideWriters: Bool { get }
    /// Whether several `INSERT`/`UPDATE` statements on different rows can be sent as one, each
    /// but the last in a data-modifying `WITH` (PostgreSQL): one round trip instead of several.
    /// Where not (SQLite, which is in-process anyway), they run one after another.
    var combinesWrites: Bool { get }
    /// One row describing what the server is doing, for watching a run (nil where the engine
    /// has no such views): sessions waiting for a lock and the longest wait in seconds, the
    /// database's commits and rollbacks so far, the largest replication lag in bytes and
    /// seconds (NULL with no standby or subscriber), and statements running longer than
    /// ``ServerActivity/longQuerySeconds`` with the longest, in that order.
    var serverActivity: String? { get }
    /// The statements that show `sql`'s plan, run with `sql`'s parameters bound; `generic`: with
    /// no parameter values at all (nil where the engine cannot plan without them).
    func explain(_ sql: String, generic: Bool) -> ExplainStatements?
    /// What `explain`'s rows say: the plan's nodes, the indexes it uses, the tables it reads whole.
    func queryPlan(from rows: [Row]) -> QueryPlan
    /// Begins a transaction that may only read (the baseline's queries run on live databases).
    var readOnlyBegin: String { get }
    /// A fixed piece of work for the engine (a few milliseconds of counting, no table read),
    /// timed beside the baseline's queries: how long it takes tells how busy the machine is, so
    /// a query slowed by other work is not taken for a regression.
    var calibration: String { get }
    /// The database's reading statements that took the most time in all (`pg_stat_statements`),
    /// one row each: text, calls, mean and deviation in milliseconds, rows per call; `$1` is how
    /// many. Nil where the engine keeps no such statistics.
    var topStatements: String? { get }
}

extension SQLDialect {
    /// `count` parameters from 1, comma separated.
    public func parameters(_ count: Int) -> String {
        (1...max(count, 1)).map(parameter).joined(separator: ", ")
    }
}

/// SQL that spells a column's values in ``CanonicalForm``, so a database can checksum its own rows
/// for a comparison with another engine's (`verify --source --target`).
public protocol CanonicalSpelling: Sendable {
    /// The expression giving the text a row digest hashes for `column`'s values
    /// (``CanonicalForm/digestText(_:column:)``), and whether the column is a point in time (its
    /// range is reported); nil when this type has no exact spelling here.
    func canonicalText(of column: String, declaredType: String, kind: ValueKind, zoneIsUTC: Bool) -> (expression: String, isTime: Bool)?
    /// Two aggregate expressions: the earliest and the latest of the time `columns`, in UTC
    /// microseconds (NULL when none).
    func timeRange(_ columns: [String]) -> String
    /// Session settings the server's text of values depends on, set before digests are taken.
    var digestSessionSetup: [String] { get }
    /// An expression hashing one row of `columns` to 64 bits, for two databases whose columns
    /// have the same `declaredTypes`: each value by its type's own hash where that hash is the
    /// same in every database (numbers, text, times, UUIDs), the rest by their text (enums,
    /// whose hash is their label's OID in one database). Nil when the engine has no such hash.
    func rowValueHash(of columns: [String], declaredTypes: [String]) -> String?
    /// The row hashes earlier godwit builds recorded value checksums with (``TableDigest``'s
    /// `hv:`), any of which may have made a recorded one; empty where there were none.
    func legacyRowValueHashes(of columns: [String], declaredTypes: [String]) -> [String]
    /// An expression hashing the engine's own text of the row of `columns` to 64 bits.
    func rowTextHash(of columns: [String]) -> String
}

/// How a dialect shows a statement's plan: statements to run before, the one whose rows are the
/// plan, and statements that clean up after it (all in one transaction).
public struct ExplainStatements: Sendable, Equatable {
    public var before: [String]
    public var explain: String
    public var after: [String]
    /// Whether `explain` takes the statement's parameter values (NULLs for a generic plan).
    public var bindsParameters: Bool

    public init(before: [String] = [], explain: String, after: [String] = [], bindsParameters: Bool) {
        self.before = before
        self.explain = explain
        self.after = after
        self.bindsParameters = bindsParameters
    }
}
