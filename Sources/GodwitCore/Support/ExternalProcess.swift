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

    /// Runs `executable` (a path, or a name looked up on `PATH`) with `arguments`, blocking the
    /// calling thread until it ends: async code goes through ``runOffPool(_:_:environment:currentDirectory:)``
    /// or ``offPool(_:)``.
    @available(*, noasync, message: "blocks a thread of the cooperative pool: use runOffPool or offPool")
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) throws -> Result {
        let process = makeProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        let errors = ErrorCollector(process)
        try process.run()
        errors.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return errors.result(standardOutput: outputData)
    }

    /// ``run(_:_:environment:currentDirectory:)`` waiting on a thread of its own, so an async
    /// caller never blocks a thread of the cooperative pool while the program runs.
    public static func runOffPool(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: URL? = nil
    ) async throws -> Result {
        try await offPool { try run(executable, arguments, environment: environment, currentDirectory: currentDirectory) }
    }

    /// Runs `work`, which waits on programs, on a thread of its own and resumes the caller when
    /// it ends. A `pg_dump` of a large database waited for on the cooperative pool would hold one
    /// of its few threads (two on a two-core machine) for minutes, and with it every task that
    /// needs one: the runner lock's heartbeat, `--serve`'s answers, other sessions' replies.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
        }
    }

    /// Runs `producer | consumer`: the first program's standard output streams into the second's
    /// standard input (`psql -c 'COPY … TO STDOUT' | psql -c 'COPY … FROM STDIN'`), without the
    /// data passing through this process. Returns both results, producer first.
    @available(*, noasync, message: "blocks a thread of the cooperative pool: call it inside offPool")
    public static func pipeline(
        _ producer: (executable: String, arguments: [String]),
        into consumer: (executable: String, arguments: [String]),
        environment: [String: String]? = nil
    ) throws -> [Result] {
        let first = makeProcess(producer.executable, producer.arguments, environment: environment, currentDirectory: nil)
        let second = makeProcess(consumer.executable, consumer.arguments, environment: environment, currentDirectory: nil)
        let stream = Pipe(), output = Pipe()
        first.standardInput = FileHandle.nullDevice
        first.standardOutput = stream
        second.standardInput = stream
        second.standardOutput = output
        let firstErrors = ErrorCollector(first), secondErrors = ErrorCollector(second)
        try second.run()
        do {
            try first.run()
        } catch {
            second.terminate()
            throw error
        }
        // Only the two children may hold the pipe, or the consumer never sees its end.
        try? stream.fileHandleForReading.close()
        try? stream.fileHandleForWriting.close()
        firstErrors.start()
        secondErrors.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        first.waitUntilExit()
        second.waitUntilExit()
        return [firstErrors.result(standardOutput: Data()), secondErrors.result(standardOutput: outputData)]
    }

    private static func makeProcess(_ executable: String, _ arguments: [String], environment: [String: String]?,
                                    currentDirectory: URL?) -> Process {
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
        return process
    }
}

/// Reads a process's standard error on a thread of its own while it runs, so a chatty program
/// cannot block on a full pipe, and makes its ``ExternalProcess/Result``.
private final class ErrorCollector: @unchecked Sendable {
    private let process: Process
    private let pipe = Pipe()
    private let data = LockedData()

    init(_ process: Process) {
        self.process = process
        process.standardError = pipe
    }

    func start() {
        let pipe = pipe, data = data
        Thread { data.set(pipe.fileHandleForReading.readDataToEndOfFile()) }.start()
    }

    /// After the process exited.
    func result(standardOutput: Data) -> ExternalProcess.Result {
        while !data.isSet { usleep(1000) }
        return ExternalProcess.Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: standardOutput, as: UTF8.self),
            standardError: String(decoding: data.value, as: UTF8.self),
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
