import Foundation
import GodwitCore
import GodwitMonitor
import GodwitTesting
import Testing

/// The Prometheus exposition made from a run's view and events, and the HTTP server that serves
/// it with the page and the view, in this process.
@Suite("Run metrics and the monitor server")
struct RunMetricsTests {
    static func value(_ sample: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    static func running() -> RunMonitor {
        let monitor = RunMonitor(command: "apply", url: nil)
        monitor.expect([Migration(id: "001", name: "orders", rollbackTriggers: [RollbackTrigger(condition: .latency(aboveBaselinePercent: 50))])])
        monitor.observe(ExecutionEvent(kind: .migrationStarted, migration: "001", message: "s", plan: .init(phases: [.expand, .backfill], steps: 3)))
        monitor.observe(ExecutionEvent(kind: .phaseStarted, migration: "001", phase: .backfill, message: "p"))
        monitor.observe(ExecutionEvent(kind: .stepStarted, migration: "001", phase: .backfill, step: 2, message: "Backfill"))
        for (index, seconds) in [0.03, 0.3, 3.0].enumerated() {
            monitor.observe(ExecutionEvent(kind: .batch, migration: "001", phase: .backfill, step: 2, message: "b",
                                           progress: .init(rowsDone: Int64(index + 1) * 100, rowsTotal: 1000, rowsPerSecond: 50, batchSize: 100),
                                           batchSeconds: seconds))
        }
        monitor.observe(ExecutionEvent(kind: .probe, migration: "001", message: "p", probe: .init(latency: 0.006, baseline: 0.002)))
        monitor.observe(ExecutionEvent(kind: .retry, migration: "001", message: "r", lockWait: true))
        return monitor
    }

    @Test("Gauges follow the view; the batch histogram counts each batch in its bucket; one-hot states and phases")
    func exposition() {
        let text = Self.running().exposition()
        #expect(Self.value("godwit_rows_done", in: text) == 300)
        #expect(Self.value("godwit_rows_total", in: text) == 1000)
        #expect(Self.value("godwit_eta_seconds", in: text) == 14)
        #expect(Self.value("godwit_batch_size", in: text) == 100)
        #expect(Self.value(#"godwit_step{migration="001"}"#, in: text) == 2)
        #expect(Self.value(#"godwit_batch_duration_seconds_bucket{le="0.05"}"#, in: text) == 1)
        #expect(Self.value(#"godwit_batch_duration_seconds_bucket{le="0.5"}"#, in: text) == 2)
        #expect(Self.value(#"godwit_batch_duration_seconds_bucket{le="+Inf"}"#, in: text) == 3)
        #expect(Self.value("godwit_batch_duration_seconds_count", in: text) == 3)
        #expect(Self.value("godwit_probe_latency_seconds", in: text) == 0.006)
        #expect(Self.value("godwit_probe_baseline_seconds", in: text) == 0.002)
        #expect(Self.value("godwit_lock_waits_total", in: text) == 1)
        #expect(Self.value(#"godwit_run_state{state="running"}"#, in: text) == 1)
        #expect(Self.value(#"godwit_run_state{state="finished"}"#, in: text) == 0)
        #expect(Self.value(#"godwit_migration_phase{migration="001",phase="backfill"}"#, in: text) == 1)
        #expect(Self.value(#"godwit_migration_phase{migration="001",phase="expand"}"#, in: text) == 0)
        #expect(Self.value(#"godwit_migration_state{migration="001",state="running"}"#, in: text) == 1)
        #expect(Self.value(#"godwit_rollback_trigger_fired{migration="001",trigger="latency"}"#, in: text) == 0)
        #expect(text.contains("# TYPE godwit_lock_waits_total counter"))
        #expect(text.contains("# TYPE godwit_batch_duration_seconds histogram"))
        #expect(text.contains("# HELP godwit_rows_per_second Rows per second of the step under way"))
    }

    @Test("Counters grow by what the view gained since the last exposition, never twice for the same count")
    func countersGrowOnce() {
        let monitor = Self.running()
        _ = monitor.exposition()
        _ = monitor.exposition()
        #expect(Self.value("godwit_lock_waits_total", in: monitor.exposition()) == 1)
        monitor.observe(ExecutionEvent(kind: .retry, migration: "001", message: "r", lockWait: true))
        monitor.observe(ExecutionEvent(kind: .verification, migration: "001", message: "v", checks: .init(passed: 3, failed: 1)))
        let text = monitor.exposition()
        #expect(Self.value("godwit_lock_waits_total", in: text) == 2)
        #expect(Self.value("godwit_retries_total", in: text) == 2)
        #expect(Self.value("godwit_verification_checks_failed_total", in: text) == 1)
        monitor.observe(ExecutionEvent(kind: .notice, migration: "001", message: "fired", trigger: "latency"))
        #expect(Self.value(#"godwit_rollback_trigger_fired{migration="001",trigger="latency"}"#, in: monitor.exposition()) == 1)
    }

    @Test("copy and sync: rows per table and the changes waiting; a gate's wait in seconds")
    func copySyncAndGate() {
        let monitor = RunMonitor(command: "copy", url: nil)
        monitor.observe(ExecutionEvent(kind: .batch, migration: "copy", message: "Track", progress: .init(rowsDone: 3503, rowsTotal: 9000, rowsPerSecond: 900, batchSize: 3503),
                                       copied: ["Track": 3503]))
        monitor.observe(ExecutionEvent(kind: .batch, migration: "copy", message: "Album", progress: .init(rowsDone: 3850, rowsTotal: 9000, rowsPerSecond: 900, batchSize: 347),
                                       copied: ["Album": 347]))
        monitor.observe(ExecutionEvent(kind: .batch, migration: "sync", message: "sync", syncLag: 17))
        monitor.observe(ExecutionEvent(at: Date().addingTimeInterval(-90), kind: .gate, migration: "001", phase: .contract, message: "waiting",
                                       gate: .init(reason: "approval", approveCommand: "godwit approve 001")))
        monitor.observe(ExecutionEvent(kind: .notice, migration: "001", message: "still waiting"))
        let text = monitor.exposition()
        #expect(Self.value(#"godwit_copy_rows{table="Track"}"#, in: text) == 3503)
        #expect(Self.value(#"godwit_copy_rows{table="Album"}"#, in: text) == 347)
        #expect(Self.value("godwit_sync_lag_changes", in: text) == 17)
        #expect(Self.value(#"godwit_run_state{state="waiting"}"#, in: text) == 1)
        let waited = Self.value(#"godwit_gate_waiting_seconds{migration="001",phase="contract"}"#, in: text) ?? 0
        #expect(waited >= 89 && waited < 200, "\(waited)")
    }

    @Test("The server answers /, /state and /metrics while the work runs, and stops with it; a taken port is a clear error")
    func server() async throws {
        let monitor = Self.running()
        let (pages, continuation) = AsyncStream.makeStream(of: URL.self)
        let answers = try await MonitorServer.serving(monitor, at: ServeAddress(port: 0), started: { continuation.yield($0) }) {
            var iterator = pages.makeAsyncIterator()
            let page = await iterator.next()!
            let html = try await HTTPGet.text(page)
            let state = try await HTTPGet.text(page.appendingPathComponent("state")).body
            let metrics = try await HTTPGet.text(page.appendingPathComponent("metrics"))
            let missing = try await HTTPGet.text(page.appendingPathComponent("nothing-here"))
            return (page, html, state, metrics, missing.status)
        }
        #expect(answers.1.status == 200 && answers.1.body.contains("<title>Godwit — live migration</title>"))
        #expect(!answers.1.body.contains("http://") && !answers.1.body.contains("https://") || answers.1.body.contains("http://www.w3.org/2000/svg"),
                "the page loads nothing from the network")
        let state = try JSONSerialization.jsonObject(with: Data(answers.2.utf8)) as? [String: Any]
        #expect(state?["command"] as? String == "apply")
        #expect((state?["progress"] as? [String: Any])?["rowsDone"] as? Int == 300)
        #expect(answers.3.status == 200 && Self.value("godwit_rows_done", in: answers.3.body) == 300)
        #expect(answers.4 == 404)
        #expect((try? await HTTPGet.text(answers.0)) == nil, "the server outlived the work")

        // Port taken: the second server cannot bind it.
        let (taken, tell) = AsyncStream.makeStream(of: URL.self)
        try await MonitorServer.serving(monitor, at: ServeAddress(port: 0), started: { tell.yield($0) }) {
            var iterator = taken.makeAsyncIterator()
            let port = (await iterator.next()!).port!
            await #expect(throws: GodwitError.self) {
                try await MonitorServer.serving(monitor, at: ServeAddress(port: port), started: { _ in }) { }
            }
        }
    }

    @Test("Addresses: HOST:PORT, :PORT and PORT; loopback unless a host is named")
    func addresses() {
        #expect(ServeAddress("0.0.0.0:9100") == ServeAddress(host: "0.0.0.0", port: 9100))
        #expect(ServeAddress(":9100") == ServeAddress(port: 9100))
        #expect(ServeAddress("9100") == ServeAddress(host: "127.0.0.1", port: 9100))
        #expect(ServeAddress("here") == nil && ServeAddress("1:2:3") == nil && ServeAddress("70000") == nil)
    }
}
