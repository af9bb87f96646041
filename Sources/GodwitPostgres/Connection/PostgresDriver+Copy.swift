import Foundation
import Logging
import NIOCore
import PostgresNIO
public import GodwitCore

/// How the rows of a `COPY … FROM STDIN` are written.
public enum PostgresCopyFormat: Sendable {
    /// Tab-separated text (see ``CopyTextFormat``).
    case text
    /// PostgreSQL's binary format (see ``PostgresBinaryCopy``): rows only — the driver sends the
    /// header and the trailer.
    case binary
}

/// Where ``PostgresDriver/copyIn(table:columns:format:_:)`` sends the rows of one
/// `COPY … FROM STDIN`.
public struct PostgresCopySink: Sendable {
    fileprivate let writer: PostgresCopyFromWriter

    /// Sends rows already in the COPY's format.
    public func write(_ bytes: [UInt8]) async throws {
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    /// Sends rows already in the COPY's format, held in a NIO buffer.
    func write(_ buffer: ByteBuffer) async throws {
        try await writer.write(buffer)
    }
}

extension PostgresDriver {
    /// Loads rows with `COPY table (columns) FROM STDIN`: the fastest way into PostgreSQL.
    /// `body` writes the rows; when it throws, the COPY is cancelled and nothing of it stays.
    /// Inside a transaction the rows commit with it.
    public func copyIn(table: QualifiedName, columns: [String], format: PostgresCopyFormat = .text,
                       _ body: (PostgresCopySink) async throws -> Void) async throws {
        try requireOpen()
        do {
            try await connection.copyFrom(table: Self.copyStatementTail(table: table, columns: columns, format: format), logger: logger) { writer in
                let sink = PostgresCopySink(writer: writer)
                if format == .binary { try await sink.write(PostgresBinaryCopy.header) }
                try await body(sink)
                if format == .binary { try await sink.write(PostgresBinaryCopy.trailer) }
            }
        } catch let error as GodwitError {
            throw error
        } catch let error as PSQLError {
            throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
        }
    }

    /// What postgres-nio's `copyFrom` puts between its `COPY "` and `"`: the schema-qualified
    /// table, its columns and the format — all quoted here — then a comment that swallows the
    /// rest of the statement postgres-nio writes (`" FROM STDIN WITH (FORMAT text)`). Its own
    /// statement quotes the table as one bare identifier and knows only the text format. Its
    /// rest follows the comment on the same line (the copy tests hold it to that); line breaks
    /// inside quoted names come before the comment and do not end it.
    static func copyStatementTail(table: QualifiedName, columns: [String], format: PostgresCopyFormat) -> String {
        let quoter = SQLIdentifierQuoter.alwaysQuoted
        let qualified = quoter(table.schema ?? "public") + "." + quoter(table.name)
        let list = columns.isEmpty ? "" : " (" + columns.map(quoter).joined(separator: ", ") + ")"
        let statement = qualified + list + " FROM STDIN WITH (FORMAT \(format == .binary ? "binary" : "text")) --"
        return String(statement.dropFirst())  // postgres-nio writes the opening quote
    }
}

extension PostgresDriver {
    /// Streams the rows of `sql` into `target`'s `COPY … FROM STDIN (FORMAT binary)` as this
    /// server sent them: postgres-nio asks for every result column in binary form, which is the
    /// form binary COPY takes, so each cell's bytes become a COPY field unchanged — no value is
    /// decoded. For columns of the same built-in types on both servers (``PostgresBinaryType``).
    ///
    /// - Parameters:
    ///   - leading: columns at the front of each row that are read but not copied (the key the
    ///     caller resumes after); they are decoded for the last row of every page only.
    ///   - onPage: after each page of `pageSize` rows is written: its row count and its last
    ///     row's leading values.
    public func copyVerbatim(_ sql: String, leading: Int, into target: PostgresDriver, table: QualifiedName, columns: [String],
                             pageSize: Int = 5_000,
                             onPage: @Sendable (_ rows: Int, _ lastLeading: [DatabaseValue]) throws -> Void) async throws {
        try requireOpen()
        try await target.copyIn(table: table, columns: columns, format: .binary) { sink in
            do {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                var buffer = ByteBuffer()
                buffer.reserveCapacity(pageSize * 128)
                var count = 0
                var last: PostgresRow?
                for try await row in rows {
                    buffer.writeInteger(Int16(truncatingIfNeeded: row.count - leading))
                    for (position, cell) in row.enumerated() where position >= leading {
                        if let bytes = cell.bytes {
                            buffer.writeInteger(Int32(truncatingIfNeeded: bytes.readableBytes))
                            buffer.writeImmutableBuffer(bytes)
                        } else {
                            buffer.writeInteger(Int32(-1))
                        }
                    }
                    count += 1
                    last = row
                    if count == pageSize {
                        try onPage(count, try Self.leadingValues(of: row, count: leading))
                        try await sink.write(buffer)
                        buffer.clear()
                        count = 0
                    }
                }
                if count > 0, let last {
                    try onPage(count, try Self.leadingValues(of: last, count: leading))
                    try await sink.write(buffer)
                }
            } catch let error as PSQLError {
                throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
            }
        }
    }

    private static func leadingValues(of row: PostgresRow, count: Int) throws -> [DatabaseValue] {
        var values: [DatabaseValue] = []
        for (position, cell) in row.enumerated() where position < count {
            values.append(try PostgresValueDecoder.decode(cell, column: position))
        }
        return values
    }
}
