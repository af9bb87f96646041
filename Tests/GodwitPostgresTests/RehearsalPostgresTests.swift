import Foundation
import GodwitCore
@testable import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// `rehearse` on PostgreSQL: clones, proves rollback, and leaves no clone behind.
@Suite("PostgreSQL rehearsal")
struct RehearsalPostgresTests {
    @Test("The strategy template's example migrations rehearse: go, rollback identical, the original untouched, no clone left")
    func seedExample() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await TestPostgres.load(SeedExampleTests.example.appendingPathComponent("schema.sql"), into: endpoint)
            try await TestPostgres.load(SeedExampleTests.example.appendingPathComponent("data.sql"), into: endpoint)
            let before = try await DatabaseDigests.all(url)
            let report = try await Rehearsal(url: url).run(directory: SeedExampleTests.example.appendingPathComponent("migrations").path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.migrations == ["001", "002", "003"])
            #expect(report.rollbackIdentical)
            #expect(report.cloneMethod == "CREATE DATABASE … TEMPLATE")
            #expect(Set(report.steps.map(\.pass)) == ["apply", "rollback", "reapply"])
            #expect(report.steps.filter { $0.pass == "reapply" }.count == report.steps.filter { $0.pass == "apply" }.count + 3)
            #expect(try await DatabaseDigests.all(url) == before)
            // Locks and storage are measured on the server: every concurrent index build wrote new storage.
            #expect(report.lockSamplingSeconds != nil)
            let builds = report.steps.filter { $0.pass == "apply" && $0.title.contains("concurrently") }
            #expect(!builds.isEmpty && builds.allSatisfy { ($0.bytesRewritten ?? 0) > 0 && $0.lockHeld == nil }, "\(builds)")
            #expect(report.markdown().contains("| Write-blocking lock held | Longest lock wait | Storage written |"))
            // The verdict is recorded in the original, per file, for apply's guardrail.
            let migrations = try MigrationDirectory.load(SeedExampleTests.example.appendingPathComponent("migrations").path)
            for migration in migrations {
                let passed = try await DatabaseConnector.withDriver(url) {
                    try await StateStore(driver: $0).passedRehearsal(migration: migration.id, checksum: migration.source!.checksum)
                }
                #expect(passed != nil, "no rehearsal recorded for \(migration.id)")
            }
            #expect(try await Self.databaseExists(try #require(report.clone), on: url) == false)
        }
    }

    @Test("The Chinook example for PostgreSQL rehearses to go: times, locks and storage stated, rollback identical")
    func chinookExample() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await TestPostgres.load(Fixtures.chinookPostgres, into: endpoint)
            let examples = SeedExampleTests.example.deletingLastPathComponent().deletingLastPathComponent()
            let report = try await Rehearsal(url: url).run(directory: examples.appendingPathComponent("chinook/postgres/migrations").path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.migrations == ["001"])
            #expect(report.rollbackIdentical)
            let applied = report.steps.filter { $0.pass == "apply" }
            #expect(applied.count == 9 && applied.allSatisfy { $0.seconds > 0 && $0.undo == nil })
            // The concurrent builds write new storage; the popularity backfill walks every track.
            #expect(applied.filter { $0.title.contains("concurrently") }.allSatisfy { ($0.bytesRewritten ?? 0) > 0 })
            #expect(applied.contains { $0.title == "Backfill public.track.popularity" && $0.rows == 3503 })
            #expect(report.steps.filter { $0.pass == "rollback" }.allSatisfy { $0.undo == true && $0.title.hasPrefix("undo: ") })
            #expect(try await Self.databaseExists(try #require(report.clone), on: url) == false)
        }
    }

    @Test("Locks are measured on the server: a step holding ACCESS EXCLUSIVE past the budget is flagged, a rewrite's bytes are counted")
    func locksAndRewrites() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 20_000, payments: 100))
            }
            let directory = try ExecutionFixtures.directory(with: """
                name: Slow lock and a rewrite
                downtime: window
                operations:
                  - sql:
                      up: "DO $$ BEGIN LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(1.2); END $$"
                      down: "DO $$ BEGIN LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; PERFORM pg_sleep(0.3); END $$"
                  - sql:
                      up: "ALTER TABLE accounts ALTER COLUMN balance TYPE bigint"
                      down: "ALTER TABLE accounts ALTER COLUMN balance TYPE integer"

                """)
            defer { directory.remove() }
            let report = try await Rehearsal(url: url, lockBudget: 0.2).run(directory: directory.url.path)
            #expect(report.rollbackIdentical, "\(report.differences)")
            #expect(report.lockSamplingSeconds != nil)
            let slow = try #require(report.steps.first { $0.pass == "apply" && $0.step == 1 })
            let held = try #require(slow.lockHeld)
            #expect(held.mode == "ACCESS EXCLUSIVE")
            #expect(held.object == "public.accounts")
            // Held 1.2 s: the samples' upper bound covers it, so even the midpoint estimate is over 0.6 s.
            #expect(held.seconds >= 0.6, "\(held)")
            #expect(slow.overBudget)
            #expect(report.suggestions.contains { $0.hasPrefix("Step 1 of 001") && $0.contains("ACCESS EXCLUSIVE on public.accounts") })
            let rewrite = try #require(report.steps.first { $0.pass == "apply" && $0.step == 2 })
            // 20,000 rows rewritten: the table and its primary key get new storage.
            #expect((rewrite.bytesRewritten ?? 0) > 500_000, "\(rewrite)")
            #expect(report.markdown().contains("ACCESS EXCLUSIVE on public.accounts ≈"))
            #expect(report.markdown().contains("— **over the 200 ms budget**"))
        }
    }

    @Test("--sample: big tables are cloned as samples with their foreign keys kept whole; the rehearsal proves rollback on them")
    func sampledClone() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 20_000, payments: 30_000) + "\nANALYZE;")
                try await $0.executeScript(unsafeSQL: "CREATE TABLE settings (key text PRIMARY KEY, value text); INSERT INTO settings VALUES ('a', 'b');")
            }
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let before = try await DatabaseDigests.all(url)
            var rehearsal = Rehearsal(url: url)
            rehearsal.sample = 2_000
            let report = try await rehearsal.run(directory: directory.url.path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.cloneMethod == "pg_dump | pg_restore with samples")
            let sampled = Dictionary(uniqueKeysWithValues: report.sampledTables.map { ($0.table, $0) })
            #expect(Set(sampled.keys) == ["public.accounts", "public.payments"])
            for table in sampled.values { #expect(table.rowsCopied > 0 && table.rowsCopied <= 2_000, "\(table)") }
            #expect(sampled["public.accounts"]?.rowsInSource == 20_000)
            // Every step over the sampled accounts walked the sample, not the original's rows.
            #expect(report.steps.compactMap(\.rows).allSatisfy { $0 <= 2_000 })
            #expect(report.markdown().contains("## Sampled tables"))
            #expect(try await DatabaseDigests.all(url) == before)
            #expect(try await Self.databaseExists(try #require(report.clone), on: url) == false)
        }
    }

    @Test("The lock sampler sees a held ACCESS EXCLUSIVE lock and the wait it causes, with their durations")
    func lockSampler() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            _ = try await DatabaseConnector.withDriver(url) { try await $0.execute(unsafeSQL: "CREATE TABLE t (id int)") }
            let sampler = LockSampler(database: endpoint.database, server: .postgres(endpoint.selectingDatabase("postgres")))
            try await sampler.start()
            let holder = try await DatabaseConnector.open(url), waiter = try await DatabaseConnector.open(url)
            let oid = try await holder.query(unsafeSQL: "SELECT 't'::regclass::oid::int8").first?[0].integerValue
            try await holder.execute(unsafeSQL: "BEGIN")
            try await holder.execute(unsafeSQL: "LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
            let read = Task { try await waiter.query(unsafeSQL: "SELECT count(*) FROM t") }
            // Hold at least 0.4 s, and until samples saw the hold twice and the wait once, however loaded the machine.
            let since = Date()
            while Date().timeIntervalSince(since) < 0.4
                    || !sampler.observations.contains(where: { $0.granted && $0.relation == oid && $0.samples >= 2 })
                    || !sampler.observations.contains(where: { !$0.granted && $0.relation == oid }) {
                guard Date().timeIntervalSince(since) < 30 else { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await holder.execute(unsafeSQL: "COMMIT")
            _ = try await read.value
            try await Task.sleep(for: .milliseconds(50))
            await sampler.stop()
            try await holder.close()
            try await waiter.close()
            #expect(sampler.failure == nil)
            let hold = try #require(sampler.observations.first { $0.granted && $0.relation == oid && $0.mode == "AccessExclusiveLock" })
            // The lock was held at least 0.4 s on the server; the samples' upper bound covers that.
            #expect(hold.atMost >= 0.4 && hold.samples >= 2 && hold.estimate > 0, "\(hold)")
            let wait = try #require(sampler.observations.first { !$0.granted && $0.relation == oid && $0.mode == "AccessShareLock" })
            // The wait began (exactly: waitstart) after the hold began, and ended with it.
            #expect(wait.earliestStart >= hold.earliestStart && wait.estimate > 0 && wait.estimate <= hold.atMost, "\(wait)")
        }
    }

    /// Whether a database of that name is on the server (other tests' clones come and go meanwhile).
    static func databaseExists(_ name: String, on url: DatabaseURL) async throws -> Bool {
        try await DatabaseConnector.withDriver(url) {
            try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname = $1", bindings: [.text(name)]).first?[0].integerValue != 0
        }
    }

    @Test("With another session on the source, the clone is made with pg_dump and pg_restore")
    func dumpAndRestore() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 300, payments: 100))
            }
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let other = try await DatabaseConnector.open(url)
            let report = try await Rehearsal(url: url).run(directory: directory.url.path)
            try await other.close()
            #expect(report.cloneMethod == "pg_dump | pg_restore")
            #expect(report.isGo, "\(report.problems)")
        }
    }
}

