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
}
