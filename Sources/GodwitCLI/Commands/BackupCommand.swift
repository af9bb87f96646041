import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit backup --db URL`: a backup proven restorable.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database and prove the backup restorable.",
        discussion: """
            SQLite: the online backup API, then PRAGMA integrity_check on the copy. PostgreSQL: \
            pg_dump --format=custom, then pg_restore --list must read it; --deep restores it into a \
            scratch database. --deep also compares every table's checksum with the database's. The \
            result is recorded in the audit log (backup-verified).
            """
    )

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Where to write the backup (default: beside the SQLite file, or DATABASE-TIME.dump here).")
    var output: String?

    @Flag(name: .long, help: "Restore the backup and compare every table's checksum with the database's.")
    var deep = false

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let result = try await DatabaseBackup.make(of: url, to: output, deep: deep)
            var lines = ["Backed up to \(result.path) (\(result.bytes) bytes), verified:"]
            lines += result.checks.map { "- \($0)" }
            Terminal().write(lines.joined(separator: "\n") + "\n")
        }
    }
}
