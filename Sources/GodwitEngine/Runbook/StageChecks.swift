public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import GodwitCore

/// Runs a runbook's commands and checks: commands through `/bin/sh -c` in the runbook's
/// directory, queries on a database (compared as text), and HTTP probes (the status code).
public struct StageChecks: Sendable {
    /// The directory commands run in (the runbook's).
    public let directory: URL
    /// Extra environment for commands (`GODWIT_RUNBOOK_STAGE`, `GODWIT_REHEARSAL`).
    public var environment: [String: String]

    public init(directory: URL, environment: [String: String] = [:]) {
        self.directory = directory
        self.environment = environment
    }

    /// A command that did not exit 0.
    public struct CommandFailure: Error, Sendable {
        public var command: String
        public var status: Int32
        /// The last lines of its standard error (or output), as the command wrote them.
        public var tail: String
    }

    /// Runs `command`; throws ``CommandFailure`` unless it exits 0.
    public func run(_ command: String, stage: String) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(self.environment) { _, new in new }
        environment["GODWIT_RUNBOOK_STAGE"] = stage
        // The godwit that runs the runbook, for commands that call it (`"$GODWIT" verify …`).
        if environment["GODWIT"] == nil { environment["GODWIT"] = Bundle.main.executableURL?.path ?? CommandLine.arguments[0] }
        let result = try await ExternalProcess.runOffPool("/bin/sh", ["-c", command], environment: environment, currentDirectory: directory)
        guard result.status == 0, !result.wasSignalled else {
            let text = result.standardError.isEmpty ? result.standardOutput : result.standardError
            let lines = text.split(separator: "\n").suffix(3).joined(separator: " / ")
            throw CommandFailure(command: command, status: result.status, tail: String(lines.suffix(300)))
        }
    }

    /// Runs the commands in order, stopping at the first that fails.
    public func run(_ commands: [String], stage: String) async throws {
        for command in commands { try await run(command, stage: stage) }
    }

    /// Why a check failed, or nil when it passed.
    public func failure(of check: Stage.Check, stage: String) async -> String? {
        switch check {
        case .command(let command):
            do {
                try await run(command, stage: stage)
                return nil
            } catch let failure as CommandFailure {
                return "`\(command)` exited \(failure.status)" + (failure.tail.isEmpty ? "" : ": \(failure.tail)")
            } catch {
                return "`\(command)` could not start: \(error)"
            }
        case .sql(let database, let query, let expect):
            do {
                let url = try RunbookEnvironment.databaseURL(database, relativeTo: directory)
                let value = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                    try await driver.query(unsafeSQL: query).first?.values.first?.textValue
                }
                return value == expect ? nil : "`\(query)` on \(url.description) returned \(value.map { "'\($0)'" } ?? "no value"), expected '\(expect)'"
            } catch let error as GodwitError {
                return "`\(query)` on \(DatabaseURL.redacting(database)): \(error.description)"
            } catch {
                return "`\(query)` on \(DatabaseURL.redacting(database)): \(error)"
            }
        case .http(let address, let status):
            guard let url = URL(string: RunbookEnvironment.expand(address)) else { return "'\(DatabaseURL.redacting(address))' is no URL" }
            var request = URLRequest(url: url)
            request.timeoutInterval = 10
            do {
                let (_, response) = try await URLSession.shared.data(for: request)
                let answered = (response as? HTTPURLResponse)?.statusCode ?? 0
                return answered == status ? nil : "GET \(DatabaseURL.redacting(address)) answered \(answered), expected \(status)"
            } catch {
                return "GET \(DatabaseURL.redacting(address)) got no answer (\(error.localizedDescription))"
            }
        }
    }

    /// The failures of `checks`, all run (so a report lists every one).
    public func failures(of checks: [Stage.Check], stage: String) async -> [String] {
        var found: [String] = []
        for check in checks {
            if let failure = await failure(of: check, stage: stage) { found.append(failure) }
        }
        return found
    }
}

/// `${NAME}` in a runbook's database URLs and probe addresses is taken from the environment, so
/// passwords stay out of the file.
public enum RunbookEnvironment {
    public static func expand(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        text.replacing(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/) { match in environment[String(match.output.1)] ?? "" }
    }

    /// A runbook's database URL: `${NAME}` expanded, and a relative SQLite path taken from the
    /// runbook's directory (where its commands run too), not from wherever godwit was started.
    public static func databaseURL(_ text: String, relativeTo directory: URL) throws -> DatabaseURL {
        let url = try DatabaseURL(parsing: expand(text))
        guard case .sqlite(let location) = url, !location.isInMemory, !location.path.hasPrefix("/") else { return url }
        return .sqlite(.init(path: directory.appendingPathComponent(location.path).path))
    }
}
