import Foundation

/// Prometheus alerting rules for migrations (`godwit plan --format alerts`), derived from each
/// migration's rollback triggers and gates and from the run's budgets. They query the metrics
/// `--serve` and `godwit watch` expose (``GodwitMetric``), so a team is paged by its own
/// Prometheus and Alertmanager while a migration runs — or stops.
public struct AlertRules: Sendable {
    /// The budgets rules are judged against where a migration file says nothing.
    public struct Budgets: Sendable, Equatable {
        /// A running migration whose rows have not moved for this long is stalled; a gate that
        /// needs a person is reported after waiting this long.
        public var stalledAfterSeconds: Double
        /// The largest replication lag tolerated.
        public var replicationLagSeconds: Double
        /// The share of the database's transactions that may roll back.
        public var errorRatePercent: Double

        public init(stalledAfterSeconds: Double = 600, replicationLagSeconds: Double = 30, errorRatePercent: Double = 1) {
            self.stalledAfterSeconds = stalledAfterSeconds
            self.replicationLagSeconds = replicationLagSeconds
            self.errorRatePercent = errorRatePercent
        }
    }

    /// One alerting rule.
    public struct Rule: Sendable, Equatable {
        public var name: String
        public var expression: String
        /// How long the expression must hold, in seconds (0: at once).
        public var forSeconds: Int
        public var severity: String
        public var summary: String
        public var migration: String?
    }

    public var budgets: Budgets

    public init(budgets: Budgets = Budgets()) {
        self.budgets = budgets
    }

    /// The rules for `plans`: the run's own (stalled, error rate, replication lag, failed checks)
    /// once, then each migration's triggers and gates.
    public func rules(for plans: [(plan: Plan, before: Schema)]) -> [Rule] {
        var rules = runRules()
        for (plan, before) in plans {
            rules += triggerRules(plan.migration)
            rules += gateRules(MigrationGates.gates(for: plan.migration, steps: plan.steps, before: before), migration: plan.migration)
        }
        return rules
    }

    /// The rules file, as `promtool check rules` and Prometheus's `rule_files` read it.
    public func yaml(for plans: [(plan: Plan, before: Schema)]) -> String {
        var lines = ["# Prometheus alerting rules for Godwit migrations, from their rollback triggers, gates and budgets.",
                     "# They read the metrics of `godwit apply --serve` and `godwit watch --serve`.",
                     "groups:", "  - name: godwit", "    rules:"]
        for rule in rules(for: plans) {
            lines.append("      - alert: \(rule.name)")
            lines.append("        expr: \(Self.quoted(rule.expression))")
            if rule.forSeconds > 0 { lines.append("        for: \(rule.forSeconds)s") }
            lines.append("        labels:")
            lines.append("          severity: \(rule.severity)")
            if let migration = rule.migration { lines.append("          migration: \(Self.quoted(migration))") }
            lines.append("        annotations:")
            lines.append("          summary: \(Self.quoted(rule.summary))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func runRules() -> [Rule] {
        let stalled = Int(budgets.stalledAfterSeconds)
        return [
            Rule(name: "GodwitMigrationStalled",
                 expression: "\(GodwitMetric.runState.rawValue){state=\"running\"} == 1 and on() (time() - \(GodwitMetric.lastProgress.rawValue)) > \(stalled)",
                 forSeconds: 0, severity: "warning",
                 summary: "A migration has made no progress for \(DurationText.text(Double(stalled))): look at the dashboard and the server's locks."),
            Rule(name: "GodwitVerificationFailed", expression: "\(GodwitMetric.checksFailed.rawValue) > 0", forSeconds: 0, severity: "critical",
                 summary: "A verification check of a migration failed: the run stops or rolls back; read godwit status."),
            Rule(name: "GodwitErrorRate",
                 expression: "\(GodwitMetric.serverRollbacks.rawValue) / clamp_min(\(GodwitMetric.serverTransactions.rawValue), 1) * 100 > \(Self.number(budgets.errorRatePercent))",
                 forSeconds: 120, severity: "warning",
                 summary: "More than \(Self.number(budgets.errorRatePercent))% of the database's transactions roll back while a migration runs."),
            Rule(name: "GodwitReplicationLag",
                 expression: "\(GodwitMetric.serverReplicationLagSeconds.rawValue) > \(Self.number(budgets.replicationLagSeconds))",
                 forSeconds: 60, severity: "warning",
                 summary: "A standby or subscriber lags more than \(Self.number(budgets.replicationLagSeconds)) s behind while a migration writes."),
        ]
    }

    private func triggerRules(_ migration: Migration) -> [Rule] {
        let id = Self.label(migration.id)
        return RollbackTrigger.documented(for: migration).map { trigger in
            let fired = "\(GodwitMetric.triggerFired.rawValue){migration=\"\(id)\",trigger=\"\(Self.label(trigger.condition.key))\"} == 1"
            let then = trigger.action == .rollback ? "Godwit rolls the migration back" : "Godwit pauses the migration for an operator"
            let name = "GodwitTrigger" + Self.camel(trigger.condition.key)
            switch trigger.condition {
            case .latency(let percent):
                let expression = "(\(GodwitMetric.probeLatency.rawValue) > \(GodwitMetric.probeBaseline.rawValue) * \(Self.number(1 + percent / 100))"
                    + " and \(GodwitMetric.probeBaseline.rawValue) > 0) or \(fired)"
                return Rule(name: name, expression: expression, forSeconds: 60, severity: "warning",
                            summary: "Migration \(migration.id): \(trigger.condition.summary); \(then) when it persists.", migration: migration.id)
            case .failedBatches(let percent):
                let expression = "(increase(\(GodwitMetric.retries.rawValue)[5m]) / clamp_min(increase(\(GodwitMetric.batchDuration.rawValue)_count[5m]), 1) * 100"
                    + " > \(Self.number(percent))) or \(fired)"
                return Rule(name: name, expression: expression, forSeconds: 0, severity: "warning",
                            summary: "Migration \(migration.id): \(trigger.condition.summary); \(then).", migration: migration.id)
            case .integrityFailure, .validation:
                return Rule(name: name, expression: fired, forSeconds: 0, severity: "critical",
                            summary: "Migration \(migration.id): \(trigger.condition.summary); \(then).", migration: migration.id)
            }
        }
    }

    private func gateRules(_ gates: [Gate], migration: Migration) -> [Rule] {
        gates.map { gate in
            let limit = gate.soakSeconds > 0 ? Double(gate.soakSeconds) : budgets.stalledAfterSeconds
            let waited = gate.soakSeconds > 0 ? "its soak time of \(DurationText.text(Double(gate.soakSeconds)))" : DurationText.text(limit)
            return Rule(
                name: "GodwitGateWaiting" + Self.camel(gate.before.rawValue),
                expression: "\(GodwitMetric.gateWaiting.rawValue){migration=\"\(Self.label(migration.id))\",phase=\"\(gate.before.rawValue)\"} > \(Int(limit))",
                forSeconds: 0, severity: "info",
                summary: "Migration \(migration.id) has waited at the gate before \(gate.before.rawValue) longer than \(waited)"
                    + (gate.requiresApproval ? ": approve it with godwit approve \(migration.id), or roll it back." : ": resume it with godwit apply."),
                migration: migration.id)
        }
    }

    /// A PromQL label value: backslashes and double quotes escaped.
    private static func label(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }

    /// A YAML single-quoted scalar.
    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// `failed_batches` → `FailedBatches`; `validation:orders_total` → `ValidationOrdersTotal`.
    private static func camel(_ key: String) -> String {
        key.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
