import Foundation
public import GodwitCore
import GodwitEngine

/// What a database holds, for comparing before and after: its schema without statistics and
/// without Godwit's own helpers, and a digest of every table's rows.
public struct DatabaseState: Equatable, Sendable {
    public var schema: Schema
    public var digests: [TableDigest]

    /// Reads the state of `url`.
    public static func of(_ url: DatabaseURL) async throws -> DatabaseState {
        let schema = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
        return DatabaseState(schema: schema.removingGodwitHelpers(), digests: try await DatabaseDigests.all(url))
    }
}
