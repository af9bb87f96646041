public import Foundation
public import GodwitCore
public import GodwitEngine
import Synchronization

/// Watches one run: takes its events in this process (it is an ``ExecutionObserver`` and passes
/// every event on to the next one, the progress printer), and reads Godwit's records and the
/// server's activity every so often. `--serve` and `godwit watch` draw the page, the metrics and
/// the text view from its ``view()``.
public final class RunMonitor: ExecutionObserver, Sendable {
    public let metrics = RunMetrics()
    private let state: Mutex<RunView>
    private let next: (any ExecutionObserver)?
    private let reader: RunRecordsReader?
    private let sampler: ServerActivitySampler?

    /// - Parameters:
    ///   - command: the command being watched (`apply`, `copy`, `watch`, …).
    ///   - url: the database whose records and server are read; nil to go by events alone.
    ///   - next: the observer every event is passed on to.
    public init(command: String, url: DatabaseURL?, next: (any ExecutionObserver)? = nil, now: Date = Date()) {
        state = Mutex(RunView(command: command, startedAt: now))
        self.next = next
        // A command watching its own run is the runner: only `watch` asks who holds the lock.
        reader = url.map { RunRecordsReader(url: $0, checksRunner: command == "watch") }
        sampler = url.map(ServerActivitySampler.init(url:))
    }

    public func observe(_ event: ExecutionEvent) {
        state.withLock { $0.observe(event) }
        metrics.record(event)
        next?.observe(event)
    }

    /// Lists the migrations the run will take, with their rollback triggers.
    public func expect(_ migrations: [Migration]) {
        state.withLock { view in migrations.forEach { view.expect($0) } }
    }

    /// Marks the end of the run in this process.
    public func finish(failed: Bool) {
        state.withLock { $0.finish(failed: failed, at: Date()) }
    }

    /// The view now, with the metrics set from it.
    public func view() -> RunView {
        let view = state.withLock { $0 }
        metrics.publish(view)
        return view
    }

    /// The Prometheus exposition now.
    public func exposition() -> String {
        _ = view()
        return metrics.exposition()
    }

    /// Reads the records and the server once. A failed reading leaves the view as it was: the
    /// run goes on whether or not it can be watched.
    public func refresh(now: Date = Date()) async {
        if let reader, let records = try? await reader.read() {
            state.withLock { $0.absorb(records, now: now) }
        }
        if let sampler, let activity = await sampler.sample(now: now) {
            state.withLock { $0.server = activity }
        }
    }

    /// Refreshes every `interval` until the task is cancelled.
    public func keepRefreshing(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            await refresh()
            try? await Task.sleep(for: interval)
        }
        await sampler?.close()
        await reader?.close()
    }
}
