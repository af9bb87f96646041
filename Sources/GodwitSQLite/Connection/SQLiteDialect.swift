public import GodwitCore

/// SQLite's answers to ``SQLDialect``.
public struct SQLiteDialect: SQLDialect {
    public init() {}
    public var engine: Engine { .sqlite }
    public var quoter: SQLIdentifierQuoter { Engine.sqlite.quoter }
    public func godwitTable(_ name: String) -> String { "godwit_\(name)" }
    public var godwitNamespace: String? { nil }
    public var godwitTableCount: String { "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'godwit_' || ?1" }
    public var tableCount: String { "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1" }
    public func parameter(_ number: Int) -> String { "?\(number)" }
    public var booleanType: String { "INTEGER" }
    public func literal(_ flag: Bool) -> String { flag ? "1" : "0" }
    public var autoNumberedKey: String { "INTEGER" }
    public var now: String { "strftime('%Y-%m-%d %H:%M:%f')" }
    public var insertionOrder: String { "rowid" }
    public var currentTimestamp: String { "CURRENT_TIMESTAMP" }
    public func asText(_ expression: String) -> String { expression }
    public var columnCount: String { "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2" }
    public func columnNames(ofGodwitTable name: String) -> String {
        "SELECT name FROM pragma_table_info(\(SQLIdentifierQuoter.literal(godwitTable(name))))"
    }
    public func tableSize(_ table: QualifiedName) -> String {
        "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = \(SQLIdentifierQuoter.literal(table.name))"
    }
    public func sessionSetup(lockTimeoutMilliseconds: Int, statementTimeoutMilliseconds: Int) -> [String] {
        // SQLite cannot stop a statement after a time: only lock waits are bounded.
        ["PRAGMA busy_timeout = \(lockTimeoutMilliseconds)"]
    }
    public func batchTransactionSetup(timeoutMilliseconds: Int) -> [String] { [] }
    public func rowEstimate(_ table: QualifiedName) -> String? { nil }
    public func freezingWrites(to tables: [QualifiedName]) -> [String] { ["BEGIN IMMEDIATE"] }
    public var invalidIndexes: String? { nil }
    public var analyzesBesideWriters: Bool { false }
    public var reclaimSpace: String? { "VACUUM" }
}
