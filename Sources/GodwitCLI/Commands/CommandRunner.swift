import ArgumentParser
import GodwitCore

/// Runs a command body and turns a ``GodwitError`` into one line on standard error and the
/// exit code of product.md: 64 for usage errors, 1 for other failures.
enum CommandRunner {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as GodwitError {
            Terminal().writeError("godwit: error: \(error.description)")
            throw ExitCode(error.code.isUsageError ? 64 : 1)
        } catch is CancellationError {
            Terminal().writeError("godwit: interrupted.")
            throw ExitCode(130)
        }
    }
}
