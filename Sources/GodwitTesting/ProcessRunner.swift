public import Foundation
public import GodwitCore
public import GodwitEngine

/// Runs a program and collects its exit status and output: for `psql`, `pg_dump` and the
/// `godwit` binary itself.
public enum ProcessRunner {
    public typealias Result = ExternalProcess.Result

    /// Runs `executable` (a path, or a name looked up on `PATH`) with `arguments`, blocking the
    /// calling thread: async tests use ``runOffPool(_:_:environment:currentDirectory:)``.
    @available(*, noasync, message: "blocks a thread of the cooperative pool: use runOffPool")
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> Result {
        try ExternalProcess.run(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    }

    /// ``run(_:_:environment:currentDirectory:)`` waiting on a thread of its own: an async test
    /// must never block a thread of the cooperative pool while a program runs.
    public static func runOffPool(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> Result {
        try await ExternalProcess.runOffPool(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    }
}
