import Foundation
import GodwitCore

/// One piece of a copy: a table, or one key range of a big table split for parallel workers.
struct CopyPart: Hashable, Sendable {
    var sourceTable: String
    var part: Int
    /// Exclusive lower and inclusive upper bound of the key range, as SQL literals; nil: open.
    var lower: String?
    var upper: String?
    /// The last key copied, as a SQL literal row (`(42)`); nil before the first chunk.
    var lastKey: String?
    var rowsCopied: Int64 = 0
    var rowsRejected: Int64 = 0
    var isDone = false

    /// The conditions on `keyRow` (the quoted key, or a row of key columns) that select the rows
    /// still to copy. One lower bound only: SQLite starts its key range at just one of several,
    /// so the part's lower bound next to the last copied key would rescan the part per chunk.
    func remainingKeyConditions(_ keyRow: String) -> [String] {
        var conditions: [String] = []
        if let start = lastKey ?? lower { conditions.append("\(keyRow) > \(start)") }
        if let upper { conditions.append("\(keyRow) <= \(upper)") }
        return conditions
    }
}

/// Where a copy records its progress, in the target database, in the same transaction as the
/// rows it describes: each committed chunk moves `last_key` on, so after a crash the copy goes
/// on after the last committed row and never loads a row twice. PostgreSQL keeps the records in
/// the schema `godwit`, SQLite in `godwit_copy_*` tables.
struct CopyProgressStore {
    let driver: any DatabaseDriver

    private var dialect: any SQLDialect { driver.dialect }
    private var parts: String { driver.godwitTable("copy_parts") }
    private var marks: String { driver.godwitTable("copy_marks") }
    private var postponedTable: String { driver.godwitTable("copy_postponed") }
    private func placeholder(_ number: Int) -> String { dialect.parameter(number) }

    func install() async throws {
        let boolean = dialect.booleanType
        if let namespace = dialect.godwitNamespace { try await driver.execute(unsafeSQL: namespace) }
        try await driver.execute(unsafeSQL: """
            CREATE TABLE IF NOT EXISTS \(parts) (source_table text NOT NULL, part integer NOT NULL, lower_key text, upper_key text,
              last_key text, rows_copied bigint NOT NULL DEFAULT 0, rows_rejected bigint NOT NULL DEFAULT 0,
              done \(boolean) NOT NULL DEFAULT \(dialect.literal(false)), PRIMARY KEY (source_table, part))
            """)
        try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(marks) (name text PRIMARY KEY, at text NOT NULL)")
        try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(postponedTable) (what text PRIMARY KEY, statement text NOT NULL)")
    }

    /// Removes the marks whose names start with `prefix` (a cutover undone).
    func removeMarks(startingWith prefix: String) async throws {
        guard try await driver.hasGodwitTable("copy_marks") else { return }
        try await driver.execute(unsafeSQL: "DELETE FROM \(marks) WHERE name LIKE \(placeholder(1))", bindings: [.text(prefix + "%")])
    }

    /// Forgets every part, mark and postponed statement (a copy undone), when there are any.
    func clear() async throws {
        guard try await exists() else { return }
        for table in [parts, marks, postponedTable] { try await driver.execute(unsafeSQL: "DROP TABLE IF EXISTS \(table)") }
    }

    /// A statement that adds a key, constraint, foreign key or index the target could not take
    /// when the copy finished, and what it adds; tried again by sync and by a rerun of the copy.
    struct Postponed: Hashable, Sendable {
        var what: String
        var statement: String
    }

    /// Records a statement that failed (call inside the transaction that tried it).
    func postpone(_ item: Postponed) async throws {
        try await driver.execute(unsafeSQL: "INSERT INTO \(postponedTable) (what, statement) VALUES (\(placeholder(1)), \(placeholder(2))) ON CONFLICT (what) DO NOTHING",
                                 bindings: [.text(item.what), .text(item.statement)])
    }

    /// What is still postponed, in the order recorded (foreign keys after the tables' own parts).
    func postponed() async throws -> [Postponed] {
        guard try await driver.hasGodwitTable("copy_postponed") else { return [] }
        return try await driver.query(unsafeSQL: "SELECT what, statement FROM \(postponedTable) ORDER BY \(dialect.insertionOrder)")
            .map { Postponed(what: $0[0].textValue ?? "", statement: $0[1].textValue ?? "") }
    }

    /// Runs each postponed statement again, each in its own transaction, and forgets the ones
    /// that ran. Returns what they added and what is still missing.
    func retryPostponed() async throws -> (added: [String], remaining: [String]) {
        var added: [String] = [], remaining: [String] = []
        for item in try await postponed() {
            do {
                try await driver.withWriteTransaction {
                    try await driver.execute(unsafeSQL: item.statement)
                    try await settle(item)
                }
                added.append(item.what)
            } catch let error as GodwitError where !error.endsSession {
                remaining.append(item.what)
            }
        }
        return (added, remaining)
    }