@Suite("PostgreSQL backup")
struct BackupPostgresTests {
    @Test("pg_dump backup read back by pg_restore, restored into a scratch database with equal checksums, which is then dropped")
    func deepBackup() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 500, payments: 200))
            }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let result = try await DatabaseBackup.make(of: url, to: directory.path("app.dump"), deep: true)
            #expect(result.bytes > 0)
            #expect(result.checks.first?.hasPrefix("pg_restore --list read the archive: ") == true)
            #expect(result.checks.last == "every table's row count and checksum equal the database's (2 tables)")
            let scratch = try await DatabaseConnector.withDriver(url) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname LIKE 'godwit_backup_check_%'").first?[0].integerValue
            }
            #expect(scratch == 0)
            let events = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).events() }
            #expect(events.contains { $0.kind == .backupVerified })
        }
    }
}

@Suite("PostgreSQL rehearsal on Sakila")
struct SakilaRehearsalTests {
    @Test("Renaming a column a view reads: the report states the view was rewritten and still answers; rollback identical")
    func viewDependency() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await TestPostgres.load(Fixtures.sakilaSchema, into: endpoint)
            try await TestPostgres.load(Fixtures.sakilaData, into: endpoint)
            let migration = """
                name: Customers' given names
                downtime: minutes
                operations:
                  - rename_column: {table: customer, from: first_name, to: given_name}

                """
            let directory = try ExecutionFixtures.directory(with: migration, name: "001_given_name.yaml")
            defer { directory.remove() }
            let before = try await DatabaseDigests.all(url)
            let report = try await Rehearsal(url: url).run(directory: directory.url.path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.rollbackIdentical)
            let customerList = report.views.first { $0.view == "public.customer_list" }
            #expect(customerList?.outcome == "definition rewritten by the engine to follow the change")
            #expect(customerList?.query == "answers (599 rows)")
            #expect(customerList?.definitionAfter?.contains("cu.given_name") == true)
            #expect(report.markdown().contains("| `public.customer_list` | definition rewritten by the engine to follow the change | answers (599 rows) |"))
            #expect(try await DatabaseDigests.all(url) == before)
        }
    }
}

