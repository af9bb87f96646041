public import Foundation

/// Where a migration stands in one database, as Godwit records it there.
public struct MigrationRecord: Hashable, Codable, Sendable {
    /// The life of a migration in a database.
    public enum State: String, Hashable, Codable, Sendable, CaseIterable {
        /// Steps are running (or were, when the process died: the next run resumes).
        case running
        /// Stopped at a gate, waiting for `godwit approve`.
        case waitingAtGate = "waiting-at-gate"
        /// Every step up to the requested phase ran.
        case applied
        /// A step failed and was rolled back; the migration stopped there.
        case failed
        /// Being undone (or was, when the process died: `godwit rollback` resumes).
        case rollingBack = "rolling-back"
        /// Undone.
        case rolledBack = "rolled-back"
    }

    public var id: String
    public var name: String
    /// The checksum of the file when it was applied: a changed file is drift.
    public var checksum: String
    public var state: State
    /// The phase of the last completed step.
    public var phase: Phase?
    /// How many steps of the plan are done, in plan order: where a rerun resumes.
    public var completedSteps: Int
    public var startedAt: Date
    public var finishedAt: Date?
    /// Who ran it (`user@host`).
    public var operatorName: String
    /// The number of steps in its plan.
    public var totalSteps: Int
    /// What the migration waits for (a gate's approval, a soak time, the archive retention).
    public var waitingFor: String?
    /// The phases whose gate was approved (`godwit approve`, or `apply --yes`).
    public var approvedGates: [Phase]
    /// When the last phase finished: soak times count from it.
    public var phaseFinishedAt: Date?

    /// Whether it failed before any step finished: nothing of it stayed in the database (its
    /// first step's transaction rolled back), so a fixed file is planned afresh, not resumed.
    public var failedBeforeAnyStep: Bool { state == .failed && completedSteps == 0 }

    public init(
        id: String, name: String, checksum: String, state: State, phase: Phase? = nil, completedSteps: Int = 0,
        startedAt: Date, finishedAt: Date? = nil, operatorName: String, totalSteps: Int = 0, waitingFor: String? = nil,
        approvedGates: [Phase] = [], phaseFinishedAt: Date? = nil
    ) {
        self.totalSteps = totalSteps
        self.waitingFor = waitingFor
        self.approvedGates = approvedGates
        self.phaseFinishedAt = phaseFinishedAt
        self.id = id
        self.name = name
        self.checksum = checksum
        self.state = state
        self.phase = phase
        self.completedSteps = completedSteps
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.operatorName = operatorName
    }
}

/// One line of the audit log (the migration-planning guide's "Audit Log"): an event, when, for which migration, and
/// its facts.
public struct AuditEvent: Hashable, Codable, Sendable {
    /// The events of the migration-planning guide.
    public enum Kind: String, Hashable, Codable, Sendable, CaseIterable {
        case migrationAssessed = "migration-assessed"
        case strategySelected = "strategy-selected"
        case rollbackTested = "rollback-tested"
        case phaseStarted = "phase-started"
        case integrityCheck = "integrity-check"
        case phaseCompleted = "phase-completed"
        case rollbackExecuted = "rollback-executed"
        case migrationCompleted = "migration-completed"
        case driftRefused = "drift-refused"
        case gateWaiting = "gate-waiting"
        case gateApproved = "gate-approved"
        case stepRetried = "step-retried"
        case migrationFailed = "migration-failed"
        case migrationInterrupted = "migration-interrupted"
        case backupVerified = "backup-verified"
        case checklistEvaluated = "checklist-evaluated"
    }

    public var at: Date
    public var kind: Kind
    public var migration: String
    /// Ordered facts (`phase=2`, `duration=3.2s`). Never row values.
    public var fields: [Field]

    public struct Field: Hashable, Codable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(at: Date, kind: Kind, migration: String, fields: [Field] = []) {
        self.at = at
        self.kind = kind
        self.migration = migration
        self.fields = fields
    }

