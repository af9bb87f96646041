import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Watching a run live, with real parts: `apply --serve` in one process and a real headless
/// Chromium reading its dashboard; `godwit watch` in another process reading a run's records;
/// a real Prometheus scraping `watch --serve` and firing an alert from the rules
/// `plan --format alerts` wrote, which `promtool` checks.
@Suite("Live monitoring", .serialized)
struct LiveMonitorTests {
    /// Small batches with a pause between them: the backfill lasts long enough to be watched
    /// however busy the machine is. The run is stopped by the test.
    static let slowApply = ["--yes", "--unrehearsed", "--retention", "0s", "--batch-size", "10", "--batch-target", "0", "--batch-pause", "40ms"]

    static let pageLine = #"at (http://127\.0\.0\.1:\d+/) \("#

    /// Rows the served run reports done, from `/state`.
    static func rowsDone(_ page: URL) async throws -> Int64 {
        let state = try await HTTPGet.json(page.appendingPathComponent("state")) as? [String: Any]
        return ((state?["progress"] as? [String: Any])?["rowsDone"] as? NSNumber)?.int64Value ?? 0
    }

    /// Waits until the served run has done more than `rows` rows.
    static func waitForRows(beyond rows: Int64, at page: URL) async throws -> Int64 {
        for _ in 0..<600 {
            let done = try await rowsDone(page)
            if done > rows { return done }
            try await Task.sleep(for: .milliseconds(50))
        }
        return rows
    }

