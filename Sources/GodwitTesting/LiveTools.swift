public import Foundation
import GodwitCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program running beside a test (`godwit apply --serve`, `godwit watch --serve`,
/// Prometheus): its standard error is read as it comes, so a test can wait for a line.
public final class BackgroundProcess: Sendable {
    private let process: Process
    private let errors = TextBuffer()
    private let output = TextBuffer()

    /// Text arriving from another thread.
    private final class TextBuffer: Sendable {
        private let text = Mutex("")
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        var value: String { text.withLock { $0 } }
    }

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let errorPipe = Pipe(), outputPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        self.process = process
        errorPipe.fileHandleForReading.readabilityHandler = { [errors] handle in
            let data = handle.availableData
            if !data.isEmpty { errors.append(data) }
        }
        outputPipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            if !data.isEmpty { output.append(data) }
        }
        try process.run()
    }

    /// What it wrote on standard error so far.
    public var standardError: String { errors.value }
    /// What it wrote on standard output so far.
    public var standardOutput: String { output.value }
    public var isRunning: Bool { process.isRunning }

    /// Waits until standard error holds a match of `pattern` and returns the match's first
    /// group (or the whole match); nil when the process ended or `seconds` passed first.
    public func waitForError(_ pattern: String, seconds: Double = 60) async throws -> String? {
        let expression = try NSRegularExpression(pattern: pattern)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = standardError
            if let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return Range(range, in: text).map { String(text[$0]) }
            }
            if !process.isRunning { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Sends SIGTERM and waits for the end; returns the exit status. A process that outlives
    /// the grace period gets SIGKILL: a child inherits the signals its parent ignores, and a test
    /// process may ignore SIGTERM (to handle it itself), so a program without its own handler
    /// (a Python server) would never see it.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return await waitForExit()
    }

    /// Waits for the process to end on its own; returns the exit status.
    public func waitForExit() async -> Int32 {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        return process.terminationStatus
    }
}

/// Plain HTTP for tests: the page, `/state` and `/metrics` of a served run, Prometheus's API.
public enum HTTPGet {
    /// The body of `url` and its status; throws when nothing answers.
    public static func text(_ url: URL) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: url)
        // Generous: the whole suite shares two cores, and a loaded machine answers slowly.
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// `url`'s body parsed as JSON.
    public static func json(_ url: URL) async throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try await text(url).body.utf8))
    }
}

/// Debian's headless Chromium, as a person's browser would load a page: scripts run, then the
/// DOM is read or a screenshot taken.
public enum HeadlessChromium {
    /// The executable, or nil when it is not installed (`.ci/run` installs it).
    public static var path: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ arguments: [String]) async throws -> ProcessRunner.Result {
        guard let path else {
            throw TestToolMissing(tool: "chromium", remedy: "apt-get install chromium (scripts/test installs it)")
        }
        let profile = try TemporaryDirectory(prefix: "godwit-chromium")
        defer { profile.remove() }
        // Virtual time lets the page's scripts fetch and draw before the DOM is read.
        return try await ProcessRunner.runOffPool(path, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                         "--no-first-run", "--user-data-dir=\(profile.url.path)",
                                                         "--virtual-time-budget=4000"] + arguments)
    }

    /// The page's DOM after its scripts ran.
    public static func dom(of url: URL) async throws -> String {
        try await run(["--dump-dom", url.absoluteString]).standardOutput
    }

    /// A PNG screenshot of the page at `width`×`height`, written to `file`.
    public static func screenshot(of url: URL, to file: String, width: Int = 1400, height: Int = 1100) async throws {
        let result = try await run(["--window-size=\(width),\(height)", "--screenshot=\(file)", url.absoluteString])
        guard FileManager.default.fileExists(atPath: file) else {
            throw TestToolMissing(tool: "chromium", remedy: "it wrote no screenshot: \(result.standardError.suffix(500))")
        }
    }

    /// The text of the element with `id` in `dom` (a dumped page), or nil.
    public static func text(ofElement id: String, in dom: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: "id=\"\(NSRegularExpression.escapedPattern(for: id))\"[^>]*>([^<]*)<"),
              let match = expression.firstMatch(in: dom, range: NSRange(dom.startIndex..., in: dom)),
              let range = Range(match.range(at: 1), in: dom) else { return nil }
        return String(dom[range])
    }
}

