import Foundation
import Synchronization
public import GodwitCore

/// How an `apply` run ended.
public struct ApplyOutcome: Sendable {
    public enum Stop: Sendable {
        /// Every migration ran as far as it may.
        case completed
        /// A migration waits at a gate; nothing after it ran.
        case waiting(migration: String, reason: String)
        /// A rollback trigger fired and the migration was rolled back.
        case rolledBack(migration: String, reason: String, report: IntegrityReport)
    }

    /// Migrations that ran steps in this run.
    public var ran: [String] = []
    /// Migrations that wait for their archive retention window before cleanup.
    public var awaitingCleanup: [(migration: String, reason: String)] = []
    /// The integrity reports written after each phase.
    public var reports: [IntegrityReport] = []
    public var stop: Stop = .completed
}

/// `godwit apply`: runs every migration of a directory in order, phase by phase, holding the
/// runner lock; records each step in the database so a rerun resumes, verifies after every
/// phase, stops at gates, and acts on rollback triggers.
public struct MigrationApplier: Sendable {
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

    /// Applies the migrations of `directory`.
    /// - Throws: ``GodwitError`` (a failed step, drift, a held lock), ``GodwitErrorInterrupted``.
    public func apply(directory: String) async throws -> ApplyOutcome {
        let migrations = try MigrationDirectory.load(directory)
        return try await apply(migrations)
    }

    /// Applies migrations already read.
    public func apply(_ migrations: [Migration]) async throws -> ApplyOutcome {
        let lock = try await RunnerLock.acquire(for: url)
        let session = ExecutionSession(url: url, settings: settings, observer: observer, measurer: measurer)
        do {
            let outcome = try await run(migrations, session: session)
            try await session.writeLog()
            await session.close()
            await lock.release()
            return outcome
        } catch {
            try? await session.writeLog()
            await session.close()
            await lock.release()
            throw error
        }
    }