    /// The value of an unlabelled or labelled sample in a Prometheus exposition.
    static func sample(_ name: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    /// Where the tests keep what a person would look at (the dashboard's screenshot).
    static var artifacts: URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("apply --serve on SQLite: a real Chromium sees the phases, the progress moving and the rows/s chart; /metrics agrees")
    func dashboardInChromium() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        // Enough rows that the backfill outlasts the test on a slow machine (under the size that
        // lint calls a large table): the run is stopped at the end, and the metrics are read
        // right after the page, while the same step runs.
        let db = try await ApplyCommandTests.database(in: directory, accounts: 9_500)
        let run = try BackgroundProcess(GodwitBinary.path, ["apply", directory.url.path, "--db", db, "--serve", "127.0.0.1:0"] + Self.slowApply)
        let served = try await run.waitForError(Self.pageLine)
        let page = try #require(served.flatMap(URL.init(string:)), "no address printed: \(run.standardError)")

        let before = try await Self.waitForRows(beyond: 0, at: page)
        #expect(before > 0)
        // The audit tail comes from the records, read once a second.
        try await Poll.until(timeout: .seconds(120), every: .milliseconds(50)) {
            try await HTTPGet.text(page.appendingPathComponent("state")).body.contains("phase=backfill")
        }
        let first = try await HeadlessChromium.dom(of: page)
        let shownFirst = Int64(HeadlessChromium.text(ofElement: "rows-done", in: first)?.replacingOccurrences(of: ",", with: "") ?? "") ?? -1
        #expect(shownFirst > 0 && shownFirst <= 9_500, "the page shows \(shownFirst) rows done")
        #expect(HeadlessChromium.text(ofElement: "state", in: first) == "running")
        #expect(first.contains(#"class="current">backfill<"#), "the current phase is not marked")
        #expect(first.contains(#"class="done">expand<"#))
        #expect(HeadlessChromium.text(ofElement: "rows-total", in: first) == "9,500")
        #expect(first.contains("data-points="), "the rows/s chart has no points")
        #expect(first.contains("001: when a data integrity check fails"), "the rollback triggers are not listed")
        #expect(first.contains("phase-started: migration=001, phase=backfill"), "the audit tail is missing")

        _ = try await Self.waitForRows(beyond: shownFirst + 50, at: page)
        let second = try await HeadlessChromium.dom(of: page)
        let shownSecond = Int64(HeadlessChromium.text(ofElement: "rows-done", in: second)?.replacingOccurrences(of: ",", with: "") ?? "") ?? -1
        #expect(shownSecond > shownFirst, "progress did not move on the page: \(shownFirst) then \(shownSecond)")
        let metrics = try await HTTPGet.text(page.appendingPathComponent("metrics"))
        #expect(metrics.status == 200)
        let percent = Double(HeadlessChromium.text(ofElement: "progress-percent", in: second) ?? "") ?? 0
        #expect(percent > 0 && percent < 100)

        let screenshot = Self.artifacts.appendingPathComponent("dashboard.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        try await HeadlessChromium.screenshot(of: page, to: screenshot)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "screenshot of \(png.count) bytes")


        #expect((Self.sample("godwit_rows_done", in: metrics.body) ?? 0) >= Double(shownSecond))
        #expect(Self.sample("godwit_rows_total", in: metrics.body) == 9_500)
        #expect((Self.sample("godwit_batch_duration_seconds_count", in: metrics.body) ?? 0) > 0)
        #expect(Self.sample(#"godwit_migration_phase{migration="001",phase="backfill"}"#, in: metrics.body) == 1)
        #expect(Self.sample(#"godwit_run_state{state="running"}"#, in: metrics.body) == 1)
        #expect(Self.sample("godwit_verification_checks_passed_total", in: metrics.body).map { $0 > 0 } == true)
        #expect(metrics.body.contains("# HELP godwit_probe_latency_seconds "))

        // SIGTERM: the run stops cleanly after its batch, and the server goes with it.
        let status = await run.stop()
        #expect(status == 130, "\(run.standardError)")
        #expect((try? await HTTPGet.text(page)) == nil, "the dashboard outlived the run")
    }

    @Test("PostgreSQL: apply --serve samples the server (transactions/s, lock waits); watch in another process shows the same run, as text and served")
    func watchPostgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let url = DatabaseURL.postgres(endpoint)
                try await DatabaseConnector.withDriver(url) { driver in
                    try await driver.executeScript(unsafeSQL: """
                        CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);
                        INSERT INTO people SELECT g, 'person ' || g FROM generate_series(1, 3000) g;
                        """)
                }
                try ExecutionFixtures.nameUpperMigration.write(toFile: directory.path("001_name_upper.yaml"), atomically: true, encoding: .utf8)
                let run = try BackgroundProcess(GodwitBinary.path, ["apply", directory.url.path, "--db", url.unredactedString, "--serve", "0"] + Self.slowApply)
                let page = try #require(try await run.waitForError(Self.pageLine).flatMap(URL.init(string:)), "\(run.standardError)")
                _ = try await Self.waitForRows(beyond: 20, at: page)
                // Two samples of the server give rates; backends report their commits to the
                // statistics about once a second.
                var server: [String: Any]?
                try await Poll.until(timeout: .seconds(120), every: .milliseconds(100)) {
                    server = (try await HTTPGet.json(page.appendingPathComponent("state")) as? [String: Any])?["server"] as? [String: Any]
                    return ((server?["transactionsPerSecond"] as? NSNumber)?.doubleValue ?? 0) > 0
                }
                #expect(((server?["transactionsPerSecond"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(String(describing: server))")
                #expect(server?["lockWaitingSessions"] as? NSNumber == 0)
                var metrics = try await HTTPGet.text(page.appendingPathComponent("metrics")).body
                #expect((Self.sample("godwit_server_transactions_per_second", in: metrics) ?? 0) > 0)

                // A session holding the table's lock: the run's batches wait for it and are
                // retried (lock waits), and the server shows a session waiting (an application's
                // read, queued behind the lock until it is released).
                let (waitingSeen, lockWaits) = try await DatabaseConnector.withDriver(url) { holder in
                    try await holder.execute(unsafeSQL: "BEGIN")
                    try await holder.execute(unsafeSQL: "LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
                    let reader = Task { try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT count(*) FROM people") } }
                    var waiting = 0, retried = 0
                    try await Poll.until(timeout: .seconds(120), every: .milliseconds(100)) {
                        let state = try await HTTPGet.json(page.appendingPathComponent("state")) as? [String: Any]
                        waiting = max(waiting, ((state?["server"] as? [String: Any])?["lockWaitingSessions"] as? NSNumber)?.intValue ?? 0)
                        retried = (state?["lockWaits"] as? NSNumber)?.intValue ?? 0
                        return waiting > 0 && retried > 0
                    }
                    try await holder.execute(unsafeSQL: "ROLLBACK")
                    _ = try await reader.value
                    return (waiting, retried)
                }
                #expect(waitingSeen >= 1, "no session was seen waiting for the lock")
                #expect(lockWaits >= 1, "no lock wait was counted")
                metrics = try await HTTPGet.text(page.appendingPathComponent("metrics")).body
                #expect((Self.sample("godwit_lock_waits_total", in: metrics) ?? 0) >= 1)

                // Another process, reading only the records.
                let text = try await GodwitBinary.run(["watch", "--db", url.unredactedString, "--once"])
                #expect(text.status == 0, "\(text.standardError)")
                #expect(text.standardOutput.contains("godwit watch: running"), "\(text.standardOutput)")
                #expect(text.standardOutput.contains("001 name_upper: running"))
                #expect(text.standardOutput.contains("Under way: 001 backfill step"), "\(text.standardOutput)")
                #expect(text.standardOutput.contains(" of 3,000 rows"))
                #expect(text.standardOutput.contains("phase-started: migration=001, phase=backfill"))

                let watcher = try BackgroundProcess(GodwitBinary.path, ["watch", "--db", url.unredactedString, "--serve", "127.0.0.1:0", "--interval", "200ms"])
                let watched = try #require(try await watcher.waitForError(Self.pageLine).flatMap(URL.init(string:)), "\(watcher.standardError)")
                #expect(!watcher.standardError.contains(endpoint.password ?? "\u{0}"), "watch printed the password")
                let seen = try await Self.waitForRows(beyond: 0, at: watched)
                let later = try await Self.waitForRows(beyond: seen, at: watched)
                #expect(later > seen, "watch --serve did not follow the run")
                let state = try await HTTPGet.json(watched.appendingPathComponent("state")) as? [String: Any]
                #expect(state?["command"] as? String == "watch")
                #expect(state?["state"] as? String == "running")
                let migrations = state?["migrations"] as? [[String: Any]]
                #expect((migrations?.first?["phases"] as? [String])?.contains("backfill") == true, "\(String(describing: migrations))")
                await watcher.stop()
                #expect(await run.stop() == 130, "\(run.standardError)")
            }
        }
    }

