public import Foundation

/// What a person watching a migration run sees, at one moment: the dashboard's page, the
/// `/metrics` exposition and `godwit watch`'s text view are all drawn from it.
///
/// It is built in two ways that meet here: from the events of a run in this process
/// (``observe(_:)``, for `--serve`) and from Godwit's records in the database
/// (``absorb(_:now:)``, for `godwit watch`, and for the audit tail of `--serve`). Both are pure:
/// no I/O, no clock but the dates they are given. Never holds row values.
public struct RunView: Codable, Sendable, Equatable {
    /// Where the run stands as a whole; `idle` when the records hold no run at all.
    public enum State: String, Codable, Sendable, CaseIterable {
        case starting, running, waiting, finished, failed, interrupted, idle
    }

    /// One migration's line: its state and the phases its plan passes through.
    public struct Migration: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        /// A record's state (`running`, `applied`, `waiting-at-gate`, …) or `pending`.
        public var state: String
        /// The phases of its plan, in order (empty until known).
        public var phases: [Phase]
        /// The phase it is in or last finished.
        public var phase: Phase?
        public var completedSteps: Int
        public var totalSteps: Int

        public init(id: String, name: String, state: String = "pending", phases: [Phase] = [], phase: Phase? = nil,
                    completedSteps: Int = 0, totalSteps: Int = 0) {
            self.id = id
            self.name = name
            self.state = state
            self.phases = phases
            self.phase = phase
            self.completedSteps = completedSteps
            self.totalSteps = totalSteps
        }
    }

    /// The step under way.
    public struct Position: Codable, Sendable, Equatable {
        public var migration: String
        public var phase: Phase?
        public var step: Int?
        public var title: String?

        public init(migration: String, phase: Phase? = nil, step: Int? = nil, title: String? = nil) {
            self.migration = migration
            self.phase = phase
            self.step = step
            self.title = title
        }
    }

    /// A value at a moment, for the charts.
    public struct Sample: Codable, Sendable, Equatable {
        public var at: Date
        public var value: Double
    }

    /// A gate a migration waits at.
    public struct Waiting: Codable, Sendable, Equatable {
        public var migration: String
        public var phase: Phase?
        public var reason: String
        public var approveCommand: String?
        public var since: Date

        public init(migration: String, phase: Phase?, reason: String, approveCommand: String?, since: Date) {
            self.migration = migration
            self.phase = phase
            self.reason = reason
            self.approveCommand = approveCommand
            self.since = since
        }
    }

    /// A rollback trigger and whether it fired.
    public struct Trigger: Codable, Sendable, Equatable {
        public var migration: String
        /// ``RollbackTrigger/Condition/key``.
        public var key: String
        public var summary: String
        public var action: String
        public var fired: Bool
    }

    public var command: String
    public var state: State
    public var startedAt: Date
    public var updatedAt: Date
    public var migrations: [Migration]
    public var current: Position?
    /// Rows of the step under way (a backfill, a copy, a sync).
    public var progress: ExecutionEvent.Progress?
    /// When rows last moved, or a step last finished: what the stalled-migration alert watches.
    public var lastProgressAt: Date?
    /// Rows per second over time, the newest last (at most ``historyLimit``).
    public var rates: [Sample]
    /// Probe latency and its baseline over time, in seconds.
    public var probes: [Sample]
    public var probeBaseline: Double?
    /// Seconds each recent batch took (at most ``historyLimit``).
    public var batchSeconds: [Double]
    public var lockWaits: Int
    public var retries: Int
    public var checksPassed: Int
    public var checksFailed: Int
    public var gate: Waiting?
    public var triggers: [Trigger]
    /// Rows copied per table, for `copy`.
    public var copied: [String: Int64]
    /// Changes captured on the source and not yet applied, for `sync`.
    public var syncLag: Int64?
    public var server: ServerActivity?
    /// The newest lines of the audit log, oldest first.
    public var audit: [String]
    /// What the run said last, in words.
    public var lastMessage: String?

    /// How many samples the charts and the batch list keep.
    public static let historyLimit = 240
    /// How many audit lines are kept.
    public static let auditLimit = 15

    public init(command: String, startedAt: Date) {
        self.command = command
        self.state = .starting
        self.startedAt = startedAt
        self.updatedAt = startedAt
        self.migrations = []
        self.rates = []
        self.probes = []
        self.batchSeconds = []
        self.lockWaits = 0
        self.retries = 0
        self.checksPassed = 0
        self.checksFailed = 0
        self.triggers = []
        self.copied = [:]
        self.audit = []
    }

    /// Lists the migrations the run will take, with their triggers, before it begins.
    public mutating func expect(_ migration: GodwitCore.Migration) {
        if !migrations.contains(where: { $0.id == migration.id }) {
            migrations.append(Migration(id: migration.id, name: migration.name))
        }
        for trigger in RollbackTrigger.documented(for: migration)
        where !triggers.contains(where: { $0.migration == migration.id && $0.key == trigger.condition.key }) {
            triggers.append(Trigger(migration: migration.id, key: trigger.condition.key, summary: trigger.condition.summary,
                                    action: trigger.action.rawValue, fired: false))
        }
    }

    /// Takes one event of a run in this process into the view.
    public mutating func observe(_ event: ExecutionEvent) {
        updatedAt = max(updatedAt, event.at)
        if state == .starting { state = .running }
        if event.kind != .probe { lastMessage = "[\(event.migration)] \(event.message)" }
        switch event.kind {
        case .migrationStarted:
            updateMigration(event.migration) { line in
                line.state = "running"
                if let plan = event.plan {
                    line.phases = plan.phases
                    line.totalSteps = plan.steps
                }
            }
            current = Position(migration: event.migration)
            progress = nil
            state = .running
        case .phaseStarted:
            updateMigration(event.migration) { $0.phase = event.phase }
            current = Position(migration: event.migration, phase: event.phase)
        case .stepStarted:
            current = Position(migration: event.migration, phase: event.phase, step: event.step, title: event.message)
            progress = nil
        case .stepFinished, .stepSkipped:
            if event.undo != true, let step = event.step { updateMigration(event.migration) { $0.completedSteps = max($0.completedSteps, step) } }
            lastProgressAt = event.at
        case .batch:
            if let progress = event.progress {
                self.progress = progress
                append(&rates, Sample(at: event.at, value: progress.rowsPerSecond))
            }
            if let seconds = event.batchSeconds { append(&batchSeconds, seconds) }
            for (table, rows) in event.copied ?? [:] { copied[table] = rows }
            if let lag = event.syncLag { syncLag = lag }
            lastProgressAt = event.at
        case .probe, .backoff:
            if let probe = event.probe {
                append(&probes, Sample(at: event.at, value: probe.latency))
                probeBaseline = probe.baseline
            }
        case .retry:
            retries += 1
            if event.lockWait == true { lockWaits += 1 }
        case .verification:
            if let checks = event.checks {
                checksPassed += checks.passed
                checksFailed += checks.failed
            }
        case .gate:
            gate = Waiting(migration: event.migration, phase: event.phase, reason: event.gate?.reason ?? event.message,
                           approveCommand: event.gate?.approveCommand, since: event.at)
            updateMigration(event.migration) { $0.state = "waiting-at-gate" }
            state = .waiting
        case .phaseFinished:
            lastProgressAt = event.at
        case .migrationFinished:
            updateMigration(event.migration) { $0.state = "applied" }
            if gate?.migration == event.migration { gate = nil }
            current = nil
            progress = nil
        case .rollbackStarted:
            updateMigration(event.migration) { $0.state = "rolling-back" }
        case .rollbackFinished:
            updateMigration(event.migration) { $0.state = "rolled-back" }
        case .interrupted:
            state = .interrupted
        case .notice:
            if let key = event.trigger {
                for index in triggers.indices where triggers[index].migration == event.migration && triggers[index].key == key {
                    triggers[index].fired = true
                }
                if !triggers.contains(where: { $0.migration == event.migration && $0.key == key }) {
                    triggers.append(Trigger(migration: event.migration, key: key, summary: event.message, action: "", fired: true))
                }
            }
        }
    }

    /// Marks the end of the run in this process.
    public mutating func finish(failed: Bool, at date: Date) {
        updatedAt = date
        if failed {
            state = .failed
        } else if state != .waiting && state != .interrupted {
            state = .finished
        }
    }

    /// Takes Godwit's records, read from the database, into the view: every migration's state
    /// and phases, the step under way with its rows, the gate waited at, fired triggers and the
    /// audit tail. What events already told in this process is kept where the records say less.
    public mutating func absorb(_ records: RunRecords, now: Date) {
        updatedAt = max(updatedAt, now)
        for record in records.records {
            let phases = records.phases[record.id] ?? []
            if let index = migrations.firstIndex(where: { $0.id == record.id }) {
                migrations[index].name = record.name
                migrations[index].state = record.state.rawValue
                if !phases.isEmpty { migrations[index].phases = phases }
                // Events may be ahead of the records (a phase begins before its record is saved).
                if let phase = record.phase { migrations[index].phase = max(phase, migrations[index].phase ?? phase) }
                migrations[index].completedSteps = max(migrations[index].completedSteps, record.completedSteps)
                migrations[index].totalSteps = record.totalSteps
            } else {
                migrations.append(Migration(id: record.id, name: record.name, state: record.state.rawValue, phases: phases, phase: record.phase,
                                            completedSteps: record.completedSteps, totalSteps: record.totalSteps))
            }
        }
        audit = records.audit.suffix(Self.auditLimit).map(\.line)
        for event in records.audit where event.kind == .migrationFailed {
            guard let key = event.fields.first(where: { $0.name == "trigger" })?.value else { continue }
            if let index = triggers.firstIndex(where: { $0.migration == event.migration && $0.key == key }) {
                triggers[index].fired = true
            } else {
                let action = event.fields.first { $0.name == "action" }?.value ?? ""
                triggers.append(Trigger(migration: event.migration, key: key, summary: key, action: action, fired: true))
            }
        }
        if checksPassed == 0 && checksFailed == 0 {
            for event in records.audit where event.kind == .integrityCheck {
                let checks = Int(event.fields.first { $0.name == "checks" }?.value ?? "") ?? 0
                let failed = Int(event.fields.first { $0.name == "failed" }?.value ?? "") ?? 0
                checksPassed += checks - failed
                checksFailed += failed
            }
        }
        let waiting = records.records.first { $0.state == .waitingAtGate && $0.waitingFor != nil }
        if let waiting, let reason = waiting.waitingFor {
            let since = records.audit.last { $0.kind == .gateWaiting && $0.migration == waiting.id }?.at ?? waiting.phaseFinishedAt ?? now
            let command = reason.contains("godwit approve") ? "godwit approve \(waiting.id)" : nil
            if gate?.migration != waiting.id || gate?.reason != reason {
                let phase = records.audit.last { $0.kind == .gateWaiting && $0.migration == waiting.id }?
                    .fields.first { $0.name == "phase" }.flatMap { Phase(rawValue: $0.value) }
                gate = Waiting(migration: waiting.id, phase: phase, reason: reason, approveCommand: command, since: since)
            }
        } else if records.runnerActive || state != .waiting {
            gate = nil
        }
        if let step = records.current {
            let measured = ExecutionEvent.Progress(rowsDone: step.progress.rowsDone, rowsTotal: step.progress.rowsTotal,
                                                   rowsPerSecond: step.progress.rowsPerSecond ?? 0, batchSize: progress?.batchSize ?? 0)
            if progress == nil || measured.rowsDone >= (progress?.rowsDone ?? 0) {
                if measured.rowsDone != progress?.rowsDone {
                    append(&rates, Sample(at: step.progress.updatedAt ?? now, value: measured.rowsPerSecond))
                }
                progress = measured
            }
            current = Position(migration: step.migration, phase: step.progress.phase, step: step.progress.step, title: step.progress.title)
            // A record names the phase it last began or finished; the step under way may be further on.
            if let index = migrations.firstIndex(where: { $0.id == step.migration }) {
                migrations[index].phase = max(step.progress.phase, migrations[index].phase ?? step.progress.phase)
            }
            let moved = step.progress.updatedAt ?? step.progress.startedAt
            lastProgressAt = max(lastProgressAt ?? moved, moved)
        }
        if records.runnerActive {
            if state == .starting { state = .running }
        } else if command == "watch" {
            state = Self.settled(records.records)
        }
    }

    /// Where runs stand when no runner holds the lock.
    private static func settled(_ records: [MigrationRecord]) -> State {
        if records.isEmpty { return .idle }
        if records.contains(where: { $0.state == .failed }) { return .failed }
        if records.contains(where: { $0.state == .waitingAtGate }) { return .waiting }
        if records.contains(where: { $0.state == .running || $0.state == .rollingBack }) { return .interrupted }
        return .finished
    }

    /// Seconds left for the rows of the step under way, at the current rate.
    public var secondsLeft: Double? { progress?.secondsLeft }

    private mutating func updateMigration(_ id: String, _ change: (inout Migration) -> Void) {
        if let index = migrations.firstIndex(where: { $0.id == id }) {
            change(&migrations[index])
        } else if !ExecutionEvent.runScopes.contains(id) {
            var line = Migration(id: id, name: id)
            change(&line)
            migrations.append(line)
        }
    }

    private func append<T>(_ list: inout [T], _ value: T) {
        list.append(value)
        if list.count > Self.historyLimit { list.removeFirst(list.count - Self.historyLimit) }
    }
}

