import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit verify [DIR] --db URL`: the integrity report, on demand.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the applied migrations against the data, or two databases against each other.",
        discussion: """
            Read-only. With --db: for every migration recorded in the database, the checks of the \
            phase it is in (backfilled values equal up(old); no NULLs, orphans or duplicates), its \
            validations and the schema against its plan once its work is done (validations need \
            DIR), and row counts and checksums of the tables it touches; the integrity report. \
            With --source and --target (either engine): every table compared row by row in a \
            canonical form, ordered by key, naming missing, extra and modified rows by key, with \
            per-range counts and checksums; the reconciliation report (--with takes the copy file \
            whose names and conversions made the target). Exit code 2 when a check fails or the \
            databases differ.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    @Argument(help: "The migrations directory (to run the migrations' validations).")
    var directory: String?

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .long, help: "Compare this database (the source of a copy)...")
    var source: String?

    @Option(name: .long, help: "...with this one (the target).")
    var target: String?

    @Option(name: .long, help: "With --source/--target: the copy file that named and converted the target's tables.")
    var with: String?

    @Option(name: .long, help: "Verify only this migration.")
    var migration: String?

    @Option(name: .shortAndLong, help: "Output format on standard output: markdown or json.")
    var format: Format = .markdown

    @Option(name: .shortAndLong, help: "Also write the report to FILE.md and FILE.json.")
    var output: String?

    @OptionGroup var performance: BaselineOptions

    func run() async throws {
        try await CommandRunner.run {
            if source != nil || target != nil {
                try await reconcile()
                return
            }
            if let baseline = try performance.load() {
                try await compare(with: baseline)
                return
            }
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

    /// `--baseline FILE`: the application's queries now against the baseline; exit 2 when one
    /// does not meet it.
    private func compare(with baseline: PerformanceBaseline) async throws {
        let url = try DatabaseURLResolver.resolve(db)
        let accepted = try directory.map { try MigrationDirectory.load($0) }?.flatMap(\.acceptedRegressions) ?? []
        let report = try await BaselineVerification.run(baseline, on: url, threshold: performance.threshold, accepted: accepted)
        let markdown = report.markdown(), json = try report.json()
        try ReportFiles.write(markdown: markdown, json: json, to: output)
        Terminal().write(format == .markdown ? markdown : json)
        if !report.passed { throw ExitCode(2) }
    }

    private func reconcile() async throws {
        guard let source, let target else {
            throw GodwitError(.invalidArgument, "verify needs both --source and --target", location: source == nil ? "--source" : "--target",
                              remedy: "Give both database URLs: godwit verify --source sqlite:app.db --target postgres://…")
        }
        let spec = try CopyFileOption.load(with)
        let report = try await CrossVerification(source: try DatabaseURL(parsing: source), target: try DatabaseURL(parsing: target), spec: spec).run()
        let markdown = report.markdown(), json = try report.json()
        try ReportFiles.write(markdown: markdown, json: json, to: output)
        Terminal().write(format == .markdown ? markdown : json)
        if !report.passes { throw ExitCode(2) }
    }
}