    private func run(_ migrations: [Migration], session: ExecutionSession) async throws -> ApplyOutcome {
        try await session.installState()
        let store = try await session.store()
        var records = try await store.records()
        do {
            try DriftCheck.check(migrations, against: records)
        } catch let error as GodwitError {
            try? await store.append(AuditEvent(at: Date(), kind: .driftRefused, migration: "-", fields: [.init("reason", error.reason ?? error.summary)]))
            throw error
        }
        if let unfinished = records.first(where: { $0.state == .rollingBack }) {
            throw GodwitError(.refused, "The rollback of migration \(unfinished.id) did not finish", location: url.description,
                              remedy: "Run godwit rollback \(unfinished.id) to finish it before applying.")
        }
        var outcome = ApplyOutcome()
        // What another tool (diesel) applied before Godwit took over is recorded as adopted, as
        // plan and status show it, also when the tool's table is not to be written.
        let legacy = try await LegacyHistory.read(on: try await session.driver())
        if let legacy {
            for migration in migrations where legacy.contains(migration) && !records.contains(where: { $0.id == migration.id }) {
                let adopted = MigrationRecord.adopted(migration, from: legacy.tool, at: Date())
                try await store.save(adopted, events: [AuditEvent(at: Date(), kind: .migrationCompleted, migration: migration.id,
                                                                  fields: [.init("adopted_from", legacy.tool.rawValue)])])
                records.append(adopted)
            }
        }
        session.legacyHistory.withLock { $0 = settings.keepsLegacyHistory ? legacy : nil }
        let isDone = { (migration: Migration) in
            records.contains { $0.id == migration.id && $0.state == .applied && $0.completedSteps == $0.totalSteps }
        }
        // What each SQL file does, learned on a scratch copy of the schema before anything runs
        // (for migrations not begun: a begun one follows its stored plan). How well each down
        // restores the schema is for plan and rehearse to report; apply runs the down it has.
        let resumes = { (migration: Migration) in
            records.contains { $0.id == migration.id && $0.state != .rolledBack && !Self.replans(migration, $0) }
        }
        let fresh = migrations.filter { !isDone($0) && !resumes($0) }
        var analyzed = fresh
        if fresh.contains(where: \.hasHandWrittenSQL) {
            let live = try await session.driver().inspect(InspectionOptions(), after: nil)
            analyzed = try await SQLEffectAnalyzer.analyze(fresh, from: live.schema, like: url, checkingDown: false)
            session.keep(reading: live)
        }
        let byID = Dictionary(analyzed.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for original in migrations {
            let migration = byID[original.id] ?? original
            let record = records.first { $0.id == migration.id }
            if isDone(migration) { continue }
            let (run, stored) = try await prepare(migration, record: record, session: session)
            outcome.ran.append(migration.id)
            switch try await runSteps(migration, record: run, stored: stored, session: session, outcome: &outcome) {
            case .next: continue
            case .stop: return outcome
            }
        }
        return outcome
    }

    /// Whether a migration is planned again from the file and the database as they are now: it
    /// failed before any step finished, so nothing of it is in the database, and the file or
    /// the data may have been fixed since (the digests rollback proves against are taken anew).
    static func replans(_ migration: Migration, _ record: MigrationRecord) -> Bool {
        record.failedBeforeAnyStep
    }

    /// The record and plan a run follows: stored ones when the migration already began, else a
    /// fresh plan against the live schema with digests of the tables it touches.
    private func prepare(_ migration: Migration, record existing: MigrationRecord?, session: ExecutionSession) async throws -> (MigrationRecord, StoredPlan) {
        let store = try await session.store()
        if let existing, existing.state != .rolledBack, !Self.replans(migration, existing), let stored = try await store.plan(migration: migration.id) {
            return (existing, stored)
        }
        let rehearsal = try await session.passedRehearsal(migration: migration.id, checksum: migration.source?.checksum ?? "")
        if settings.requireRehearsal, rehearsal == nil {
            throw GodwitError(
                .refused, "Migration \(migration.id) has no passing rehearsal on this database", location: migration.source?.path,
                reason: "apply runs only what was rehearsed: the same file, on the same database",
                remedy: "Run godwit rehearse on this directory and database first (it applies on a clone, rolls back and proves it), or pass --unrehearsed."
            )
        }
        let driver = try await session.driver()
        let reading: SchemaReading
        if let kept = session.takeReading() { reading = kept } else { reading = try await driver.inspect(InspectionOptions(), after: nil) }
        let live = reading.schema
        let plan = try DatabaseConnector.planner(for: live.engine).plan(migration, against: live)
        // A plan lint rejects never starts: apply keeps the promise the plan document makes.
        try PlanAdmission.check(migration, plan: plan, against: live)
        try await evaluateChecklist(for: migration, rehearsal: rehearsal, session: session, driver: driver)
        let digests = try await TableDigester.digests(of: TableDigester.touchedTables(by: migration, in: live), in: live, on: driver)
        let stored = StoredPlan(steps: plan.steps, before: live, target: plan.target, digests: digests)
        let record = MigrationRecord(id: migration.id, name: migration.name, checksum: migration.source?.checksum ?? "", state: .running,
                                     startedAt: Date(), operatorName: settings.operatorName, totalSteps: plan.steps.count)
        // A migration planned again (rolled back, or failed before any step) may have left
        // step progress; a first run has none.
        if existing != nil { try await store.clearSteps(migration: migration.id) }
        let assessment = MigrationAssessment(migration, engine: live.engine, schema: live)
        session.log(AuditEvent(at: Date(), kind: .migrationAssessed, migration: migration.id, fields: [
            .init("type", "\(assessment.level)"), .init("risk", "\(assessment.risk)"),
            .init("steps", "\(plan.steps.count)"), .init("tables", digests.map(\.table.description).joined(separator: " ")),
            .init("operator", settings.operatorName),
        ]))
        // The record, its plan and what the checklist and the assessment found: one write.
        try await session.save(record, plan: stored)
        session.noteReading(before: migration.id, reading)
        observer?.observe(ExecutionEvent(kind: .migrationStarted, migration: migration.id,
                                         message: "\(migration.id) \(migration.name): \(plan.steps.count) steps",
                                         plan: .init(phases: plan.steps.map(\.phase), steps: plan.steps.count)))
        return (record, stored)
    }

    /// The migration-planning guide's pre-flight checklist, recorded in the audit log before the migration touches
    /// the database: its automatic items checked here (a verified backup within a day, a passing
    /// rehearsal of this file, the runner lock held, the free space Godwit can see) and its human
    /// items as the file acknowledges them. With `requireChecklist`, an open item stops the run.
    private func evaluateChecklist(for migration: Migration, rehearsal: Date?, session: ExecutionSession, driver: any DatabaseDriver) async throws {
        let dayAgo = Date().addingTimeInterval(-86400)
        let backup = try await session.lastVerifiedBackup().flatMap { $0 > dayAgo ? $0 : nil }
        let free = await FreeSpace.available(for: driver)
        let stamp = { (date: Date) in ISO8601DateFormatter().string(from: date) }
        var items: [AuditEvent.Field] = [
            .init("backup_verified", backup.map { "yes (\(stamp($0)))" } ?? "no: run godwit backup"),
            .init("rehearsal_passed", rehearsal.map { "yes (\(stamp($0)))" } ?? (settings.requireRehearsal ? "no" : "no (--unrehearsed)")),
            .init("runner_lock", "held"),
            .init("free_space", free.map { "\($0 / 1_048_576) MiB" } ?? "not visible to godwit"),
        ]
        for item in ChecklistItem.allCases {
            items.append(.init(item.rawValue, migration.checklist.first { $0.item == item }.map { "acknowledged: \($0.note)" } ?? "not acknowledged"))
        }
        items.append(.init("operator", settings.operatorName))
        session.log(AuditEvent(at: Date(), kind: .checklistEvaluated, migration: migration.id, fields: items))
        var open = migration.unacknowledgedChecklist.map { "\($0.wording) (`\($0.rawValue)`)" }
        if backup == nil { open.insert("a backup verified in the last 24 h (godwit backup proves one restorable)", at: 0) }
        guard !open.isEmpty else { return }
        if settings.requireChecklist {
            throw GodwitError(
                .refused, "The pre-flight checklist of migration \(migration.id) is not complete", location: migration.source?.path,
                reason: "open: " + open.joined(separator: "; "),
                remedy: "Run godwit backup, and acknowledge each human item under `checklist:` in the migration file with who, when or where (or drop --require-checklist)."
            )
        }
        // A backlog of files that acknowledge nothing would repeat the same list for each.
        let previous = session.noteOpenChecklist(open, for: migration.id)
        observer?.observe(ExecutionEvent(kind: .notice, migration: migration.id,
                                         message: previous.map { "checklist open: the same \(open.count) items as for \($0)" }
                                             ?? "checklist open: " + open.joined(separator: "; ")))
    }

    private enum Next { case next, stop }

    /// What keeps a phase from starting: the `--through` limit, or a gate.
    enum Hold: Hashable, Sendable {
        /// `--through` stops the run after `previous`.
        case through(previous: Phase?, next: Phase)
        case gate(phase: Phase, reason: String, letsOthersRun: Bool, approveCommand: String?)
    }

    /// Runs a migration's steps on the shared ``ExecutionMachine``: the steps are its units and
    /// the phases its segments. Each action the machine returns is performed here (gates, steps,
    /// verifications, records and events, the rollback a trigger asks for) and its answer fed
    /// back; an error from any action becomes the failure the migration's triggers decide on.
    private func runSteps(_ migration: Migration, record: MigrationRecord, stored: StoredPlan, session: ExecutionSession,
                          outcome: inout ApplyOutcome) async throws -> Next {
        var record = record
        let steps = stored.steps
        // Steps are about to run: a reading kept for the next plan would be stale after them.
        _ = session.takeReading()
        let executor = StepExecutor(session: session, interrupt: interrupt, migration: migration, steps: steps)
        let gates = GateKeeper(settings: settings)
        if record.state != .running || record.waitingFor != nil {
            // (A plan just made saved the record running already.)
            record.state = .running
            record.waitingFor = nil
            try await session.save(record)
        }
        var machine = ExecutionMachine<Hold>(units: steps.map { .init(segment: $0.phase.rawValue) })
        var action = machine.start(completed: record.completedSteps, segmentVerified: record.phaseFinishedAt != nil)
        // The error behind a failure, and the trigger it fired: the records and the stop use them.
        var failure: (error: any Error, trigger: RollbackTrigger?)?
        while true {
            do {
                switch action {
                case .enter(_, let unit):
                    action = machine.receive(try await enter(unit, of: steps, migration: migration, stored: stored, record: &record, gates: gates, session: session))
                case .run(let unit):
                    try interrupt.check(migration.id, resumeAt: unit + 1)
                    try await session.writeLog()
                    try await executor.forward(unit, checksumsAlongside: Self.checksumsAlongside(step: unit, of: stored))
                    action = machine.receive(.ran)
                case .verify(let segment, let completed):
                    outcome.reports.append(try await verifyPhase(Phase(rawValue: segment)!, migration: migration, stored: stored, completed: completed,
                                                                 final: Self.verificationIsFinal(completed: completed, of: steps), session: session))
                    action = machine.receive(.verified)
                case .record(let milestone):
                    try await recordMilestone(milestone, migration: migration, steps: steps, record: &record, failure: failure, session: session, outcome: &outcome)
                    action = machine.receive(.recorded)
                case .rollBack(let fired):
                    try await session.writeLog()
                    let report = try await MigrationRollback.perform(migration: migration, stored: stored, session: session, interrupt: interrupt, reason: fired.reason)
                    outcome.stop = .rolledBack(migration: migration.id, reason: fired.reason, report: report)
                    action = machine.receive(.rolledBack)
                case .stop(let result):
                    try await session.writeLog()
                    switch result {
                    case .finished: return .next
                    case .held(_, .gate(_, _, true, _)): return .next
                    case .held, .rolledBack: return .stop
                    case .failed: throw Self.stopError(failure?.error, migration: migration)
                    }
                }
            } catch let error as GodwitErrorInterrupted {
                session.log(AuditEvent(at: Date(), kind: .migrationInterrupted, migration: migration.id,
                                       fields: [.init("resume_at_step", "\(error.step)")]))
                try? await session.writeLog()
                observer?.observe(ExecutionEvent(kind: .interrupted, migration: migration.id, message: error.description))
                throw error
            } catch {
                // A rollback that fails, or the stop's own error, ends the run as it is.
                if case .rollingBack = machine.state { throw error }
                if case .stop = action { throw error }
                let (answer, trigger) = failureAnswer(for: error, migration: migration, session: session)
                failure = (error, trigger)
                action = machine.receive(.failed(answer))
            }
        }
    }

    /// Whether the phase of step `unit` may start: `--through`, then its gates (approvals given
    /// by `--yes` are recorded).
    private func enter(_ unit: Int, of steps: [PlanStep], migration: Migration, stored: StoredPlan, record: inout MigrationRecord,
                       gates: GateKeeper, session: ExecutionSession) async throws -> ExecutionMachine<Hold>.Input {
        let phase = steps[unit].phase
        if phase > settings.through { return .held(.through(previous: unit > 0 ? steps[unit - 1].phase : nil, next: phase)) }
        let driver = try await session.driver()
        let approvedBefore = record.approvedGates
        let block = try await gates.block(before: phase, migration: migration, stored: stored, record: &record, on: driver)
        for approved in record.approvedGates where !approvedBefore.contains(approved) {
            session.log(AuditEvent(at: Date(), kind: .gateApproved, migration: migration.id, fields: [
                .init("phase", approved.rawValue), .init("operator", settings.operatorName), .init("via", "--yes"),
            ]))
        }
        guard let block else { return .opened }
        return .held(.gate(phase: phase, reason: block.reason, letsOthersRun: block.letsOthersRun, approveCommand: block.approveCommand))
    }

    /// Persists and announces what the machine reached.
    private func recordMilestone(_ milestone: ExecutionMachine<Hold>.Milestone, migration: Migration, steps: [PlanStep], record: inout MigrationRecord,
                                 failure: (error: any Error, trigger: RollbackTrigger?)?, session: ExecutionSession, outcome: inout ApplyOutcome) async throws {
        switch milestone {
        case .segmentStarted(_, let unit):
            let phase = steps[unit].phase
            if record.waitingFor != nil || record.phaseFinishedAt != nil {
                record.waitingFor = nil
                record.phaseFinishedAt = nil
                try await session.save(record)
            }
            try await checkSpace(for: phase, steps: steps, session: session, migration: migration)
            session.log(AuditEvent(at: Date(), kind: .phaseStarted, migration: migration.id,
                                   fields: [.init("phase", phase.rawValue), .init("operator", settings.operatorName)]))
            observer?.observe(ExecutionEvent(kind: .phaseStarted, migration: migration.id, phase: phase, message: "phase \(phase.rawValue) begins"))
        case .unitDone(let unit):
            // The step's own transaction stored it; the record in memory follows.
            record.completedSteps = unit + 1
            record.phase = steps[unit].phase
        case .segmentVerified(let segment, _):
            let phase = Phase(rawValue: segment)!
            record.phaseFinishedAt = Date()
            session.log(AuditEvent(at: Date(), kind: .phaseCompleted, migration: migration.id, fields: [.init("phase", phase.rawValue)]))
            try await session.save(record)
            observer?.observe(ExecutionEvent(kind: .phaseFinished, migration: migration.id, phase: phase, message: "phase \(phase.rawValue) done"))
        case .held(_, .through(let previous, let next)):
            record.waitingFor = "godwit apply without --through, to run \(next.rawValue)"
            record.state = .waitingAtGate
            try await session.save(record)
            outcome.stop = .waiting(migration: migration.id, reason: "stopped after \(previous?.rawValue ?? "the start") as asked (--through)")
        case .held(_, .gate(let phase, let reason, let letsOthersRun, let approveCommand)):
            record.waitingFor = reason
            record.state = letsOthersRun ? .applied : .waitingAtGate
            session.log(AuditEvent(at: Date(), kind: .gateWaiting, migration: migration.id,
                                   fields: [.init("phase", phase.rawValue), .init("waiting_for", reason)]))
            try await session.save(record)
            observer?.observe(ExecutionEvent(kind: .gate, migration: migration.id, phase: phase, message: "waiting for \(reason)",
                                             gate: .init(reason: reason, approveCommand: approveCommand)))
            if letsOthersRun { outcome.awaitingCleanup.append((migration.id, reason)) } else { outcome.stop = .waiting(migration: migration.id, reason: reason) }
        case .failed(let fired):
            // The connection may be gone with the failure; state is written on a fresh one, and
            // nothing written here may hide the failure itself.
            if let trigger = failure?.trigger {
                observer?.observe(ExecutionEvent(kind: .notice, migration: migration.id,
                                                 message: "rollback trigger fired (\(trigger.condition.summary)): \(fired.reason)", trigger: trigger.condition.key))
            }
            if fired.response == .rollBack {
                session.log(AuditEvent(at: Date(), kind: .migrationFailed, migration: migration.id,
                                       fields: [.init("reason", fired.reason), .init("action", "rollback")]
                                           + (fired.trigger.map { [.init("trigger", $0)] } ?? [])))
                try? await session.writeLog()
                return
            }
            session.log(AuditEvent(at: Date(), kind: .migrationFailed, migration: migration.id,
                                   fields: [.init("reason", fired.reason), .init("action", fired.response == .pause ? "pause" : "stop")]
                                       + (fired.trigger.map { [.init("trigger", $0)] } ?? [])))
            if var failed = try? await session.store().record(migration.id) {
                failed.state = .failed
                failed.waitingFor = fired.response == .pause ? "a person: paused by a rollback trigger (\(fired.reason))" : nil
                try? await session.save(failed)
            }
            try? await session.writeLog()
        case .finished(let count):
            record.state = .applied
            record.finishedAt = Date()
            record.waitingFor = nil
            session.log(AuditEvent(at: Date(), kind: .migrationCompleted, migration: migration.id,
                                   fields: [.init("steps", "\(count)"), .init("duration", String(format: "%.1fs", Date().timeIntervalSince(record.startedAt)))]))
            if let legacy = session.legacyHistory.withLock({ $0 }) {
                // The tool's row and the record of the migration done commit together: a row
                // the table refuses leaves the migration to finish on the next run.
                let driver = try await session.driver()
                try await driver.withWriteTransaction {
                    do {
                        try await legacy.recordApplied(migration, on: driver, by: settings.operatorName)
                    } catch {
                        throw legacy.refusal(error, migration: migration, rollingBack: false)
                    }
                    try await session.save(record)
                }
            } else {
                try await session.save(record)
            }
            observer?.observe(ExecutionEvent(kind: .migrationFinished, migration: migration.id, message: "\(migration.id) applied"))
        }
    }

    /// What an error means for the run: the rollback trigger it fires, if any, decides between
    /// rolling back, pausing for a person, and stopping.
    private func failureAnswer(for error: any Error, migration: Migration, session: ExecutionSession)
        -> (ExecutionMachine<Hold>.Failure, RollbackTrigger?) {
        let trigger: RollbackTrigger?
        let reason: String
        switch error {
        case let fired as RollbackTriggerFired:
            trigger = fired.trigger
            reason = fired.observation
        case let failure as IntegrityFailure:
            trigger = RollbackTriggerFired.integrityTrigger(of: migration, failedValidation: failure.validation)
            reason = failure.description
        case let godwit as GodwitError where godwit.code == .integrityFailure || (godwit.engineCode?.hasPrefix("23") ?? false):
            trigger = RollbackTriggerFired.integrityTrigger(of: migration)
            reason = godwit.description
        case let godwit as GodwitError where godwit.isTransient:
            // Retries ran out: the failed-batch trigger, if the migration has one, decides.
            trigger = migration.rollbackTriggers.first { if case .failedBatches = $0.condition { true } else { false } }
            let (tries, failures) = session.failureRate
            reason = "\(failures) of \(tries) tries failed; the last: \(godwit.description)"
        default:
            trigger = nil
            reason = "\(error)"
        }
        let response: ExecutionMachine<Hold>.Failure.Response = trigger.map { $0.action == .rollback ? .rollBack : .pause } ?? .stop
        return (.init(reason: reason, response: response, trigger: trigger?.condition.key), trigger)
    }

    /// The error a failed migration's run ends with: what to do next, in Godwit's words.
    private static func stopError(_ error: (any Error)?, migration: Migration) -> any Error {
        let next = "Fix the cause, then run godwit apply again to resume, or godwit rollback \(migration.id) to undo it."
        switch error {
        case let failure as IntegrityFailure:
            return GodwitError(.integrityFailure, "Verification failed after \(failure.report.scope)",
                               reason: failure.report.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "), remedy: next)
        case let fired as RollbackTriggerFired:
            return GodwitError(.integrityFailure, "Paused by a rollback trigger of migration \(migration.id)", reason: fired.observation, remedy: next)
        case let error?:
            return error
        case nil:
            return GodwitError(.internalError, "Migration \(migration.id) stopped without a cause")
        }
    }

    /// What a migration of SQL files alone can have changed, for the verification after it to
    /// read only that (``ChangedObjects``): the objects its plan's target changes and the
    /// tables it writes rows to. Nil — read everything — for YAML operations (Godwit's helpers
    /// come and go between phases) and for SQL whose reach is unknown (a `DO` block may do on
    /// the real data what it did not do on the empty scratch).
    static func changedObjects(by migration: Migration, stored: StoredPlan) -> Set<QualifiedName>? {
        for operation in migration.operations {
            guard case .rawSQL(let raw) = operation, RawSQLReach.of(raw.up, engine: stored.before.engine, in: stored.before) != .unknown else {
                return nil
            }
        }
        return ChangedObjects.between(stored.before, stored.target)?.union(stored.digests.map(\.table))
    }

    /// Whether the verification after the first `completed` steps is the migration's last full
    /// one (validations, structure, checksums): only cleanup is left, or nothing and the last
    /// phase was not cleanup (cleanup's own verification counts rows).
    static func verificationIsFinal(completed: Int, of steps: [PlanStep]) -> Bool {
        completed < steps.count ? !steps[completed...].contains { $0.phase != .cleanup } : steps.last?.phase != .cleanup
    }

    /// What a backfill step that ends its phase takes along with its checks: the checksums
    /// the final verification right after it would read.
    static func checksumsAlongside(step index: Int, of stored: StoredPlan) -> StepExecutor.ChecksumsAlongside? {
        let steps = stored.steps
        guard steps[index].backfill != nil, steps[index].phase != .cleanup,
              index + 1 == steps.count || steps[index + 1].phase != steps[index].phase,
              verificationIsFinal(completed: index + 1, of: steps) else { return nil }
        return .init(tables: stored.digests.map(\.table).filter { stored.target.table(named: $0) != nil }, schema: stored.target)
    }

    /// Verifies the phase just finished and records the check; fails on a failed one (the
    /// phase is recorded done by the machine's next milestone).
    private func verifyPhase(_ phase: Phase, migration: Migration, stored: StoredPlan, completed: Int,
                             final: Bool, session: ExecutionSession) async throws -> IntegrityReport {
        let driver = try await session.driver()
        if phase == .backfill, settings.vacuumAfterBackfill, let reclaim = driver.dialect.reclaimSpace {
            try await driver.execute(unsafeSQL: reclaim)
        }
        let readingBefore = final && completed == stored.steps.count ? session.reading(before: migration.id) : nil
        let (report, reading) = try await IntegrityVerifier(driver: driver).verifyReading(.init(
            migrationID: migration.id, migration: migration, stored: stored, completed: completed,
            validations: final, structure: final, label: "\(migration.id) \(migration.name) after \(phase.rawValue)",
            justChecked: session.checksJustPassed(migration: migration.id, step: completed) ? completed : nil,
            digestsTaken: session.digestsJustTaken(migration: migration.id, step: completed),
            readingBefore: readingBefore,
            changed: readingBefore == nil ? nil : Self.changedObjects(by: migration, stored: stored)
        ))
        if final, report.passed, completed == stored.steps.count { session.keep(reading: reading) }
        session.log(AuditEvent(at: Date(), kind: .integrityCheck, migration: migration.id, fields: [
            .init("phase", phase.rawValue), .init("checks", "\(report.checks.count)"), .init("failed", "\(report.failures.count)"),
            .init("result", report.passed ? "pass" : "fail"),
        ] + report.tables.map { .init("rows_\($0.table)", "\($0.rows)") }))
        observer?.observe(ExecutionEvent(kind: .verification, migration: migration.id, phase: phase,
                                         message: report.passed ? "\(phase.rawValue) verified: \(report.checks.count) checks pass"
                                             : "\(phase.rawValue) verification failed: " + report.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "),
                                         checks: .init(passed: report.checks.count - report.failures.count, failed: report.failures.count)))
        guard report.passed else {
            throw IntegrityFailure(report: report, validation: report.failures.first { $0.level == .validations }?.name)
        }
        return report
    }

    /// Estimates the extra space a phase that rewrites or backfills needs, and refuses to start
    /// it when the free space Godwit can see is smaller.
    private func checkSpace(for phase: Phase, steps: [PlanStep], session: ExecutionSession, migration: Migration) async throws {
        let heavy = steps.filter { $0.phase == phase && ($0.backfill != nil || $0.duration == .rewrite) }
        guard !heavy.isEmpty else { return }
        let driver = try await session.driver()
        var tables = Set(heavy.compactMap { $0.backfill?.table })
        for step in heavy where step.backfill == nil {
            if let operation = step.operationIndex.flatMap({ migration.operations.indices.contains($0) ? migration.operations[$0] : nil }),
               let table = operation.table { tables.insert(table) }
        }
        var needed: Int64 = 0
        for table in tables { needed += await FreeSpace.tableBytes(table, on: driver) }
        let free = await FreeSpace.available(for: driver)
        guard needed > 0 else { return }
        let mib = { (bytes: Int64) in "\(bytes / 1_048_576) MiB" }
        observer?.observe(ExecutionEvent(kind: .notice, migration: migration.id, phase: phase,
                                         message: "\(phase.rawValue) may need about \(mib(needed)) more on disk until VACUUM; free: \(free.map(mib) ?? "not visible to godwit")"))
        if let free, free < needed + settings.freeSpaceMargin {
            throw GodwitError(.ioFailure, "Not enough free disk space for \(phase.rawValue)", location: url.description,
                              reason: "it needs about \(mib(needed)) (a full backfill roughly doubles a table until vacuumed) plus a margin of \(mib(settings.freeSpaceMargin)); \(mib(free)) are free",
                              remedy: "Free space or grow the disk, then run godwit apply again.")
        }
    }
}

/// Verification after a phase failed.
struct IntegrityFailure: Error, CustomStringConvertible {
    var report: IntegrityReport
    /// The first failed validation, for validation-specific triggers.
    var validation: String?

    var description: String {
        "Verification failed after \(report.scope): " + report.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; ")
    }
}
