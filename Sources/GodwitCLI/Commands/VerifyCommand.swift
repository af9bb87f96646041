import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit verify [DIR] --db URL`: the integrity report, on demand.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the applied migrations against the data and write the integrity report.",
        discussion: """
            Read-only. For every migration recorded in the database: the checks of the phase it is \
            in (backfilled values equal up(old); no NULLs, orphans or duplicates), its validations \
            and the schema against its plan once its work is done (validations need DIR), and row \
            counts and checksums of the tables it touches. Exit code 2 when a check fails.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Argument(help: "The migrations directory (to run the migrations' validations).")
    var directory: String?

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .long, help: "Verify only this migration.")
    var migration: String?

    @Option(name: .shortAndLong, help: "Output format on standard output: markdown or json.")
    var format: Format = .markdown

    @Option(name: .shortAndLong, help: "Also write the report to FILE.md and FILE.json.")
    var output: String?

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let migrations = try directory.map { try MigrationDirectory.load($0) } ?? []
            let reports = try await OnDemandVerification.run(url: url, migrations: migrations, only: migration)
            try ReportFiles.write(reports, to: output)
            switch format {
            case .markdown:
                Terminal().write(reports.isEmpty ? "No migration is applied here: nothing to verify.\n" : reports.map { $0.markdown() }.joined(separator: "\n"))
            case .json:
                Terminal().write(try ReportFiles.json(reports))
            }
            if reports.contains(where: { !$0.passed }) { throw ExitCode(2) }
        }
    }
}