    /// `[2026-11-21T16:40:00Z] phase-started: migration=001, phase=expand`, as the migration-planning guide writes it.
    public var line: String {
        let stamp = ISO8601DateFormatter().string(from: at)
        let facts = [Field("migration", migration)] + fields
        return "[\(stamp)] \(kind.rawValue): " + facts.map { "\($0.name)=\($0.value)" }.joined(separator: ", ")
    }

    /// The event as one JSON object on one line.
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// What the database holds for a migration besides its record: the plan as it was made when the
/// run began (so a resumed run and a rollback use the same steps), the schema before and after,
/// and the digests of the tables it touches, taken before the run.
public struct StoredPlan: Hashable, Codable, Sendable {
    public var steps: [PlanStep]
    public var before: Schema
    public var target: Schema
    public var digests: [TableDigest]

    public init(steps: [PlanStep], before: Schema, target: Schema, digests: [TableDigest]) {
        self.steps = steps
        self.before = before
        self.target = target
        self.digests = digests
    }
}

/// Where a step stands: batches done, the last key reached, rows changed.
public struct StepProgress: Hashable, Codable, Sendable {
    public var step: Int
    public var title: String
    public var phase: Phase
    public var startedAt: Date
    public var updatedAt: Date?
    public var finishedAt: Date?
    public var batchesDone: Int64
    public var rowsDone: Int64
    public var rowsTotal: Int64
    /// The last key reached, as a SQL literal; `start` once prepared, `end` after the last batch.
    public var lastKey: String?

    public init(step: Int, title: String, phase: Phase, startedAt: Date, updatedAt: Date? = nil, finishedAt: Date? = nil,
                batchesDone: Int64 = 0, rowsDone: Int64 = 0, rowsTotal: Int64 = 0, lastKey: String? = nil) {
        self.step = step
        self.title = title
        self.phase = phase
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.finishedAt = finishedAt
        self.batchesDone = batchesDone
        self.rowsDone = rowsDone
        self.rowsTotal = rowsTotal
        self.lastKey = lastKey
    }

    /// Rows per second so far.
    public var rowsPerSecond: Double? {
        guard let updatedAt, updatedAt > startedAt, rowsDone > 0 else { return nil }
        return Double(rowsDone) / updatedAt.timeIntervalSince(startedAt)
    }
}

/// Refuses a migration whose file changed after it was applied.
public enum DriftCheck {
    /// Whether the file changed since it was applied. A migration rolled back, or one that failed
    /// before any step finished (nothing of it is in the database), may change freely.
    public static func hasDrifted(_ migration: Migration, from record: MigrationRecord) -> Bool {
        guard let checksum = migration.source?.checksum else { return false }
        return record.checksum != checksum && record.state != .rolledBack && !record.failedBeforeAnyStep
    }

    /// - Throws: ``GodwitError`` naming the file and both checksums.
    public static func check(_ migrations: [Migration], against records: [MigrationRecord]) throws {
        for migration in migrations {
            guard let record = records.first(where: { $0.id == migration.id }), hasDrifted(migration, from: record),
                  let checksum = migration.source?.checksum else { continue }
            if record.checksum == migration.source?.upChecksum {
                throw GodwitError(
                    .invalidMigration, "Migration \(migration.id) gained a down file after it was applied", location: migration.source?.path,
                    reason: "its up file is unchanged; it was applied without a down, under a plan whose undo Godwit wrote (or could not write), and that plan stays",
                    remedy: "Remove the down file to go on; to undo the change on this database, write a new migration that reverses it."
                )
            }
            throw GodwitError(
                .invalidMigration, "Migration \(migration.id) changed after it was applied",
                location: migration.source?.path,
                reason: "its checksum is now \(checksum.prefix(12))…, it was \(record.checksum.prefix(12))… when applied",
                remedy: "Restore the file as it was applied, and put new changes in a new migration."
            )
        }
    }
}