    @Test("plan --format alerts passes promtool; a real Prometheus scraping watch --serve fires the verification and trigger alerts of a failed run")
    func prometheusFiresAlert() async throws {
        let promtool = try #require(PrometheusServer.tool("promtool"), "promtool is not installed (scripts/test installs prometheus)")
        let migration = """
            name: Accounts audit
            downtime: zero
            operations:
              - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
            validations:
              - {name: no accounts, sql: "SELECT count(*) FROM accounts", expect: 0}
            rollback_triggers:
              - {when: validation, validation: no accounts, action: pause}
              - {when: latency, percent: 80}
            gates:
              - {before: backfill, soak: 30m}

            """
        let directory = try ExecutionFixtures.directory(with: migration)
        defer { directory.remove() }
        let db = try await ApplyCommandTests.database(in: directory)

        let output = try TemporaryDirectory()
        defer { output.remove() }
        let rulesFile = output.path("alerts.yml")
        let plan = try await GodwitBinary.run(["plan", directory.url.path, "--db", db, "--format", "alerts", "--output", rulesFile, "--stalled-after", "15m"])
        #expect(plan.status == 0, "\(plan.standardError)")
        let rules = try String(contentsOfFile: rulesFile, encoding: .utf8)
        let checked = try await ProcessRunner.runOffPool(promtool, ["check", "rules", rulesFile])
        #expect(checked.status == 0, "\(checked.standardOutput)\(checked.standardError)")
        #expect((checked.standardOutput + checked.standardError).contains("SUCCESS: 7 rules found"), "\(checked.standardOutput)\(checked.standardError)")
        #expect(rules.contains("alert: GodwitTriggerValidationNoAccounts"))
        #expect(rules.contains("godwit_probe_latency_seconds > godwit_probe_baseline_seconds * 1.8"))
        #expect(rules.contains(#"godwit_gate_waiting_seconds{migration="001",phase="backfill"} > 1800"#))
        #expect(rules.contains("(time() - godwit_last_progress_timestamp_seconds) > 900"))

        // The forced condition: the validation fails after the backfill; the trigger pauses the run.
        let applied = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--yes", "--waive-soak", "--unrehearsed", "--retention", "0s"])
        #expect(applied.status == 1, "\(applied.standardError)")
        #expect(applied.standardError.contains("no accounts"), "\(applied.standardError)")

        let port = try FreePort.take()
        let watcher = try BackgroundProcess(GodwitBinary.path, ["watch", "--db", db, "--serve", "127.0.0.1:\(port)"])
        defer { Task { await watcher.stop() } }
        #expect(try await watcher.waitForError(Self.pageLine) != nil, "\(watcher.standardError)")
        let prometheus = try await PrometheusServer(scraping: ["127.0.0.1:\(port)"], rules: rules)
        var firing: [String] = []
        for _ in 0..<120 where !(firing.contains("GodwitVerificationFailed") && firing.contains("GodwitTriggerValidationNoAccounts")) {
            try await Task.sleep(for: .milliseconds(500))
            firing = try await prometheus.firingAlerts().filter { $0.labels["migration"] == nil || $0.labels["migration"] == "001" }.map(\.name)
        }
        #expect(try await prometheus.targetHealth() == ["up"])
        await prometheus.stop()
        await watcher.stop()
        #expect(firing.contains("GodwitVerificationFailed"), "firing: \(firing)")
        #expect(firing.contains("GodwitTriggerValidationNoAccounts"), "firing: \(firing)")
        // Nothing runs, nothing waits at a gate, no probe: those stay quiet.
        #expect(!firing.contains("GodwitMigrationStalled") && !firing.contains("GodwitTriggerLatency") && !firing.contains("GodwitGateWaitingBackfill"), "firing: \(firing)")
    }

