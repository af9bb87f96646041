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
    /// Copies the rows of `sql` into `target`'s `COPY … FROM STDIN (FORMAT binary)` without
    /// decoding a value: this server writes each value's binary form (its type's send
    /// function, what its own binary COPY writes) and joins the rows of each page of
    /// `pageSize` into COPY tuples, so a page arrives as one value whose bytes go to the target
    /// as they are. Per row the client does nothing; per value it did a dozen allocations.
    /// For columns of built-in types (``PostgresBinaryType``), the same on both servers.
    ///
    /// - Parameters:
    ///   - sql: a query whose first `keyCount` columns are the key the caller resumes after and
    ///     whose other columns, in order, are those of `columns`, declared `types` in the source.
    ///   - onPage: after each page is written: its row count and its last row's key.
    public func copyVerbatim(_ sql: String, keyCount: Int, types: [String], into target: PostgresDriver, table: QualifiedName,
                             columns: [String], pageSize: Int = 5_000,
                             onPage: @Sendable (_ rows: Int, _ lastKey: [DatabaseValue]) throws -> Void) async throws {
        let statement = try Self.verbatimPages(of: sql, keyCount: keyCount, types: types, pageSize: pageSize)
        try requireOpen()
        try await target.copyIn(table: table, columns: columns, format: .binary) { sink in
            do {
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) {
                    let cells = Array(row)
                    guard cells.count == keyCount + 2, let bytes = cells[keyCount + 1].bytes else { continue }
                    let key = try cells.prefix(keyCount).enumerated().map { try PostgresValueDecoder.decode($1, column: $0) }
                    let rows = try PostgresValueDecoder.decode(cells[keyCount], column: keyCount).integerValue ?? 0
                    try onPage(Int(rows), key)
                    try await sink.write(bytes)
                }
            } catch let error as PSQLError {
                throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
            }
        }
    }

    /// The query behind ``copyVerbatim(_:keyCount:types:into:table:columns:pageSize:onPage:)``:
    /// per page, the last row's key, the row count and the page's COPY tuples (a 16-bit field
    /// count, then each value as a 32-bit length, or -1 for NULL, and its bytes).
    static func verbatimPages(of sql: String, keyCount: Int, types: [String], pageSize: Int) throws -> String {
        let keys = (0..<keyCount).map { "godwit_k\($0)" }
        let values = types.indices.map { "godwit_v\($0)" }
        let sends = try zip(values, types).enumerated().map { offset, pair in
            guard let send = PostgresBinaryType.sendFunction(declaredType: pair.1) else {
                throw GodwitError(.internalError, "No binary form for a column of type \(pair.1)")
            }
            return "\(send)(\(pair.0)) AS godwit_s\(offset)"
        }
        let fieldCount = String(format: "%04x", types.count)
        let fields = types.indices.map { "coalesce(int4send(octet_length(godwit_s\($0))) || godwit_s\($0), '\\xffffffff'::bytea)" }
        let lastKey = keys.map { "(array_agg(\($0) ORDER BY godwit_row DESC))[1]" }
        return """
            SELECT \((lastKey + ["count(*)", "string_agg(godwit_tuple, ''::bytea ORDER BY godwit_row)"]).joined(separator: ", "))
            FROM (SELECT godwit_row, \((keys + ["'\\x\(fieldCount)'::bytea || " + fields.joined(separator: " || ") + " AS godwit_tuple"]).joined(separator: ", "))
                  FROM (SELECT row_number() OVER () AS godwit_row, \((keys + sends).joined(separator: ", "))
                        FROM (\(sql)) AS godwit_chunk(\((keys + values).joined(separator: ", "))) OFFSET 0) AS godwit_sent) AS godwit_tuples
            GROUP BY (godwit_row - 1) / \(pageSize)
            ORDER BY (godwit_row - 1) / \(pageSize)
            """
    }
}
