import Foundation
import Logging
import NIOCore
import PostgresNIO
public import GodwitCore

/// Where ``PostgresDriver/copyIn(table:columns:_:)`` sends the rows of one `COPY … FROM STDIN`.
public struct PostgresCopySink: Sendable {
    fileprivate let writer: PostgresCopyFromWriter

    /// Sends rows already in COPY's text format (see ``CopyTextFormat``).
    public func write(_ bytes: [UInt8]) async throws {
        try await writer.write(ByteBuffer(bytes: bytes))
    }
}

extension PostgresDriver {
    /// Loads rows with `COPY table (columns) FROM STDIN` in text format: the fastest way into
    /// PostgreSQL. `body` writes the rows; when it throws, the COPY is cancelled and nothing of
    /// it stays. Inside a transaction the rows commit with it.
    ///
    /// postgres-nio quotes the table as one identifier, so the table's schema becomes the
    /// session's `search_path` (a copy session only copies).
    public func copyIn(table: QualifiedName, columns: [String], _ body: (PostgresCopySink) async throws -> Void) async throws {
        let schema = table.schema ?? "public"
        let doubled = { (name: String) in name.replacingOccurrences(of: "\"", with: "\"\"") }
        do {
            try await execute(unsafeSQL: "SELECT set_config('search_path', $1, false)", bindings: [.text(SQLIdentifierQuoter.alwaysQuoted(schema))])
            try await connection.copyFrom(table: doubled(table.name), columns: columns.map(doubled), logger: logger) { writer in
                try await body(PostgresCopySink(writer: writer))
            }
        } catch let error as GodwitError {
            throw error
        } catch let error as PSQLError {
            throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
        }
    }
}
