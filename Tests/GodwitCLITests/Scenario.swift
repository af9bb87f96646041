import Foundation
import GodwitCore
import GodwitTesting

/// A scenario script of `Tests/Fixtures/scenarios`, run under a PostgreSQL server of its own
/// (`scripts/with-postgres`), for what would disturb other tests on a shared server: a restart,
/// a session that stalls every drop. The script gets the `godwit` binary as `GODWIT_BIN`.
enum Scenario {
    /// Runs `name` (`server-restart.sh`) and returns how it ended and its output's lines.
    static func run(_ name: String) async throws -> (result: ProcessRunner.Result, lines: [String]) {
        let root = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        var environment = ProcessInfo.processInfo.environment
        environment["GODWIT_BIN"] = GodwitBinary.path
        let result = try await ProcessRunner.runOffPool(root.appendingPathComponent("scripts/with-postgres").path,
                                                        ["bash", Fixtures.url("scenarios/\(name)").path],
                                                        environment: environment, currentDirectory: root)
        return (result, result.standardOutput.split(separator: "\n").map(String.init))
    }
}
