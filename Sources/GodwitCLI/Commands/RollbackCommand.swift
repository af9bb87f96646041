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
            if let id { try Self.refuseDirectory(id) }
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

extension RollbackCommand {
    /// `godwit rollback migrations/`, typed as `plan` and `apply` are: rollback works from the
    /// plan stored in the database when the migration ran, and takes a version, not a directory.
    static func refuseDirectory(_ id: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: id, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        throw GodwitError(.invalidArgument, "godwit rollback takes a migration's version, and \(id) is a directory",
                          reason: "rollback undoes a migration from the plan the database stored when it ran, so it reads no files",
                          remedy: "Run godwit rollback --db URL to undo the latest migration, or godwit rollback VERSION --db URL; godwit status \(id) --db URL lists the versions.")
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
