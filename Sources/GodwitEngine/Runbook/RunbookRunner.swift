public import Foundation
public import GodwitCore

/// Runs a runbook stage by stage on the shared ``ExecutionMachine``: each stage is a segment of
/// one unit, entered through its checkpoint, approval or soak, worked, verified, and recorded in
/// the runbook's state before the next begins, so a run killed at any point resumes exactly where
/// it stood. A failure stops the run with its reason (and the abort criterion it meets, if any);
/// ``rollback()`` walks the completed stages back newest first, checking each.
public struct RunbookRunner: Sendable {
    /// What keeps a stage from starting.
    public enum Hold: Hashable, Sendable {
        /// A checkpoint or approval: `godwit runbook confirm` lets it go.
        case confirmation(String)
        /// A soak that ends at the date.
        case soak(until: Date)

        public var reason: String {
            switch self {
            case .confirmation(let words): "a confirmation: \(words)"
            case .soak(let until): "its soak to end at \(ISO8601DateFormatter().string(from: until))"
            }
        }
    }

    typealias Machine = ExecutionMachine<Hold>

    /// How a run ended.
    public enum Outcome: Hashable, Sendable {
        case finished
        case waiting(stage: String, Hold)
        case failed(stage: String, reason: String)
        case aborted(stage: String, criterion: String, reason: String)
        case rolledBack
    }

    public let runbook: Runbook
    public let state: DatabaseURL
    public let worker: StageWorker
    public var operatorName: String
    /// Receives every event as it is recorded.
    public var observer: (@Sendable (RunbookEvent) -> Void)?

    public init(runbook: Runbook, state: DatabaseURL, worker: StageWorker, operatorName: String = ExecutionSettings.defaultOperator) {
        self.runbook = runbook
        self.state = state
        self.worker = worker
        self.operatorName = operatorName
    }

    // MARK: run

