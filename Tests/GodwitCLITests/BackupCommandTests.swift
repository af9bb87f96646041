import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit backup")
struct BackupCommandTests {
    @Test("SQLite: the backup passes integrity_check, equals the database table by table, is audited; an existing file is refused")
    func sqlite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try directory.copy(Fixtures.chinookSQLite, as: "chinook.db")
        let target = directory.path("chinook.backup.db")
        let run = try GodwitBinary.run(["backup", "--db", "sqlite:" + database, "--output", target, "--deep"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.hasPrefix("Backed up to \(target) ("))
        #expect(run.standardOutput.contains("- PRAGMA integrity_check on the copy: ok\n"))
        #expect(run.standardOutput.contains("- every table's row count and checksum equal the database's (11 tables)\n"))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + target))
            == DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + database)))
        let audit = try GodwitBinary.run(["status", directory.url.path, "--db", "sqlite:" + database, "--audit"])
        #expect(audit.standardOutput.contains("backup-verified: migration=-, path=\(target)"))

        // The pre-flight checklist of the next apply finds the backup and records it.
        let migrations = directory.path("migrations")
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        try "name: genre slug\ndowntime: minutes\noperations:\n  - add_column: {table: Genre, column: {name: Slug, type: TEXT}}\n"
            .write(toFile: migrations + "/001_slug.yaml", atomically: true, encoding: .utf8)
        #expect(try GodwitBinary.run(["apply", migrations, "--db", "sqlite:" + database, "--unrehearsed"]).status == 0)
        let log = try GodwitBinary.run(["status", migrations, "--db", "sqlite:" + database, "--audit"]).standardOutput
        #expect(log.contains("checklist-evaluated: migration=001, backup_verified=yes ("))
        #expect(log.contains("rehearsal_passed=no (--unrehearsed), runner_lock=held, free_space="))

        let again = try GodwitBinary.run(["backup", "--db", "sqlite:" + database, "--output", target])
        #expect(again.status == 64)
        #expect(again.standardError == "godwit: error: The backup file already exists at \(target). Choose another --output, or remove it.\n")
    }
}
