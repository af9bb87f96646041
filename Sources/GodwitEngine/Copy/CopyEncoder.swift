import Foundation
import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// Rows already in a COPY format, with what their chunk needs to know.
struct EncodedPage: Sendable {
    var bytes: [UInt8] = []
    var read = 0
    var loaded: Int64 = 0
    var lastKey: LastKey = .none
    var tally: FormatTally

    enum LastKey: Sendable {
        case none
        case integer(Int64)
        case values([DatabaseValue])
    }

    init(columns: Int) {
        tally = FormatTally(columns: columns)
        bytes.reserveCapacity(5_000 * 96)
    }
}

/// What the per-value loop needs of one column, worked out once per table and free of
/// references, so reading it costs no reference counting.
struct EncodedColumn: Sendable {
    var targetKind: ValueKind
    var epochUnit: TemporalValue.EpochUnit
    /// Zone-less times are read as UTC.
    var readsTimesAsUTC: Bool
    /// Integer keys become UUIDs, JSON arrays become arrays: always the general way.
    var mapsKeysToUUIDs: Bool
    /// The column's binary type when the table loads in binary format.
    var binaryType: PostgresBinaryType?

    init(_ conversion: ColumnConversion, binaryType: PostgresBinaryType?) {
        targetKind = conversion.targetKind
        epochUnit = conversion.epochUnit
        readsTimesAsUTC = conversion.zone.isUTC
        mapsKeysToUUIDs = conversion.uuidOfKeysIn != nil || conversion.jsonArrayToArray
        self.binaryType = binaryType
    }
}

/// SQLite → PostgreSQL without intermediate values: each row, read in place on SQLite's
/// reading thread, is written straight into COPY bytes, in binary format when every column
/// has a binary type (integers, floats, times as numbers; text from SQLite's buffer) and in
/// text format otherwise (dates PostgreSQL reads passed through after validation). Anything
/// else goes the general way (a ``DatabaseValue`` and its ``ColumnConversion``), so results
/// and rejects are the same as on the general path.
///
/// This is the one place where copy code meets both drivers' own row formats: SQLite's raw rows
/// and PostgreSQL's binary COPY.
struct CopyEncoder: Sendable {
    let converter: RowConverter
    let table: TableCopy
    let format: PostgresCopyFormat
    private let columns: [EncodedColumn]
    /// Records a rejected row (and throws when the copy stops at rejects).
    let reject: @Sendable (_ key: String, _ column: String, _ reason: String) throws -> Void

    init(converter: RowConverter, table: TableCopy, reject: @escaping @Sendable (_ key: String, _ column: String, _ reason: String) throws -> Void) {
        self.converter = converter
        self.table = table
        self.reject = reject
        let binaryTypes = table.target.columns.map { PostgresBinaryType(declaredType: $0.type) }
        format = binaryTypes.contains(nil) ? .text : .binary
        columns = zip(converter.conversions, binaryTypes).map { EncodedColumn($0, binaryType: $1) }
    }

    func encode(_ page: inout EncodedPage, _ row: SQLiteRawRow) throws {
        page.read += 1
        let keyCount = converter.keyCount
        if keyCount == 1, row.storage(0) == .integer {
            page.lastKey = .integer(row.integer(0))
        } else if keyCount > 0 {
            page.lastKey = .values((0..<keyCount).map { row.value($0) })
        }
        let start = page.bytes.count
        if format == .binary { PostgresBinaryCopy.appendRowStart(fields: columns.count, to: &page.bytes) }
        for index in columns.indices {
            do {
                if format == .binary {
                    try appendBinary(keyCount + index, column: index, row: row, page: &page)
                } else {
                    if index > 0 { page.bytes.append(9) }
                    try appendText(keyCount + index, column: index, row: row, page: &page)
                }
            } catch let failure as ConversionFailure {
                page.bytes.removeSubrange(start...)
                page.tally.discard()
                try reject(BackfillBatchSQL.literal((0..<keyCount).map { row.value($0) }, engine: .sqlite), table.columns[index].target.name, failure.reason)
                return
            }
        }
        if format == .text { page.bytes.append(10) }
        page.tally.loaded += 1
        page.loaded += 1
    }

