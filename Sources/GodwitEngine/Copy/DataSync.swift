import Foundation
public import GodwitCore

/// What one `godwit sync` did.
public struct SyncSummary: Hashable, Codable, Sendable {
    /// Rows written (inserted or updated) and deleted in the target, by source table.
    public var upserted: [String: Int64] = [:]
    public var deleted: [String: Int64] = [:]
    /// Changes read from the source's change table.
    public var changes: Int64 = 0
    /// Changes recorded on the source and not yet applied when the sync stopped.
    public var lag: Int64 = 0
    public var passes = 0
    public var seconds: Double = 0
    /// Keys, constraints, foreign keys and indexes the copy could not add, added by this sync
    /// once the rows it carried over let them in; and those still missing.
    public var added: [String] = []
    public var stillMissing: [String] = []

    public init() {}

    public func text() -> String {
        let written = upserted.values.reduce(0, +), removed = deleted.values.reduce(0, +)
        var lines = ["Synced \(QuantityFormat.count(changes)) changes in \(passes) passes in \(DurationFormat.text(seconds)): "
                     + "\(QuantityFormat.count(written)) rows written, \(QuantityFormat.count(removed)) deleted; lag now \(QuantityFormat.count(lag)) changes."]
        for table in Set(upserted.keys).union(deleted.keys).sorted() {
            lines.append("  \(table): \(QuantityFormat.count(upserted[table] ?? 0)) written, \(QuantityFormat.count(deleted[table] ?? 0)) deleted")
        }
        if !added.isEmpty { lines += ["Added to the target now that its rows let them in:"] + added.map { "  - \($0)" } }
        if !stillMissing.isEmpty {
            lines += ["Still not in the target (tried again after every sync; cutover refuses while a constraint is missing):"] + stillMissing.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `godwit sync --from URL --to URL`: carries over the changes made on the source since the
/// copy began (captured by `godwit copy --capture`). Each pass reads the next changes in order,
/// re-reads the current source row of every key they touch, and in one target transaction
/// upserts the rows that exist (parents first) and deletes the ones that are gone (children
/// first), moving the recorded position on with them — so a crash loses nothing and repeats
/// nothing. Passes repeat until the lag is at most `maximumLag` changes.
public struct DataSync: Sendable {
    public let source: DatabaseURL
    public let target: DatabaseURL
    public let spec: CopySpec
    /// Stop once at most this many changes wait.
    public var maximumLag: Int64 = 0
    /// Changes per pass.
    public var batch = 10_000
    public let observer: (any ExecutionObserver)?
    public let interrupt: InterruptSignal

    public init(source: DatabaseURL, target: DatabaseURL, spec: CopySpec = CopySpec(), observer: (any ExecutionObserver)? = nil,
                interrupt: InterruptSignal = InterruptSignal()) {
        self.source = source
        self.target = target
        self.spec = spec
        self.observer = observer
        self.interrupt = interrupt
    }

    public func run() async throws -> SyncSummary {
        let started = Date()
        let plan = try await CopyPlan.make(from: source, into: target.engine, spec: spec)
        return try await DatabaseConnector.withDriver(source, access: .readOnly) { sourceDriver in
            try await DatabaseConnector.withDriver(target) { targetDriver in
                try await sync(plan, from: sourceDriver, to: targetDriver, started: started)
            }
        }
    }

    private func sync(_ plan: CopyPlan, from sourceDriver: any DatabaseDriver, to targetDriver: any DatabaseDriver,
                      started: Date) async throws -> SyncSummary {
        let capture = ChangeCapture(driver: sourceDriver)
        let progress = SyncPosition(driver: targetDriver)
        try await progress.install()
        var summary = SyncSummary()
        guard try await capture.isInstalled() else {
            let watermarked = plan.tables.filter { spec.rule(for: $0.source.name.name)?.watermark != nil }
            guard !watermarked.isEmpty else {
                throw GodwitError(.refused, "The source has no change capture, and no table has a watermark", location: source.description,
                                  remedy: "Copy with godwit copy --capture (it records every change from the start of the copy on), or name a column that grows with every change (watermark: updated_at) in the copy file.")
            }
            for table in watermarked {
                try await syncByWatermark(table, column: spec.rule(for: table.source.name.name)?.watermark ?? "", from: sourceDriver, to: targetDriver,
                                          position: progress, summary: &summary)
            }
            summary.seconds = Date().timeIntervalSince(started)
            return summary
        }
        while true {
            try interrupt.check("sync", resumeAt: 0)
            var position = try await progress.position()
            var window: ChangeCapture.Window?
            if capture.readsInWindows {
                // The transactions finished before the oldest one still running, and not read yet.
                if position.high == nil {
                    position.high = try await capture.horizon()
                    try await progress.openWindow(until: position.high ?? "0")
                }
                window = ChangeCapture.Window(low: position.low ?? "0", high: position.high ?? "0")
            }
            let changes = try await capture.changes(after: position.seq, limit: batch, window: window)
            if changes.isEmpty {
                guard let window else { break }
                // The window is read: the next begins where it ended, once more have finished.
                try await progress.closeWindow()
                let next = ChangeCapture.Window(low: window.high, high: try await capture.horizon())
                if next.high == window.high { break }
                let waiting = try await capture.pending(after: .init(seq: 0, low: next.low, high: nil))
                if waiting == 0 || (waiting <= maximumLag && summary.passes > 0) { break }
                continue
            }
            summary.passes += 1
            summary.changes += Int64(changes.count)
            try await apply(changes, plan: plan, from: sourceDriver, to: targetDriver, summary: &summary, position: progress)
            summary.lag = try await capture.pending(after: try await progress.position())
            observer?.observe(ExecutionEvent(kind: .batch, migration: "sync", message: "applied \(changes.count) changes; lag \(summary.lag)",
                                             progress: .init(rowsDone: summary.changes, rowsTotal: summary.changes + summary.lag,
                                                             rowsPerSecond: Double(summary.changes) / max(Date().timeIntervalSince(started), 0.001), batchSize: changes.count),
                                             syncLag: summary.lag))
            if window == nil && summary.lag <= maximumLag && changes.count < batch { break }
        }
        summary.lag = try await capture.pending(after: try await progress.position())
        // What the copy could not add while rows were still arriving may fit now.
        (summary.added, summary.stillMissing) = try await CopyProgressStore(driver: targetDriver).retryPostponed()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// One pass: the touched keys' current rows, applied in one target transaction with the position.
    private func apply(_ changes: [(seq: Int64, table: String, key: [DatabaseValue])], plan: CopyPlan,
                       from sourceDriver: any DatabaseDriver, to targetDriver: any DatabaseDriver,
                       summary: inout SyncSummary, position: SyncPosition) async throws {
        var touched: [String: [[DatabaseValue]]] = [:]
        var seen: Set<String> = []
        for change in changes where seen.insert(change.table + "|" + Self.identity(change.key)).inserted {
            touched[change.table, default: []].append(change.key)
        }
        let tables = plan.tables.filter { touched[$0.source.name.description] != nil }
        try await targetDriver.withWriteTransaction {
            // A pass holds the rows as they are now, all at once: foreign keys (which can form
            // cycles: a store's manager is staff of that store) are checked at its commit.
            if let deferring = DatabaseConnector.support(for: targetDriver.engine).bulkLoad.deferForeignKeys {
                try await targetDriver.execute(unsafeSQL: deferring)
            }
            // Deletes children first, then upserts parents first.
            var present: [String: [Row]] = [:]
            for table in tables {
                present[table.source.name.description] = try await currentRows(of: table, keys: touched[table.source.name.description] ?? [], on: sourceDriver)
            }
            for table in tables.reversed() {
                let name = table.source.name.description
                let keys = touched[name] ?? []
                let living = Set((present[name] ?? []).map { Self.identity(Array($0.values.prefix(table.key.count))) })
                let gone = keys.filter { !living.contains(Self.identity($0)) }
                if !gone.isEmpty { summary.deleted[name, default: 0] += try await RowWriter(table: table, target: targetDriver).delete(keys: gone) }
            }
            for table in tables {
                let name = table.source.name.description
                let rows = present[name] ?? []
                if !rows.isEmpty { summary.upserted[name, default: 0] += try await RowWriter(table: table, target: targetDriver).upsert(rows) }
            }
            // Rows written with their own keys do not move identity counters: move them past.
            for table in tables where !(present[table.source.name.description] ?? []).isEmpty {
                for statement in PostDataStatements.counters(of: table, engine: targetDriver.engine) { try await targetDriver.execute(unsafeSQL: statement) }
            }
            try await position.advance(to: changes.last?.seq ?? 0)
            CrashPoint.reach("sync-pass-\(summary.passes)-before-commit")
        }
    }

    /// Without change capture: the rows whose watermark passed the last value seen, upserted in
    /// batches ordered by (watermark, key), each with the new position. Deletes are not seen.
    private func syncByWatermark(_ table: TableCopy, column: String, from sourceDriver: any DatabaseDriver, to targetDriver: any DatabaseDriver,
                                 position: SyncPosition, summary: inout SyncSummary) async throws {
        let quoter = sourceDriver.engine.quoter
        let name = table.source.name.description
        let mark = quoter.quote(column)
        let keys = table.key.map(quoter.quote)
        while true {
            try interrupt.check("sync", resumeAt: 0)
            let last = try await position.watermark(of: name) ?? ""
            var sql = "SELECT " + (keys + table.columns.map(\.select)).joined(separator: ", ") + ", \(sourceDriver.dialect.asText(mark))"
                + " FROM " + quoter.quote(table.source.name) + " WHERE \(mark) IS NOT NULL"
            // Numbers compare as numbers (SQLite sorts every integer before any text).
            let literal = { (value: String) in Double(value) != nil ? value : SQLIdentifierQuoter.literal(value) }
            if !last.isEmpty { sql += " AND \(mark) > \(literal(last))" }
            if let condition = table.condition { sql += " AND (\(condition))" }
            sql += " ORDER BY \(mark) LIMIT \(batch)"
            var rows = try await sourceDriver.query(unsafeSQL: sql)
            guard let newest = rows.last?.values.last?.textValue else { break }
            // Every row at the newest value goes in this batch, so the next one can start past it.
            if rows.count == batch {
                rows = try await sourceDriver.query(unsafeSQL: sql.replacingOccurrences(of: " LIMIT \(batch)", with: "")
                    .replacingOccurrences(of: " ORDER BY \(mark)", with: " AND \(mark) <= \(literal(newest)) ORDER BY \(mark)"))
            }
            let trimmed = rows.map { Row(columns: Array($0.columns.dropLast()), values: Array($0.values.dropLast())) }
            try await targetDriver.withWriteTransaction {
                summary.upserted[name, default: 0] += try await RowWriter(table: table, target: targetDriver).upsert(trimmed)
                for statement in PostDataStatements.counters(of: table, engine: targetDriver.engine) { try await targetDriver.execute(unsafeSQL: statement) }
                try await position.setWatermark(of: name, to: newest)
            }
            summary.passes += 1
            summary.changes += Int64(trimmed.count)
            if rows.count < batch { break }
        }
    }

    /// A key as one string, equal for equal values whichever way they were read (JSON numbers,
    /// integers, text).
    static func identity(_ key: [DatabaseValue]) -> String {
        key.map { value in
            switch value {
            case .integer(let number): "\(number)"
            case .real(let number): NumberText.plain(number)
            case .text(let text): "'" + text
            case .blob(let bytes): "x" + Hex.encode(bytes)
            case .null: "∅"
            }
        }.joined(separator: "\u{1f}")
    }

    /// The source rows (key columns first, then the copied columns) for these keys.
    private func currentRows(of table: TableCopy, keys: [[DatabaseValue]], on driver: any DatabaseDriver) async throws -> [Row] {
        let quoter = driver.engine.quoter
        let keyColumns = table.key.map(quoter.quote)
        let keyRow = keyColumns.count == 1 ? keyColumns[0] : "(" + keyColumns.joined(separator: ", ") + ")"
        var rows: [Row] = []
        for slice in stride(from: 0, to: keys.count, by: 500) {
            let literals = keys[slice..<min(slice + 500, keys.count)].map { BackfillBatchSQL.literal($0, engine: driver.engine) }
            var sql = "SELECT " + (keyColumns + table.columns.map(\.select)).joined(separator: ", ") + " FROM " + quoter.quote(table.source.name)
                + " WHERE \(keyRow) IN (\(literals.joined(separator: ", ")))"
            if let condition = table.condition { sql += " AND (\(condition))" }
            rows += try await driver.query(unsafeSQL: sql)
        }
        return rows
    }
}

/// Where a sync has got to: the last applied change, in the target (`godwit.sync_position`,
/// SQLite `godwit_sync_position`), written in the same transaction as the rows.
struct SyncPosition {
    /// The last change applied: its number, and on a PostgreSQL source the window of
    /// transactions being read (`low` ≤ xid < `high`; `high` is nil between windows).
    struct Mark {
        var seq: Int64
        var low: String?
        var high: String?
    }

    let driver: any DatabaseDriver
    private var table: String { driver.godwitTable("sync_position") }

    func install() async throws {
        if let namespace = driver.dialect.godwitNamespace { try await driver.execute(unsafeSQL: namespace) }
        try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(table) (id integer PRIMARY KEY, seq bigint NOT NULL, low text, high text)")
        // A position written by an earlier Godwit has no window columns yet.
        let columns = try await driver.query(unsafeSQL: driver.dialect.columnNames(ofGodwitTable: "sync_position")).compactMap { $0[0].textValue }
        for column in ["low", "high"] where !columns.contains(column) {
            try await driver.execute(unsafeSQL: "ALTER TABLE \(table) ADD COLUMN \(column) text")
        }
        try await driver.execute(unsafeSQL: "INSERT INTO \(table) (id, seq) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM \(table))")
    }

    /// Forgets the position and the watermarks (a sync undone with its copy or cutover).
    func remove() async throws {
        try await driver.execute(unsafeSQL: "DROP TABLE IF EXISTS \(table)")
        try await driver.execute(unsafeSQL: "DROP TABLE IF EXISTS \(watermarks)")
    }

    func position() async throws -> Mark {
        let row = try await driver.query(unsafeSQL: "SELECT seq, low, high FROM \(table) WHERE id = 1").first
        return Mark(seq: row?[0].integerValue ?? 0, low: row?[1].textValue, high: row?[2].textValue)
    }

    func advance(to seq: Int64) async throws {
        try await driver.execute(unsafeSQL: "UPDATE \(table) SET seq = \(seq) WHERE id = 1")
    }

    /// Starts reading the transactions before `high`.
    func openWindow(until high: String) async throws {
        try await driver.execute(unsafeSQL: "UPDATE \(table) SET high = \(SQLIdentifierQuoter.literal(high)), seq = 0 WHERE id = 1")
    }

    /// The window is read: the next starts at its end.
    func closeWindow() async throws {
        try await driver.execute(unsafeSQL: "UPDATE \(table) SET low = high, high = NULL, seq = 0 WHERE id = 1 AND high IS NOT NULL")
    }

    private var watermarks: String { driver.godwitTable("sync_watermarks") }

    /// The last watermark value a sync (or the copy's start) saw for a source table.
    func watermark(of sourceTable: String) async throws -> String? {
        try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(watermarks) (source_table text PRIMARY KEY, value text NOT NULL)")
        let placeholder = driver.dialect.parameter(1)
        return try await driver.query(unsafeSQL: "SELECT value FROM \(watermarks) WHERE source_table = \(placeholder)", bindings: [.text(sourceTable)]).first?[0].textValue
    }

    func setWatermark(of sourceTable: String, to value: String) async throws {
        try await driver.execute(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(watermarks) (source_table text PRIMARY KEY, value text NOT NULL)")
        let (a, b) = (driver.dialect.parameter(1), driver.dialect.parameter(2))
        try await driver.execute(unsafeSQL: "DELETE FROM \(watermarks) WHERE source_table = \(a)", bindings: [.text(sourceTable)])
        try await driver.execute(unsafeSQL: "INSERT INTO \(watermarks) (source_table, value) VALUES (\(a), \(b))", bindings: [.text(sourceTable), .text(value)])
    }
}
