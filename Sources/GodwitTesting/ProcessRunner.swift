public import Foundation
public import GodwitEngine

/// Runs a program and collects its exit status and output: for `psql`, `pg_dump` and the
/// `godwit` binary itself.
public enum ProcessRunner {
    public typealias Result = ExternalProcess.Result

    /// Runs `executable` (a path, or a name looked up on `PATH`) with `arguments`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> Result {
        try ExternalProcess.run(executable, arguments, environment: environment, currentDirectory: currentDirectory)
    }
}
