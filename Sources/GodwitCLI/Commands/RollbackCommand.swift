import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit rollback [ID] --db URL`: undoes a migration and proves the database is as before.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo a migration (the latest by default) from any phase before cleanup, and verify.",
        discussion: """
            Undoes the steps done, last first, contract included (from the archive and parked \
            columns), then checks that the schema and the checksum of every table the migration \
            touched equal those taken before it ran. Exit code 2 when they do not.
            """
    )

    @Argument(help: "The migration's version (default: the latest not rolled back).")
    var id: String?

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Write the integrity report to FILE.md and FILE.json.")
    var output: String?

    @OptionGroup var execution: ExecutionOptions

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let interrupt = InterruptSignal()
            interrupt.trapSignals()
            let (migration, report) = try await MigrationRollback(url: url, settings: execution.settings(),
                                                                  observer: ProgressPrinter(json: execution.json), interrupt: interrupt).rollback(id)
            try ReportFiles.write([report], to: output)
            if report.passed {
                Terminal().write("Rolled back \(migration): schema and checksums equal those before it ran.\n")
            } else {
                Terminal().writeError("godwit: rolled back \(migration), but verification found differences: "
                                      + report.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "))
                throw ExitCode(2)
            }
        }
    }
}

/// Writes integrity reports as `PREFIX.md` and `PREFIX.json`.
enum ReportFiles {
    static func write(_ reports: [IntegrityReport], to prefix: String?) throws {
        try write(markdown: reports.map { $0.markdown() }.joined(separator: "\n"), json: try json(reports), to: prefix)
    }

    /// Writes PREFIX.md and PREFIX.json, when a prefix is given.
    static func write(markdown: String, json: String, to prefix: String?) throws {
        guard let prefix else { return }
        do {
            try markdown.write(toFile: prefix + ".md", atomically: true, encoding: .utf8)
            try json.write(toFile: prefix + ".json", atomically: true, encoding: .utf8)
        } catch {
            throw GodwitError(.ioFailure, "Cannot write the report", location: prefix + ".md",
                              reason: error.localizedDescription, remedy: "Check that the directory exists and is writable.")
        }
    }

    /// One report as a JSON object; several as an array of them.
    static func json(_ reports: [IntegrityReport]) throws -> String {
        reports.count == 1 ? try reports[0].json() : "[\n" + (try reports.map { try $0.json() }.joined(separator: ",\n")) + "]\n"
    }
}
