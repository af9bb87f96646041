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
            try await run(step, statements: step.forward, checks: step.checks, on: driver, label: "step \(number + 1) of \(plan.steps.count) (\(step.title))")
        }
    }

    /// Undoes the steps of `plan` up to and including the phase `last`, last first. Refuses a
    /// step that cannot be undone (cleanup, past the point of no return).
    public func reverse(_ plan: Plan, through last: Phase = .cleanup, on driver: any DatabaseDriver) async throws {
        for (number, step) in plan.steps.enumerated().reversed() where step.phase <= last {
            guard let statements = step.reverse else {
                throw GodwitError(.invalidArgument, "Step \(number + 1) cannot be undone", location: step.title,
                                  remedy: "It runs in \(step.phase.rawValue); roll back only the phases before it.")
            }
            try await run(step, statements: statements, checks: [], on: driver, label: "undo of step \(number + 1) (\(step.title))")
        }
    }

    /// Runs one step's statements with its setup, transaction, checks and teardown.
    /// - Parameter beforeCommit: work that must commit with the step (its progress record).
    public func run(
        _ step: PlanStep, statements: [String], checks: [StepCheck], on driver: any DatabaseDriver, label: String,
        beforeCommit: ((any DatabaseDriver) async throws -> Void)? = nil
    ) async throws {
        for statement in step.setup { try await driver.execute(unsafeSQL: statement) }
        do {
            if step.isTransactional { try await driver.execute(unsafeSQL: "BEGIN") }
            do {
                for check in checks where check.isPrecondition { try await verify(check, on: driver, label: label) }
                for statement in statements { try await driver.execute(unsafeSQL: statement) }
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

    /// Whether the connection can still take statements after `error` (a terminated session
    /// cannot, and talking to it may hang).
    static func isUsable(_ driver: any DatabaseDriver, after error: any Error) -> Bool {
        !driver.isClosed && (error as? GodwitError)?.endsSession != true
    }

    /// Runs one check: its query must return 0.
    public func verify(_ check: StepCheck, on driver: any DatabaseDriver, label: String) async throws {
        let found = try await driver.query(unsafeSQL: check.sql).first?[0].integerValue ?? 0
        guard found != 0 else { return }
        throw GodwitError(.integrityFailure, "Check failed \(check.isPrecondition ? "before" : "in") \(label)",
                          reason: "\(check.name): \(found) rows",
                          remedy: "Fix the data, or the migration, and run again; the step was rolled back.")
    }
}