/// A real Prometheus server (Debian's `prometheus`) scraping targets every second and
/// evaluating rule files, on a free loopback port, with its data in a temporary directory.
public final class PrometheusServer: Sendable {
    public let url: URL
    private let process: BackgroundProcess
    private let directory: TemporaryDirectory

    /// The `prometheus` and `promtool` executables, when installed (`.ci/run` installs them).
    public static func tool(_ name: String) -> String? {
        ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts Prometheus scraping `targets` (`host:port`) with `rules` (a rule file's text).
    public init(scraping targets: [String], rules: String) async throws {
        guard let executable = Self.tool("prometheus") else {
            throw TestToolMissing(tool: "prometheus", remedy: "apt-get install prometheus (scripts/test installs it)")
        }
        directory = try TemporaryDirectory(prefix: "godwit-prometheus")
        try rules.write(toFile: directory.path("rules.yml"), atomically: true, encoding: .utf8)
        try """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [\(directory.path("rules.yml"))]
            scrape_configs:
              - job_name: godwit
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]
            """.write(toFile: directory.path("prometheus.yml"), atomically: true, encoding: .utf8)
        let port = try FreePort.take()
        url = URL(string: "http://127.0.0.1:\(port)/")!
        process = try BackgroundProcess(executable, ["--config.file=\(directory.path("prometheus.yml"))",
                                                     "--storage.tsdb.path=\(directory.path("data"))",
                                                     "--web.listen-address=127.0.0.1:\(port)"])
        for _ in 0..<200 {
            if (try? await HTTPGet.text(url.appendingPathComponent("-/ready")))?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        await process.stop()
        throw TestToolMissing(tool: "prometheus", remedy: "it did not become ready: \(process.standardError.suffix(800))")
    }

    /// The alerts now firing, by name with their labels.
    public func firingAlerts() async throws -> [(name: String, labels: [String: String])] {
        let answer = try await HTTPGet.json(url.appendingPathComponent("api/v1/alerts")) as? [String: Any]
        let alerts = (answer?["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        return alerts.compactMap { alert in
            guard alert["state"] as? String == "firing", let labels = alert["labels"] as? [String: String], let name = labels["alertname"] else { return nil }
            return (name, labels)
        }
    }

    /// The health of the scrape targets (`up`, `down`, `unknown`).
    public func targetHealth() async throws -> [String] {
        let answer = try await HTTPGet.json(url.appendingPathComponent("api/v1/targets")) as? [String: Any]
        let targets = (answer?["data"] as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
        return targets.compactMap { $0["health"] as? String }
    }

    public func stop() async {
        await process.stop()
        directory.remove()
    }
}

/// A free TCP port on the loopback address, found by binding port 0.
public enum FreePort {
    public static func take() throws -> Int {
        let bound = try LoopbackSocket.bind()
        close(bound.socket)
        return bound.port
    }
}

/// A TCP socket bound to a free port of the loopback address.
public enum LoopbackSocket {
    /// The socket (the caller closes it) and its port.
    public static func bind() throws -> (socket: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else {
            close(socket)
            throw TestToolMissing(tool: "a free port", remedy: "no loopback port could be bound")
        }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A socket that takes connections and never answers: the kernel completes each handshake,
    /// and nothing reads. Closed when `body` returns.
    public static func withSilentListener<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
        let (socket, port) = try bind()
        defer { close(socket) }
        guard listen(socket, 4) == 0 else { throw TestToolMissing(tool: "a listening socket", remedy: "listen() failed on the loopback address") }
        return try await body(port)
    }
}

/// A tool a test needs is not installed or did not start: the test fails, never skips.
public struct TestToolMissing: Error, CustomStringConvertible {
    public var tool: String
    public var remedy: String
    public var description: String { "\(tool) is not available: \(remedy)" }
}