    private func appendText(_ position: Int, column: Int, row: SQLiteRawRow, page: inout EncodedPage) throws {
        let storage = row.storage(position)
        if storage == .null { return CopyTextFormat.appendNull(to: &page.bytes) }
        let encoded = columns[column]
        if !encoded.mapsKeysToUUIDs {
            switch (storage, encoded.targetKind) {
            case (.integer, .integer), (.integer, .decimal), (.integer, .float), (.integer, .text), (.integer, .other):
                return CopyTextFormat.appendInteger(row.integer(position), to: &page.bytes)
            case (.integer, .boolean):
                switch row.integer(position) {
                case 0: return page.bytes.append(102)  // f
                case 1: return page.bytes.append(116)  // t
                default: break
                }
            case (.real, .decimal), (.real, .float):
                if let decimal = ScaledDecimal(row.real(position)) { return decimal.append(to: &page.bytes) }
            case (.text, .text), (.text, .other), (.text, .json), (.text, .time):
                let bytes = row.text(position)
                if bytes.contains(0) { throw ConversionFailure("a NUL character, which PostgreSQL text cannot hold") }
                return CopyTextFormat.appendField(bytes, to: &page.bytes)
            case (.text, .timestamp), (.text, .date):
                let bytes = row.text(position)
                if let instant = TemporalValue(utf8: bytes, epochUnit: encoded.epochUnit),
                   instant.format == .date || (instant.format == .localText && encoded.targetKind == .timestamp) {
                    page.tally.count(instant.format, column: column)
                    return CopyTextFormat.appendField(bytes, to: &page.bytes)
                }
            default: break
            }
        }
        guard var text = try general(position, column: column, row: row, page: &page)?.copyText else { return CopyTextFormat.appendNull(to: &page.bytes) }
        text.withUTF8 { CopyTextFormat.appendField($0, to: &page.bytes) }
    }

    private func appendBinary(_ position: Int, column: Int, row: SQLiteRawRow, page: inout EncodedPage) throws {
        let storage = row.storage(position)
        if storage == .null { return PostgresBinaryCopy.appendNull(to: &page.bytes) }
        let encoded = columns[column]
        guard let type = encoded.binaryType else { preconditionFailure("a binary copy with a column of no binary type") }
        if !encoded.mapsKeysToUUIDs {
            switch (storage, type) {
            case (.integer, .int8), (.integer, .int4), (.integer, .int2):
                return try PostgresBinaryCopy.appendInteger(row.integer(position), as: type, to: &page.bytes)
            case (.integer, .float8): return PostgresBinaryCopy.appendFloat(Double(row.integer(position)), to: &page.bytes)
            case (.integer, .bool):
                let number = row.integer(position)
                if number == 0 || number == 1 { return PostgresBinaryCopy.appendBool(number == 1, to: &page.bytes) }
            case (.real, .float8): return PostgresBinaryCopy.appendFloat(row.real(position), to: &page.bytes)
            case (.integer, .numeric), (.real, .numeric):
                let decimal = storage == .integer ? ScaledDecimal(integer: row.integer(position)) : ScaledDecimal(row.real(position))
                if let decimal { return PostgresBinaryCopy.appendNumeric(decimal, to: &page.bytes) }
            case (.text, .text), (.text, .json), (.text, .jsonb):
                let bytes = row.text(position)
                if bytes.contains(0) { throw ConversionFailure("a NUL character, which PostgreSQL text cannot hold") }
                return type == .jsonb ? PostgresBinaryCopy.appendJSONB(bytes, to: &page.bytes) : PostgresBinaryCopy.appendBytes(bytes, to: &page.bytes)
            case (.text, .timestamp), (.text, .timestamptz), (.text, .date):
                guard let instant = TemporalValue(utf8: row.text(position), epochUnit: encoded.epochUnit) else { break }
                switch type {
                case .date where instant.format == .date:
                    try PostgresBinaryCopy.appendDate(instant.days, to: &page.bytes)
                case .timestamp where !instant.isZoned, .timestamptz where instant.isZoned || encoded.readsTimesAsUTC:
                    PostgresBinaryCopy.appendTimestamp(instant.microseconds, to: &page.bytes)
                default: return try appendGeneral(position, column: column, type: type, row: row, page: &page)
                }
                return page.tally.count(instant.format, column: column)
            case (.blob, .bytea):
                return row.blob(position) { PostgresBinaryCopy.appendBytes($0, to: &page.bytes) }
            default: break
            }
        }
        try appendGeneral(position, column: column, type: type, row: row, page: &page)
    }

