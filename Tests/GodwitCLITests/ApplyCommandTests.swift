import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `godwit apply`, `approve`, `status`, `verify` and `rollback` as a user runs them, on SQLite.
@Suite("godwit apply, approve, status, verify, rollback")
struct ApplyCommandTests {
    static func database(in directory: TemporaryDirectory, _ name: String = "app.db", accounts: Int = 700) async throws -> String {
        let path = directory.path(name)
        try await GodwitEngineFacade.executeScript(ExecutionFixtures.sqliteSchema(accounts: accounts, payments: 300), on: path)
        return "sqlite:" + path
    }

    @Test("Apply stops at the gate with exit 0; approve, apply, verify, rollback; status follows each step")
    func lifecycle() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await Self.database(in: directory)
        let start = try await DatabaseDigests.all(try DatabaseURL(parsing: db))

        let unrehearsed = try await GodwitBinary.run(["apply", directory.url.path, "--db", db])
        #expect(unrehearsed.status == 4)  // refused by the database's state, not a usage error
        #expect(unrehearsed.standardError.hasPrefix("godwit: error: Migration 001 has no passing rehearsal on this database at "))
        #expect(unrehearsed.standardError.contains("Run godwit rehearse on this directory and database first"))
        let rehearsal = try await GodwitBinary.run(["rehearse", directory.url.path, "--db", db])
        #expect(rehearsal.status == 0, "\(rehearsal.standardOutput)")

        let first = try await GodwitBinary.run(["apply", directory.url.path, "--db", db])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(first.standardOutput.contains("Migration 001 waits for approval of the gate before contract: run godwit approve 001."))
        let waiting = try await GodwitBinary.run(["status", directory.url.path, "--db", db])
        #expect(waiting.standardOutput.contains("waiting-at-gate"))
        #expect(waiting.standardOutput.contains("waiting for approval of the gate before contract"))

