import Foundation
import GodwitCore

/// Runs PostgreSQL's client tools (`pg_dump`, `pg_restore`) against an endpoint. The password
/// travels in `PGPASSWORD`, never on the command line where `ps` would show it.
enum PostgresTools {
    /// The connection string for a tool: the URL without its password.
    static func connectionString(_ endpoint: DatabaseURL.PostgresEndpoint) -> String {
        var bare = endpoint
        bare.password = nil
        return DatabaseURL.postgres(bare).unredactedString
    }

    /// `psql` reading from `source` with `COPY (query) TO STDOUT`, piped into `psql` writing into
    /// `target` with `COPY table (columns) FROM STDIN`: rows move in PostgreSQL's own text format,
    /// exact for every type, and never through Godwit's memory.
    static func copy(query: String, from source: DatabaseURL.PostgresEndpoint, into table: String,
                     to target: DatabaseURL.PostgresEndpoint, purpose: String) async throws {
        try await ExternalProcess.offPool { try copyWaiting(query: query, from: source, into: table, to: target, purpose: purpose) }
    }

    private static func copyWaiting(query: String, from source: DatabaseURL.PostgresEndpoint, into table: String,
                                    to target: DatabaseURL.PostgresEndpoint, purpose: String) throws {
        var environment = ProcessInfo.processInfo.environment
        // Both ends are on one server (a clone beside its original), so one password serves.
        if let password = source.password ?? target.password { environment["PGPASSWORD"] = password }
        let psql = ["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1"]
        let results: [ExternalProcess.Result]
        do {
            results = try ExternalProcess.pipeline(
                (try executable("psql", for: source), psql + ["--dbname", connectionString(source), "--command", "COPY (\(query)) TO STDOUT"]),
                into: (try executable("psql", for: target), psql + ["--dbname", connectionString(target), "--command", "COPY \(table) FROM STDIN"]),
                environment: environment)
        } catch {
            throw GodwitError(.ioFailure, "Cannot run psql", reason: error.localizedDescription, remedy: "Install the PostgreSQL client tools (psql).")
        }
        for (result, endpoint) in zip(results, [source, target]) where result.status != 0 || result.wasSignalled {
            var reason = result.standardError.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
            // `invalid input syntax for type integer: "…"` ends with a row's value: keep it out.
            if reason.contains("\""), let cut = reason.range(of: ": ", options: .backwards) { reason = String(reason[..<cut.lowerBound]) }
            throw GodwitError(.ioFailure, "psql failed while \(purpose)", location: DatabaseURL.postgres(endpoint).place,
                              reason: reason)
        }
    }

    /// The client program of the endpoint's server version (see ``PostgresClientTools``).
    /// - Throws: ``GodwitError`` when only older versions are installed.
    static func executable(_ tool: String, for endpoint: DatabaseURL.PostgresEndpoint) throws -> String {
        let server = serverMajor(endpoint)
        if let path = PostgresClientTools.path(of: tool, serverMajor: server) { return path }
        guard let server else { return tool }
        let newest = PostgresClientTools.newestMajor(of: tool)
        throw GodwitError(.ioFailure, newest == 0 ? "\(tool) is not installed" : "\(tool) \(newest) is older than the server",
                          location: DatabaseURL.postgres(endpoint).place,
                          reason: "the server runs PostgreSQL \(server), and \(tool) must be of that version or newer",
                          remedy: "Install the PostgreSQL \(server) client tools and put them on PATH, or set GODWIT_PG_BIN to their bin directory.")
    }

    /// The server's major version, asked once per server with whichever psql is at hand.
    private static func serverMajor(_ endpoint: DatabaseURL.PostgresEndpoint) -> Int? {
        let key = "server#" + endpoint.serverDescription
        if let known = serverVersions.withLock({ $0[key] }) { return Int(known) }
        guard let psql = PostgresClientTools.path(of: "psql", serverMajor: nil) else { return nil }
        var environment = ProcessInfo.processInfo.environment
        if let password = endpoint.password { environment["PGPASSWORD"] = password }
        guard let result = try? ExternalProcess.run(psql, ["--no-psqlrc", "-At", "--dbname", connectionString(endpoint), "--command", "SHOW server_version_num"],
                                                    environment: environment),
              result.status == 0, let number = Int(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        let major = PostgresClientTools.major(serverVersionNumber: number)
        serverVersions.withLock { $0[key] = String(major) }
        return major
    }

    private static let serverVersions = LockedDictionary()

    /// Runs `tool`, returning its standard output; the caller waits off the cooperative pool
    /// (``ExternalProcess/offPool(_:)``), however long the tool takes.
    /// - Throws: ``GodwitError`` with the tool's first line of complaint.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], endpoint: DatabaseURL.PostgresEndpoint, purpose: String) async throws -> String {
        try await ExternalProcess.offPool { try runWaiting(tool, arguments, endpoint: endpoint, purpose: purpose) }
    }

    private static func runWaiting(_ tool: String, _ arguments: [String], endpoint: DatabaseURL.PostgresEndpoint, purpose: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        if let password = endpoint.password { environment["PGPASSWORD"] = password }
        let result: ExternalProcess.Result
        do {
            result = try ExternalProcess.run(try executable(tool, for: endpoint), arguments, environment: environment)
        } catch let error as GodwitError {
            throw error
        } catch {
            throw GodwitError(.ioFailure, "Cannot run \(tool)", reason: error.localizedDescription,
                              remedy: "Install the PostgreSQL client tools (\(tool)).")
        }
        guard result.status == 0, !result.wasSignalled else {
            let complaint = result.standardError.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)"
            if result.standardError.contains("server version mismatch") {
                throw GodwitError(.ioFailure, "\(tool) is older than the server", location: DatabaseURL.postgres(endpoint).place,
                                  reason: complaint,
                                  remedy: "Install the client tools of the server's major version (or newer) and put them on PATH, or set GODWIT_PG_BIN to their bin directory.")
            }
            throw GodwitError(.ioFailure, "\(tool) failed while \(purpose)", location: DatabaseURL.postgres(endpoint).place,
                              reason: complaint)
        }
        return result.standardOutput
    }
}
