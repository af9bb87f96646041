import Foundation
import GodwitCore

/// Copies one part of one table in committed chunks: each chunk reads the next `chunkRows`
/// rows after the last copied key, converts them, loads them through the target's
/// ``BulkLoading`` (PostgreSQL: `COPY … FROM STDIN`; SQLite: one prepared INSERT per row) and
/// moves the recorded key on — all in one target
/// transaction. A chunk the target refuses is loaded again in halves under savepoints until
/// each refused row stands alone and goes to the reject file.
struct TableCopier: Sendable {
    let table: TableCopy
    let source: any DatabaseDriver
    let target: any DatabaseDriver
    let spec: CopySpec
    let rejects: RejectLog
    let tally: CopyTally
    let interrupt: InterruptSignal
    private let converter: RowConverter

    init(table: TableCopy, source: any DatabaseDriver, target: any DatabaseDriver, spec: CopySpec, rejects: RejectLog,
         tally: CopyTally, interrupt: InterruptSignal) {
        self.table = table
        self.source = source
        self.target = target
        self.spec = spec
        self.rejects = rejects
        self.tally = tally
        self.interrupt = interrupt
        converter = RowConverter(table)
    }

    private var quoter: SQLIdentifierQuoter { source.engine.quoter }
    private var targetQuoter: SQLIdentifierQuoter { target.engine.quoter }

    func copy(_ start: CopyPart) async throws -> CopyPart {
        var part = start
        if let relaxed = try loader.relaxedDurability { try await target.execute(unsafeSQL: relaxed) }
        var chunk = 0
        while !part.isDone {
            try interrupt.check("copy", resumeAt: 0)
            chunk += 1
            part = try await copyChunk(part, number: chunk)
        }
        return part
    }

    /// The source query for the chunk after `part.lastKey`.
    private func chunkQuery(_ part: CopyPart) -> String {
        let keys = table.key.map(quoter.quote)
        let keyRow = keys.count == 1 ? keys[0] : "(" + keys.joined(separator: ", ") + ")"
        var conditions: [String] = []
        if let condition = table.condition { conditions.append("(\(condition))") }
        if !keys.isEmpty { conditions += part.remainingKeyConditions(keyRow) }
        var sql = "SELECT " + (keys + table.columns.map(\.select)).joined(separator: ", ") + " FROM " + quoter.quote(table.source.name)
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !keys.isEmpty { sql += " ORDER BY " + keys.joined(separator: ", ") + " LIMIT \(spec.chunkRows)" }
        return sql
    }

    private func copyChunk(_ start: CopyPart, number: Int) async throws -> CopyPart {
        let sql = chunkQuery(start)
        let state = ChunkState()
        let part = try await target.withWriteTransaction {
            if table.key.isEmpty { try await target.execute(unsafeSQL: "DELETE FROM \(targetQuoter.quote(table.target.name))") }
            do {
                try await target.execute(unsafeSQL: "SAVEPOINT godwit_chunk")
                try await load(sql, state: state)
                try await target.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_chunk")
            } catch let error as GodwitError where error.isDataRefusal {
                // The target refused a row the conversion let through: find it (them) by halving.
                try await target.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_chunk")
                state.reset()
                let rows = try await readConverted(sql, state: state)
                try await loadCarefully(rows[...], state: state)
            }
            var part = start
            part.rowsCopied += state.loaded
            part.rowsRejected += state.rejected
            if let last = state.lastKey { part.lastKey = last }
            part.isDone = table.key.isEmpty || state.read < spec.chunkRows
            try await CopyProgressStore(driver: target).advance(part)
            CrashPoint.reach("copy-\(table.source.name.name)-chunk-\(number)-before-commit")
            return part
        }
        CrashPoint.reach("copy-\(table.source.name.name)-chunk-\(number)-after-commit")
        tally.add(rows: state.loaded, rejected: state.rejected, formats: state.formats, table: table.target.name.description)
        return part
    }