/// Godwit's records as `watch` reads them: the migrations' records, their plans' phases, the
/// step under way and the tail of the audit log.
public struct RunRecords: Sendable {
    /// A step under way with its batch progress.
    public struct Current: Sendable {
        public var migration: String
        public var progress: StepProgress

        public init(migration: String, progress: StepProgress) {
            self.migration = migration
            self.progress = progress
        }
    }

    public var records: [MigrationRecord]
    public var phases: [String: [Phase]]
    public var current: Current?
    public var audit: [AuditEvent]
    /// Whether a runner holds the lock now.
    public var runnerActive: Bool

    public init(records: [MigrationRecord], phases: [String: [Phase]], current: Current?, audit: [AuditEvent], runnerActive: Bool) {
        self.records = records
        self.phases = phases
        self.current = current
        self.audit = audit
        self.runnerActive = runnerActive
    }
}

/// What the database server is doing while a run goes on (PostgreSQL), sampled beside it.
public struct ServerActivity: Codable, Sendable, Equatable {
    public var sampledAt: Date
    /// Sessions waiting for a lock, and the longest such wait.
    public var lockWaitingSessions: Int
    public var longestLockWaitSeconds: Double
    /// Commits and rollbacks per second in the database since the previous sample.
    public var transactionsPerSecond: Double?
    public var rollbacksPerSecond: Double?
    /// The largest replay lag of a standby or subscriber, nil with none.
    public var replicationLagBytes: Int64?
    public var replicationLagSeconds: Double?
    /// Statements running longer than ``longQuerySeconds``, and the longest.
    public var longQueries: Int
    public var longestQuerySeconds: Double

    /// From how many seconds a running statement counts as long.
    public static let longQuerySeconds = 5.0

    public init(sampledAt: Date, lockWaitingSessions: Int, longestLockWaitSeconds: Double, transactionsPerSecond: Double?,
                rollbacksPerSecond: Double?, replicationLagBytes: Int64?, replicationLagSeconds: Double?, longQueries: Int,
                longestQuerySeconds: Double) {
        self.sampledAt = sampledAt
        self.lockWaitingSessions = lockWaitingSessions
        self.longestLockWaitSeconds = longestLockWaitSeconds
        self.transactionsPerSecond = transactionsPerSecond
        self.rollbacksPerSecond = rollbacksPerSecond
        self.replicationLagBytes = replicationLagBytes
        self.replicationLagSeconds = replicationLagSeconds
        self.longQueries = longQueries
        self.longestQuerySeconds = longestQuerySeconds
    }
}
