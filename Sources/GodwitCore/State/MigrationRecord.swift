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

    public init(
        id: String, name: String, checksum: String, state: State, phase: Phase? = nil, completedSteps: Int = 0,
        startedAt: Date, finishedAt: Date? = nil, operatorName: String
    ) {
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

/// One line of the audit log (seed 003's "Audit Log"): an event, when, for which migration, and
/// its facts.
public struct AuditEvent: Hashable, Codable, Sendable {
    /// The events of seed 003.
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

    /// `[2026-11-21T16:40:00Z] phase-started: migration=001, phase=expand`, as seed 003 writes it.
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

/// Refuses a migration whose file changed after it was applied.
public enum DriftCheck {
    /// - Throws: ``GodwitError`` naming the file and both checksums.
    public static func check(_ migrations: [Migration], against records: [MigrationRecord]) throws {
        for migration in migrations {
            guard let record = records.first(where: { $0.id == migration.id }), let checksum = migration.source?.checksum,
                  record.checksum != checksum, record.state != .rolledBack else { continue }
            throw GodwitError(
                .invalidMigration, "Migration \(migration.id) changed after it was applied",
                location: migration.source?.path,
                reason: "its checksum is now \(checksum.prefix(12))…, it was \(record.checksum.prefix(12))… when applied",
                remedy: "Restore the file as it was applied, and put new changes in a new migration."
            )
        }
    }
}
