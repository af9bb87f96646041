import ArgumentParser
import GodwitCore
import GodwitEngine

/// `godwit lint DIR --db URL`: dangerous-operation findings, with the live database as context;
/// with no database, statement by statement as squawk lints, every table taken to exist.
struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Find dangerous operations in migrations, using the live database and the whole plan as context.",
        discussion: """
            Exit code 2 when an error or warning is found. Silence one finding for one operation with \
            a comment on the line before it: # godwit-lint-ignore GW113: the reason.

            With no --db and no DATABASE_URL, lint needs no database: SQL files are read statement by \
            statement and a table a file does not create is taken to exist with unknown rows; YAML \
            migrations are planned against what the directory itself creates.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, github
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL; with neither, lint without a database).")
    var db: String?

    @Option(name: .long, help: "The engine the SQL is written for, when there is no database: postgresql or sqlite.")
    var engine: Engine = .postgresql

    @Option(name: .shortAndLong, help: "Output format: text, json or github (Actions annotations).")
    var format: Format = .text

    func run() async throws {
        try await CommandRunner.run {
            let findings: [LintFinding]
            if let url = try DatabaseURLResolver.resolveIfGiven(db) {
                findings = try await MigrationPlanning.planAll(directory: directory, database: url, checkingDown: false).flatMap { planned in
                    Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
                }
            } else {
                findings = try MigrationPlanning.planWithoutDatabase(directory: directory, engine: engine).flatMap { planned in
                    Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, schemaIsComplete: false)
                }
            }
            if format == .text, let url = try DatabaseURLResolver.resolveIfGiven(db) {
                // What is in the database already is not linted again: say so, once per migration.
                for entry in try await ProjectStatus.read(try MigrationDirectory.load(directory), on: url).entries where entry.isInDatabase {
                    Terminal().write("\(entry.id) \(entry.name): \(entry.state) in this database, not linted again\n")
                }
            }
            Terminal().write(try LintReportRenderer.render(findings, as: LintReportRenderer.Format(rawValue: format.rawValue)!))
            if LintReportRenderer.fails(findings) { throw ExitCode(2) }
        }
    }
}