    /// Runs the stages from where the state says the run stands.
    public func run() async throws -> Outcome {
        try await withStore { store in
            var progress = try await startingProgress(store)
            if progress.state == .finished { return .finished }
            var records = try await store.records()
            let stages = runbook.stages
            var machine = Machine(units: stages.map { .init(segment: $0.id) })
            var action = machine.start(completed: progress.completed, segmentVerified: progress.verified)
            var current = min(progress.completed, stages.count - 1)
            func record(_ id: String) -> StageRecord { records[id] ?? StageRecord(stage: id) }
            while true {
                let now = Date()
                switch action {
                case .enter(_, let unit):
                    current = unit
                    if let criterion = RunbookAbort.met(runbook, records: records, startedAt: progress.startedAt, now: now) {
                        action = machine.receive(.failed(.init(reason: "abort criterion met before stage \(stages[unit].id): \(criterion.summary)",
                                                               response: .stop, trigger: criterion.summary)))
                    } else {
                        action = machine.receive(hold(for: unit, records: records, now: now).map { .held($0) } ?? .opened)
                    }
                case .run(let unit):
                    current = unit
                    do {
                        // What a migrations stage's database held before its first attempt is
                        // what its rollback leaves in place.
                        if records[stages[unit].id]?.migrationsBefore == nil, let before = try await worker.migrationsInDatabase(stages[unit]) {
                            records[stages[unit].id, default: StageRecord(stage: stages[unit].id)].migrationsBefore = before
                            try await store.save(records[stages[unit].id]!)
                        }
                        try await worker.perform(stages[unit])
                        action = machine.receive(.ran)
                    } catch {
                        action = machine.receive(.failed(failure(of: stages[unit], error, records: &records, startedAt: progress.startedAt)))
                    }
                case .verify(let id, _):
                    current = stages.firstIndex { $0.id == id } ?? current
                    let failures = await worker.verify(stages[current])
                    action = failures.isEmpty ? machine.receive(.verified)
                        : machine.receive(.failed(failure(of: stages[current], StageWorker.Failure(stage: id, reason: "verification failed: " + failures.joined(separator: "; ")),
                                                          records: &records, startedAt: progress.startedAt)))
                case .record(let milestone):
                    var stage = record(stages[current].id)
                    var event: RunbookEvent?
                    switch milestone {
                    case .segmentStarted:
                        stage.state = .running
                        stage.attempts += 1
                        stage.startedAt = now
                        stage.note = nil
                        progress.state = .running
                        event = RunbookEvent(at: now, kind: .stageStarted, stage: stage.stage, fields: [.init("attempt", "\(stage.attempts)"), .init("kind", stages[current].work.kind)])
                    case .unitDone(let unit):
                        progress.completed = unit + 1
                        progress.verified = false
                    case .segmentVerified:
                        stage.state = .done
                        stage.finishedAt = now
                        progress.verified = true
                        event = RunbookEvent(at: now, kind: .stageDone, stage: stage.stage, fields: [.init("attempt", "\(stage.attempts)")])
                    case .held(_, let hold):
                        stage.state = .waiting
                        stage.note = hold.reason
                        progress.state = .waiting
                        event = RunbookEvent(at: now, kind: .stageWaiting, stage: stage.stage, fields: [.init("waiting_for", hold.reason)])
                    case .failed(let failure):
                        if stage.attempts > 0 { stage.state = .failed }
                        stage.note = failure.reason
                        progress.state = failure.trigger == nil ? .failed : .aborted
                        event = RunbookEvent(at: now, kind: failure.trigger == nil ? .stageFailed : .runAborted, stage: stage.stage,
                                             fields: [.init("reason", failure.reason)] + (failure.trigger.map { [.init("criterion", $0)] } ?? []))
                    case .finished:
                        progress.state = .finished
                        event = RunbookEvent(at: now, kind: .runFinished, stage: "-", fields: [.init("stages", "\(stages.count)")])
                    }
                    // Progress and the end are the run's own record; the rest change the stage's.
                    if records[stage.stage] != stage {
                        records[stage.stage] = stage
                        try await store.save(stage)
                    }
                    try await store.save(progress)
                    if let event { try await emit(event, store) }
                    action = machine.receive(.recorded)
                case .rollBack:
                    // A runbook stops on a failure; undoing is `godwit runbook rollback`, asked for.
                    action = machine.receive(.rolledBack)
                case .stop(let outcome):
                    switch outcome {
                    case .finished: return .finished
                    case .held(let id, let hold): return .waiting(stage: id, hold)
                    case .failed(let failure), .rolledBack(let failure):
                        if let criterion = failure.trigger { return .aborted(stage: stages[current].id, criterion: criterion, reason: failure.reason) }
                        return .failed(stage: stages[current].id, reason: failure.reason)
                    }
                }
            }
        }
    }

    /// The run's progress to start from: a new one, or the stored one when the file is unchanged.
    private func startingProgress(_ store: RunbookStore) async throws -> RunbookStore.Progress {
        let checksum = runbook.checksum ?? ""
        if let progress = try await store.progress() {
            switch progress.state {
            case .rollingBack:
                throw GodwitError(.refused, "The rollback of runbook '\(runbook.name)' did not finish", location: state.description,
                                  remedy: "Run godwit runbook rollback to finish it before running again.")
            case .rolledBack:
                try await store.reset()
            default:
                guard progress.checksum == checksum || progress.completed == 0 else {
                    throw GodwitError(.refused, "The runbook changed after its run began", location: runbook.file,
                                      reason: "\(progress.completed) stage\(progress.completed == 1 ? " is" : "s are") done under the file as it was",
                                      remedy: "Restore the file as it was to resume, or run godwit runbook rollback first.")
                }
                var resumed = progress
                resumed.checksum = checksum
                return resumed
            }
        }
        let fresh = RunbookStore.Progress(state: .running, checksum: checksum, startedAt: Date(), completed: 0, verified: false, undone: 0)
        try await store.save(fresh)
        try await emit(RunbookEvent(at: fresh.startedAt, kind: .runStarted, stage: "-", fields: [.init("operator", operatorName), .init("stages", "\(runbook.stages.count)")]), store)
        return fresh
    }

