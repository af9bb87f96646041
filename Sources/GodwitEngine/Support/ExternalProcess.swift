public import Foundation

/// Runs a program to completion and collects its exit status and both outputs (read while it
/// runs, so a large output cannot block it): for `pg_dump`, `pg_restore`, and in tests `psql`
/// and the `godwit` binary itself.
public enum ExternalProcess {
    public struct Result: Sendable {
        /// The exit code, or the signal's number when a signal ended the process.
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// Whether a signal (SIGKILL, …) ended the process.
        public var wasSignalled: Bool
    }

    /// Runs `executable` (a path, or a name looked up on `PATH`) with `arguments`.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.value, as: UTF8.self),
            wasSignalled: process.terminationReason == .uncaughtSignal
        )
    }
}

/// Data one thread writes once and another reads after.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ value: Data) { lock.withLock { data = value } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}
