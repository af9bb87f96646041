public import GodwitCore

/// SQLite's answers to ``SQLDialect``.
public struct SQLiteDialect: SQLDialect {
    public init() {}
    public var engine: Engine { .sqlite }
    public var quoter: SQLIdentifierQuoter { Engine.sqlite.quoter }
    public func godwitTable(_ name: String) -> String { "godwit_\(name)" }
    public var godwitNamespace: String? { nil }
    public func dropTable(_ quotedName: String) -> String { "DROP TABLE \(quotedName)" }
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
    public var foreignKeyFrame: ForeignKeyFrame? {
        ForeignKeyFrame(setting: "foreign_keys", off: "PRAGMA foreign_keys = OFF", on: "PRAGMA foreign_keys = ON",
                        check: StepCheck(name: "rows whose foreign key points to no row (PRAGMA foreign_key_check lists them)",
                                         sql: "SELECT count(*) FROM pragma_foreign_key_check"))
    }
    public var analyzesBesideWriters: Bool { false }
    public var combinesWrites: Bool { false }
    /// SQLite has no server: its busy retries are counted from the run's own events.
    public var serverActivity: String? { nil }
    /// `EXPLAIN QUERY PLAN` plans without looking at the values: NULLs do for a generic plan.
    public func explain(_ sql: String, generic: Bool) -> ExplainStatements? {
        ExplainStatements(explain: "EXPLAIN QUERY PLAN " + sql, bindsParameters: true)
    }
    /// Rows of (id, parent, notused, detail): `SEARCH orders USING INDEX idx (customer_id=?)`,
    /// `SCAN orders` (read whole), `SCAN orders USING COVERING INDEX idx` (a whole index).
    public func queryPlan(from rows: [Row]) -> QueryPlan {
        var nodes: [String] = [], indexes: [String] = [], scans: [String] = []
        for row in rows {
            guard let detail = row.values.last?.textValue else { continue }
            let words = detail.split(separator: " ").map(String.init)
            guard let verb = words.first else { continue }
            nodes.append(verb)
            if let using = words.firstIndex(of: "INDEX"), using + 1 < words.count, using > 0, words[using - 1] == "USING" || words[using - 1] == "COVERING" {
                indexes.append(words[using + 1])
            } else if verb == "SCAN", words.count >= 2, !words.contains("USING") {
                scans.append(words[1] == "TABLE" && words.count >= 3 ? words[2] : words[1])
            }
        }
        return QueryPlan(nodes: nodes, indexes: indexes, sequentialScans: scans)
    }
    public var readOnlyBegin: String { "BEGIN" }
    public var calibration: String {
        "WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < 100000) SELECT count(*) FROM counter"
    }
    public var topStatements: String? { nil }
    public var reclaimSpace: String? { "VACUUM" }
}
