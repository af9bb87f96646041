import Foundation
import GodwitCore

/// Change capture on the source of a copy, so `godwit sync` can carry over what changed after
/// the copy began: a change table (`godwit_changes` on SQLite, `godwit.changes` on PostgreSQL)
/// and, on every copied table with a key, triggers that record each insert, update and delete as
/// the table and the key of the row (an update that moves a key records both keys). Sync then
/// re-reads each touched key's current row, so the order and number of changes to one row do
/// not matter, and applying a batch twice gives the same result.
///
/// On PostgreSQL a change's number is taken when it is written, not when its transaction
/// commits: a long transaction can commit a change numbered below ones a sync already carried
/// over. So each change also records its transaction (`xid`), and sync reads in windows of
/// transactions: those older than the oldest that may still write here (the snapshot's
/// running transactions, less those of other databases) are all finished, and a window holds
/// exactly the finished ones the previous windows did not.
struct ChangeCapture {
    /// A window of transactions on PostgreSQL: `low` ≤ xid < `high`, as xid8 text.
    struct Window {
        var low: String
        var high: String
    }

    let driver: any DatabaseDriver

    private var isPostgres: Bool { driver.engine == .postgresql }
    var table: String { driver.godwitTable("changes") }

    /// Whether capture is installed.
    func isInstalled() async throws -> Bool {
        try await driver.hasGodwitTable("changes")
    }

