import Foundation
public import GodwitCore

/// A throwaway database of the same engine as a URL, for reading a desired schema: SQLite in
/// memory; PostgreSQL a temporary database on the same server, dropped afterwards even when the
/// work fails.
public enum ScratchDatabase {
    public static func with<Result: Sendable>(
        like url: DatabaseURL,
        _ body: (any DatabaseDriver) async throws -> Result
    ) async throws -> Result {
        switch url {
        case .sqlite:
            return try await DatabaseConnector.withDriver(.sqlite(.init(path: ":memory:")), access: .create, body)
        case .postgres(let endpoint):
            let name = "godwit_scratch_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))"
            let admin = DatabaseURL.postgres(endpoint)
            _ = try await DatabaseConnector.withDriver(admin) { try await $0.execute(unsafeSQL: "CREATE DATABASE \(name)") }
            do {
                let result = try await DatabaseConnector.withDriver(.postgres(endpoint.selectingDatabase(name)), body)
                _ = try await DatabaseConnector.withDriver(admin) { try await $0.execute(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)") }
                return result
            } catch {
                _ = try? await DatabaseConnector.withDriver(admin) { try await $0.execute(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)") }
                throw error
            }
        }
    }
}
