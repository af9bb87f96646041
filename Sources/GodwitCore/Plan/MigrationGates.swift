/// The gates a migration stops at: the one function behind what the plan document promises and
/// what `apply` holds.
///
/// They are the gates the file declares, and under `downtime: zero` an approval before a
/// contract phase that breaks old code or destroys data (old and new code run side by side until
/// someone says the old one is gone), unless the file declares a gate there itself.
public enum MigrationGates {
    /// The gates, in phase order.
    public static func gates(for migration: Migration, steps: [PlanStep], before schema: Schema) -> [Gate] {
        var gates = migration.gates
        if migration.downtime == .zero, !gates.contains(where: { $0.before == .contract }) {
            let assessment = MigrationAssessment(migration, engine: schema.engine, schema: schema)
            let breaks = steps.contains { step in
                guard step.phase == .contract, let index = step.operationIndex, index < assessment.items.count else { return false }
                return assessment.items[index].classification.kind != .additive
            }
            if breaks { gates.append(Gate(before: .contract)) }
        }
        let order = Gate.Phase.allCases
        return gates.sorted { (order.firstIndex(of: $0.before) ?? order.count) < (order.firstIndex(of: $1.before) ?? order.count) }
    }

    /// The gates of a plan.
    public static func gates(of plan: Plan, before schema: Schema) -> [Gate] {
        gates(for: plan.migration, steps: plan.steps, before: schema)
    }

    /// A declared gate stands before a phase the plan has steps in.
    /// - Throws: ``GodwitError`` naming the gate and the phases the plan has.
    public static func validate(_ migration: Migration, steps: [PlanStep]) throws {
        let phases = Set(steps.map(\.phase.rawValue))
        for gate in migration.gates where !phases.contains(gate.before.rawValue) {
            let has = Phase.allCases.filter { phases.contains($0.rawValue) }.map(\.rawValue).joined(separator: ", ")
            throw GodwitError(
                .invalidMigration, "The gate before \(gate.before.rawValue) stands before a phase this plan does not have",
                location: migration.source?.path ?? migration.id,
                reason: "the plan's phases are \(has.isEmpty ? "none" : has)"
                    + (migration.downtime == .zero ? "" : " (under `downtime: \(migration.downtime.rawValue)` the steps run in the order written)"),
                remedy: "Put the gate before one of those phases, or remove it: a gate the run never reaches holds nothing."
            )
        }
    }
}

extension Gate {
    /// In words, for plans and status: `approval, a soak of 24 h, the check 'x'`.
    public var summary: String {
        var parts: [String] = []
        if requiresApproval { parts.append("approval (godwit approve)") }
        if soakSeconds > 0 { parts.append("a soak of \(DurationText.text(Double(soakSeconds)))") }
        parts += checks.map { "the check '\($0)'" }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }
}