@Suite("Server marks on PostgreSQL")
struct ServerMarkTests {
    @Test("A TOAST table and its index go by the table whose long values they keep, so a lock on them names that table")
    func toastNames() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.executeScript(unsafeSQL: "CREATE SCHEMA shop; CREATE TABLE shop.notes (id integer PRIMARY KEY, body text)")
                let toast = try #require(try await driver.query(unsafeSQL: """
                    SELECT c.reltoastrelid::int8, i.indexrelid::int8 FROM pg_class c JOIN pg_index i ON i.indrelid = c.reltoastrelid
                    WHERE c.oid = 'shop.notes'::regclass
                    """).first)
                let mark = try await ServerMark.read(on: driver)
                #expect(mark.storage[try #require(toast[0].integerValue)]?.name == "shop.notes (its TOAST table)")
                #expect(mark.storage[try #require(toast[1].integerValue)]?.name == "shop.notes (its TOAST index)")
                #expect(mark.storage.values.contains { $0.name == "shop.notes" })
            }
        }
    }
}

@Suite("A down that gives a column back last, on PostgreSQL")
struct ColumnOrderPostgresTests {
    @Test("A dropped column added back at the end: the plan says up to column order; rehearsal goes, naming the table; rollback passes for it and for an older migration after it")
    func columnOrder() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ColumnOrderScenario.run(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }
}
