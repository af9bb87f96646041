import Foundation
import GodwitCore
@testable import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// `apply`, `rollback` and their guarantees on a real PostgreSQL server.
@Suite("PostgreSQL apply and rollback")
struct ApplyPostgresTests {
    /// A database loaded with the accounts fixture.
    static func withAccounts<T>(accounts: Int = 300, payments: Int = 200,
                                _ body: (DatabaseURL) async throws -> T) async throws -> T {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: accounts, payments: payments))
            }
            return try await body(url)
        }
    }

    static func settings(through phase: Phase = .cleanup) -> ExecutionSettings {
        var settings = ExecutionSettings()
        settings.approveGates = true
        settings.retention = 0
        settings.through = phase
        settings.batchSize = 50
        settings.batchTarget = 0
        return settings
    }

    static func schema(_ url: DatabaseURL) async throws -> Schema {
        try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
    }

    @Test("Rollback from every phase, contract included, restores the schema and checksums of the start",
          arguments: [Phase.expand, .backfill, .verify, .contract])
    func rollbackFromEveryPhase(_ phase: Phase) async throws {
        try await Self.withAccounts { url in
            let digests = try await DatabaseDigests.all(url), schema = try await Self.schema(url)
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let outcome = try await MigrationApplier(url: url, settings: Self.settings(through: phase)).apply(directory: directory.url.path)
            guard case .waiting = outcome.stop else { Issue.record("apply did not stop after \(phase)"); return }
            let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
            #expect(record?.phase == phase)
            #expect(try await DatabaseDigests.all(url) != digests, "the migration changed nothing before \(phase)")

            let (id, report) = try await MigrationRollback(url: url).rollback(nil)
            #expect(id == "001")
            #expect(report.passed, "\(report.failures)")
            #expect(try await DatabaseDigests.all(url) == digests)
            #expect(try await Self.schema(url) == schema)
            #expect(try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001")?.state } == .rolledBack)
        }
    }

    @Test("A SQL file's checksums cover the tables it can write, not every table; one whose reach cannot be read covers all, and both roll back proven")
    func sqlFileChecksumsFollowItsReach() async throws {
        try await Self.withAccounts { url in
            try await DatabaseConnector.withDriver(url) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE unrelated (id int PRIMARY KEY)") }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            for (name, text) in [("001_memo.up.sql", "ALTER TABLE payments ADD COLUMN memo text;\n"), ("001_memo.down.sql", "ALTER TABLE payments DROP COLUMN memo;\n"),
                                 ("002_tally.up.sql", "SELECT count(*) FROM accounts;\n"), ("002_tally.down.sql", "SELECT 1;\n")] {
                try text.write(toFile: directory.path(name), atomically: true, encoding: .utf8)
            }
            let outcome = try await MigrationApplier(url: url, settings: Self.settings()).apply(directory: directory.url.path)
            #expect(outcome.ran == ["001", "002"])
            let digested = { (id: String) in
                try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).plan(migration: id)?.digests.map(\.table.name) }
            }
            // The file alters payments; accounts is read by its foreign key; unrelated is not touched.
            #expect(try await digested("001") == ["accounts", "payments"])
            #expect(try await digested("002") == ["accounts", "payments", "unrelated"])
            for id in ["002", "001"] {
                let (rolledBack, report) = try await MigrationRollback(url: url).rollback(nil)
                #expect(rolledBack == id)
                #expect(report.passed, "\(report.failures)")
            }
        }
    }

    @Test("Apply stops at the gate and exits cleanly; approve lets the next apply finish; rerun does nothing")
    func gateApproveFinish() async throws {
        try await Self.withAccounts { url in
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            var settings = Self.settings()
            settings.approveGates = false
            let first = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            guard case .waiting(let id, let reason) = first.stop else { Issue.record("no gate"); return }
            #expect(id == "001")
            #expect(reason.contains("godwit approve 001"))
            let again = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            guard case .waiting = again.stop else { Issue.record("the gate let apply through without approval"); return }

            #expect(try await GateApproval.approve("001", url: url) == .contract)
            let last = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            guard case .completed = last.stop else { Issue.record("apply did not finish: \(last.stop)"); return }
            #expect(last.reports.allSatisfy { $0.passed })
            let columns = try await Self.schema(url).table(named: QualifiedName(schema: "public", "accounts"))?.columns.map(\.name)
            #expect(columns?.sorted() == ["balance", "created_at", "full_name", "id", "name_upper"])
            let nothing = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            #expect(nothing.ran.isEmpty)

            let events = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).events(migration: "001") }.map(\.kind)
            for kind in [AuditEvent.Kind.migrationAssessed, .phaseStarted, .integrityCheck, .phaseCompleted, .gateWaiting, .gateApproved, .migrationCompleted] {
                #expect(events.contains(kind), "no \(kind) in the audit log")
            }
        }
    }

    @Test("A failed validation fires the integrity trigger: automatic rollback, verified; with pause, the run stops")
    func integrityTrigger() async throws {
        for action in ["rollback", "pause"] {
            try await Self.withAccounts { url in
                let digests = try await DatabaseDigests.all(url)
                let migration = ExecutionFixtures.postgresMigration
                    .replacingOccurrences(of: "expect: 0}", with: "expect: 5}")
                    + "rollback_triggers:\n  - {when: integrity_failure, action: \(action)}\n"
                let directory = try ExecutionFixtures.directory(with: migration)
                defer { directory.remove() }
                let applier = MigrationApplier(url: url, settings: Self.settings())
                if action == "rollback" {
                    let outcome = try await applier.apply(directory: directory.url.path)
                    guard case .rolledBack(_, let reason, let report) = outcome.stop else { Issue.record("not rolled back"); return }
                    #expect(reason.contains("every account has name_upper"))
                    #expect(report.passed)
                    #expect(try await DatabaseDigests.all(url) == digests)
                } else {
                    await #expect(throws: (any Error).self) { try await applier.apply(directory: directory.url.path) }
                    let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
                    #expect(record?.state == .failed)
                    #expect(record?.waitingFor?.contains("paused by a rollback trigger") == true)
                }
            }
        }
    }

    @Test("A backend terminated mid-batch is retried and the backfill completes")
    func terminatedBackendIsRetried() async throws {
        try await Self.withAccounts(accounts: 2000) { url in
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            _ = try await MigrationApplier(url: url, settings: Self.settings(through: .expand)).apply(directory: directory.url.path)
            // Another session holds a row the backfill must update, so godwit's batch waits inside
            // its UPDATE; it is ended there from outside. However loaded the machine, the
            // termination finds the session mid-batch (a race with a running backfill did not).
            let holder = try await DatabaseConnector.open(url)
            try await holder.execute(unsafeSQL: "BEGIN")
            try await holder.execute(unsafeSQL: "SELECT * FROM accounts WHERE id = 1500 FOR UPDATE")
            var settings = Self.settings(through: .backfill)
            settings.lockTimeout = 300
            let log = EventLog()
            let killer = Task {
                let admin = try await DatabaseConnector.open(url)
                defer { Task { try? await admin.close() } }
                var terminated: Int64 = 0
                try await Poll.until(every: .milliseconds(20)) {
                    terminated = try await admin.query(unsafeSQL: """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'godwit' AND pid <> pg_backend_pid() AND datname = current_database()
                          AND wait_event_type = 'Lock' AND query LIKE 'UPDATE%'
                        """).first?[0].integerValue ?? 0
                    return terminated > 0
                }
                // The holder lets go once the batch was ended, so its retry goes through.
                try await holder.execute(unsafeSQL: "ROLLBACK")
                try await holder.close()
                return terminated
            }
            let outcome = try await MigrationApplier(url: url, settings: settings, observer: log).apply(directory: directory.url.path)
            #expect(try await killer.value == 1)
            guard case .waiting = outcome.stop else { Issue.record("apply did not finish the backfill: \(outcome.stop)"); return }
            let retries = log.events(.retry)
            #expect(!retries.isEmpty)
            #expect(retries.allSatisfy { $0.lockWait != true }, "a retry came from a lock timeout, not the termination: \(retries.map(\.message))")
            let missing = try await DatabaseConnector.withDriver(url) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM accounts WHERE name_upper IS DISTINCT FROM upper(name)").first?[0].integerValue
            }
            #expect(missing == 0)
        }
    }

    @Test("The proof after a rollback is retried like any step: its session terminated mid-check, it runs again on a new one and passes")
    func rollbackVerificationIsRetried() async throws {
        // Enough rows that the proof's checksum scan stays on the server long enough to be seen
        // (hashing values, it takes a third of the time hashing the rows' text took).
        try await Self.withAccounts(accounts: 200_000) { url in
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            var settings = Self.settings(through: .backfill)
            settings.batchSize = 20_000
            let digests = try await DatabaseDigests.all(url)
            _ = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            let log = EventLog()
            let killer = Task {
                let admin = try await DatabaseConnector.open(url)
                defer { Task { try? await admin.close() } }
                // Once the rollback runs, end the session the moment it reads the schema or the
                // tables' checksums (the proof: undo steps do neither).
                var terminated: Int64 = 0
                try await Poll.until(every: .milliseconds(2)) { !log.events(.rollbackStarted).isEmpty }
                try await Poll.until(every: .zero) {
                    terminated = try await admin.query(unsafeSQL: """
                        SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                        WHERE application_name = 'godwit' AND pid <> pg_backend_pid() AND datname = current_database()
                          AND state = 'active' AND (query LIKE '%godwit_position%' OR query LIKE 'EXECUTE godwit_prepared%')
                        """).first?[0].integerValue ?? 0
                    return terminated > 0 || !log.events(.rollbackFinished).isEmpty
                }
                return terminated
            }
            let (_, report) = try await MigrationRollback(url: url, settings: settings, observer: log).rollback(nil)
            #expect(try await killer.value == 1)
            #expect(report.passed, "\(report)")
            #expect(log.events(.retry).contains { $0.message.contains("verify the rollback") })
            let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
            #expect(record?.state == .rolledBack)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    @Test("A lock held by another session makes DDL time out and retry instead of queueing traffic behind it")
    func lockTimeoutRetries() async throws {
        try await Self.withAccounts { url in
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let holder = try await DatabaseConnector.open(url)
            let reader = try await DatabaseConnector.open(url)
            try await holder.execute(unsafeSQL: "BEGIN")
            try await holder.execute(unsafeSQL: "LOCK TABLE accounts IN ACCESS SHARE MODE")
            var settings = Self.settings(through: .expand)
            settings.lockTimeout = 0.1
            settings.backoffBase = 0.05
            settings.backoffCap = 0.2
            settings.attempts = 200
            let log = EventLog()
            let apply = Task { try await MigrationApplier(url: url, settings: settings, observer: log).apply(directory: directory.url.path) }
            // While godwit waits for its ACCESS EXCLUSIVE lock, other sessions' reads are not queued
            // behind it: with a lock timeout of their own longer than godwit's, every read succeeds.
            try await reader.execute(unsafeSQL: "SET lock_timeout = '2s'")
            // Bounded by time, not by a count of naps: a loaded machine stretches each nap.
            let deadline = ContinuousClock.now + .seconds(120)
            while log.events(.retry).count < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(log.events(.retry).count >= 3, "godwit did not retry: \(log.events.map(\.message))")
            for _ in 0..<10 {
                #expect(try await reader.query(unsafeSQL: "SELECT count(*) FROM accounts").first?[0].integerValue == 300)
            }
            try await holder.execute(unsafeSQL: "COMMIT")
            let outcome = try await apply.value
            guard case .waiting = outcome.stop else { Issue.record("apply did not finish expand"); return }
            #expect(log.events(.retry).allSatisfy { $0.message.contains("lock not granted within 0.1s") })
            try await holder.close()
            try await reader.close()
        }
    }

    @Test("Batches that keep failing fire the failed-batch trigger: the migration is rolled back and verified")
    func failedBatchTrigger() async throws {
        try await Self.withAccounts { url in
            let digests = try await DatabaseDigests.all(url)
            let migration = ExecutionFixtures.postgresMigration + "rollback_triggers:\n  - {when: failed_batches, percent: 20}\n"
            let directory = try ExecutionFixtures.directory(with: migration)
            defer { directory.remove() }
            // A session holds one row the backfill must update, for the whole run.
            let holder = try await DatabaseConnector.open(url)
            try await holder.execute(unsafeSQL: "BEGIN")
            try await holder.execute(unsafeSQL: "SELECT * FROM accounts WHERE id = 120 FOR UPDATE")
            var settings = Self.settings()
            settings.lockTimeout = 0.05
            settings.backoffBase = 0.01
            let log = EventLog()
            settings.attempts = 6
            let apply = Task { try await MigrationApplier(url: url, settings: settings, observer: log).apply(directory: directory.url.path) }
            // The holder lets go once the rollback begins, as an operator would (or once the run
            // ended without one: then the test fails instead of waiting).
            try await Poll.until {
                !log.events(.rollbackStarted).isEmpty || !log.events(.migrationFinished).isEmpty || !log.events(.interrupted).isEmpty
            }
            try await holder.execute(unsafeSQL: "ROLLBACK")
            try await holder.close()
            let outcome = try await apply.value
            guard case .rolledBack(_, let reason, let report) = outcome.stop else { Issue.record("not rolled back: \(outcome.stop)"); return }
            #expect(reason.contains("tries failed"))
            #expect(report.passed)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    @Test("Probe latency that stays above baseline + 50% fires the latency trigger: the migration is rolled back and verified")
    func latencyTrigger() async throws {
        try await Self.withAccounts(accounts: 3000) { url in
            let digests = try await DatabaseDigests.all(url)
            let migration = ExecutionFixtures.postgresMigration + "rollback_triggers:\n  - {when: latency, percent: 50}\n"
            let directory = try ExecutionFixtures.directory(with: migration)
            defer { directory.remove() }
            var settings = Self.settings()
            settings.backoffCap = 0.05
            settings.lockTimeout = 2
            let log = EventLog()
            // Once batches run, another session keeps taking the table for 1.2 s at a time: every
            // probe waits behind it (under the lock timeout, so nothing fails), as under real load,
            // long enough to stand clear of a baseline taken on a busy machine (a loaded CI run
            // once finished the whole apply under 400 ms holds without the trigger firing).
            let holder = try await DatabaseConnector.open(url)
            let load = Task {
                try await Poll.until { !log.events(.batch).isEmpty }
                // Until the trigger fires, or the apply ends without it (then the test fails, not hangs).
                // One statement a cycle (its own transaction), so the lock is free only for the
                // one round trip between cycles and a probe rarely slips through there.
                while log.events(.rollbackStarted).isEmpty && !log.events(.notice).contains(where: { $0.message == "apply returned" }) {
                    try await holder.execute(unsafeSQL: "DO $$ BEGIN LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(1.2); END $$")
                }
                try await holder.close()
            }
            let outcome = try await MigrationApplier(url: url, settings: settings, observer: log).apply(directory: directory.url.path)
            log.observe(ExecutionEvent(kind: .notice, migration: "test", message: "apply returned"))
            try await load.value
            guard case .rolledBack(_, let reason, let report) = outcome.stop else { Issue.record("not rolled back: \(outcome.stop)"); return }
            #expect(reason.contains("stayed above its baseline"))
            #expect(!log.events(.backoff).isEmpty)
            #expect(report.passed)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    @Test("A second apply is refused, naming the running one")
    func secondApplyRefused() async throws {
        try await Self.withAccounts { url in
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let lock = try await RunnerLock.acquire(for: url)
            let error = await #expect(throws: GodwitError.self) {
                try await MigrationApplier(url: url, settings: Self.settings()).apply(directory: directory.url.path)
            }
            #expect(error?.summary == "Another godwit is running migrations")
            #expect(error?.reason?.contains("held by godwit pid \(ProcessInfo.processInfo.processIdentifier)") == true)
            await lock.release()
        }
    }
}

@Suite("Row checksums on PostgreSQL")
struct DigestTamperingPostgresTests {
    @Test("Same rows in any order digest alike; a changed value, a NULL, a deleted row and swapped values each change it (hashtextextended of the row)")
    func tampering() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let problems = try await DigestTampering.check(.postgres(endpoint))
            #expect(problems == [])
        }
    }

    @Test("Checksums earlier builds recorded (hv:, by either of their two formulas) are taken the same way again on rollback: equal rows match, a changed value does not")
    func legacyChecksums() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE t (id integer PRIMARY KEY, name text, amount numeric(10,2), ratio double precision, doc jsonb);
                    INSERT INTO t VALUES (1, 'x', 1.50, 0.5, '{"a": 1}'), (2, NULL, 0, NULL, '{}'), (3, 'z', NULL, 0, NULL);
                    """)
                let schema = try await driver.inspect(InspectionOptions())
                let table = try #require(schema.tables.first { $0.name.name == "t" })
                let columns = table.columns.map(\.name)
                let spelling = try #require(driver.dialect as? any CanonicalSpelling)
                let formulas = spelling.legacyRowValueHashes(of: columns, declaredTypes: table.columns.map(\.type))
                #expect(formulas.count == 2)
                let current = try await TableDigester.digests(of: [table.name], in: schema, on: driver)
                #expect(current.first?.checksum.hasPrefix("hv2:") == true)
                for formula in formulas {
                    // What an earlier build recorded: the sum of its row hashes, prefixed hv:.
                    let sum = try #require(try await driver.query(unsafeSQL: "SELECT coalesce(sum(\(formula)), 0)::text FROM t").first?[0].textValue)
                    let recorded = TableDigest(table: table.name, columns: columns, rows: 3, checksum: "hv:" + sum)
                    #expect(TableDigest.Algorithm.of(recorded.checksum, engine: .postgresql) == .legacyValues)
                    let again = try await TableDigester.digests(like: [recorded], in: schema, on: driver)
                    #expect(again.first?.checksum == recorded.checksum, "\(formula)")
                    _ = try await driver.execute(unsafeSQL: "UPDATE t SET name = 'y' WHERE id = 3")
                    let changed = try await TableDigester.digests(like: [recorded], in: schema, on: driver)
                    #expect(changed.first?.checksum != recorded.checksum, "\(formula)")
                    _ = try await driver.execute(unsafeSQL: "UPDATE t SET name = 'z' WHERE id = 3")
                }
            }
        }
    }
}
