public import Foundation

/// Where one stage of a runbook stands in the runbook's state, and what its rehearsal showed.
public struct StageRecord: Hashable, Sendable, Codable {
    public enum State: String, Hashable, Sendable, Codable, CaseIterable {
        case pending, running
        /// Waiting for a confirmation, an approval or a soak.
        case waiting
        /// Its work ran and its verification passed after it.
        case done
        /// Its verification passed again against production (`godwit runbook verify`).
        case verified
        case failed
        case rolledBack = "rolled-back"
    }

    public var stage: String
    public var state: State
    /// Times its work was started.
    public var attempts: Int
    /// Whether its first attempt failed (the abort criterion counts these).
    public var failedFirstAttempt: Bool
    public var startedAt: Date?
    public var finishedAt: Date?
    public var verifiedAt: Date?
    /// Who confirmed a checkpoint or approved a gate, and when.
    public var confirmedBy: String?
    public var confirmedAt: Date?
    /// The last failure or what it waits for.
    public var note: String?
    /// For a migrations stage: the migrations its database had before the stage first ran, which
    /// its rollback leaves in place.
    public var migrationsBefore: [String]?

    public init(stage: String, state: State = .pending) {
        self.stage = stage
        self.state = state
        self.attempts = 0
        self.failedFirstAttempt = false
    }

    /// Whether the stage's work is in place (done or verified).
    public var isComplete: Bool { state == .done || state == .verified }
}

/// What a rehearsal of one stage showed: whether its work ran as rehearsed (or was not
/// rehearsed: a command stage without a `rehearse:` variant), and whether its rollback was
/// tried and passed — the plan's "Rollback tested" column.
public struct StageRehearsal: Hashable, Sendable, Codable {
    public enum Result: String, Hashable, Sendable, Codable {
        case passed, failed
        case notRehearsed = "not rehearsed"
    }

    public var stage: String
    public var work: Result
    public var rollback: Result
    public var at: Date
    public var note: String?

    public init(stage: String, work: Result, rollback: Result, at: Date, note: String? = nil) {
        self.stage = stage
        self.work = work
        self.rollback = rollback
        self.at = at
        self.note = note
    }
}

/// One line of a runbook's audit log.
public struct RunbookEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case runStarted = "run-started"
        case stageStarted = "stage-started"
        case stageDone = "stage-done"
        case stageVerified = "stage-verified"
        case stageFailed = "stage-failed"
        case stageWaiting = "stage-waiting"
        case stageConfirmed = "stage-confirmed"
        case runAborted = "run-aborted"
        case runFinished = "run-finished"
        case rollbackStarted = "rollback-started"
        case stageRolledBack = "stage-rolled-back"
        case rollbackFinished = "rollback-finished"
        case stageRehearsed = "stage-rehearsed"
        case productionVerified = "production-verified"
    }

    public var at: Date
    public var kind: Kind
    public var stage: String
    /// Ordered facts. Never passwords or row values.
    public var fields: [AuditEvent.Field]

    public init(at: Date, kind: Kind, stage: String, fields: [AuditEvent.Field] = []) {
        self.at = at
        self.kind = kind
        self.stage = stage
        self.fields = fields
    }

    /// `2026-12-07T10:00:00Z stage-done copy attempt=1`.
    public var line: String {
        ([ISO8601DateFormatter().string(from: at), kind.rawValue, stage] + fields.map { "\($0.name)=\($0.value)" }).joined(separator: " ")
    }
}
