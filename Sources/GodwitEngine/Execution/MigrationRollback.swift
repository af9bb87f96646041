import Foundation
public import GodwitCore

/// `godwit rollback`: undoes a migration's steps, last first — contract included, from the
/// archive and parked columns — and then proves the schema and every touched table's checksum
/// equal those taken before the run.
public struct MigrationRollback: Sendable {
    public let url: DatabaseURL
    public let settings: ExecutionSettings
    public let observer: (any ExecutionObserver)?
    /// Reads the server around each step; set by rehearsals.
    var measurer: (any StepMeasurer)?
    public let interrupt: InterruptSignal

    public init(url: DatabaseURL, settings: ExecutionSettings = ExecutionSettings(), observer: (any ExecutionObserver)? = nil,
                interrupt: InterruptSignal = InterruptSignal()) {
        self.url = url
        self.settings = settings
        self.observer = observer
        self.interrupt = interrupt
    }

    /// Rolls back migration `id` (the latest one not rolled back when nil).
    /// - Returns: the report proving the database is back as it was.
    public func rollback(_ id: String?) async throws -> (migration: String, report: IntegrityReport) {
        let lock = try await RunnerLock.acquire(for: url)
        let session = ExecutionSession(url: url, settings: settings, observer: observer, measurer: measurer)
        do {
            let records = try await session.store().records()
            // A migration that failed before any step finished left nothing to undo and holds
            // nothing back: a plain rollback goes to the last one that is in the database.
            let live = records.filter { $0.state != .rolledBack && !$0.failedBeforeAnyStep }
            // Flyway's repeatables are never undone and hold nothing back: they run after every
            // version and again when they change.
            let versioned = live.filter { !ToolLayouts.isRepeatable($0.id) }
            guard let record = id.map({ id in live.first { $0.id == id } }) ?? versioned.last else {
                throw GodwitError(.refused, id.map { "Migration \($0) has nothing to roll back" } ?? "No migration to roll back",
                                  location: url.description,
                                  reason: id.map { id in
                                      guard let known = records.first(where: { $0.id == id }) else { return "it was never applied here" }
                                      return known.failedBeforeAnyStep ? "it failed before any step finished, so nothing of it is in the database" : "it is already rolled back"
                                  },
                                  remedy: "Run godwit status to see what is applied.")
            }
            if let later = versioned.first(where: { VersionOrder.precedes(record.id, $0.id) }) {
                throw GodwitError(.refused, "Migration \(later.id) was applied after \(record.id)", location: url.description,
                                  remedy: "Roll back \(later.id) first (godwit rollback \(later.id)).")
            }
            if let tool = record.adoptedFrom {
                throw GodwitError(.refused, "Migration \(record.id) was applied by \(tool), not by Godwit", location: url.description,
                                  reason: "Godwit adopted it from \(tool)'s history and holds no plan of it, nor the checksums to prove a rollback",
                                  remedy: "Everything Godwit applied after it is rolled back already. Undo this one with \(tool) "
                                      + "(its history table is current), or restore from a backup.")
            }
            guard let stored = try await session.store().plan(migration: record.id) else {
                throw GodwitError(.internalError, "No stored plan for migration \(record.id)", location: url.description,
                                  remedy: "The state tables were changed by hand; restore them or roll back from a backup.")
            }
            if let point = stored.steps.prefix(record.completedSteps).firstIndex(where: { !$0.isReversible }) {
                throw GodwitError(.refused, "Migration \(record.id) is past its point of no return", location: url.description,
                                  reason: "step \(point + 1) (\(stored.steps[point].title)) ran in \(stored.steps[point].phase.rawValue) and cannot be undone",
                                  remedy: "Restore from a backup, or write a new migration that reverses the change.")
            }
            let migration = Migration(id: record.id, name: record.name)
            let report = try await Self.perform(migration: migration, stored: stored, session: session, interrupt: interrupt, reason: "requested by \(settings.operatorName)")
            await session.close()
            await lock.release()
            return (record.id, report)
        } catch {
            await session.close()
            await lock.release()
            throw error
        }
    }

