/// A plan as SQL scripts: the forward script, and the reverse one that undoes it (last step
/// first), each step with its setup, transaction and teardown.
public enum PlanScripts {
    public static func forward(_ plans: [Plan]) -> String {
        var lines: [String] = []
        for plan in plans {
            lines.append("-- Migration \(plan.migration.id): \(plan.migration.name)")
            for (number, step) in plan.steps.enumerated() {
                lines += block(step, number: number, statements: step.forward)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func reverse(_ plans: [Plan]) -> String {
        var lines: [String] = []
        for plan in plans.reversed() {
            lines.append("-- Undo migration \(plan.migration.id): \(plan.migration.name)")
            for (number, step) in plan.steps.enumerated().reversed() {
                guard let reverse = step.reverse else {
                    lines.append("-- Step \(number + 1) (\(step.title)) cannot be undone: it is past the point of no return.")
                    continue
                }
                if reverse.isEmpty {
                    lines += ["", "-- Step \(number + 1) (\(step.phase.rawValue)): \(step.title): nothing to undo."]
                } else {
                    lines += block(step, number: number, statements: reverse)
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ step: PlanStep, number: Int, statements: [String]) -> [String] {
        ["", "-- Step \(number + 1) (\(step.phase.rawValue)): \(step.title)"] + runnable(step, statements)
    }

    /// One step's statements as they run: setup, the transaction around the statements, teardown.
    public static func runnable(_ step: PlanStep, _ statements: [String]) -> [String] {
        var lines = step.setup.map { $0 + ";" }
        if step.isTransactional { lines.append("BEGIN;") }
        lines += statements.map { $0 + ";" }
        if step.isTransactional { lines.append("COMMIT;") }
        lines += step.teardown.map { $0 + ";" }
        return lines
    }
}

/// A plan as JSON for machines: the same facts as the Markdown document.
public struct PlanReport: Encodable, Sendable {
    public struct MigrationInfo: Encodable, Sendable {
        var id: String
        var name: String
        var goal: String?
        var context: String?
        var type: String
        var downtime: String
        var owner: String?
        var stakeholders: [String]
        var notes: String?
        var file: String?
        var checksum: String?
    }

    public struct OperationInfo: Encodable, Sendable {
        var index: Int
        var kind: String
        var description: String
        var classification: Classification
        var estimatedSeconds: Double
    }

    public struct ValidationInfo: Encodable, Sendable {
        var name: String
        var sql: String
        var expect: String
    }

    var migration: MigrationInfo
    var engine: String
    var database: String
    var level: ChangeLevel
    var risk: Risk
    var estimatedSeconds: Double
    var isZeroDowntimeRequired: Bool
    var isZeroDowntimePossible: Bool
    var operations: [OperationInfo]
    var strategy: StrategyDecision
    var steps: [PlanStep]
    var validations: [ValidationInfo]

    public init(_ plan: Plan, against schema: Schema, database: String) {
        let assessment = MigrationAssessment(plan.migration, engine: plan.engine, schema: schema)
        let migration = plan.migration
        self.migration = MigrationInfo(
            id: migration.id, name: migration.name, goal: migration.goal, context: migration.context, type: migration.kind.rawValue,
            downtime: migration.downtime.rawValue, owner: migration.owner, stakeholders: migration.stakeholders, notes: migration.notes,
            file: migration.source?.path, checksum: migration.source?.checksum
        )
        engine = plan.engine.rawValue
        self.database = database
        level = assessment.level
        risk = assessment.risk
        estimatedSeconds = assessment.estimatedSeconds
        isZeroDowntimeRequired = migration.downtime == .zero
        isZeroDowntimePossible = assessment.isZeroDowntimePossible
        operations = assessment.items.enumerated().map {
            OperationInfo(index: $0, kind: $1.operation.kind.rawValue, description: OperationText.describe($1.operation),
                          classification: $1.classification, estimatedSeconds: $1.estimatedSeconds)
        }
        strategy = StrategySelector.decide(migration, assessment)
        steps = plan.steps
        validations = migration.validations.map { validation in
            let expect: String = switch validation.expectation {
            case .equals(let value): "equals \(value)"
            case .atMost(let value): "at most \(value)"
            case .atLeast(let value): "at least \(value)"
            case .noRows: "no rows"
            case .runs: "runs"
            }
            return ValidationInfo(name: validation.name, sql: validation.sql, expect: expect)
        }
    }
}