    @Test("A run waiting at a gate: watch --serve's page in Chromium shows the gate and the exact approve command; the gate alert's metric counts the wait")
    func gateInChromium() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await ApplyCommandTests.database(in: directory)
        let applied = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--unrehearsed"])
        #expect(applied.status == 0 && applied.standardOutput.contains("waits for approval of the gate before contract"), "\(applied.standardOutput)")
        let watcher = try BackgroundProcess(GodwitBinary.path, ["watch", "--db", db, "--serve", "127.0.0.1:0"])
        let page = try #require(try await watcher.waitForError(Self.pageLine).flatMap(URL.init(string:)), "\(watcher.standardError)")
        let dom = try await HeadlessChromium.dom(of: page)
        #expect(HeadlessChromium.text(ofElement: "gate-command", in: dom) == "godwit approve 001", "\(dom.suffix(3000))")
        #expect(dom.contains(#"<section id="gate-section" class="gate">"#), "the gate section is hidden")
        #expect(HeadlessChromium.text(ofElement: "state", in: dom) == "waiting")
        let metrics = try await HTTPGet.text(page.appendingPathComponent("metrics")).body
        #expect((Self.sample(#"godwit_gate_waiting_seconds{migration="001",phase="contract"}"#, in: metrics) ?? -1) >= 0, "\(metrics)")
        #expect(Self.sample(#"godwit_migration_state{migration="001",state="waiting-at-gate"}"#, in: metrics) == 1)
        await watcher.stop()
    }

    @Test("watch: an unreachable server is an error that names the database without its password; a bad --serve is a usage error")
    func watchErrors() async throws {
        let unreachable = try await GodwitBinary.run(["watch", "--db", "postgres://app:s3cret-pass@127.0.0.1:1/app", "--once"])
        #expect(unreachable.status != 0)
        #expect(unreachable.standardError.contains("godwit: error:"), "\(unreachable.standardError)")
        #expect(!unreachable.standardError.contains("s3cret-pass") && !unreachable.standardOutput.contains("s3cret-pass"))
        let badAddress = try await GodwitBinary.run(["apply", "/nonexistent", "--db", "sqlite:/tmp/x.db", "--serve", "here"])
        #expect(badAddress.status == 64, "\(badAddress.standardError)")
        #expect(badAddress.standardError.contains("--serve"))
    }
}
