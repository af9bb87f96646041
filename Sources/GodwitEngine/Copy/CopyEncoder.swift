import Foundation
import GodwitCore
import GodwitSQLite

/// Rows already in COPY's text format, with what their chunk needs to know.
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

/// SQLite → PostgreSQL without intermediate values: each row, read in place on SQLite's
/// reading thread, is written straight into COPY bytes — integers as digits, text copied from
/// SQLite's buffer with escapes, dates PostgreSQL reads as they are passed through after
/// validation. Anything else goes the general way (a ``DatabaseValue`` and its
/// ``ColumnConversion``), so results and rejects are the same as on the general path.
struct CopyEncoder: Sendable {
    let converter: RowConverter
    let table: TableCopy
    /// Records a rejected row (and throws when the copy stops at rejects).
    let reject: @Sendable (_ key: String, _ column: String, _ reason: String) throws -> Void

    func encode(_ page: inout EncodedPage, _ row: SQLiteRawRow) throws {
        page.read += 1
        let keyCount = converter.keyCount
        if keyCount == 1, row.storage(0) == .integer {
            page.lastKey = .integer(row.integer(0))
        } else if keyCount > 0 {
            page.lastKey = .values((0..<keyCount).map { row.value($0) })
        }
        let start = page.bytes.count
        for index in converter.conversions.indices {
            if index > 0 { page.bytes.append(9) }
            do {
                try append(keyCount + index, conversion: converter.conversions[index], column: index, row: row, page: &page)
            } catch let failure as ConversionFailure {
                page.bytes.removeSubrange(start...)
                page.tally.discard()
                try reject(BackfillBatchSQL.literal((0..<keyCount).map { row.value($0) }, engine: .sqlite), table.columns[index].target.name, failure.reason)
                return
            }
        }
        page.bytes.append(10)
        page.tally.loaded += 1
        page.loaded += 1
    }

    private func append(_ position: Int, conversion: ColumnConversion, column: Int, row: SQLiteRawRow, page: inout EncodedPage) throws {
        let storage = row.storage(position)
        if storage == .null { return CopyTextFormat.appendNull(to: &page.bytes) }
        if conversion.uuidOfKeysIn == nil {
            switch (storage, conversion.targetKind) {
            case (.integer, .integer), (.integer, .decimal), (.integer, .float), (.integer, .text), (.integer, .other):
                return page.bytes.append(contentsOf: String(row.integer(position)).utf8)
            case (.real, .decimal), (.real, .float):
                let number = row.real(position)
                if number.isFinite { return page.bytes.append(contentsOf: "\(number)".utf8) }
            case (.text, .text), (.text, .other), (.text, .json), (.text, .time):
                let bytes = row.text(position)
                if bytes.contains(0) { throw ConversionFailure("a NUL character, which PostgreSQL text cannot hold") }
                return CopyTextFormat.appendField(bytes, to: &page.bytes)
            case (.text, .timestamp), (.text, .date):
                let bytes = row.text(position)
                if let instant = TemporalValue(utf8: bytes, epochUnit: conversion.epochUnit),
                   instant.format == .date || (instant.format == .localText && conversion.targetKind == .timestamp) {
                    page.tally.count(instant.format, column: column)
                    return CopyTextFormat.appendField(bytes, to: &page.bytes)
                }
            default: break
            }
        }
        var found: TemporalValue.Format?
        guard var text = try conversion.postgresText(row.value(position), found: &found) else { return CopyTextFormat.appendNull(to: &page.bytes) }
        if let found { page.tally.count(found, column: column) }
        text.withUTF8 { CopyTextFormat.appendField($0, to: &page.bytes) }
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
