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
}
