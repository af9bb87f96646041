import Foundation
public import GodwitCore

/// `godwit watch`'s text view of a run: the same content as the dashboard, as lines.
public enum RunViewText {
    public static func render(_ view: RunView) -> String {
        var lines = ["godwit \(view.command): \(view.state.rawValue) (updated \(stamp(view.updatedAt)))", ""]
        if view.migrations.isEmpty { lines.append("No migration has run on this database yet.") }
        for migration in view.migrations {
            var line = "\(migration.id) \(migration.name): \(migration.state)"
            if migration.totalSteps > 0 { line += ", \(migration.completedSteps)/\(migration.totalSteps) steps" }
            lines.append(line)
            if !migration.phases.isEmpty {
                let at = migration.phase.flatMap { migration.phases.firstIndex(of: $0) }
                lines.append("  phases: " + migration.phases.enumerated().map { index, phase in
                    index == at && migration.state != "applied" ? "[\(phase.rawValue)]" : phase.rawValue
                }.joined(separator: " → "))
            }
        }
        if let current = view.current {
            lines += ["", "Under way: \(current.migration)" + (current.phase.map { " \($0.rawValue)" } ?? "")
                + (current.step.map { " step \($0)" } ?? "") + (current.title.map { ": \($0)" } ?? "")]
        }
        if let progress = view.progress {
            let width = 30
            let filled = Int((progress.fraction * Double(width)).rounded(.down))
            var line = "  [" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                + String(format: "%.1f%% %@ of %@ rows, %@ rows/s", progress.fraction * 100, QuantityFormat.count(progress.rowsDone),
                         QuantityFormat.count(progress.rowsTotal), QuantityFormat.count(Int64(progress.rowsPerSecond)))
            if let left = progress.secondsLeft { line += ", about \(DurationText.text(left.rounded(.up))) left" }
            lines.append(line)
        }
        if let gate = view.gate {
            lines += ["", "Waiting at a gate: \(gate.migration)" + (gate.phase.map { " before \($0.rawValue)" } ?? "") + ": \(gate.reason)"]
            if let command = gate.approveCommand { lines.append("  to let it go on: \(command)") }
        }
        if let latest = view.probes.last, let baseline = view.probeBaseline {
            lines.append(String(format: "Probe latency %.1f ms (baseline %.1f ms)", latest.value * 1000, baseline * 1000))
        }
        lines.append("Lock waits \(view.lockWaits), retries \(view.retries), checks passed \(view.checksPassed), failed \(view.checksFailed)")
        if let server = view.server {
            var line = "Server: \(server.lockWaitingSessions) sessions waiting for a lock"
            if let rate = server.transactionsPerSecond { line += String(format: ", %.1f transactions/s", rate) }
            if let lag = server.replicationLagBytes { line += ", replication lag \(QuantityFormat.count(lag)) bytes" }
            if server.longQueries > 0 { line += ", \(server.longQueries) queries running over \(Int(ServerActivity.longQuerySeconds)) s" }
            lines.append(line)
        }
        let fired = view.triggers.filter(\.fired)
        if !fired.isEmpty { lines.append("Rollback triggers fired: " + fired.map { "\($0.migration) \($0.key)" }.joined(separator: ", ")) }
        if !view.audit.isEmpty { lines += ["", "Audit log (newest last):"] + view.audit.map { "  " + $0 } }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func stamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