    /// Creates the change table and a trigger per table (inside the caller's transaction).
    func install(for tables: [TableCopy]) async throws {
        let quoter = driver.engine.quoter
        if isPostgres {
            try await driver.execute(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS godwit")
            try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS godwit.changes (seq bigserial PRIMARY KEY, tbl text NOT NULL, key jsonb NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), xid xid8 NOT NULL DEFAULT pg_current_xact_id())")
            try await driver.execute(unsafeSQL: "ALTER TABLE godwit.changes ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT pg_current_xact_id()")
        } else {
            try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS godwit_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tbl TEXT NOT NULL, key TEXT NOT NULL, at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))")
        }
        for copy in tables where !copy.key.isEmpty && copy.key != ["rowid"] {
            let name = copy.source.name
            let label = SQLIdentifierQuoter.literal(name.description)
            let keyOf = { (row: String) in
                copy.key.map { "\(row).\(quoter.quote($0))" }.joined(separator: ", ")
            }
            if isPostgres {
                let function = quoter.quote(QualifiedName(schema: "godwit", "capture_\(name.identifierText)"))
                try await driver.execute(unsafeSQL: """
                    CREATE OR REPLACE FUNCTION \(function)() RETURNS trigger LANGUAGE plpgsql AS $godwit$
                    BEGIN
                      IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        INSERT INTO godwit.changes (tbl, key) VALUES (\(label), jsonb_build_array(\(keyOf("OLD"))));
                      END IF;
                      IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR jsonb_build_array(\(keyOf("OLD"))) IS DISTINCT FROM jsonb_build_array(\(keyOf("NEW")))) THEN
                        INSERT INTO godwit.changes (tbl, key) VALUES (\(label), jsonb_build_array(\(keyOf("NEW"))));
                      END IF;
                      RETURN NULL;
                    END $godwit$
                    """)
                let trigger = quoter.quote("godwit_capture")
                try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS \(trigger) ON \(quoter.quote(name))")
                try await driver.execute(unsafeSQL: "CREATE TRIGGER \(trigger) AFTER INSERT OR UPDATE OR DELETE ON \(quoter.quote(name)) FOR EACH ROW EXECUTE FUNCTION \(function)()")
            } else {
                let base = "godwit_capture_\(name.identifierText)"
                for (operation, rows) in [("INSERT", ["NEW"]), ("UPDATE", ["OLD", "NEW"]), ("DELETE", ["OLD"])] {
                    let trigger = quoter.quote("\(base)_\(operation.lowercased())")
                    let inserts = rows.map { "INSERT INTO godwit_changes (tbl, key) VALUES (\(label), json_array(\(keyOf($0))));" }.joined(separator: " ")
                    try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS \(trigger)")
                    try await driver.execute(unsafeSQL: "CREATE TRIGGER \(trigger) AFTER \(operation) ON \(quoter.quote(name)) BEGIN \(inserts) END")
                }
            }
        }
    }

    /// Removes the triggers and the change table.
    func remove(for tables: [TableCopy]) async throws {
        let quoter = driver.engine.quoter
        for copy in tables where !copy.key.isEmpty && copy.key != ["rowid"] {
            let name = copy.source.name
            if isPostgres {
                try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS godwit_capture ON \(quoter.quote(name))")
                try await driver.execute(unsafeSQL: "DROP FUNCTION IF EXISTS \(quoter.quote(QualifiedName(schema: "godwit", "capture_\(name.identifierText)")))()")
            } else {
                for operation in ["insert", "update", "delete"] {
                    try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS \(quoter.quote("godwit_capture_\(name.identifierText)_\(operation)"))")
                }
            }
        }
        try await driver.execute(unsafeSQL: "DROP TABLE IF EXISTS \(table)")
    }

    /// Whether changes are read in windows of transactions (PostgreSQL).
    var readsInWindows: Bool { isPostgres }

    /// The oldest transaction that may still write a change here (or the next to start): every
    /// one before it has finished (PostgreSQL). Transactions running in other databases of the
    /// server cannot, so they do not hold it back; one whose database is not known yet (its
    /// lock not visible) counts as this database's.
    func horizon() async throws -> String {
        try await driver.query(unsafeSQL: """
            WITH s AS (SELECT pg_current_snapshot() AS snap),
            elsewhere AS (
                SELECT l.transactionid::text::bigint AS x FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted
                  AND a.datname IS NOT NULL AND a.datname <> current_database()
                UNION ALL
                SELECT transaction::text::bigint FROM pg_prepared_xacts WHERE database <> current_database()
            )
            SELECT coalesce(
                (SELECT min(x::text::numeric) FROM s, pg_snapshot_xip(s.snap) AS x
                 WHERE (x::text::bigint & 4294967295) NOT IN (SELECT x FROM elsewhere))::text,
                (SELECT pg_snapshot_xmax(snap)::text FROM s))
            """).first?[0].textValue ?? "0"
    }

    /// Up to `limit` changes after `seq` (within `window` on PostgreSQL), in order: (seq, source
    /// table, key values).
    func changes(after seq: Int64, limit: Int, window: Window? = nil) async throws -> [(seq: Int64, table: String, key: [DatabaseValue])] {
        let within = window.map { " AND xid >= '\($0.low)'::xid8 AND xid < '\($0.high)'::xid8" } ?? ""
        let rows = try await driver.query(unsafeSQL: "SELECT seq, tbl, key\(isPostgres ? "::text" : "") FROM \(table) WHERE seq > \(seq)\(within) ORDER BY seq LIMIT \(limit)")
        return rows.compactMap { row in
            guard let seq = row[0].integerValue, let table = row[1].textValue, let key = row[2].textValue,
                  let values = try? JSONSerialization.jsonObject(with: Data(key.utf8), options: [.fragmentsAllowed]) as? [Any] else { return nil }
            return (seq, table, values.map(Self.value))
        }
    }

    /// The changes a sync at `position` has not carried over yet (committed ones).
    func pending(after position: SyncPosition.Mark) async throws -> Int64 {
        var condition = "seq > \(position.seq)"
        if isPostgres {
            condition = "xid >= '\(position.low ?? "0")'::xid8"
            if let high = position.high { condition += " AND NOT (xid < '\(high)'::xid8 AND seq <= \(position.seq))" }
        }
        return try await driver.query(unsafeSQL: "SELECT count(*) FROM \(table) WHERE \(condition)").first?[0].integerValue ?? 0
    }

    private static func value(_ json: Any) -> DatabaseValue {
        switch json {
        case let number as NSNumber:
            let double = number.doubleValue
            if double.rounded() == double, let integer = Int64(exactly: double) { return .integer(integer) }
            return .real(double)
        case let text as String: return .text(text)
        default: return .null
        }
    }
}
