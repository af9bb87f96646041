import Foundation
import GodwitCore
import Testing

/// The alert rules `plan --format alerts` writes, from a migration's triggers, gates and the
/// budgets. (`promtool` checks the file in the CLI tests; a real Prometheus fires them there.)
@Suite("Alert rules")
struct AlertRulesTests {
    static let schema = Schema(engine: .postgresql)

    static func plan(_ migration: Migration) -> (plan: Plan, before: Schema) {
        (Plan(migration: migration, engine: .postgresql, steps: [], target: schema), schema)
    }

    @Test("Every trigger becomes a rule querying its metric, with the trigger's threshold; the run's rules come once")
    func triggers() {
        let migration = Migration(id: "001", name: "orders", rollbackTriggers: [
            RollbackTrigger(condition: .latency(aboveBaselinePercent: 25), action: .pause),
            RollbackTrigger(condition: .failedBatches(percent: 2.5)),
            RollbackTrigger(condition: .validation("it's \"balanced\"")),
            RollbackTrigger(condition: .integrityFailure),
        ])
        let rules = AlertRules().rules(for: [Self.plan(migration), Self.plan(Migration(id: "002", name: "more"))])
        #expect(rules.filter { $0.name == "GodwitMigrationStalled" }.count == 1)
        let latency = rules.first { $0.name == "GodwitTriggerLatency" }
        #expect(latency?.expression.hasPrefix("(godwit_probe_latency_seconds > godwit_probe_baseline_seconds * 1.25 and") == true)
        #expect(latency?.summary.contains("pauses the migration") == true)
        #expect(latency?.forSeconds == 60 && latency?.migration == "001")
        #expect(rules.first { $0.name == "GodwitTriggerFailedBatches" }?.expression.contains("* 100 > 2.5)") == true)
        let validation = rules.first { $0.name == "GodwitTriggerValidationItSBalanced" }
        #expect(validation?.expression == #"godwit_rollback_trigger_fired{migration="001",trigger="validation:it's \"balanced\""} == 1"#)
        #expect(validation?.severity == "critical")
        // 002 names no trigger: the three documented ones.
        #expect(rules.filter { $0.migration == "002" }.map(\.name) == ["GodwitTriggerIntegrityFailure", "GodwitTriggerLatency", "GodwitTriggerFailedBatches"])
    }

    @Test("A soak gate alerts past its soak; an approval gate after the stall budget; the budgets set the run's thresholds")
    func gatesAndBudgets() {
        let migration = Migration(id: "001", name: "orders", gates: [Gate(before: .backfill, requiresApproval: false, soakSeconds: 3600), Gate(before: .contract)])
        let budgets = AlertRules.Budgets(stalledAfterSeconds: 300, replicationLagSeconds: 12, errorRatePercent: 0.5)
        let rules = AlertRules(budgets: budgets).rules(for: [Self.plan(migration)])
        let soak = rules.first { $0.name == "GodwitGateWaitingBackfill" }
        #expect(soak?.expression == #"godwit_gate_waiting_seconds{migration="001",phase="backfill"} > 3600"#)
        #expect(soak?.summary.hasSuffix("resume it with godwit apply.") == true)
        let approval = rules.first { $0.name == "GodwitGateWaitingContract" }
        #expect(approval?.expression.hasSuffix("> 300") == true)
        #expect(approval?.summary.contains("approve it with godwit approve 001") == true)
        #expect(rules.first { $0.name == "GodwitMigrationStalled" }?.expression.hasSuffix("> 300") == true)
        #expect(rules.first { $0.name == "GodwitReplicationLag" }?.expression == "godwit_server_replication_lag_seconds > 12")
        #expect(rules.first { $0.name == "GodwitErrorRate" }?.expression.hasSuffix("* 100 > 0.5") == true)
    }

    @Test("The YAML quotes what PromQL and the summaries hold, and every rule has a severity and a summary")
    func yaml() throws {
        let migration = Migration(id: "o'brien", name: "x", rollbackTriggers: [RollbackTrigger(condition: .validation("a'b"))])
        let text = AlertRules().yaml(for: [Self.plan(migration)])
        #expect(text.contains("groups:\n  - name: godwit\n    rules:\n"))
        #expect(text.contains(#"expr: 'godwit_rollback_trigger_fired{migration="o''brien",trigger="validation:a''b"} == 1'"#))
        let alerts = text.components(separatedBy: "      - alert: ").count - 1
        #expect(alerts == AlertRules().rules(for: [Self.plan(migration)]).count)
        #expect(text.components(separatedBy: "          severity: ").count - 1 == alerts)
        #expect(text.components(separatedBy: "          summary: ").count - 1 == alerts)
    }

    @Test("Every metric a rule queries is one Godwit exposes")
    func metricsExist() {
        let names = Set(GodwitMetric.allCases.map(\.rawValue) + [GodwitMetric.batchDuration.rawValue + "_count"])
        let rules = AlertRules().rules(for: [Self.plan(Migration(id: "001", name: "x", gates: [Gate(before: .contract)]))])
        for rule in rules {
            let used = rule.expression.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).filter { $0.hasPrefix("godwit_") }
            #expect(!used.isEmpty, "\(rule.name) queries no Godwit metric")
            for metric in used { #expect(names.contains(String(metric)), "\(rule.name) queries \(metric)") }
        }
    }

    @Test("The README's metrics table lists every metric with its help text, and nothing else")
    func readmeListsMetrics() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for metric in GodwitMetric.allCases {
            #expect(readme.contains("| `\(metric.rawValue)` | \(metric.labels.isEmpty ? "—" : metric.labels.joined(separator: ", ")) | \(metric.help) |"),
                    "README row of \(metric.rawValue)")
        }
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| `godwit_") }
        #expect(rows.count == GodwitMetric.allCases.count)
    }
}