    /// Undoes every step done (and the step in flight when it left something behind), then
    /// verifies; used by `rollback` and by `apply` when a rollback trigger fires.
    static func perform(migration: Migration, stored: StoredPlan, session: ExecutionSession, interrupt: InterruptSignal,
                        reason: String) async throws -> IntegrityReport {
        guard var record = try await session.store().record(migration.id) else {
            throw GodwitError(.internalError, "No record of migration \(migration.id)")
        }
        let started = Date()
        record.state = .rollingBack
        try await session.store().save(record)
        session.observer?.observe(ExecutionEvent(kind: .rollbackStarted, migration: migration.id,
                                                 message: "rolling back \(record.completedSteps) steps of \(migration.id): \(reason)"))
        let executor = StepExecutor(session: session, interrupt: interrupt, migration: migration, steps: stored.steps)
        let inFlight = record.completedSteps
        if inFlight < stored.steps.count {
            let step = stored.steps[inFlight]
            let progress = try await session.store().stepProgress(migration: migration.id).first { $0.step == inFlight + 1 }
            if step.isReversible, !step.isTransactional || (step.backfill != nil && progress?.lastKey != nil) {
                try await executor.reverse(inFlight)
            }
        }
        for index in (0..<inFlight).reversed() {
            try await executor.reverse(index)
        }
        // Another tool's history row goes before the check, which compares every table with the start.
        if session.settings.keepsLegacyHistory {
            let previous = try await session.store().records()
                .filter { $0.id != migration.id && $0.state == .applied && VersionOrder.precedes($0.id, migration.id) }
                .map(\.id).max(by: VersionOrder.precedes)
            let operatorName = session.settings.operatorName
            try await session.withRetries("record the rollback in the other tool's history", migration: migration.id) { driver in
                guard let legacy = try await LegacyHistory.read(on: driver) else { return }
                do {
                    try await legacy.recordRolledBack(migration, previous: previous, on: driver, by: operatorName)
                } catch {
                    throw legacy.refusal(error, migration: migration, rollingBack: true)
                }
            }
        }
        // The proof is retried like any step: a lock held by the application or a lost
        // connection must not leave a finished rollback unproven and marked rolling-back.
        let label = "\(migration.id) \(record.name) after rollback"
        let report = try await session.withRetries("verify the rollback", migration: migration.id) { driver in
            try await IntegrityVerifier(driver: driver).verifyRestored(stored, label: label)
        }
        record = try await session.store().record(migration.id) ?? record
        record.state = .rolledBack
        record.completedSteps = 0
        record.phase = nil
        record.finishedAt = Date()
        record.waitingFor = nil
        try await session.store().save(record)
        try await session.store().clearSteps(migration: migration.id)
        try await session.store().append(AuditEvent(at: Date(), kind: .rollbackExecuted, migration: migration.id, fields: [
            .init("reason", reason), .init("steps_undone", "\(inFlight)"), .init("duration", String(format: "%.1fs", Date().timeIntervalSince(started))),
            .init("verified", report.passed ? "pass" : "fail"),
        ]))
        session.observer?.observe(ExecutionEvent(kind: .rollbackFinished, migration: migration.id,
                                                 message: report.passed ? "\(migration.id) rolled back; schema and checksums equal the start"
                                                     : "\(migration.id) rolled back, but verification found differences"))
        return report
    }
}

/// `godwit approve`: lets the next `apply` pass a migration's gate.
public enum GateApproval {
    /// Approves the gate migration `id` waits at (or the gate before `phase`).
    /// - Returns: the phase approved.
    public static func approve(_ id: String, phase: Phase? = nil, url: DatabaseURL, operatorName: String = ExecutionSettings.defaultOperator) async throws -> Phase {
        try await DatabaseConnector.withDriver(url) { driver in
            let store = StateStore(driver: driver)
            guard var record = try await store.record(id), record.state != .rolledBack else {
                throw GodwitError(.refused, "Migration \(id) has not started here", location: url.description,
                                  remedy: "Run godwit apply first; it stops at the gate.")
            }
            let next: Phase?
            if let phase {
                next = phase
            } else if record.state == .waitingAtGate, let stored = try await store.plan(migration: id), record.completedSteps < stored.steps.count {
                next = stored.steps[record.completedSteps].phase
            } else {
                next = nil
            }
            guard let next else {
                throw GodwitError(.refused, "Migration \(id) is not waiting at a gate", location: url.description,
                                  reason: "it is \(record.state.rawValue)", remedy: "Name the gate's phase to approve it ahead (--phase contract).")
            }
            if !record.approvedGates.contains(next) { record.approvedGates.append(next) }
            try await store.save(record)
            try await store.append(AuditEvent(at: Date(), kind: .gateApproved, migration: id,
                                              fields: [.init("phase", next.rawValue), .init("operator", operatorName)]))
            return next
        }
    }
}
