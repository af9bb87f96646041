public import Foundation
public import GodwitCore

/// The stakeholder update of the strategy template's communication plan, written from where
/// each migration stands and from the audit log: what is done, what runs now, what waits for
/// someone, what comes next, the problems met, and the time left. Markdown, for a chat or an
/// email as it is.
public struct StatusUpdate: Sendable {
    public var project: String
    public var database: String
    public var generatedAt: Date
    public var entries: [ProjectStatus.Entry]
    public var events: [AuditEvent]

    /// - Parameter database: the database URL, redacted.
    public init(project: String, database: String, generatedAt: Date = Date(), entries: [ProjectStatus.Entry], events: [AuditEvent]) {
        self.project = project
        self.database = database
        self.generatedAt = generatedAt
        self.entries = entries
        self.events = events
    }

    private var done: [ProjectStatus.Entry] { entries.filter { $0.state.hasPrefix("applied") && $0.waitingFor == nil } }
    private var running: [ProjectStatus.Entry] { entries.filter { ["running", "rolling-back", "interrupted"].contains($0.state) } }
    private var waiting: [ProjectStatus.Entry] { entries.filter { $0.waitingFor != nil } }
    /// Not in the database: pending, rolled back, or failed (to be fixed and run again).
    private var next: [ProjectStatus.Entry] { entries.filter { ["pending", "rolled-back", "failed"].contains($0.state) } }

    /// The problems the audit log and the files show, oldest first.
    var problems: [String] {
        var found: [(Date, String)] = []
        for event in events {
            let reason = event.fields.first { $0.name == "reason" }?.value
            switch event.kind {
            case .migrationFailed:
                found.append((event.at, "**\(event.migration)** failed: \(reason ?? "no reason recorded")"))
            case .integrityCheck where event.fields.contains(.init("result", "fail")):
                let phase = event.fields.first { $0.name == "phase" }?.value ?? "a phase"
                found.append((event.at, "**\(event.migration)**: the verification after \(phase) failed"))
            case .rollbackExecuted:
                let verified = event.fields.first { $0.name == "verified" }?.value == "pass" ? "verified" : "NOT verified"
                found.append((event.at, "**\(event.migration)** was rolled back (\(verified)): \(reason ?? "no reason recorded")"))
            case .driftRefused:
                found.append((event.at, "A run was refused because a migration file changed after it was applied: \(reason ?? "")"))
            default:
                continue
            }
        }
        var lines = found.sorted { $0.0 < $1.0 }.map { "\($0.1) (\(Self.stamp($0.0)))" }
        lines += entries.filter(\.drift).map { "**\($0.id)**: its file changed after it was applied" }
        return lines
    }

    /// One line on where the project stands.
    var overall: String {
        let failed = entries.filter { $0.state == "failed" }.count
        var parts = ["\(done.count) of \(entries.count) migrations done"]
        if !running.isEmpty { parts.append("\(running.count) under way") }
        if !waiting.isEmpty { parts.append("\(waiting.count) waiting") }
        if failed > 0 { parts.append("\(failed) failed") }
        let state = failed > 0 || entries.contains(where: \.drift) ? "needs attention"
            : done.count == entries.count ? "complete" : running.isEmpty && !waiting.isEmpty ? "waiting for a decision" : "on track"
        return "**\(state)**: " + parts.joined(separator: ", ")
    }

    /// The update as Markdown.
    public func markdown() -> String {
        var out = ["# Migration status update", "",
                   "| | |", "|---|---|",
                   "| **Migrations** | `\(project)` |",
                   "| **Database** | `\(database)` |",
                   "| **As of** | \(Self.stamp(generatedAt)) |",
                   "| **Overall** | \(overall) |", ""]
        out += section("Done", done.map { entry in
            let when = entry.finishedAt.map { ", \(Self.stamp($0))" } ?? ""
            let took = duration(of: entry.id).map { ", took \($0)" } ?? ""
            return "**\(entry.id) \(entry.name)**: \(entry.state)\(when)\(took)"
        })
        out += section("Running now", running.map { entry in
            var line = "**\(entry.id) \(entry.name)**: \(entry.state)"
            if let phase = entry.phase { line += ", phase \(phase)" }
            if let steps = entry.completedSteps, let total = entry.totalSteps, total > 0 { line += ", \(steps) of \(total) steps done" }
            if let current = entry.current {
                line += String(format: ", step %d at %.0f%% (%lld of %lld rows", current.step, current.percent, current.rowsDone, current.rowsTotal)
                if let rate = current.rowsPerSecond { line += String(format: ", %.0f rows/s", rate) }
                line += ")"
            }
            if entry.state == "interrupted" { line += ": no runner holds it; `godwit apply` resumes it, `godwit rollback` undoes it" }
            return line
        })
        out += section("Waiting", waiting.map { "**\($0.id) \($0.name)**: \($0.state), waiting for \($0.waitingFor ?? "")" })
        out += section("Next", next.map { "**\($0.id) \($0.name)**: \($0.state)" })
        out += section("Problems", problems)
        let etas = running.compactMap { entry in entry.current?.etaSeconds.map { (entry, $0) } }
        out += ["## Time left", ""]
        if etas.isEmpty {
            out.append(running.isEmpty ? "Nothing is running." : "No estimate yet: the step under way has no batch progress.")
        } else {
            out += etas.map { entry, seconds in "- **\(entry.id)**, step \(entry.current?.step ?? 0): about \(Self.minutes(seconds)) left" }
        }
        out.append("")
        return out.joined(separator: "\n")
    }

    private func section(_ title: String, _ lines: [String]) -> [String] {
        ["## \(title)", ""] + (lines.isEmpty ? ["None."] : lines.map { "- " + $0 }) + [""]
    }

    /// How long the last completed run of a migration took, from its completion event.
    private func duration(of migration: String) -> String? {
        events.last { $0.kind == .migrationCompleted && $0.migration == migration }?.fields.first { $0.name == "duration" }?.value
    }

    static func stamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func minutes(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60) : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