    private func appendGeneral(_ position: Int, column: Int, type: PostgresBinaryType, row: SQLiteRawRow, page: inout EncodedPage) throws {
        guard let value = try general(position, column: column, row: row, page: &page) else { return PostgresBinaryCopy.appendNull(to: &page.bytes) }
        try PostgresBinaryCopy.append(value, as: type, to: &page.bytes)
    }

    /// The value through its column's conversion.
    private func general(_ position: Int, column: Int, row: SQLiteRawRow, page: inout EncodedPage) throws -> PostgresValue? {
        var found: TemporalValue.Format?
        let value = try converter.conversions[column].postgresValue(row.value(position), found: &found)
        if let found { page.tally.count(found, column: column) }
        return value
    }
}

extension EncodedPage.LastKey {
    /// The key as the SQL literal the chunk query resumes after.
    var literal: String? {
        switch self {
        case .none: nil
        case .integer(let value): "(\(value))"
        case .values(let values): BackfillBatchSQL.literal(values, engine: .sqlite)
        }
    }
}

extension CopyEncoder {
    /// Loads the chunk `sql` reads without the general conversion, where the two engines allow:
    /// SQLite → PostgreSQL straight from SQLite's reading thread into a COPY; PostgreSQL →
    /// PostgreSQL, for a table every column of which passes as it is (``TableCopy/passesVerbatim``),
    /// the source's binary cells into a binary COPY. False (nothing done) for anything else.
    static func loadDirectly(_ sql: String, from source: any DatabaseDriver, into target: any DatabaseDriver, table: TableCopy,
                             converter: RowConverter, state: ChunkState,
                             reject: @escaping @Sendable (_ key: String, _ column: String, _ reason: String) throws -> Void) async throws -> Bool {
        if let from = source as? PostgresDriver, let into = target as? PostgresDriver, table.passesVerbatim {
            let types = table.columns.compactMap { column in column.sourceName.flatMap { table.source.column(named: $0)?.type } }
            try await from.copyVerbatim(sql, keyCount: table.key.count, types: types, into: into, table: table.target.name,
                                        columns: table.target.columns.map(\.name)) { rows, key in
                state.notePage(read: rows, loaded: Int64(rows), lastKey: key.isEmpty ? nil : BackfillBatchSQL.literal(key, engine: .postgresql),
                               formats: [:])
            }
            return true
        }
        guard let sqlite = source as? SQLiteDriver, let postgres = target as? PostgresDriver else { return false }
        let encoder = CopyEncoder(converter: converter, table: table, reject: reject)
        let count = table.columns.count
        try await postgres.copyIn(table: table.target.name, columns: table.target.columns.map(\.name), format: encoder.format) { sink in
            try await sqlite.forEachEncodedPage(unsafeSQL: sql, pageSize: 5_000, newPage: { EncodedPage(columns: count) },
                                                encode: { page, row in try encoder.encode(&page, row) }) { page in
                state.notePage(read: page.read, loaded: page.loaded, lastKey: page.lastKey.literal, formats: page.tally.named(table.columns))
                if !page.bytes.isEmpty { try await sink.write(page.bytes) }
            }
        }
        return true
    }
}

extension TableCopy {
    /// PostgreSQL → PostgreSQL: whether every column is a source column copied as it is into a
    /// column of the same built-in type, so the server's binary form of each value is what the
    /// target's binary COPY reads. Enums, domains and arrays (whose binary forms name types by
    /// OIDs of one database), conversions, computed columns and mapped keys go the general way.
    var passesVerbatim: Bool {
        guard !columns.isEmpty else { return false }
        let quoter = Engine.postgresql.quoter
        return columns.allSatisfy { column in
            guard let name = column.sourceName, column.select == quoter.quote(name), let original = source.column(named: name),
                  column.conversion.uuidOfKeysIn == nil, !column.conversion.jsonArrayToArray,
                  column.conversion.sourceKind == column.conversion.targetKind,
                  PostgresTypeName.canonical(original.type) == PostgresTypeName.canonical(column.target.type) else { return false }
            return PostgresBinaryType(declaredType: original.type) != nil
        }
    }
}
