import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit rehearse DIR --db URL`: the migrations on a clone, with proof that rollback works.
struct RehearseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse the pending migrations of DIR on a clone of the database, prove rollback, and time every step.",
        discussion: """
            Clones the database (SQLite: online backup API; PostgreSQL: CREATE DATABASE … TEMPLATE, \
            or pg_dump/pg_restore when others are connected), then on the clone: applies every phase \
            up to contract with gates passed, verifies, rolls back, proves the schema and every \
            table's checksum equal the original's (naming the first differing key range when not), \
            applies again through cleanup and verifies. The clone is dropped on every path. The \
            original is only read. Writes the Dry Run Report; exit code 2 on no-go.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .long, help: "Flag steps that hold a write-blocking lock longer than this (default 200ms).")
    var lockBudget: DurationArgument?

    @Option(name: .long, help: ArgumentHelp("PostgreSQL: clone tables of more than ROWS rows as a sample of about ROWS rows (foreign keys kept consistent).", valueName: "ROWS"))
    var sample: Int64?

    @Option(name: .long, help: ArgumentHelp("Put the copy here when you may not create databases: an empty PostgreSQL database you may fill (emptied again afterwards), or a SQLite path where nothing is yet.", valueName: "URL"))
    var cloneOn: String?

    @Option(name: .shortAndLong, help: "Report format on standard output: markdown or json.")
    var format: Format = .markdown

    @Option(name: .shortAndLong, help: "Also write the report to FILE.md and FILE.json.")
    var output: String?

    @Flag(name: .long, help: "Print no progress on standard error.")
    var quiet = false

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var serving: ServeOptions

    @OptionGroup var performance: BaselineOptions

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let interrupt = InterruptSignal()
            interrupt.trapSignals()
            if let sample, sample < 1 {
                throw GodwitError(.invalidArgument, "--sample must be a positive number of rows", location: "--sample \(sample)",
                                  remedy: "Give the most rows a sampled table may keep, such as --sample 100000.")
            }
            let cloneOn = try cloneOn.map { try DatabaseURL(parsing: $0) }
            let printer = quiet ? nil : ProgressPrinter(json: execution.json, onStandardError: true)
            let migrations = try MigrationDirectory.load(directory)
            let baseline = try performance.load()
            let threshold = performance.threshold
            let report: RehearsalReport
            do {
                // Watched by its events: its records are the clone's, dropped at the end.
                report = try await serving.watching("rehearse", records: nil, printer: printer, migrations: migrations) { [execution, lockBudget, sample, directory] observer in
                    var rehearsal = Rehearsal(url: url, settings: execution.settings(), lockBudget: lockBudget?.seconds ?? 0.2,
                                              observer: observer, interrupt: interrupt)
                    rehearsal.sample = sample
                    rehearsal.cloneOn = cloneOn
                    rehearsal.baseline = baseline
                    rehearsal.threshold = threshold
                    return try await rehearsal.run(directory: directory)
                }
            } catch let interrupted as GodwitErrorInterrupted {
                Terminal().writeError("godwit: rehearsal interrupted (\(interrupted.migration)); the clone was dropped.")
                throw ExitCode(130)
            }
            if let output {
                do {
                    try report.markdown().write(toFile: output + ".md", atomically: true, encoding: .utf8)
                    try report.json().write(toFile: output + ".json", atomically: true, encoding: .utf8)
                } catch {
                    throw GodwitError(.ioFailure, "Cannot write the rehearsal report", location: output + ".md",
                                      reason: error.localizedDescription, remedy: "Check that the directory exists and is writable.")
                }
            }
            Terminal().write(format == .markdown ? report.markdown() : try report.json())
            if !report.isGo { throw ExitCode(2) }
        }
    }
}
