import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `godwit rehearse` on SQLite, as a user runs it.
@Suite("godwit rehearse")
struct RehearseCommandTests {
    @Test("The Chinook example rehearses: go, timed steps, rollback identical; the original and the temp directory are left as they were")
    func chinook() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try directory.copy(Fixtures.chinookSQLite, as: "chinook.db")
        let before = try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + database))
        let scratch = directory.path("tmp")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let examples = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/chinook/migrations").path
        let run = try await GodwitBinary.run(["rehearse", examples, "--db", "sqlite:" + database, "--output", directory.path("report")],
                                       extraEnvironment: ["TMPDIR": scratch])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("| **Verdict** | **GO** |"))
        #expect(run.standardOutput.contains("| **Rollback** | identical: schema and every table's checksum equal the original |"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.path("report.json")))) as? [String: Any]
        #expect(json?["verdict"] as? String == "go")
        let steps = json?["steps"] as? [[String: Any]] ?? []
        #expect(Set(steps.compactMap { $0["pass"] as? String }) == ["apply", "rollback", "reapply"])
        #expect(steps.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 })
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + database)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
        let status = try await GodwitBinary.run(["status", examples, "--db", "sqlite:" + database])
        #expect(status.standardOutput.contains("pending"))

        // The plan now shows what the rehearsal measured, step by step, instead of estimates.
        let plan = try await GodwitBinary.run(["plan", examples, "--db", "sqlite:" + database])
        let day = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        #expect(plan.standardOutput.contains("measured on a rehearsal on \(day); estimated from table sizes: "))
        #expect(plan.standardOutput.contains("in one transaction; measured on a rehearsal on \(day): 3,503 rows in "))
    }

    @Test("The strategy template's SQLite example rehearses to go")
    func seedExample() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let example = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/users-v2/sqlite")
        let path = directory.path("app.db")
        try await GodwitEngineFacade.executeScript(try String(contentsOf: example.appendingPathComponent("schema.sql"), encoding: .utf8)
            + "\n" + String(contentsOf: example.appendingPathComponent("data.sql"), encoding: .utf8), on: path)
        let run = try await GodwitBinary.run(["rehearse", example.appendingPathComponent("migrations").path, "--db", "sqlite:" + path, "--format", "json"])
        #expect(run.status == 0, "\(run.standardOutput)")
        let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect(json?["verdict"] as? String == "go")
        #expect(json?["migrations"] as? [String] == ["001", "002"])

        // --clone-on: the copy goes where the user says, and is gone afterwards; a path in use is refused.
        let clone = directory.path("elsewhere.db")
        let placed = try await GodwitBinary.run(["rehearse", example.appendingPathComponent("migrations").path, "--db", "sqlite:" + path,
                                           "--clone-on", "sqlite:" + clone, "--quiet"])
        #expect(placed.status == 0, "\(placed.standardError)")
        #expect(placed.standardOutput.contains("SQLite online backup API into \(clone)"))
        #expect(!FileManager.default.fileExists(atPath: clone))
        let taken = try await GodwitBinary.run(["rehearse", example.appendingPathComponent("migrations").path, "--db", "sqlite:" + path,
                                          "--clone-on", "sqlite:" + path, "--quiet"])
        #expect(taken.status == 4)
        #expect(taken.standardError.hasPrefix("godwit: error: The clone target already exists at \(path)."))
    }

    @Test("A wrong down expression fails the rehearsal, naming the table and the first differing key range; the original is untouched")
    func wrongDown() async throws {
        let migration = """
            name: balance as text
            downtime: minutes
            operations:
              - alter_column: {table: accounts, column: balance, type: text, up: "CAST(balance AS TEXT)", down: "CAST(balance AS INTEGER) + (id = 120)"}

            """
        let directory = try ExecutionFixtures.directory(with: migration)
        defer { directory.remove() }
        let path = directory.path("app.db")
        try await GodwitEngineFacade.executeScript(ExecutionFixtures.sqliteSchema(accounts: 700, payments: 300), on: path)
        let before = try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + path))
        let run = try await GodwitBinary.run(["rehearse", directory.url.path, "--db", "sqlite:" + path, "--format", "json"])
        #expect(run.status == 2)
        let json = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        #expect(json?["verdict"] as? String == "no-go")
        #expect(json?["rollbackIdentical"] as? Bool == false)
        let difference = (json?["differences"] as? [[String: Any]])?.first
        #expect(difference?["table"] as? String == "accounts")
        #expect(difference?["keys"] as? [String] == ["120"])
        let range = difference?["keyRange"] as? String ?? ""
        #expect(range.hasPrefix("id "))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + path)) == before)
    }

    @Test("Interrupting a rehearsal leaves no clone behind")
    func interrupted() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        let path = directory.path("app.db")
        try await GodwitEngineFacade.executeScript(ExecutionFixtures.sqliteSchema(accounts: 3000, payments: 300), on: path)
        let scratch = directory.path("tmp")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: GodwitBinary.path)
        process.arguments = ["rehearse", directory.url.path, "--db", "sqlite:" + path, "--batch-size", "10", "--batch-target", "0", "--batch-pause", "20ms"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        var sawClone = false
        try await Poll.until(every: .milliseconds(10)) {
            sawClone = (try? FileManager.default.contentsOfDirectory(atPath: scratch))?.contains { $0.hasPrefix("godwit-rehearsal-") } == true
            return sawClone
        }
        #expect(sawClone)
        try await Task.sleep(for: .milliseconds(500))
        process.interrupt()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(complaint)")
        #expect(complaint.contains("the clone was dropped"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }

    @Test("Interrupting a PostgreSQL rehearsal drops its clone database")
    func interruptedOnPostgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 3000, payments: 300))
            }
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: GodwitBinary.path)
            process.arguments = ["rehearse", directory.url.path, "--db", url.unredactedString,
                                 "--batch-size", "10", "--batch-target", "0", "--batch-pause", "20ms"]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            // The progress on standard error names the clone; read until it does.
            var seen = ""
            var clone: String?
            while clone == nil {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
                clone = seen.firstMatch(of: /cloned the database into (godwit_rehearsal_\w+)/).map { String($0.1) }
            }
            let name = try #require(clone, "\(seen)")
            #expect(try await Self.databaseExists(name, on: url))
            try await Task.sleep(for: .milliseconds(800))
            process.interrupt()
            let complaint = seen + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "\(complaint)")
            #expect(complaint.contains("the clone was dropped"))
            #expect(try await Self.databaseExists(name, on: url) == false)
            // Nothing but Godwit's records changed in the original: no rehearsal was recorded.
            let rehearsals = try await DatabaseConnector.withDriver(url) { driver in
                try await StateStore(driver: driver).passedRehearsal(migration: "001", checksum: try MigrationDirectory.load(directory.url.path)[0].source!.checksum)
            }
            #expect(rehearsals == nil)
        }
    }

    static func databaseExists(_ name: String, on url: DatabaseURL) async throws -> Bool {
        try await DatabaseConnector.withDriver(url) {
            try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname = $1", bindings: [.text(name)]).first?[0].integerValue != 0
        }
    }
}
