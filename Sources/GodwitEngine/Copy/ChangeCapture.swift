import Foundation
import GodwitCore

/// Change capture on the source of a copy, so `godwit sync` can carry over what changed after
/// the copy began: a change table (`godwit_changes` on SQLite, `godwit.changes` on PostgreSQL)
/// and, on every copied table with a key, triggers that record each insert, update and delete as
/// the table and the key of the row (an update that moves a key records both keys). Sync then
/// re-reads each touched key's current row, so the order and number of changes to one row do
/// not matter, and applying a batch twice gives the same result.
struct ChangeCapture {
    let driver: any DatabaseDriver

    private var isPostgres: Bool { driver.engine == .postgresql }
    var table: String { driver.godwitTable("changes") }

    /// Whether capture is installed.
    func isInstalled() async throws -> Bool {
        try await driver.hasGodwitTable("changes")
    }

    /// Creates the change table and a trigger per table (inside the caller's transaction).
    func install(for tables: [TableCopy]) async throws {
        let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: isPostgres)
        if isPostgres {
            try await driver.execute(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS godwit")
            try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS godwit.changes (seq bigserial PRIMARY KEY, tbl text NOT NULL, key jsonb NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())")
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
                let function = quoter.quote(QualifiedName(schema: "godwit", "capture_\(Self.identifier(name))"))
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
                let base = "godwit_capture_\(Self.identifier(name))"
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
        let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: isPostgres)
        for copy in tables where !copy.key.isEmpty && copy.key != ["rowid"] {
            let name = copy.source.name
            if isPostgres {
                try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS godwit_capture ON \(quoter.quote(name))")
                try await driver.execute(unsafeSQL: "DROP FUNCTION IF EXISTS \(quoter.quote(QualifiedName(schema: "godwit", "capture_\(Self.identifier(name))")))()")
            } else {
                for operation in ["insert", "update", "delete"] {
                    try await driver.execute(unsafeSQL: "DROP TRIGGER IF EXISTS \(quoter.quote("godwit_capture_\(Self.identifier(name))_\(operation)"))")
                }
            }
        }
        try await driver.execute(unsafeSQL: "DROP TABLE IF EXISTS \(table)")
    }

    /// Up to `limit` changes after `seq`, in order: (seq, source table, key values).
    func changes(after seq: Int64, limit: Int) async throws -> [(seq: Int64, table: String, key: [DatabaseValue])] {
        let rows = try await driver.query(unsafeSQL: "SELECT seq, tbl, key\(isPostgres ? "::text" : "") FROM \(table) WHERE seq > \(seq) ORDER BY seq LIMIT \(limit)")
        return rows.compactMap { row in
            guard let seq = row[0].integerValue, let table = row[1].textValue, let key = row[2].textValue,
                  let values = try? JSONSerialization.jsonObject(with: Data(key.utf8), options: [.fragmentsAllowed]) as? [Any] else { return nil }
            return (seq, table, values.map(Self.value))
        }
    }

    /// The newest change's number (0 when there is none).
    func lastSeq() async throws -> Int64 {
        try await driver.query(unsafeSQL: "SELECT coalesce(max(seq), 0) FROM \(table)").first?[0].integerValue ?? 0
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

    /// A name usable inside an identifier: `public.Order Lines` → `public_order_lines`.
    static func identifier(_ name: QualifiedName) -> String {
        let raw = ([name.schema].compactMap { $0 } + [name.name]).joined(separator: "_").lowercased()
        return String(raw.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
