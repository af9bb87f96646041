import Foundation
public import GodwitCore

/// A database made for a while on a PostgreSQL server — a scratch schema, a rehearsal clone, a
/// restored backup — and dropped afterwards. Created and dropped through another database of
/// the same server (`admin`), since no session may sit in the one being dropped or copied.
public struct TemporaryPostgresDatabase: Sendable {
    /// The new database.
    package let endpoint: DatabaseURL.PostgresEndpoint
    private let admin: DatabaseURL.PostgresEndpoint

    /// Creates `PREFIX_<random>`, empty or as a copy of `template`.
    package static func create(prefix: String, via admin: DatabaseURL.PostgresEndpoint, template: String? = nil) async throws -> TemporaryPostgresDatabase {
        let name = "\(prefix)_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12))"
        let copy = template.map { " TEMPLATE " + SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote($0) } ?? ""
        _ = try await PostgresDriver.with(admin) { try await $0.execute(unsafeSQL: "CREATE DATABASE \(name)\(copy)") }
        return TemporaryPostgresDatabase(endpoint: admin.selectingDatabase(name), admin: admin)
    }

    /// Drops it, closing any session still in it.
    package func drop() async throws {
        try await Self.drop(named: endpoint.database, via: admin)
    }

    /// Drops the database `name` (an unquoted lowercase name) through `admin`, closing any
    /// session still in it.
    ///
    /// `WITH (FORCE)` ends our own leftover sessions. A role without `pg_signal_backend` may not
    /// end a session it is not a member of, and an autovacuum worker counts as one (SQLSTATE
    /// 42501); a plain `DROP DATABASE` cancels autovacuum itself and waits a few seconds for
    /// other sessions, so that is tried next, a few times.
    ///
    /// A drop also waits until every session on the server has taken note of it, and a session
    /// waiting in a `COPY … FROM STDIN` whose client stopped sending never does: after
    /// `timeLimit` seconds the drop gives up and says which database is left, instead of waiting
    /// for ever.
    public static func drop(named name: String, via admin: DatabaseURL.PostgresEndpoint, timeLimit: Int = dropTimeLimit) async throws {
        do {
            _ = try await PostgresDriver.with(admin) { driver in
                try await driver.execute(unsafeSQL: "SET statement_timeout = '\(timeLimit)s'")
                do {
                    try await driver.execute(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                } catch let error as GodwitError where error.engineCode == "42501" {
                    for attempt in 1...5 {
                        do {
                            try await driver.execute(unsafeSQL: "DROP DATABASE IF EXISTS \(name)")
                            return
                        } catch let busy as GodwitError where busy.engineCode == "55006" && attempt < 5 {
                            try await Task.sleep(for: .milliseconds(200 * attempt))
                        }
                    }
                }
            }
        } catch let error as GodwitError where error.engineCode == "57014" {
            throw error.explained("The temporary database \(name) could not be dropped", code: .ioFailure,
                                  reason: "the drop waited \(timeLimit) s for every session on the server to take note of it, and one did not (a COPY whose client stopped sending does not)",
                                  remedy: "Drop it later with DROP DATABASE \(name) WITH (FORCE), once that session is gone; it holds only Godwit's scratch data.")
        }
    }

    /// How long a drop waits, in seconds (`GODWIT_DROP_TIME_LIMIT` overrides the default 120).
    public static var dropTimeLimit: Int {
        ProcessInfo.processInfo.environment["GODWIT_DROP_TIME_LIMIT"].flatMap(Int.init) ?? 120
    }

    /// Runs `body` with a new empty database, dropped afterwards even when `body` throws.
    /// - Parameter fallback: where to create it when `admin`'s database does not exist.
    package static func with<Result: Sendable>(
        prefix: String, via admin: DatabaseURL.PostgresEndpoint, orVia fallback: DatabaseURL.PostgresEndpoint? = nil,
        _ body: (DatabaseURL.PostgresEndpoint) async throws -> Result
    ) async throws -> Result {
        let database: TemporaryPostgresDatabase
        do {
            database = try await create(prefix: prefix, via: admin)
        } catch let error as GodwitError where error.code == .databaseNotFound && fallback != nil {
            database = try await create(prefix: prefix, via: fallback!)
        }
        do {
            let result = try await body(database.endpoint)
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }
}
