public import Foundation

/// What a running migration reports as it goes: for the progress bar, the plain log lines when
/// output is piped, and `--json` events. Never carries row values.
public struct ExecutionEvent: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable {
        case migrationStarted = "migration-started"
        case phaseStarted = "phase-started"
        case stepStarted = "step-started"
        case stepFinished = "step-finished"
        case stepSkipped = "step-skipped"
        case batch
        case retry
        case backoff
        case verification
        case gate
        case phaseFinished = "phase-finished"
        case migrationFinished = "migration-finished"
        case rollbackStarted = "rollback-started"
        case rollbackFinished = "rollback-finished"
        case interrupted
        case notice
        /// A latency probe between backfill batches (``ExecutionEvent/probe``); not drawn as a
        /// line, but watched (`--serve`).
        case probe
    }

    public var at: Date
    public var kind: Kind
    /// The migration's id, or for work that is no migration one of ``runScopes``.
    public var migration: String
    public var phase: Phase?
    /// 1-based position in the plan.
    public var step: Int?
    public var message: String
    /// Backfill progress, when the event is about batches.
    public var progress: Progress?
    /// True when the step is being undone (rollback), nil otherwise.
    public var undo: Bool?
    /// Seconds the batch took, on `batch` events of a backfill.
    public var batchSeconds: Double?
    /// The probe's latency against its baseline, on `probe` and `backoff` events.
    public var probe: Probe?
    /// The verification's result, on `verification` events.
    public var checks: Checks?
    /// What the migration waits for, on `gate` events.
    public var gate: GateWait?
    /// True on `retry` events whose cause was a lock not granted in time.
    public var lockWait: Bool?
    /// The key (``RollbackTrigger/Condition/key``) of the rollback trigger that fired, on the
    /// `rollback-started` event it caused or the `interrupted` one of a pause.
    public var trigger: String?
    /// Rows copied so far per table, on `copy` batch events; changes waiting, on `sync` ones.
    public var copied: [String: Int64]?
    public var syncLag: Int64?
    /// The plan a migration follows, on `migration-started` events.
    public var plan: PlanOutline?

    /// The phases a plan passes through, in order, and its number of steps.
    public struct PlanOutline: Hashable, Codable, Sendable {
        public var phases: [Phase]
        public var steps: Int

        /// `phases` may repeat (one per step): each is kept once, in order.
        public init(phases: [Phase], steps: Int) {
            self.phases = phases.reduce(into: []) { list, phase in if !list.contains(phase) { list.append(phase) } }
            self.steps = steps
        }
    }

    /// What stands in ``migration`` for work that is no migration: a copy, a sync, a cutover, a
    /// verification across databases, a rehearsal's own steps.
    public static let runScopes: Set<String> = ["copy", "sync", "cutover", "verify", "rehearsal"]

    /// A probe's latency and the baseline it is judged against, in seconds.
    public struct Probe: Hashable, Codable, Sendable {
        public var latency: Double
        public var baseline: Double

        public init(latency: Double, baseline: Double) {
            self.latency = latency
            self.baseline = baseline
        }
    }

    /// How many checks of a verification passed and failed.
    public struct Checks: Hashable, Codable, Sendable {
        public var passed: Int
        public var failed: Int

        public init(passed: Int, failed: Int) {
            self.passed = passed
            self.failed = failed
        }
    }

    /// A gate the migration stopped at: why, and the command that lets it go on when a person
    /// must approve it.
    public struct GateWait: Hashable, Codable, Sendable {
        public var reason: String
        public var approveCommand: String?

        public init(reason: String, approveCommand: String?) {
            self.reason = reason
            self.approveCommand = approveCommand
        }
    }

    public struct Progress: Hashable, Codable, Sendable {
        public var rowsDone: Int64
        public var rowsTotal: Int64
        public var rowsPerSecond: Double
        public var batchSize: Int

        public init(rowsDone: Int64, rowsTotal: Int64, rowsPerSecond: Double, batchSize: Int) {
            self.rowsDone = rowsDone
            self.rowsTotal = rowsTotal
            self.rowsPerSecond = rowsPerSecond
            self.batchSize = batchSize
        }

        /// Share done, 0…1 (1 when the total is unknown or exceeded).
        public var fraction: Double {
            rowsTotal > 0 ? min(1, Double(rowsDone) / Double(rowsTotal)) : 1
        }

        /// Seconds left at the current rate.
        public var secondsLeft: Double? {
            rowsPerSecond > 0 ? Double(max(0, rowsTotal - rowsDone)) / rowsPerSecond : nil
        }
    }

    public init(at: Date = Date(), kind: Kind, migration: String, phase: Phase? = nil, step: Int? = nil, message: String,
                progress: Progress? = nil, undo: Bool? = nil, batchSeconds: Double? = nil, probe: Probe? = nil, checks: Checks? = nil,
                gate: GateWait? = nil, lockWait: Bool? = nil, trigger: String? = nil, copied: [String: Int64]? = nil, syncLag: Int64? = nil,
                plan: PlanOutline? = nil) {
        self.plan = plan
        self.undo = undo
        self.batchSeconds = batchSeconds
        self.probe = probe
        self.checks = checks
        self.gate = gate
        self.lockWait = lockWait
        self.trigger = trigger
        self.copied = copied
        self.syncLag = syncLag
        self.at = at
        self.kind = kind
        self.migration = migration
        self.phase = phase
        self.step = step
        self.message = message
        self.progress = progress
    }
}

/// Receives execution events; the CLI draws them, tests collect them.
public protocol ExecutionObserver: Sendable {
    func observe(_ event: ExecutionEvent)
}