    /// What keeps stage `unit` from starting now, if anything.
    private func hold(for unit: Int, records: [String: StageRecord], now: Date) -> Hold? {
        let stage = runbook.stages[unit]
        switch stage.work {
        case .checkpoint(let words):
            return records[stage.id]?.confirmedAt == nil ? .confirmation(words) : nil
        case .gate(let gate):
            guard let soak = gate.soakSeconds else {
                return records[stage.id]?.confirmedAt == nil ? .confirmation(gate.reason ?? "approval of stage \(stage.id)") : nil
            }
            let previous = unit > 0 ? records[runbook.stages[unit - 1].id]?.finishedAt : nil
            let until = (previous ?? now).addingTimeInterval(soak)
            return until > now ? .soak(until: until) : nil
        default:
            return nil
        }
    }

    /// The failure of a stage, counted in its record, and the abort criterion it meets.
    private func failure(of stage: Stage, _ error: any Error, records: inout [String: StageRecord], startedAt: Date) -> Machine.Failure {
        var record = records[stage.id] ?? StageRecord(stage: stage.id)
        if record.attempts <= 1 { record.failedFirstAttempt = true }
        records[stage.id] = record
        let reason = Self.reason(of: error)
        if let criterion = RunbookAbort.met(runbook, records: records, startedAt: startedAt, now: Date(), failedStage: stage.id) {
            return .init(reason: reason, response: .stop, trigger: criterion.summary)
        }
        return .init(reason: reason, response: .stop)
    }

    /// An error in the words a report gives it.
    static func reason(of error: any Error) -> String {
        (error as? StageWorker.Failure)?.reason ?? (error as? GodwitError)?.description ?? "\(error)"
    }

    // MARK: confirm

    /// Confirms the checkpoint or approval the run waits at (or `stage`), naming who.
    /// - Returns: the stage confirmed.
    public func confirm(stage id: String?, by person: String) async throws -> String {
        try await withStore { store in
            let records = try await store.records()
            let waiting = runbook.stages.first { records[$0.id]?.state == .waiting && $0.work.needsConfirmation }
            guard let stage = id.map({ id in runbook.stage(id) }) ?? waiting else {
                if let id, runbook.stage(id) == nil {
                    throw GodwitError(.invalidArgument, "No stage '\(id)' in runbook '\(runbook.name)'", location: runbook.file,
                                      remedy: "Stages: \(runbook.stages.map(\.id).joined(separator: ", ")).")
                }
                throw GodwitError(.refused, "Runbook '\(runbook.name)' waits for no confirmation", location: state.description,
                                  remedy: "Run godwit runbook status to see where it stands.")
            }
            guard stage.work.needsConfirmation else {
                throw GodwitError(.refused, "Stage \(stage.id) is no checkpoint or approval", location: runbook.file,
                                  reason: "it is a \(stage.work.kind) stage", remedy: "Confirm a checkpoint or an approval gate.")
            }
            var record = records[stage.id] ?? StageRecord(stage: stage.id)
            guard record.state == .waiting || record.state == .pending else {
                throw GodwitError(.refused, "Stage \(stage.id) is \(record.state.rawValue), not waiting", location: state.description)
            }
            record.confirmedBy = person
            record.confirmedAt = Date()
            try await store.save(record)
            try await emit(RunbookEvent(at: record.confirmedAt!, kind: .stageConfirmed, stage: stage.id, fields: [.init("by", person)]), store)
            return stage.id
        }
    }

    // MARK: rollback

