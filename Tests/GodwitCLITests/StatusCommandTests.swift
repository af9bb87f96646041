import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit status")
struct StatusCommandTests {
    @Test("Pending, applied and drifted migrations; exit code 2 on drift; JSON too")
    func status() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            try "name: first\noperations:\n  - drop_table: {table: Genre}\n".write(toFile: directory.path("m/001_first.yaml"), atomically: true, encoding: .utf8)
            try "name: second\noperations:\n  - drop_table: {table: Playlist}\n".write(toFile: directory.path("m/002_second.yaml"), atomically: true, encoding: .utf8)
            let pending = try await GodwitBinary.run(["status", directory.path("m"), "--db", database])
            #expect(pending.status == 0)
            #expect(pending.standardOutput == "001  first   pending\n002  second  pending\n")
            // The read-only status did not create the state tables.
            let url = DatabaseURL.sqlite(.init(path: database))
            #expect(try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).isInstalled() } == false)

            let migrations = try MigrationDirectory.load(directory.path("m"))
            let started = Date(timeIntervalSince1970: 1_790_000_000)
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                try await store.save(MigrationRecord(id: "001", name: "first", checksum: migrations[0].source!.checksum, state: .applied,
                                                     phase: .cleanup, completedSteps: 2, startedAt: started, operatorName: "ana@host"))
            }
            let applied = try await GodwitBinary.run(["status", directory.path("m"), "--db", database])
            #expect(applied.status == 0)
            #expect(applied.standardOutput == "001  first   applied, phase cleanup, 2 steps done, started 2026-09-21T14:13:20Z by ana@host\n002  second  pending\n")

            try "name: first\noperations:\n  - drop_table: {table: MediaType}\n".write(toFile: directory.path("m/001_first.yaml"), atomically: true, encoding: .utf8)
            let drifted = try await GodwitBinary.run(["status", directory.path("m"), "--db", database, "--format", "json"])
            #expect(drifted.status == 2)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(drifted.standardOutput.utf8)) as? [[String: Any]])
            #expect(entries.map { $0["drift"] as? Bool } == [true, false])
            #expect(entries.map { $0["state"] as? String } == ["applied", "pending"])
        }
    }

    @Test("--format update: the stakeholder update follows a migration from pending through the gate to done, and names a failure with its reason")
    func stakeholderUpdate() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let db = try await ApplyCommandTests.database(in: directory)
        let update = { () async throws -> String in
            let run = try await GodwitBinary.run(["status", directory.url.path, "--db", db, "--format", "update"])
            #expect(run.status == 0, "\(run.standardError)")
            return run.standardOutput
        }
        let before = try await update()
        #expect(before.hasPrefix("# Migration status update\n"))
        #expect(before.contains("| **Overall** | **on track**: 0 of 1 migrations done |"))
        #expect(before.contains("## Next\n\n- **001 Accounts v2**: pending\n"))
        #expect(before.contains("## Done\n\nNone.\n") && before.contains("## Problems\n\nNone.\n") && before.contains("Nothing is running."))

        #expect(try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--unrehearsed"]).status == 0)
        let atGate = try await update()
        #expect(atGate.contains("| **Overall** | **waiting for a decision**: 0 of 1 migrations done, 1 waiting |"), "\(atGate)")
        #expect(atGate.contains("- **001 Accounts v2**: waiting-at-gate, waiting for approval of the gate before contract: run godwit approve 001"), "\(atGate)")
        #expect(atGate.contains("## Next\n\nNone.\n"))

        #expect(try await GodwitBinary.run(["approve", "001", "--db", db]).status == 0)
        #expect(try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--unrehearsed", "--retention", "0s"]).status == 0)
        let done = try await update()
        #expect(done.contains("| **Overall** | **complete**: 1 of 1 migrations done |"), "\(done)")
        #expect(done.contains(/- \*\*001 Accounts v2\*\*: applied, \d{4}-\d\d-\d\dT[\d:]+Z, took [\d.]+s/), "\(done)")
        #expect(done.contains("## Waiting\n\nNone.\n"))

        // A second migration whose SQL fails on the data (the scratch copy it is tried on has no
        // rows): a problem with its reason, and next again.
        try """
            name: Broken fix
            downtime: minutes
            operations:
              - sql: {up: "UPDATE accounts SET name = NULL WHERE id = 1", down: "SELECT 1"}
            """.write(toFile: directory.path("002_broken.yaml"), atomically: true, encoding: .utf8)
        let failed = try await GodwitBinary.run(["apply", directory.url.path, "--db", db, "--unrehearsed", "--yes"])
        #expect(failed.status != 0 && failed.standardError.contains("NOT NULL"), "\(failed.standardError)")
        let problem = try await update()
        #expect(problem.contains("| **Overall** | **needs attention**: 1 of 2 migrations done, 1 failed |"), "\(problem)")
        #expect(problem.contains(/## Problems\n\n- \*\*002\*\* failed: [^\n]*NOT NULL constraint failed[^\n]* \(\d{4}-/), "\(problem)")
        #expect(problem.contains("## Next\n\n- **002 Broken fix**: failed\n"), "\(problem)")
    }
}
