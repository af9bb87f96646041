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

    /// Runs `tool`, returning its standard output.
    /// - Throws: ``GodwitError`` with the tool's first line of complaint.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], endpoint: DatabaseURL.PostgresEndpoint, purpose: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        if let password = endpoint.password { environment["PGPASSWORD"] = password }
        let result: ExternalProcess.Result
        do {
            result = try ExternalProcess.run(tool, arguments, environment: environment)
        } catch {
            throw GodwitError(.ioFailure, "Cannot run \(tool)", reason: error.localizedDescription,
                              remedy: "Install the PostgreSQL client tools (\(tool)).")
        }
        guard result.status == 0, !result.wasSignalled else {
            throw GodwitError(.ioFailure, "\(tool) failed while \(purpose)", location: endpoint.serverDescription + "/" + endpoint.database,
                              reason: result.standardError.split(separator: "\n").first.map(String.init) ?? "exit \(result.status)")
        }
        return result.standardOutput
    }
}