        let approve = try await GodwitBinary.run(["approve", "001", "--db", db])
        #expect(approve.status == 0)
        #expect(approve.standardOutput == "Approved the gate before contract of migration 001; run godwit apply to go on.\n")
        let second = try await GodwitBinary.run(["apply", directory.url.path, "--db", db])
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("001 is applied; its cleanup waits for the archive retention window (7d)"))
        let third = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--retention", "0s"])
        #expect(third.status == 0)
        #expect(third.standardOutput.hasSuffix("Applied: 001.\n"))

        let report = directory.path("integrity")
        let verify = try await GodwitBinary.run(["verify", directory.url.path, "--db", db, "--output", report])
        #expect(verify.status == 0, "\(verify.standardOutput)")
        #expect(verify.standardOutput.contains("| **Result** | PASS |"))
        #expect(verify.standardOutput.contains("| every account has name_upper | pass | expected 0, found 0 |"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + ".json"))) as? [String: Any]
        #expect(json?["result"] as? String == "pass")

        // Cleanup dropped the archive: contract can no longer be undone, and rollback says so.
        let refused = try await GodwitBinary.run(["rollback", "--db", db])
        #expect(refused.status == 4)
        #expect(refused.standardError.contains("past its point of no return"))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: db)) != start)
    }

    @Test("Rollback after contract restores the start from the archive and proves it")
    func rollbackAfterContract() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await Self.database(in: directory)
        let start = try await DatabaseDigests.all(try DatabaseURL(parsing: db))
        let applied = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--yes", "--unrehearsed", "--json"])
        #expect(applied.status == 0)
        let kinds = applied.standardOutput.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String
        }
        #expect(Set(kinds).isSuperset(of: ["migration-started", "phase-started", "step-started", "batch", "verification", "gate"]))

        // The directory, typed where the version goes (as plan and apply take it): refused as a
        // usage error that names what to type, and nothing is rolled back.
        let mistyped = try await GodwitBinary.run(["rollback", directory.url.path, "--db", db])
        #expect(mistyped.status == 64, "\(mistyped.standardError)")
        #expect(mistyped.standardError.contains("godwit rollback takes a migration's version, and \(directory.url.path) is a directory"))
        #expect(mistyped.standardError.contains("godwit rollback VERSION --db URL"))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: db)) != start)

        let rollback = try await GodwitBinary.run(["rollback", "001", "--db", db, "--output", directory.path("rollback")])
        #expect(rollback.status == 0, "\(rollback.standardError)")
        #expect(rollback.standardOutput.hasSuffix("Rolled back 001: schema and checksums equal those before it ran.\n"))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: db)) == start)
        let markdown = try String(contentsOfFile: directory.path("rollback.md"), encoding: .utf8)
        #expect(markdown.contains("| checksum of accounts | pass | equal to before the run |"))
        let status = try await GodwitBinary.run(["status", directory.url.path, "--db", db])
        #expect(status.standardOutput.contains("rolled-back"))

        let audit = try await GodwitBinary.run(["status", directory.url.path, "--db", db, "--audit"])
        let lines = audit.standardOutput.split(separator: "\n")
        #expect(lines.first?.contains("] checklist-evaluated: migration=001, backup_verified=no: run godwit backup") == true)
        #expect(lines.contains { $0.contains("] migration-assessed: migration=001, type=") })
        #expect(lines.contains { $0.contains("] gate-approved: migration=001, phase=contract, operator=") && $0.hasSuffix("via=--yes") })
        #expect(lines.contains { $0.contains("] rollback-executed: migration=001, reason=requested by") && $0.contains("verified=pass") })
        let jsonLines = try await GodwitBinary.run(["status", directory.url.path, "--db", db, "--audit", "--format", "json"]).standardOutput
        let auditKinds = jsonLines.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["kind"] as? String
        }
        #expect(auditKinds.count == lines.count)
        #expect(auditKinds.contains("phase-completed") && auditKinds.contains("integrity-check"))
    }

    @Test("SIGTERM stops after the current batch, releases the lock and records the position; apply resumes there")
    func sigtermResumes() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await Self.database(in: directory, accounts: 4000)
        let reference = try await Self.database(in: directory, "reference.db", accounts: 4000)
        let common = ["--yes", "--unrehearsed", "--retention", "0s", "--batch-target", "0"]
        let arguments = common + ["--batch-size", "20"]
        #expect(try await GodwitBinary.run(["apply", directory.url.path, "--db", reference] + arguments).status == 0)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: GodwitBinary.path)
        // Small batches with a pause between them: the run lasts long enough for the signal to
        // find it mid-backfill however busy the machine is.
        process.arguments = ["apply", directory.url.path, "--db", db] + common + ["--batch-size", "10", "--batch-pause", "50ms"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Stop it once batches are under way (their progress is committed with them).
        let url = try DatabaseURL(parsing: db)
        var batches: Int64 = 0
        try await Poll.until(every: .milliseconds(10)) {
            batches = (try? await DatabaseConnector.withDriver(url, access: .readOnly) {
                try await $0.query(unsafeSQL: "SELECT coalesce(sum(batches_done), 0) FROM godwit_steps").first?[0].integerValue
            }) ?? 0
            return batches > 0
        }
        #expect(batches > 0)
        process.terminate()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(complaint)")
        #expect(complaint.contains("Interrupted: migration 001 stopped cleanly before step"))
        #expect(printed.contains("batch"))

        let status = try await GodwitBinary.run(["status", directory.url.path, "--db", db])
        // Nothing runs it any more: interrupted, with the way on, and no ETA for work nobody does.
        // (Which phase depends on how far the run got before the signal: expand or backfill.)
        #expect(status.standardOutput.contains("001  Accounts v2  interrupted, phase "), "\(status.standardOutput)")
        #expect(status.standardOutput.contains("godwit apply resumes it") && !status.standardOutput.contains("ETA"))
        let resumed = try await GodwitBinary.run(["apply", directory.url.path, "--db", db] + arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: db)) == DatabaseDigests.all(try DatabaseURL(parsing: reference)))
    }

    @Test("Not enough free space for a backfill stops apply before the phase; with room it resumes there")
    func freeSpace() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await Self.database(in: directory)
        var settings = ExecutionSettings()
        settings.requireRehearsal = false
        settings.freeSpaceMargin = Int64(1) << 60  // an exbibyte: more than any disk has free
        let url = try DatabaseURL(parsing: db)
        let error = await #expect(throws: GodwitError.self) {
            try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
        }
        #expect(error?.summary == "Not enough free disk space for backfill")
        #expect(error?.reason?.contains("a full backfill roughly doubles a table until vacuumed") == true)
        let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
        #expect(record?.phase == .expand)
        settings.freeSpaceMargin = 0
        settings.approveGates = true
        settings.retention = 0
        let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
        guard case .completed = outcome.stop else { Issue.record("apply did not resume: \(outcome.stop)"); return }
    }

    @Test("A failed check stops apply with exit 1 and one line; nothing of the failed step stays")
    func failedCheck() async throws {
        let migration = ExecutionFixtures.sqliteMigration.replacingOccurrences(of: "expect: 0}", with: "expect: 3}")
        let directory = try ExecutionFixtures.directory(with: migration)
        defer { directory.remove() }
        let db = try await Self.database(in: directory)
        let run = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--yes", "--unrehearsed", "--retention", "0s"])
        #expect(run.status == 1)
        #expect(run.standardError == "godwit: error: Verification failed after 001 Accounts v2 after contract: every account has name_upper (expected 3, found 0). Fix the cause, then run godwit apply again to resume, or godwit rollback 001 to undo it.\n")
        let status = try await GodwitBinary.run(["status", directory.url.path, "--db", db])
        #expect(status.standardOutput.contains("failed"))
    }
}
