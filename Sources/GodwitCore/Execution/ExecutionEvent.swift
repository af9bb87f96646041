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
    }

    public var at: Date
    public var kind: Kind
    public var migration: String
    public var phase: Phase?
    /// 1-based position in the plan.
    public var step: Int?
    public var message: String
    /// Backfill progress, when the event is about batches.
    public var progress: Progress?
    /// True when the step is being undone (rollback), nil otherwise.
    public var undo: Bool?

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
                progress: Progress? = nil, undo: Bool? = nil) {
        self.undo = undo
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
