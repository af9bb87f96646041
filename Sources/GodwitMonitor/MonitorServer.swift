public import Foundation
public import GodwitCore
import Hummingbird
import Logging
import NIOCore

/// Where `--serve` listens: `HOST:PORT`, `:PORT` or `PORT` (the loopback address then, so
/// nothing is exposed unless asked). Port 0 takes any free port.
public struct ServeAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Nil when `text` is no such address.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let port = Int(parts.last ?? ""), (0...65535).contains(port) else { return nil }
        let host = parts.count == 2 ? String(parts[0]) : ""
        self.init(host: host.isEmpty ? "127.0.0.1" : host, port: port)
    }

    public var description: String { "\(host):\(port)" }
}

/// Serves a watched run over HTTP, with Hummingbird: `/` the dashboard page (no network needed:
/// no CDN, the charts are inline SVG), `/state` the ``RunView`` as JSON (the page polls it),
/// `/metrics` the Prometheus exposition.
public enum MonitorServer {
    /// Runs `work` while serving `monitor` at `address` and refreshing it from the database
    /// every `interval`; stops both when `work` ends. `started` is told the page's address once
    /// the server listens, before `work` begins.
    public static func serving<Result: Sendable>(
        _ monitor: RunMonitor, at address: ServeAddress, refreshingEvery interval: Duration = .seconds(1), started: @Sendable (URL) -> Void,
        _ work: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let (bound, boundContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router(for: monitor),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "godwit"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? address.port)
                boundContinuation.finish()
            },
            logger: Logger(label: "godwit.serve", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                do {
                    try await app.run()
                } catch {
                    boundContinuation.finish()
                    throw error
                }
                return nil
            }
            var iterator = bound.makeAsyncIterator()
            guard let port = await iterator.next() else {
                group.cancelAll()
                throw GodwitError(.invalidArgument, "Could not serve the dashboard at \(address)", location: "--serve",
                                  reason: "the address could not be bound (in use, or not this machine's)",
                                  remedy: "Pick another port, for example --serve 127.0.0.1:0 for any free one.")
            }
            started(URL(string: "http://\(address.host.contains(":") ? "[\(address.host)]" : address.host):\(port)/")!)
            group.addTask {
                await monitor.keepRefreshing(every: interval)
                return nil
            }
            do {
                let result = try await work()
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    static func router(for monitor: RunMonitor) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/") { _, _ in
            response(DashboardPage.html, type: "text/html; charset=utf-8")
        }
        router.get("/state") { _, _ in
            response(String(decoding: try encoder.encode(monitor.view()), as: UTF8.self), type: "application/json")
        }
        router.get("/metrics") { _, _ in
            response(monitor.exposition(), type: "text/plain; version=0.0.4; charset=utf-8")
        }
        return router
    }

    private static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Dates as ISO 8601 with milliseconds, so the page can place samples in time.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