    /// The target as a bulk loader.
    private var loader: any BulkLoading {
        get throws {
            guard let loader = target as? any BulkLoading else { throw GodwitError(.invalidArgument, "Cannot copy into \(target.engine)") }
            return loader
        }
    }

    /// Streams the chunk from the source into the target: straight from the source's own row
    /// format where a bridge between the two engines exists (``CopyEncoder``), else page by page
    /// through ``RowConverter`` in the form the target loads.
    private func load(_ sql: String, state: ChunkState) async throws {
        let columns = table.target.columns.map(\.name)
        let direct = try await CopyEncoder.loadDirectly(sql, from: source, into: target, table: table, converter: converter, state: state) {
            key, column, reason in try reject(key: key, column: column, reason: reason, state: state)
        }
        if direct { return }
        let loader = try loader, form = loader.bulkRowForm
        try await loader.bulkLoad(into: table.target.name, columns: columns) { sink in
            try await source.forEachPage(unsafeSQL: sql, bindings: [], pageSize: 5_000) { page in
                var tally = FormatTally(columns: table.columns.count)
                var batch = RowBatch(form: form, rows: page.count)
                for row in page {
                    do {
                        try batch.append(converter.convert(row, form: form, tally: &tally))
                    } catch let failure as ColumnFailure {
                        try reject(key: keyLiteral(row), column: table.columns[failure.column].target.name, reason: failure.reason, state: state)
                    }
                }
                state.notePage(read: page.count, loaded: tally.loaded, lastKey: page.last.map(keyLiteral), formats: tally.named(table.columns))
                try await sink.write(batch.rows)
            }
        }
    }

    /// The chunk again, converted and held in memory (only after the target refused it).
    private func readConverted(_ sql: String, state: ChunkState) async throws -> [ConvertedRow] {
        let collected = ConvertedRows()
        let form = try loader.bulkRowForm
        try await source.forEachPage(unsafeSQL: sql, bindings: [], pageSize: 5_000) { page in
            var tally = FormatTally(columns: table.columns.count)
            for row in page {
                do {
                    collected.append(ConvertedRow(key: keyLiteral(row), row: try converter.convert(row, form: form, tally: &tally)))
                } catch let failure as ColumnFailure {
                    try reject(key: keyLiteral(row), column: table.columns[failure.column].target.name, reason: failure.reason, state: state)
                }
            }
            state.notePage(read: page.count, loaded: tally.loaded, lastKey: page.last.map(keyLiteral), formats: tally.named(table.columns))
        }
        state.loaded = 0
        return collected.rows
    }

    /// Loads `rows` under a savepoint; when the target refuses, halves them until the refused
    /// rows stand alone, and rejects those.
    private func loadCarefully(_ rows: ArraySlice<ConvertedRow>, state: ChunkState) async throws {
        guard !rows.isEmpty else { return }
        try await target.execute(unsafeSQL: "SAVEPOINT godwit_half")
        do {
            try await loadConverted(rows)
            try await target.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_half")
            state.loaded += Int64(rows.count)
        } catch let error as GodwitError where error.isDataRefusal {
            try await target.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_half")
            try await target.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_half")
            if rows.count == 1, let row = rows.first {
                try reject(key: row.key, column: nil, reason: RedactedReason.of(error), state: state)
                return
            }
            let middle = rows.startIndex + rows.count / 2
            try await loadCarefully(rows[rows.startIndex..<middle], state: state)
            try await loadCarefully(rows[middle...], state: state)
        }
    }

    private func loadConverted(_ rows: ArraySlice<ConvertedRow>) async throws {
        let loader = try loader
        var batch = RowBatch(form: loader.bulkRowForm, rows: rows.count)
        for row in rows { batch.append(row.row) }
        try await loader.bulkLoad(into: table.target.name, columns: table.target.columns.map(\.name), batch.rows)
    }

