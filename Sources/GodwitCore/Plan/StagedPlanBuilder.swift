/// The engine-neutral part of planning: apply each operation to the schema in turn, ask the
/// engine's planner for its steps, stamp them with the classification, and order them — by phase
/// (checking that no step overtakes one it depends on) under `downtime: zero`, in the written
/// order otherwise.
public struct StagedPlanBuilder: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// Builds the plan.
    /// - Parameter stepsFor: the engine's steps for one operation, given the schema before and after it.
    public func build(
        _ migration: Migration,
        against schema: Schema,
        stepsFor: (Operation, _ before: Schema, _ after: Schema) throws -> [PlanStep]
    ) throws -> Plan {
        let assessment = MigrationAssessment(migration, engine: engine, schema: schema)
        let transformer = SchemaTransformer()
        var current = schema
        var planned: [(step: PlanStep, operation: Int)] = []
        var tablesBefore: [Table?] = []
        for (index, operation) in migration.operations.enumerated() {
            tablesBefore.append(operation.table.flatMap { transformer.resolve($0, in: current) }.flatMap { current.table(named: $0) })
            let file = migration.source?.path ?? migration.id
            let location = index < migration.operationPositions.count
                ? "\(file):\(migration.operationPositions[index].line):\(migration.operationPositions[index].column) (operations[\(index)])"
                : "\(file): operations[\(index)]"
            let next = try transformer.applying([operation], to: current, locate: { _ in location })
            let item = assessment.items[index]
            for var step in try stepsFor(operation, current, next) {
                step.operationIndex = index
                if step.backfill == nil, step.lock == .none { step.lock = item.classification.lock }
                step.estimatedSeconds = item.estimatedSeconds
                planned.append((step, index))
            }
            current = next
        }
        // Under `downtime: zero` old and new code run together, so steps run phase by phase (all
        // expand before any contract). With downtime allowed, the operations run in the order
        // written, inside the window.
        let ordered: [PlanStep]
        if migration.downtime == .zero {
            keepFillsAhead(&planned, migration: migration)
            try checkOrder(planned, migration: migration, tablesBefore: tablesBefore)
            ordered = planned.enumerated()
                .sorted { ($0.element.step.phase, $0.offset) < ($1.element.step.phase, $1.offset) }
                .map(\.element.step)
        } else {
            ordered = Self.inWrittenOrder(planned.map(\.step))
        }
        try MigrationGates.validate(migration, steps: ordered)
        return Plan(migration: migration, engine: engine, steps: ordered, target: current)
    }

    /// The steps as written, with their phases made to run forward: the executor verifies each
    /// phase as it ends and holds gates before a phase begins, so a step written after a later
    /// phase's step runs in that later phase (an expand rebuild written after a backfill runs in
    /// backfill, under the backfill's verification). Cleanup steps only drop what Godwit kept
    /// for rollback, so they wait for the end, after every other step.
    static func inWrittenOrder(_ steps: [PlanStep]) -> [PlanStep] {
        var phase = Phase.expand
        let work = steps.filter { $0.phase != .cleanup }.map { step in
            var step = step
            phase = max(phase, step.phase)
            step.phase = phase
            return step
        }
        return work + steps.filter { $0.phase == .cleanup }
    }

    /// A fill written before a check of the same table's rows (`update_rows … where status IS
    /// NULL`, then NOT NULL) must run first, though the check's step has an earlier phase (SQLite
    /// adds a CHECK by rebuilding the table, checking every row): the checking steps move to the
    /// fill's phase, after it. PostgreSQL validates in verify, after backfill, so nothing moves there.
    private func keepFillsAhead(_ steps: inout [(step: PlanStep, operation: Int)], migration: Migration) {
        for (fill, i) in steps.enumerated().map({ ($0.element, $0.offset) })
        where fill.step.backfill != nil && migration.operations[fill.operation].writesEveryRow {
            // Only a step that reads every row while it holds writes off checks them as it runs;
            // PostgreSQL's NOT VALID and concurrent steps do not, and stay where they are.
            for j in steps.indices where j > i && steps[j].operation > fill.operation && steps[j].step.phase < fill.step.phase
                && steps[j].step.phase != .cleanup && steps[j].step.lock.blocksWrites && steps[j].step.duration != .instant {
                let check = migration.operations[steps[j].operation]
                guard check.checksExistingRows, let table = check.table,
                      table.name.lowercased() == migration.operations[fill.operation].table?.name.lowercased() else { continue }
                steps[j].step.phase = fill.step.phase
            }
        }
    }

    /// Steps run phase by phase, so a later operation's step can run before an earlier one's.
    /// That is refused when they touch the same table and columns and either the earlier step is
    /// a contract step (the later one was planned against the schema after it) or the later
    /// operation renames or removes something (the earlier step would no longer find it).
    /// Cleanup steps touch only archives, so nothing can overtake them harmfully.
    private func checkOrder(_ steps: [(step: PlanStep, operation: Int)], migration: Migration, tablesBefore: [Table?]) throws {
        for (earlier, i) in steps where earlier.phase != .cleanup {
            for (later, j) in steps where j > i && later.phase < earlier.phase {
                let renamesOrRemoves = migration.operations[j].renamesOrRemoves
                guard earlier.phase == .contract || renamesOrRemoves else { continue }
                // An index sees the column's name and type, not its NOT NULL, default or
                // constraints: building it before such a contract step changes nothing.
                if !renamesOrRemoves, case .createIndex = migration.operations[j],
                   case .alterColumn(let change) = migration.operations[i], change.type == nil { continue }
                if migration.operations[i].overlaps(migration.operations[j], table: tablesBefore[i], otherTable: tablesBefore[j]),
                   let a = migration.operations[i].table {
                    throw GodwitError(
                        .invalidMigration, "Operations \(i) and \(j) on \(a) would run out of order",
                        location: migration.source?.path ?? migration.id,
                        reason: "operation \(j) runs in \(later.phase.rawValue), before operation \(i)'s \(earlier.phase.rawValue) step",
                        remedy: "Split them into two migrations."
                    )
                }
            }
        }
    }
}