    /// Forgets a postponed statement once it ran.
    func settle(_ item: Postponed) async throws {
        try await driver.execute(unsafeSQL: "DELETE FROM \(postponedTable) WHERE what = \(placeholder(1))", bindings: [.text(item.what)])
    }

    /// Whether an earlier copy into this database recorded anything.
    func exists() async throws -> Bool {
        try await driver.hasGodwitTable("copy_parts")
    }

    func allParts() async throws -> [CopyPart] {
        try await driver.query(unsafeSQL: "SELECT source_table, part, lower_key, upper_key, last_key, rows_copied, rows_rejected, done FROM \(parts) ORDER BY source_table, part")
            .map { row in
                CopyPart(sourceTable: row[0].textValue ?? "", part: Int(row[1].integerValue ?? 0), lower: row[2].textValue, upper: row[3].textValue,
                         lastKey: row[4].textValue, rowsCopied: row[5].integerValue ?? 0, rowsRejected: row[6].integerValue ?? 0,
                         isDone: (row[7].integerValue ?? 0) != 0)
            }
    }

    func insert(_ part: CopyPart) async throws {
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(parts) (source_table, part, lower_key, upper_key) VALUES (\(placeholder(1)), \(placeholder(2)), \(placeholder(3)), \(placeholder(4)))
            """, bindings: [.text(part.sourceTable), .integer(Int64(part.part)), part.lower.map { .text($0) } ?? .null, part.upper.map { .text($0) } ?? .null])
    }

    /// Records a committed chunk (call inside the chunk's transaction).
    func advance(_ part: CopyPart) async throws {
        try await driver.execute(unsafeSQL: """
            UPDATE \(parts) SET last_key = \(placeholder(1)), rows_copied = \(placeholder(2)), rows_rejected = \(placeholder(3)),
              done = \(dialect.literal(part.isDone))
            WHERE source_table = \(placeholder(4)) AND part = \(placeholder(5))
            """, bindings: [part.lastKey.map { .text($0) } ?? .null, .integer(part.rowsCopied), .integer(part.rowsRejected),
                            .text(part.sourceTable), .integer(Int64(part.part))])
    }

    func mark(_ name: String) async throws {
        try await driver.execute(unsafeSQL: "INSERT INTO \(marks) (name, at) VALUES (\(placeholder(1)), \(placeholder(2)))",
                                 bindings: [.text(name), .text(ISO8601DateFormatter().string(from: Date()))])
    }

    /// The marks whose names start with `prefix`, oldest first: (name, when).
    func marks(startingWith prefix: String) async throws -> [(name: String, at: String)] {
        guard try await driver.hasGodwitTable("copy_marks") else { return [] }
        return try await driver.query(unsafeSQL: "SELECT name, at FROM \(marks) WHERE name LIKE \(placeholder(1)) ORDER BY at",
                                      bindings: [.text(prefix + "%")]).compactMap { row in
            guard let name = row[0].textValue, let at = row[1].textValue else { return nil }
            return (name, at)
        }
    }

    func isMarked(_ name: String) async throws -> Bool {
        try await driver.query(unsafeSQL: "SELECT count(*) FROM \(marks) WHERE name = \(placeholder(1))", bindings: [.text(name)]).first?[0].integerValue ?? 0 > 0
    }
}

/// Rows a copy could not load, one JSON object per line — table, key, column, reason — in a
/// file the copy file names. The file holds keys, never other values; the terminal gets counts.
final class RejectLog: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var handle: FileHandle?
    /// Rows already written: a chunk read again after a refusal rejects them again.
    private var written = Set<String>()

    init(path: String) { self.path = path }

    func append(table: String, key: String, column: String?, reason: String) throws {
        guard lock.withLock({ written.insert("\(table)|\(key)|\(column ?? "")").inserted }) else { return }
        var object: [String: String] = ["table": table, "key": key, "reason": reason]
        if let column { object["column"] = column }
        let line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) + Data("\n".utf8)
        try lock.withLock {
            if handle == nil {
                if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
                guard let opened = FileHandle(forWritingAtPath: path) else {
                    throw GodwitError(.ioFailure, "Cannot write the reject file", location: path, remedy: "Check that its directory exists and is writable.")
                }
                opened.seekToEndOfFile()
                handle = opened
            }
            handle?.write(line)
        }
    }

    deinit { try? handle?.close() }
}