    private func keyLiteral(_ row: Row) -> String {
        BackfillBatchSQL.literal(Array(row.values.prefix(table.key.count)), engine: source.engine)
    }

    private func reject(key: String, column: String?, reason: String, state: ChunkState) throws {
        try rejects.append(table: table.source.name.description, key: key, column: column, reason: reason)
        state.rejected += 1
        if spec.rejectAction == .stop {
            throw GodwitError(.integrityFailure, "A row of \(table.source.name) cannot be loaded into \(table.target.name)",
                              location: rejects.path, reason: (column.map { "column \($0): " } ?? "") + reason,
                              remedy: "The reject file names its key. Fix the row or the copy file (a type, a where:), or set rejects: {action: continue}; then run godwit copy again: it resumes.")
        }
    }
}

extension GodwitError {
    /// The target refused a row's data (SQLSTATE class 22 or 23; SQLite constraint errors).
    var isDataRefusal: Bool {
        guard let code = engineCode else { return code == .integrityFailure }
        return code.hasPrefix("22") || code.hasPrefix("23") || code.hasPrefix("SQLITE_CONSTRAINT") || code == "19"
    }
}

/// An engine's complaint about a row, without the value it quotes (`invalid input syntax for
/// type integer: "…"`).
enum RedactedReason {
    static func of(_ error: GodwitError) -> String {
        let text = error.reason ?? error.summary
        return text.replacingOccurrences(of: #""[^"]*""#, with: "\"…\"", options: .regularExpression)
            .replacingOccurrences(of: #"\([^()]*\)=\([^()]*\)"#, with: "(…)=(…)", options: .regularExpression)
    }
}

/// What one chunk read, loaded and rejected, shared with the page handlers.
final class ChunkState: @unchecked Sendable {
    private let lock = NSLock()
    private var _read = 0
    private var _loaded: Int64 = 0
    private var _rejected: Int64 = 0
    private var _lastKey: String?
    private var _formats: [String: [TemporalValue.Format: Int64]] = [:]

    var read: Int { lock.withLock { _read } }
    var loaded: Int64 { get { lock.withLock { _loaded } } set { lock.withLock { _loaded = newValue } } }
    var rejected: Int64 { get { lock.withLock { _rejected } } set { lock.withLock { _rejected = newValue } } }
    var lastKey: String? { lock.withLock { _lastKey } }
    var formats: [String: [TemporalValue.Format: Int64]] { lock.withLock { _formats } }

    /// One page handled: rows read and loaded, the last key read, time formats found.
    func notePage(read: Int, loaded: Int64, lastKey: String?, formats: [String: [TemporalValue.Format: Int64]]) {
        lock.withLock {
            _read += read
            _loaded += loaded
            if let lastKey { _lastKey = lastKey }
            for (column, counts) in formats {
                for (format, count) in counts { _formats[column, default: [:]][format, default: 0] += count }
            }
        }
    }

    func reset() {
        lock.withLock {
            _read = 0
            _loaded = 0
            _rejected = 0
            _lastKey = nil
            _formats = [:]
        }
    }
}

/// One converted row, in the target's form, with its key for the reject file.
struct ConvertedRow: Sendable {
    var key: String
    var row: RowConverter.Converted
}

/// Converted rows gathered into one batch of the target's form.
struct RowBatch {
    private var text: [UInt8] = []
    private var values: [[DatabaseValue]] = []
    let form: BulkRowForm

    init(form: BulkRowForm, rows: Int) {
        self.form = form
        switch form {
        case .copyText: text.reserveCapacity(rows * 96)
        case .boundValues: values.reserveCapacity(rows)
        }
    }

    mutating func append(_ row: RowConverter.Converted) {
        switch row {
        case .textFields(let fields): CopyTextFormat.appendRow(fields, to: &text)
        case .values(let row): values.append(row)
        }
    }

    var rows: BulkRows {
        switch form {
        case .copyText: .copyText(text)
        case .boundValues: .boundValues(values)
        }
    }
}

/// Converted rows gathered from page handlers.
private final class ConvertedRows: @unchecked Sendable {
    private let lock = NSLock()
    private var _rows: [ConvertedRow] = []
    func append(_ row: ConvertedRow) { lock.withLock { _rows.append(row) } }
    var rows: [ConvertedRow] { lock.withLock { _rows } }
}

/// Time formats found on one page, counted per column without locks or string keys.
struct FormatTally {
    private var counts: [[Int64]]
    /// Formats of the row being converted, until it is kept or discarded.
    private var pending: [(column: Int, format: Int)] = []
    var loaded: Int64 = 0 {
        didSet { for item in pending { counts[item.column][item.format] += 1 }; pending.removeAll(keepingCapacity: true) }
    }
    private static let formats = TemporalValue.Format.allCases

    init(columns: Int) { counts = Array(repeating: Array(repeating: 0, count: Self.formats.count), count: columns) }

    mutating func count(_ format: TemporalValue.Format, column: Int) {
        pending.append((column, Self.formats.firstIndex(of: format) ?? 0))
    }

    mutating func discard() { pending.removeAll(keepingCapacity: true) }

    func named(_ columns: [ColumnCopy]) -> [String: [TemporalValue.Format: Int64]] {
        var named: [String: [TemporalValue.Format: Int64]] = [:]
        for (index, row) in counts.enumerated() {
            for (position, count) in row.enumerated() where count > 0 { named[columns[index].target.name, default: [:]][Self.formats[position]] = count }
        }
        return named
    }
}

/// A value of a row that its column cannot take.
struct ColumnFailure: Error {
    let column: Int
    let reason: String
}

/// Converts source rows (key columns first, then the copied columns) into what the target
/// takes, counting the time formats it reads.
struct RowConverter: Sendable {
    /// The columns' conversions, kept apart so the per-value loop copies nothing.
    let conversions: [ColumnConversion]
    let keyCount: Int

    init(_ table: TableCopy) {
        conversions = table.columns.map(\.conversion)
        keyCount = table.key.count
    }

    /// One row converted for a target.
    enum Converted: Sendable {
        /// Each value as COPY text (nil for NULL).
        case textFields([String?])
        /// Each value to bind.
        case values([DatabaseValue])
    }

    /// The row in the form the target loads.
    func convert(_ row: Row, form: BulkRowForm, tally: inout FormatTally) throws -> Converted {
        switch form {
        case .copyText: .textFields(try convert(row, tally: &tally) { conversion, value, found in try conversion.postgresText(value, found: &found) })
        case .boundValues: .values(try convert(row, tally: &tally) { conversion, value, found in try conversion.sqliteValue(value, found: &found) })
        }
    }

    /// Rows in the form the target loads, as one batch.
    func batch(_ rows: [Row], form: BulkRowForm, tally: inout FormatTally) throws -> BulkRows {
        var batch = RowBatch(form: form, rows: rows.count)
        for row in rows { batch.append(try convert(row, form: form, tally: &tally)) }
        return batch.rows
    }

    /// Each copied value through its column's conversion; a failure names the column.
    private func convert<Value>(_ row: Row, tally: inout FormatTally,
                                _ each: (ColumnConversion, DatabaseValue, inout TemporalValue.Format?) throws -> Value) throws -> [Value] {
        var values: [Value] = []
        values.reserveCapacity(conversions.count)
        for index in conversions.indices {
            var found: TemporalValue.Format?
            do {
                values.append(try each(conversions[index], row.values[keyCount + index], &found))
            } catch let failure as ConversionFailure {
                tally.discard()
                throw ColumnFailure(column: index, reason: failure.reason)
            }
            if let found { tally.count(found, column: index) }
        }
        tally.loaded += 1
        return values
    }
}