    /// Undoes the stages whose work ran, newest first: each one's rollback, then a check that
    /// the system is where the stage before left it (the stage's `verify_rollback:` checks, or
    /// the verification of the nearest earlier stage that has one).
    public func rollback() async throws -> Outcome {
        try await withStore { store in
            guard var progress = try await store.progress(), progress.state != .rolledBack else {
                throw GodwitError(.refused, "Runbook '\(runbook.name)' has nothing to roll back", location: state.description,
                                  remedy: "Run godwit runbook status to see where it stands.")
            }
            var records = try await store.records()
            let undoable = runbook.stages.filter { stage in
                switch stage.work { case .checkpoint, .gate, .watch: return false; default: break }
                guard let record = records[stage.id] else { return false }
                return record.attempts > 0 && record.state != .pending
            }.reversed().map { $0 }
            if progress.state != .rollingBack {
                progress.state = .rollingBack
                progress.undone = 0
                progress.verified = false
                try await store.save(progress)
                try await emit(RunbookEvent(at: Date(), kind: .rollbackStarted, stage: "-", fields: [.init("stages", undoable.map(\.id).joined(separator: " "))]), store)
            }
            var machine = Machine(units: undoable.map { .init(segment: $0.id) })
            var action = machine.start(completed: min(progress.undone, undoable.count), segmentVerified: progress.verified)
            var current = 0
            while true {
                switch action {
                case .enter(_, let unit):
                    current = unit
                    action = machine.receive(.opened)
                case .run(let unit):
                    current = unit
                    do {
                        try await worker.undo(undoable[unit], migrationsBefore: records[undoable[unit].id]?.migrationsBefore)
                        action = machine.receive(.ran)
                    } catch {
                        action = machine.receive(.failed(.init(reason: Self.reason(of: error), response: .stop)))
                    }
                case .verify(let id, _):
                    current = undoable.firstIndex { $0.id == id } ?? current
                    let failures = await rollbackFailures(of: undoable[current], records: records)
                    action = failures.isEmpty ? machine.receive(.verified)
                        : machine.receive(.failed(.init(reason: "after its rollback: " + failures.joined(separator: "; "), response: .stop)))
                case .record(let milestone):
                    let id = undoable.isEmpty ? "-" : undoable[current].id
                    switch milestone {
                    case .unitDone(let unit):
                        progress.undone = unit + 1
                        progress.verified = false
                    case .segmentVerified:
                        var record = records[id] ?? StageRecord(stage: id)
                        record.state = .rolledBack
                        record.note = nil
                        records[id] = record
                        try await store.save(record)
                        progress.verified = true
                        try await emit(RunbookEvent(at: Date(), kind: .stageRolledBack, stage: id), store)
                    case .failed(let failure):
                        var record = records[id] ?? StageRecord(stage: id)
                        record.note = "rollback failed: \(failure.reason)"
                        try await store.save(record)
                        try await emit(RunbookEvent(at: Date(), kind: .stageFailed, stage: id, fields: [.init("reason", failure.reason), .init("during", "rollback")]), store)
                    case .finished:
                        // Checkpoints, gates and watches have nothing to undo; their confirmations
                        // and windows belong to the run that was undone.
                        for (id, var record) in records where record.state != .pending && record.state != .rolledBack {
                            record.state = .rolledBack
                            records[id] = record
                            try await store.save(record)
                        }
                        progress = .init(state: .rolledBack, checksum: progress.checksum, startedAt: progress.startedAt, completed: 0, verified: false, undone: 0)
                        try await emit(RunbookEvent(at: Date(), kind: .rollbackFinished, stage: "-", fields: [.init("stages", "\(undoable.count)")]), store)
                    case .segmentStarted, .held:
                        break
                    }
                    try await store.save(progress)
                    action = machine.receive(.recorded)
                case .rollBack:
                    action = machine.receive(.rolledBack)
                case .stop(let outcome):
                    if case .failed(let failure) = outcome { return .failed(stage: undoable[current].id, reason: failure.reason) }
                    return .rolledBack
                }
            }
        }
    }

