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
