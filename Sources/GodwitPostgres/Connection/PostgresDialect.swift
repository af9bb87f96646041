import Foundation
public import GodwitCore

/// PostgreSQL's answers to ``SQLDialect``.
public struct PostgresDialect: SQLDialect {
    public init() {}
    public var engine: Engine { .postgresql }
    public var quoter: SQLIdentifierQuoter { Engine.postgresql.quoter }
    public func godwitTable(_ name: String) -> String { "godwit.\(name)" }
    public var godwitNamespace: String? { "CREATE SCHEMA IF NOT EXISTS godwit" }
    public func dropTable(_ quotedName: String) -> String { "DROP TABLE \(quotedName) CASCADE" }
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
    /// Keys are checked at the statement (or the commit, when deferred) and a table's shape
    /// changes in place: SQL runs as written.
    public var foreignKeyFrame: ForeignKeyFrame? { nil }
    public var analyzesBesideWriters: Bool { true }
    public var combinesWrites: Bool { true }
    /// With values, `EXPLAIN` of the statement itself. Without (a normalized statement from
    /// `pg_stat_statements`), the statement is prepared and its generic plan forced, which every
    /// supported version (13 and later) can do; the NULLs it is executed with choose nothing.
    public func explain(_ sql: String, generic: Bool) -> ExplainStatements? {
        guard generic else { return ExplainStatements(explain: "EXPLAIN (FORMAT JSON) " + sql, bindsParameters: true) }
        let count = QueryParameter.placeholders(in: sql)
        return ExplainStatements(
            before: ["SET LOCAL plan_cache_mode = force_generic_plan", "PREPARE godwit_generic_plan AS " + sql],
            explain: "EXPLAIN (FORMAT JSON) EXECUTE godwit_generic_plan" + (count > 0 ? "(" + Array(repeating: "NULL", count: count).joined(separator: ", ") + ")" : ""),
            after: ["DEALLOCATE godwit_generic_plan"], bindsParameters: false)
    }
    /// One row holding the plan as JSON: nodes with `Node Type`, `Index Name`, `Relation Name`
    /// and `Plans` below them.
    public func queryPlan(from rows: [Row]) -> QueryPlan {
        var nodes: [String] = [], indexes: [String] = [], scans: [String] = []
        func walk(_ node: [String: Any]) {
            let type = node["Node Type"] as? String ?? ""
            nodes.append(type)
            if let index = node["Index Name"] as? String { indexes.append(index) }
            if type == "Seq Scan", let table = node["Relation Name"] as? String { scans.append(table) }
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        if let text = rows.first?.values.first?.textValue,
           let plans = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] {
            for plan in plans { if let root = plan["Plan"] as? [String: Any] { walk(root) } }
        }
        return QueryPlan(nodes: nodes, indexes: indexes, sequentialScans: scans)
    }
    public var readOnlyBegin: String { "BEGIN READ ONLY" }
    public var calibration: String { "SELECT count(*) FROM generate_series(1, 200000)" }
    public var topStatements: String? {
        // Reading statements only (they are replayed); Godwit's own and the catalog's left out.
        """
        SELECT query, calls, mean_exec_time, stddev_exec_time, rows::float8 / greatest(calls, 1)
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND query ~* '^\\s*(select|with|values|table)\\M'
          AND query !~* '\\m(insert|update|delete|merge)\\M'
          AND query !~* '(pg_stat_statements|pg_catalog|information_schema|godwit|plan_cache_mode)'
        ORDER BY total_exec_time DESC
        LIMIT $1
        """
    }
    public var serverActivity: String? {
        // Waits are read from pg_stat_activity (wait_event_type 'Lock'), which is cheaper than
        // joining pg_locks and names the same sessions; this session and other databases' are
        // left out (replication lag is the server's).
        """
        SELECT
          (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND datname = current_database()),
          (SELECT coalesce(extract(epoch FROM max(clock_timestamp() - state_change)), 0)::float8
             FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND datname = current_database()),
          (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
          (SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()),
          (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn))::bigint FROM pg_stat_replication),
          (SELECT extract(epoch FROM max(replay_lag))::float8 FROM pg_stat_replication),
          (SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()
             AND clock_timestamp() - query_start > interval '\(Int(ServerActivity.longQuerySeconds)) seconds'),
          (SELECT coalesce(extract(epoch FROM max(clock_timestamp() - query_start)), 0)::float8 FROM pg_stat_activity
             WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()
             AND clock_timestamp() - query_start > interval '\(Int(ServerActivity.longQuerySeconds)) seconds')
        """
    }
    public var reclaimSpace: String? { nil }
    public func rowEstimate(_ table: QualifiedName) -> String? {
        "SELECT reltuples::bigint FROM pg_class WHERE oid = \(SQLIdentifierQuoter.literal(quoter.quote(table)))::regclass"
    }
}
