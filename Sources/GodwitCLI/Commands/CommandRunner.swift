import ArgumentParser
import GodwitCore

/// Runs a command body and turns a ``GodwitError`` into one line on standard error and the
/// exit status of its code (``GodwitError/Code/exitStatus``): 64 usage, 4 refused, 1 other failures.
enum CommandRunner {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as GodwitError {
            Terminal().writeError("godwit: error: \(error.description)")
            throw ExitCode(error.code.exitStatus)
        } catch is CancellationError {
            Terminal().writeError("godwit: interrupted.")
            throw ExitCode(130)
        }
    }
}
