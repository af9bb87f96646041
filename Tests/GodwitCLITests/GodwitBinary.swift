import Foundation
import GodwitEngine
import GodwitTesting

/// The `godwit` executable built beside the test bundle, run as a user would run it.
enum GodwitBinary {
    static var path: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("godwit").path
    }

    /// Runs `godwit arguments…` with `DATABASE_URL` unset unless given.
    ///
    /// The wait happens on a thread of its own, never on the test's cooperative pool: two tests
    /// blocking that pool (two threads on two cores) while their children wait on the server —
    /// a `DROP DATABASE` waits until every session absorbs its barrier, and a session of this
    /// process in the middle of a COPY cannot until this process runs again — froze a CI run.
    static func run(_ arguments: [String], databaseURL: String? = nil, in directory: URL? = nil,
                    extraEnvironment: [String: String] = [:]) async throws -> ProcessRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        environment.merge(extraEnvironment) { $1 }
        return try await ProcessRunner.runOffPool(path, arguments, environment: environment, currentDirectory: directory)
    }
}
