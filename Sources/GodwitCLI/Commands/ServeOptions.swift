public import ArgumentParser
import Foundation
import GodwitCore
public import GodwitMonitor

extension ServeAddress: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--serve HOST:PORT`: a live dashboard and Prometheus metrics for the run, served while the
/// command works (`apply`, `rehearse`, `copy`, `sync`, `cutover`).
struct ServeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Serve a live dashboard (/) and Prometheus metrics (/metrics) while the command runs: HOST:PORT, or PORT for the loopback address (0 for any free port).",
        valueName: "host:port"))
    var serve: ServeAddress?

    /// Runs `work` with the observer to report to: `printer` itself, or with `--serve`, a
    /// monitor that passes every event on to `printer` and is served until `work` ends.
    /// `records` is the database whose Godwit records and server activity the monitor reads.
    func watching<Result: Sendable>(
        _ command: String, records url: DatabaseURL?, printer: (any ExecutionObserver)?, migrations: [Migration] = [],
        _ work: @escaping @Sendable ((any ExecutionObserver)?) async throws -> Result
    ) async throws -> Result {
        guard let serve else { return try await work(printer) }
        let monitor = RunMonitor(command: command, url: url, next: printer)
        monitor.expect(migrations)
        return try await MonitorServer.serving(monitor, at: serve, started: { address in
            Terminal().writeError("godwit: watch this run at \(address) (Prometheus metrics at \(address)metrics)")
        }) {
            do {
                let result = try await work(monitor)
                monitor.finish(failed: false)
                return result
            } catch {
                monitor.finish(failed: true)
                throw error
            }
        }
    }
}
