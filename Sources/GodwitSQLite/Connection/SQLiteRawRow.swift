import Foundation
import GRDB
import GRDBSQLite
public import GodwitCore

/// The current row of a stepped statement, read in place: numbers and text straight from
/// SQLite's buffers, for bulk copies that turn values into bytes without making Swift values.
/// Valid only inside the callback it is handed to.
public struct SQLiteRawRow: BorrowedRow {
    /// SQLite's storage classes.
    public enum Storage { case null, integer, real, text, blob }

    let statement: OpaquePointer
    public let count: Int
    /// The result's column names (read once per statement).
    public let columnNames: [String]

    public func storage(_ index: Int) -> Storage {
        switch sqlite3_column_type(statement, Int32(index)) {
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        case SQLITE_TEXT: .text
        case SQLITE_BLOB: .blob
        default: .null
        }
    }

    public func integer(_ index: Int) -> Int64 { sqlite3_column_int64(statement, Int32(index)) }
    public func real(_ index: Int) -> Double { sqlite3_column_double(statement, Int32(index)) }

    /// The text's UTF-8 bytes, as SQLite holds them.
    public func text(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let length = Int(sqlite3_column_bytes(statement, Int32(index)))
        guard let start = sqlite3_column_text(statement, Int32(index)) else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: start, count: length)
    }

    /// The blob's bytes, as SQLite holds them, for the length of `body`.
    public func blob<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        let length = Int(sqlite3_column_bytes(statement, Int32(index)))
        guard let start = sqlite3_column_blob(statement, Int32(index)) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: length))
    }

    public func borrowed(_ index: Int) -> BorrowedValue {
        switch storage(index) {
        case .integer: .integer(integer(index))
        case .real: .real(real(index))
        case .text: .text(text(index))
        case .blob:
            blob(index) { .blob($0) }
        case .null: .null
        }
    }

    /// The value as a ``DatabaseValue`` (the general path).
    public func value(_ index: Int) -> GodwitCore.DatabaseValue {
        switch storage(index) {
        case .integer: return .integer(integer(index))
        case .real: return .real(real(index))
        case .text: return .text(String(decoding: text(index), as: UTF8.self))
        case .blob:
            return .blob(blob(index) { Array($0) })
        case .null: return .null
        }
    }
}

extension SQLiteDriver: InPlaceRowReading {
    public func fold<State: Sendable>(unsafeSQL sql: String, into initial: State,
                                      _ step: @escaping @Sendable (inout State, any BorrowedRow) throws -> Void) async throws -> State {
        try await run { db in
            let statement = try db.makeStatement(sql: sql)
            let cursor = try GRDB.Row.fetchCursor(statement)
            let row = SQLiteRawRow(statement: statement.sqliteStatement, count: statement.columnCount, columnNames: [])
            var state = initial
            // The cursor's row is the statement's current row: read it in place.
            while try cursor.next() != nil { try step(&state, row) }
            return state
        }
    }

    /// Runs a query and hands its rows, read in place, to `encode` on the reading thread, which
    /// folds them into pages of at most `pageSize` rows (started by `newPage`); `body` receives
    /// each page while the next is being read. Memory stays bounded by a couple of pages.
    public func forEachEncodedPage<Page: Sendable>(
        unsafeSQL sql: String,
        bindings: [GodwitCore.DatabaseValue] = [],
        pageSize: Int,
        newPage: @escaping @Sendable () -> Page,
        encode: @escaping @Sendable (inout Page, SQLiteRawRow) throws -> Void,
        _ body: @Sendable (Page) async throws -> Void
    ) async throws {
        let channel = PageChannel<Page>(capacity: 2)
        let path = self.path
        let pageSize = max(1, pageSize)
        let producer = Task {
            do {
                try await queue.writeWithoutTransaction { db in
                    let statement = try db.makeStatement(sql: sql)
                    try statement.setArguments(Self.arguments(bindings))
                    let cursor = try GRDB.Row.fetchCursor(statement)
                    let names = statement.columnNames
                    var page = newPage()
                    var rows = 0
                    while try cursor.next() != nil {
                        // The cursor's row is the statement's current row: read it in place.
                        try encode(&page, SQLiteRawRow(statement: statement.sqliteStatement, count: names.count, columnNames: names))
                        rows += 1
                        if rows == pageSize {
                            try channel.send(page)
                            page = newPage()
                            rows = 0
                        }
                    }
                    if rows > 0 { try channel.send(page) }
                }
                channel.finish()
            } catch let error as GodwitError {
                channel.finish(throwing: error)
            } catch {
                channel.finish(throwing: SQLiteErrorTranslator.translate(error, path: path))
            }
        }
        try await withTaskCancellationHandler {
            do {
                while let page = try await channel.next() { try await body(page) }
            } catch {
                channel.cancel()
                _ = await producer.result
                throw error
            }
        } onCancel: {
            channel.cancel()
        }
        _ = await producer.result
    }
}
