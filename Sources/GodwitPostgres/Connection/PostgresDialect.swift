public import GodwitCore

/// PostgreSQL's answers to ``SQLDialect``.
public struct PostgresDialect: SQLDialect {
    public init() {}
    public var engine: Engine { .postgresql }
    public var quoter: SQLIdentifierQuoter { Engine.postgresql.quoter }
    public func godwitTable(_ name: String) -> String { "godwit.\(name)" }
    public var godwitNamespace: String? { "CREATE SCHEMA IF NOT EXISTS godwit" }
    public var godwitTableCount: String {
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'godwit' AND c.relname = $1"
    }
    public var tableCount: String { "SELECT count(*) FROM (SELECT to_regclass($1) AS found) AS t WHERE found IS NOT NULL" }
    public func parameter(_ number: Int) -> String { "$\(number)" }
    public var booleanType: String { "boolean" }
    public func literal(_ flag: Bool) -> String { flag ? "true" : "false" }
    public var autoNumberedKey: String { "bigserial" }
    public var now: String { "clock_timestamp()" }
    public var insertionOrder: String { "ctid" }
    public var currentTimestamp: String { "now()" }
    public func asText(_ expression: String) -> String { "(\(expression))::text" }
    public var columnCount: String { "SELECT count(*) FROM information_schema.columns WHERE table_name = $1 AND column_name = $2" }
    public func columnNames(ofGodwitTable name: String) -> String {
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'godwit' AND table_name = \(SQLIdentifierQuoter.literal(name))"
    }
    public func tableSize(_ table: QualifiedName) -> String {
        "SELECT pg_total_relation_size(\(SQLIdentifierQuoter.literal(quoter.quote(table)))::regclass)"
    }
    public func sessionSetup(lockTimeoutMilliseconds: Int, statementTimeoutMilliseconds: Int) -> [String] {
        ["SET lock_timeout = '\(lockTimeoutMilliseconds)ms'", "SET statement_timeout = '\(statementTimeoutMilliseconds)ms'",
         // Checksums and checks scan whole tables: one core, not every core the application needs.
         "SET max_parallel_workers_per_gather = 0"]
    }
    public func batchTransactionSetup(timeoutMilliseconds: Int) -> [String] {
        ["SET LOCAL statement_timeout = '\(timeoutMilliseconds)ms'", "SET LOCAL synchronous_commit = off"]
    }
    public func freezingWrites(to tables: [QualifiedName]) -> [String] {
        ["BEGIN", "SET LOCAL lock_timeout = '10s'", "LOCK TABLE \(tables.map(quoter.quote).joined(separator: ", ")) IN EXCLUSIVE MODE"]
    }
    public var invalidIndexes: String? {
        """
        SELECT n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid
        """
    }
    public var analyzesBesideWriters: Bool { true }
    public var reclaimSpace: String? { nil }
    public func rowEstimate(_ table: QualifiedName) -> String? {
        "SELECT reltuples::bigint FROM pg_class WHERE oid = \(SQLIdentifierQuoter.literal(quoter.quote(table)))::regclass"
    }
}
