import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit status DIR --db URL`: where every migration stands in the database.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where every migration of DIR stands in the database.",
        discussion: "Read-only. A run whose process died (no runner holds the lock) shows as interrupted. Exit code 2 when a migration's file changed after it was applied (drift)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
        /// The stakeholder update (Markdown): done, running, waiting, next, problems, time left.
        case update
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Output format: text, json, or update (the stakeholder update in Markdown, from the audit log).")
    var format: Format = .text

    @Flag(name: .long, help: "Print the audit log instead (the migration-planning guide's events; one JSON object per line with --format json).")
    var audit = false

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let migrations = try MigrationDirectory.load(directory)
            if audit {
                let events = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await StateStore(driver: $0).events() }
                let lines = try events.map { format == .json ? try $0.jsonLine() : $0.line }
                Terminal().write(lines.map { $0 + "\n" }.joined())
                return
            }
            let (entries, orphans) = try await ProjectStatus.read(migrations, on: url)
            switch format {
            case .update:
                let events = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await StateStore(driver: $0).events() }
                Terminal().write(StatusUpdate(project: directory, database: url.description, entries: entries, events: events).markdown())
            case .text:
                let width = entries.map(\.id.count).max() ?? 0
                let nameWidth = entries.map(\.name.count).max() ?? 0
                var lines = entries.map { entry -> String in
                    var line = entry.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + entry.state
                    if let phase = entry.phase { line += ", phase \(phase)" }
                    if let steps = entry.completedSteps, entry.state != "pending" {
                        line += ", \(steps)" + (entry.totalSteps.flatMap { $0 > 0 ? " of \($0)" : nil } ?? "") + " steps done"
                    }
                    if let current = entry.current {
                        line += String(format: ", step %d %.0f%% (%lld of %lld rows", current.step, current.percent, current.rowsDone, current.rowsTotal)
                        if let rate = current.rowsPerSecond { line += String(format: ", %.0f rows/s", rate) }
                        if let eta = current.etaSeconds { line += ", ETA " + ProgressPrinter.eta(eta) }
                        line += ")"
                    }
                    if let waiting = entry.waitingFor { line += ", waiting for \(waiting)" }
                    if entry.state == "interrupted" { line += " (no godwit runs it: godwit apply resumes it, godwit rollback undoes it)" }
                    if let who = entry.operatorName, let started = entry.startedAt {
                        line += ", started \(ISO8601DateFormatter().string(from: started)) by \(who)"
                    }
                    if entry.drift { line += "  DRIFT: the file changed after it was applied" }
                    return line
                }
                for record in orphans {
                    let why = ToolLayouts.isRepeatable(record.id) ? "an earlier version of a repeatable script" : "no file for it in \(directory)"
                    lines.append("\(record.id)  \(record.name)  \(record.state.rawValue)  (\(why))")
                }
                Terminal().write(lines.joined(separator: "\n") + "\n")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                Terminal().write(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
            }
            if entries.contains(where: \.drift) { throw ExitCode(2) }
        }
    }
}
