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
        let run = try await GodwitBinary.run(["backup", "--db", "sqlite:" + database, "--output", target, "--deep"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.hasPrefix("Backed up to \(target) ("))
        #expect(run.standardOutput.contains("- PRAGMA integrity_check on the copy: ok\n"))
        #expect(run.standardOutput.contains("- every table's row count and checksum equal the database's (11 tables)\n"))
        #expect(try await DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + target))
            == DatabaseDigests.all(try DatabaseURL(parsing: "sqlite:" + database)))
        let audit = try await GodwitBinary.run(["status", directory.url.path, "--db", "sqlite:" + database, "--audit"])
        #expect(audit.standardOutput.contains("backup-verified: migration=-, path=\(target)"))

        // The pre-flight checklist of the next apply finds the backup and records it.
        let migrations = directory.path("migrations")
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        try "name: genre slug\ndowntime: minutes\noperations:\n  - add_column: {table: Genre, column: {name: Slug, type: TEXT}}\n"
            .write(toFile: migrations + "/001_slug.yaml", atomically: true, encoding: .utf8)
        #expect(try await GodwitBinary.run(["apply", migrations, "--db", "sqlite:" + database, "--unrehearsed"]).status == 0)
        let log = try await GodwitBinary.run(["status", migrations, "--db", "sqlite:" + database, "--audit"]).standardOutput
        #expect(log.contains("checklist-evaluated: migration=001, backup_verified=yes ("))
        #expect(log.contains("rehearsal_passed=no (--unrehearsed), runner_lock=held, free_space="))

        let again = try await GodwitBinary.run(["backup", "--db", "sqlite:" + database, "--output", target])
        #expect(again.status == 4)
        #expect(again.standardError == "godwit: error: The backup file already exists at \(target). Choose another --output, or remove it.\n")
    }

    @Test("apply --require-checklist refuses while a backup or a human item is open, naming each, and leaves the database as it was; acknowledged items are audited")
    func requiredChecklist() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try directory.copy(Fixtures.chinookSQLite, as: "chinook.db")
        let url = try DatabaseURL(parsing: "sqlite:" + database)
        let migrations = directory.path("migrations")
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        let file = migrations + "/001_slug.yaml"
        let body = "name: genre slug\ndowntime: minutes\noperations:\n  - add_column: {table: Genre, column: {name: Slug, type: TEXT}}\n"
        let apply = ["apply", migrations, "--db", "sqlite:" + database, "--unrehearsed", "--require-checklist"]
        let schemaBefore = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }

        try body.write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try await GodwitBinary.run(apply)
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("The pre-flight checklist of migration 001 is not complete"))
        #expect(refused.standardError.contains("a backup verified in the last 24 h"))
        for item in ChecklistItem.allCases { #expect(refused.standardError.contains("(`\(item.rawValue)`)"), "\(item)") }
        let schemaAfter = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        #expect(schemaAfter.removingGodwitHelpers() == schemaBefore)

        #expect(try await GodwitBinary.run(["backup", "--db", "sqlite:" + database, "--output", directory.path("backup.db")]).status == 0)
        let acknowledged = body + """
            checklist:
              stakeholders_notified: "alice, #db-changes, 2026-11-19"
              window_agreed: "Saturday 02:00 UTC with ops"
              monitoring_ready: "orders dashboard, p99 alert"

            """
        try acknowledged.write(toFile: file, atomically: true, encoding: .utf8)
        let stillOpen = try await GodwitBinary.run(apply)
        #expect(stillOpen.status != 0)
        #expect(stillOpen.standardError.contains("open: Feature flags in place for traffic routing (`feature_flags_ready`)"), "\(stillOpen.standardError)")
        #expect(!stillOpen.standardError.contains("backup verified"))

        try (acknowledged + "  feature_flags_ready: \"not needed: no application change\"\n").write(toFile: file, atomically: true, encoding: .utf8)
        let ran = try await GodwitBinary.run(apply)
        #expect(ran.status == 0, "\(ran.standardError)")
        let log = try await GodwitBinary.run(["status", migrations, "--db", "sqlite:" + database, "--audit"]).standardOutput
        #expect(log.contains("stakeholders_notified=acknowledged: alice, #db-changes, 2026-11-19, window_agreed=acknowledged: Saturday 02:00 UTC with ops"))
        #expect(log.contains("feature_flags_ready=not acknowledged"))
        #expect(log.contains("feature_flags_ready=acknowledged: not needed: no application change"))
    }
}
