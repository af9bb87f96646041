import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit plan DIR --db URL`: the migrations resolved against the live database.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Classify, stage and document the migrations against a live database.",
        discussion: """
            Reads every migration in DIR, checks it against the database's schema (read-only), and \
            writes the staged plan: markdown (the plan document with the ADR, runbook and rollback \
            plan), json (the same facts for machines), sql (the forward script; with --output, \
            the reverse script goes beside it as NAME.reverse.sql), or alerts (Prometheus alerting \
            rules from the migrations' rollback triggers, gates and budgets, for the metrics of \
            apply --serve and godwit watch --serve), beads (the tasks as Beads issues, JSONL: an epic \
            per migration, preparation, a checkpoint, a task per phase, validation, rollback as its \
            own issue) or github (the same as Markdown task lists).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json, sql, alerts
        /// The generated tasks as issues: Beads' JSONL, or GitHub Markdown task lists.
        case beads, github
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Output format: markdown, json, sql, alerts, beads or github.")
    var format: Format = .markdown

    @OptionGroup var budgets: AlertBudgetOptions

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            try await Self.write(planned, of: directory, on: url, format: format, to: output, budgets: budgets.budgets)
        }
    }

    /// Writes the plan of `directory`'s pending migrations in `format`, to `output` or standard
    /// output (also for `diff --plan`).
    static func write(_ planned: [MigrationPlanning.Planned], of directory: String, on url: DatabaseURL, format: Format, to output: String?,
                      budgets: AlertRules.Budgets = .init()) async throws {
        let plans = planned.map { ($0.plan, $0.schemaBefore) }
        let text: String
        switch format {
        case .markdown:
            // Measured times from the latest rehearsal of the same file on this database, if any.
            let measured = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                var found: [String: RehearsalMeasurement] = [:]
                for (plan, _) in plans {
                    found[plan.migration.id] = try await StateStore(driver: driver)
                        .rehearsalMeasurement(migration: plan.migration.id, checksum: plan.migration.source?.checksum ?? "")
                }
                return found
            }
            let standing = try await ProjectStatus.read(try MigrationDirectory.load(directory), on: url).entries
                .filter(\.isInDatabase)
            let preface = standing.isEmpty ? "" : "In this database already, so not planned again: "
                + standing.map { "\($0.id) \($0.name) (\($0.state))" }.joined(separator: "; ") + ".\n\n"
                + (planned.isEmpty ? "Nothing to plan: no migration of \(directory) is pending.\n" : "---\n\n")
            text = preface + planned.map { PlanMarkdownRenderer(source: url.description).render($0.plan, against: $0.schemaBefore, measured: measured[$0.plan.migration.id],
                                                                                                dataCounts: $0.dataCounts) }
                .joined(separator: "\n---\n\n")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let reports = plans.map { PlanReport($0.0, against: $0.1, database: url.description) }
            text = String(decoding: try encoder.encode(reports), as: UTF8.self) + "\n"
        case .alerts:
            text = AlertRules(budgets: budgets).yaml(for: plans.map { (plan: $0.0, before: $0.1) })
        case .beads:
            let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
            text = try PlanTasks.list(plans.map(\.0), directory: directory).beadsJSONL(prefix: TaskList.prefix(for: name), at: Date(), by: ExecutionSettings.defaultOperator)
        case .github:
            text = PlanTasks.list(plans.map(\.0), directory: directory).githubMarkdown()
        case .sql:
            text = PlanScripts.forward(plans.map(\.0))
            if let output {
                let reversePath = (output.hasSuffix(".sql") ? String(output.dropLast(4)) : output) + ".reverse.sql"
                try write(PlanScripts.reverse(plans.map(\.0)), to: reversePath)
            }
        }
        if let output { try write(text, to: output) } else { Terminal().write(text) }
    }

    private static func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw GodwitError(.ioFailure, "Cannot write the plan", location: path, remedy: "Check that the directory exists and is writable.")
        }
    }
}

/// The budgets `plan --format alerts` judges against.
struct AlertBudgetOptions: ParsableArguments {
    @Option(name: .long, help: "With --format alerts: a running migration with no progress this long is stalled, and a gate needing a person is reported after it (default 10m).")
    var stalledAfter: DurationArgument?

    @Option(name: .long, help: "With --format alerts: the largest replication lag tolerated (default 30s).")
    var replicationLag: DurationArgument?

    @Option(name: .long, help: "With --format alerts: the share of transactions, in percent, that may roll back (default 1).")
    var errorRate: Double?

    var budgets: AlertRules.Budgets {
        var budgets = AlertRules.Budgets()
        if let stalledAfter { budgets.stalledAfterSeconds = stalledAfter.seconds }
        if let replicationLag { budgets.replicationLagSeconds = replicationLag.seconds }
        if let errorRate { budgets.errorRatePercent = errorRate }
        return budgets
    }
}
