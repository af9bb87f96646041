public import Foundation
public import GodwitCore
import GodwitEngine
import GodwitPostgres

/// The PostgreSQL server `scripts/test` starts for the suite, named by `GODWIT_TEST_POSTGRES_URL`.
///
/// Tests that need it fail — never skip — when it is not set or not reachable: a suite that was
/// promised a server must not pass without one.
public enum TestPostgres {
    /// The server's administrative endpoint.
    public static func endpoint() throws -> DatabaseURL.PostgresEndpoint {
        guard let text = ProcessInfo.processInfo.environment["GODWIT_TEST_POSTGRES_URL"], !text.isEmpty else {
            throw GodwitError(
                .invalidArgument, "GODWIT_TEST_POSTGRES_URL is not set",
                remedy: "Run the suite with scripts/test, which starts a throwaway PostgreSQL and sets it."
            )
        }
        guard case .postgres(let endpoint) = try DatabaseURL(parsing: text) else {
            throw GodwitError(.invalidArgument, "GODWIT_TEST_POSTGRES_URL is not a postgres:// URL")
        }
        return endpoint
    }

    /// Creates an empty database with a unique name, runs `body` with its endpoint, and drops it
    /// afterwards, also when `body` throws.
    public static func withTemporaryDatabase<T>(
        _ body: (DatabaseURL.PostgresEndpoint) async throws -> T
    ) async throws -> T {
        let admin = try endpoint()
        let name = "godwit_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        try await execute(admin, "CREATE DATABASE \(name)")
        let database = admin.selectingDatabase(name)
        do {
            let result = try await body(database)
            try await TemporaryPostgresDatabase.drop(named: name, via: admin)
            return result
        } catch {
            try? await TemporaryPostgresDatabase.drop(named: name, via: admin)
            throw error
        }
    }

    /// Runs one statement on the server.
    public static func execute(_ endpoint: DatabaseURL.PostgresEndpoint, _ sql: String) async throws {
        _ = try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
            try await driver.execute(unsafeSQL: sql)
        }
    }

    /// Loads a SQL file with `psql` (which understands `COPY … FROM stdin`), stopping at the first
    /// error. Lines that create, drop or switch databases are left out, so a script written to
    /// make its own database (Chinook's) loads into the given one.
    public static func load(_ file: URL, into endpoint: DatabaseURL.PostgresEndpoint) async throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let upper = line.trimmingCharacters(in: .whitespaces).uppercased()
            return !(upper.hasPrefix("DROP DATABASE") || upper.hasPrefix("CREATE DATABASE") || upper.hasPrefix("\\C "))
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = directory.path("load.sql")
        var sql = kept.joined(separator: "\n")
        let version = try await serverVersionNumber(endpoint)
        for feature in newerFeatures where version < feature.since { sql = sql.replacingOccurrences(of: feature.text, with: feature.olderServers) }
        try sql.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.runOffPool(
            "psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DatabaseURL.postgres(endpoint).unredactedString, "-f", script]
        )
        guard result.status == 0 else {
            throw GodwitError(.queryFailed, "psql could not load \(file.lastPathComponent)", reason: result.standardError)
        }
    }

    /// Syntax the fixtures use that older servers lack, and how those servers are given the
    /// rest of the script: `since` is the first `server_version_num` that has it.
    static let newerFeatures: [(since: Int, text: String, olderServers: String)] = [
        (150_000, "UNIQUE NULLS NOT DISTINCT", "UNIQUE"),
    ]

    /// The server's `server_version_num` (`140023` for 14.23), as the driver asks it.
    public static func serverVersionNumber(_ endpoint: DatabaseURL.PostgresEndpoint) async throws -> Int {
        try await PostgresDriver.with(endpoint) { try await $0.serverVersionNumber() }
    }

    /// `pg_dump --schema-only` of a database, without the lines that name the dump itself.
    public static func schemaDump(_ endpoint: DatabaseURL.PostgresEndpoint) async throws -> String {
        let result = try await ProcessRunner.runOffPool(
            "pg_dump", ["--schema-only", "--no-owner", "--no-privileges", "-d", DatabaseURL.postgres(endpoint).unredactedString]
        )
        guard result.status == 0 else {
            throw GodwitError(.queryFailed, "pg_dump failed", reason: result.standardError)
        }
        return result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            // pg_dump 15.14+ brackets its output with \restrict KEY / \unrestrict KEY, a new random key each run.
            .filter { !$0.hasPrefix("-- Dumped") && !$0.hasPrefix("\\restrict ") && !$0.hasPrefix("\\unrestrict ") }
            .joined(separator: "\n")
    }
}

