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
    static func run(_ arguments: [String], databaseURL: String? = nil, in directory: URL? = nil,
                    extraEnvironment: [String: String] = [:]) throws -> ProcessRunner.Result {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        environment.merge(extraEnvironment) { $1 }
        return try ProcessRunner.run(path, arguments, environment: environment, currentDirectory: directory)
    }
}
