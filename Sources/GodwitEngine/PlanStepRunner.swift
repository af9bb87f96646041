public import GodwitCore

/// Runs plan steps on a connection: setup outside the transaction; inside it the step's
/// preconditions, its statements and its checks (a failed check rolls the step back); teardown
/// after.
///
/// The foundation of `apply` and `rehearse`; it has no state of its own. Backfills run here as
/// their single statement; batching, progress and resumption belong to the executor.
public struct PlanStepRunner: Sendable {
    public init() {}

    /// Runs the steps of `plan` forward, in order, for the phases from `first` through `last`.
    public func forward(_ plan: Plan, from first: Phase = .expand, through last: Phase = .cleanup, on driver: any DatabaseDriver) async throws {
        for (number, step) in plan.steps.enumerated() where step.phase >= first && step.phase <= last {
            try await run(step, statements: step.forward, locations: step.forwardLocations, checks: step.checks, on: driver,
                          label: "step \(number + 1) of \(plan.steps.count) (\(step.title))")
        }
    }

    /// Undoes the steps of `plan` up to and including the phase `last`, last first. Refuses a
    /// step that cannot be undone (cleanup, past the point of no return).
    public func reverse(_ plan: Plan, through last: Phase = .cleanup, on driver: any DatabaseDriver) async throws {
        for (number, step) in plan.steps.enumerated().reversed() where step.phase <= last {
            guard let statements = step.reverse else {
                throw GodwitError(.refused, "Step \(number + 1) cannot be undone", location: step.title,
                                  remedy: "It runs in \(step.phase.rawValue); roll back only the phases before it.")
            }
            try await run(step, statements: statements, locations: step.reverseLocations, checks: [], on: driver,
                          label: "undo of step \(number + 1) (\(step.title))")
        }
    }

    /// Runs one step's statements with its setup, transaction, checks and teardown.
    /// - Parameter beforeCommit: work that must commit with the step (its progress record).
    /// - Parameter locations: where each statement was written (hand-written SQL), named by errors.
    public func run(
        _ step: PlanStep, statements: [String], locations: [String]? = nil, checks: [StepCheck], on driver: any DatabaseDriver, label: String,
        beforeCommit: ((any DatabaseDriver) async throws -> Void)? = nil
    ) async throws {
        for statement in step.setup { try await driver.execute(unsafeSQL: statement) }
        do {
            if step.isTransactional { try await driver.execute(unsafeSQL: "BEGIN") }
            do {
                for check in checks where check.isPrecondition { try await verify(check, on: driver, label: label) }
                for (index, statement) in statements.enumerated() {
                    let location = locations.flatMap { index < $0.count ? $0[index] : nil }
                    do {
                        if step.isTransactional, location != nil, Self.mustRunAlone(statement, engine: driver.engine) {
                            // Hand-written undo SQL may hold a statement no transaction can (DROP INDEX
                            // CONCURRENTLY): what came before it commits, it runs alone, the rest goes on.
                            try await driver.execute(unsafeSQL: "COMMIT")
                            try await driver.execute(unsafeSQL: statement)
                            try await driver.execute(unsafeSQL: "BEGIN")
                        } else {
                            try await driver.execute(unsafeSQL: statement)
                        }
                    } catch let error as GodwitError {
                        throw location.map { Self.locating(error, at: $0, statement: statement) } ?? error
                    }
                }
                for check in checks where !check.isPrecondition { try await verify(check, on: driver, label: label) }
                try await beforeCommit?(driver)
                if step.isTransactional { try await driver.execute(unsafeSQL: "COMMIT") }
            } catch {
                if step.isTransactional && Self.isUsable(driver, after: error) { _ = try? await driver.execute(unsafeSQL: "ROLLBACK") }
                throw error
            }
        } catch {
            if Self.isUsable(driver, after: error) { for statement in step.teardown { _ = try? await driver.execute(unsafeSQL: statement) } }
            throw error
        }
        for statement in step.teardown { try await driver.execute(unsafeSQL: statement) }
    }

    /// Whether a statement must run outside any transaction block on this engine.
    static func mustRunAlone(_ statement: String, engine: Engine) -> Bool {
        SQLScript.statements(in: statement, engine: engine).first?.mustRunOutsideTransaction(engine: engine) ?? false
    }

    /// The engine's error, placed at the statement's file:line:column with its first line.
    static func locating(_ error: GodwitError, at location: String, statement: String) -> GodwitError {
        var located = error
        let firstLine = statement.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? statement
        let shown = firstLine.count > 100 ? String(firstLine.prefix(100)) + "…" : firstLine
        located.location = location
        located.reason = [error.reason, "in `\(shown)`"].compactMap { $0 }.joined(separator: " ")
        return located
    }

    /// Whether the connection can still take statements after `error` (a terminated session
    /// cannot, and talking to it may hang).
    static func isUsable(_ driver: any DatabaseDriver, after error: any Error) -> Bool {
        !driver.isClosed && (error as? GodwitError)?.endsSession != true
    }

    /// Runs one check: its query must return 0.
    public func verify(_ check: StepCheck, on driver: any DatabaseDriver, label: String) async throws {
        let found = try await driver.query(unsafeSQL: check.sql).first?[0].integerValue ?? 0
        try judge(check, found: found, label: label)
    }

    /// Fails when `check` found rows (however they were counted).
    public func judge(_ check: StepCheck, found: Int64, label: String) throws {
        guard found != 0 else { return }
        throw GodwitError(.integrityFailure, "Check failed \(check.isPrecondition ? "before" : "in") \(label)",
                          reason: "\(check.name): \(found) rows",
                          remedy: "Fix the data, or the migration, and run again; the step was rolled back.")
    }
}