    /// What is wrong after undoing `stage`.
    private func rollbackFailures(of stage: Stage, records: [String: StageRecord]) async -> [String] {
        if !stage.verifyRollback.isEmpty { return await worker.checks.failures(of: stage.verifyRollback, stage: stage.id) }
        guard let index = runbook.stages.firstIndex(of: stage) else { return [] }
        let earlier = runbook.stages[..<index].reversed().first { !$0.verify.isEmpty && records[$0.id]?.isComplete == true }
        guard let earlier else { return [] }
        return await worker.checks.failures(of: earlier.verify, stage: earlier.id)
    }

    // MARK: rehearse and verify

    /// Rehearses every stage and its rollback where it can, and records what it found.
    public func rehearse() async throws -> [StageRehearsal] {
        try await withStore { store in
            var results: [StageRehearsal] = []
            for stage in runbook.stages {
                let result = await worker.rehearse(stage)
                try await store.save(result)
                try await emit(RunbookEvent(at: result.at, kind: .stageRehearsed, stage: stage.id, fields: [
                    .init("work", result.work.rawValue), .init("rollback", result.rollback.rawValue),
                ] + (result.note.map { [.init("note", $0)] } ?? [])), store)
                results.append(result)
            }
            return results
        }
    }

    /// Verifies the completed stages against production; those that pass are marked verified.
    /// Stages with nothing to check (checkpoints, gates, watches, other stages without
    /// `verify:`; a migrations stage is always checked) are left out: "verified" means a check
    /// passed.
    /// - Returns: each completed stage checked and its failures (empty when verified).
    public func verifyProduction() async throws -> [(stage: String, failures: [String])] {
        try await withStore { store in
            var records = try await store.records()
            var results: [(String, [String])] = []
            for stage in runbook.stages where records[stage.id]?.isComplete == true && Self.hasChecks(stage) {
                let failures = await worker.verify(stage, rightAfter: false)
                if failures.isEmpty, var record = records[stage.id] {
                    record.state = .verified
                    record.verifiedAt = Date()
                    records[stage.id] = record
                    try await store.save(record)
                    try await emit(RunbookEvent(at: record.verifiedAt!, kind: .productionVerified, stage: stage.id, fields: [.init("operator", operatorName)]), store)
                }
                results.append((stage.id, failures))
            }
            return results
        }
    }

    /// Whether the stage has something `verify` can check.
    static func hasChecks(_ stage: Stage) -> Bool {
        switch stage.work {
        case .migrations: true
        case .checkpoint, .gate, .watch: false
        case .run, .copy, .sync, .cutover: !stage.verify.isEmpty
        }
    }

    // MARK: state

    private func emit(_ event: RunbookEvent, _ store: RunbookStore) async throws {
        try await store.append(event)
        observer?(event)
    }

    /// Runs `body` on the runbook's state, holding the runner lock of the state's database:
    /// one godwit at a time runs, confirms, rehearses or rolls back a runbook.
    private func withStore<T: Sendable>(_ body: (RunbookStore) async throws -> T) async throws -> T {
        for stage in runbook.stages {
            // apply takes the runner lock of its database too: it cannot be the state's.
            if case .migrations(_, let database) = stage.work, (try? RunbookEnvironment.databaseURL(database, relativeTo: worker.directory)) == state {
                throw GodwitError(.invalidArgument, "Stage \(stage.id) applies migrations to the database that keeps the runbook's state",
                                  location: state.description, remedy: "Keep the state elsewhere: drop --state (a file beside the runbook), or name another database.")
            }
        }
        let lock: RunnerLock
        do {
            lock = try await RunnerLock.acquire(for: state)
        } catch var error as GodwitError where error.code == .refused {
            error.summary = "Another godwit is working on runbook '\(runbook.name)'"
            throw error
        }
        do {
            let result = try await DatabaseConnector.withDriver(state, access: .create) { driver in
                let store = RunbookStore(driver: driver, runbook: runbook.name)
                try await store.install()
                return try await body(store)
            }
            await lock.release()
            return result
        } catch {
            await lock.release()
            throw error
        }
    }
}
