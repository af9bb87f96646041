import ArgumentParser
import GodwitCore
import GodwitEngine

/// `godwit lint DIR --db URL`: dangerous-operation findings, with the live database as context.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find dangerous operations in migrations, using the live database and the whole plan as context.",
        discussion: """
            Exit code 2 when an error or warning is found. Silence one finding for one operation with \
            a comment on the line before it: # godwit-lint-ignore GW113: the reason.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Output format: text, json or github (Actions annotations).")
    var format: Format = .text

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let findings = try await MigrationPlanning.planAll(directory: directory, database: url, checkingDown: false).flatMap { planned in
                Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore)
            }
            Terminal().write(try LintReportRenderer.render(findings, as: LintReportRenderer.Format(rawValue: format.rawValue)!))
            if LintReportRenderer.fails(findings) { throw ExitCode(2) }
        }
    }
}
