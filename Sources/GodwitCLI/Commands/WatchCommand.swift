import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine
import GodwitMonitor
#if canImport(Glibc)
import Glibc
#endif

/// `godwit watch --db URL [--serve HOST:PORT]`: a run started elsewhere, watched from its
/// records in the database.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a migration run started elsewhere, from Godwit's records in the database.",
        discussion: """
            Reads only Godwit's own records (the migrations' state, the step under way, the audit \
            log) and, on PostgreSQL, the server's activity; it never takes the runner's lock nor \
            writes. With --serve, serves the live dashboard and Prometheus metrics that \
            apply --serve does, until interrupted; without it, redraws a text view on the terminal \
            (one view per interval when piped; --once prints one and exits).
            """
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @OptionGroup var serving: ServeOptions

    @Option(name: .long, help: "How often the records are read (default 1s).")
    var interval: DurationArgument?

    @Flag(name: .long, help: "Print one view and exit.")
    var once = false

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            // A bad URL or an unreachable server is said now, not hidden behind a blank view.
            let first = RunRecordsReader(url: url)
            _ = try await first.read()
            await first.close()
            let monitor = RunMonitor(command: "watch", url: url)
            let pause = Duration.milliseconds(Int(max(0.1, interval?.seconds ?? 1) * 1000))
            if let address = serving.serve {
                let interrupt = InterruptSignal()
                interrupt.trapSignals()
                try await MonitorServer.serving(monitor, at: address, refreshingEvery: pause, started: { page in
                    Terminal().writeError("godwit: watching \(url) at \(page) (Prometheus metrics at \(page)metrics); Ctrl-C stops")
                }) {
                    while !interrupt.isRequested { try await Task.sleep(for: .milliseconds(200)) }
                }
                return
            }
            let redraw = isatty(STDOUT_FILENO) == 1
            while true {
                await monitor.refresh()
                let text = RunViewText.render(monitor.view())
                Terminal().write(redraw ? "\u{1B}[H\u{1B}[2J" + text : text + (once ? "" : "\n"))
                if once { return }
                try await Task.sleep(for: pause)
            }
        }
    }
}
