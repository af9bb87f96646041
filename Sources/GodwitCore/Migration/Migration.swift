import Foundation

/// One versioned migration: who wants what and why (the migration templates' metadata), the
/// operations, the checks that prove it worked, when to roll back, and where to stop for a person.
public struct Migration: Hashable, Sendable {
    /// What kind of migration it is (the migration spec template's "Migration Type").
    public enum Kind: String, Hashable, Codable, Sendable, CaseIterable {
        case schema
        case data
        case mixed
    }

    /// How much downtime the owners accept (the migration-planning guide's first question).
    public enum Downtime: String, Hashable, Codable, Sendable, CaseIterable {
        /// Old and new application versions must keep working throughout.
        case zero
        /// A few minutes of blocked writes are acceptable.
        case minutes
        /// A scheduled maintenance window: the application is stopped.
        case window
    }

    /// Where the migration came from, for error messages and drift detection.
    public struct Source: Hashable, Sendable {
        /// The file (or, for an `up.sql`/`down.sql` pair, the directory) as given.
        public var path: String
        /// SHA-256 of the file's bytes (of `up.sql` then `down.sql` for a pair), hex.
        public var checksum: String
        /// For an up/down pair, the checksum its up file alone has: the checksum it was applied
        /// with when the down was added later (an up file alone gets a down Godwit writes).
        public var upChecksum: String?

        public init(path: String, checksum: String, upChecksum: String? = nil) {
            self.path = path
            self.checksum = checksum
            self.upChecksum = upChecksum
        }
    }

    /// The version: migrations apply in ascending order of it.
    public var id: String
    public var name: String
    public var goal: String?
    public var context: String?
    public var kind: Kind
    public var downtime: Downtime
    public var owner: String?
    public var stakeholders: [String]
    public var notes: String?
    public var operations: [Operation]
    public var validations: [Validation]
    public var rollbackTriggers: [RollbackTrigger]
    public var gates: [Gate]
    /// The human items of the pre-flight checklist this file acknowledges.
    public var checklist: [ChecklistAcknowledgment]
    public var source: Source?
    /// Where each operation starts in the file (same order as ``operations``), for findings.
    public var operationPositions: [FilePosition]
    /// Lint findings the author silenced, with the reason they gave.
    public var suppressions: [LintSuppression]
    /// Slower queries of the performance baseline the author accepts, with the reason
    /// (`accept_regressions:`): the rehearsal stays go for them.
    public var acceptedRegressions: [AcceptedRegression] = []
    /// What sqitch records about the change this migration is, for a sqitch project: how to find
    /// it in `sqitch.changes` and write rows sqitch accepts (nil for any other layout).
    public var sqitch: SqitchRecord?

    public init(
        id: String,
        name: String,
        goal: String? = nil,
        context: String? = nil,
        kind: Kind = .schema,
        downtime: Downtime = .zero,
        owner: String? = nil,
        stakeholders: [String] = [],
        notes: String? = nil,
        operations: [Operation] = [],
        validations: [Validation] = [],
        rollbackTriggers: [RollbackTrigger] = [],
        gates: [Gate] = [],
        checklist: [ChecklistAcknowledgment] = [],
        source: Source? = nil,
        operationPositions: [FilePosition] = [],
        suppressions: [LintSuppression] = []
    ) {
        self.id = id
        self.name = name
        self.goal = goal
        self.context = context
        self.kind = kind
        self.downtime = downtime
        self.owner = owner
        self.stakeholders = stakeholders
        self.notes = notes
        self.operations = operations
        self.validations = validations
        self.rollbackTriggers = rollbackTriggers
        self.gates = gates
        self.checklist = checklist
        self.source = source
        self.operationPositions = operationPositions
        self.suppressions = suppressions
        self.sqitch = nil
    }
}

/// A sqitch change as sqitch records it in its registry.
public struct SqitchRecord: Hashable, Sendable {
    public var project: String
    public var change: SqitchPlan.Change
    /// The ids of the changes it requires, by name (nil for one in another project).
    public var requiredIDs: [String: String]
    /// SHA-1 of the deploy script (`script_hash`).
    public var scriptHash: String

    public init(project: String, change: SqitchPlan.Change, requiredIDs: [String: String], scriptHash: String) {
        self.project = project
        self.change = change
        self.requiredIDs = requiredIDs
        self.scriptHash = scriptHash
    }
}

/// A line and column in a file, both from 1.
public struct FilePosition: Hashable, Codable, Sendable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// `# godwit-lint-ignore GW113: the app reads the view until v2 ships` (in SQL, `-- godwit-lint-ignore …`)
/// silences finding GW113 for the operation or statement on the next line (or the same line).
/// A reason is required.
public struct LintSuppression: Hashable, Codable, Sendable {
    public var code: String
    public var reason: String
    /// The line of the comment.
    public var line: Int

    public init(code: String, reason: String, line: Int) {
        self.code = code
        self.reason = reason
        self.line = line
    }

    /// The comments in a migration file's text.
    public static func scan(_ text: String) -> [LintSuppression] {
        let marker = "godwit-lint-ignore"
        var result: [LintSuppression] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // `# …` in YAML, `-- …` in SQL.
            let start = line.firstIndex(of: "#") ?? line.range(of: "--")?.lowerBound
            guard let start, let range = line[start...].range(of: marker) else { continue }
            let rest = line[range.upperBound...].trimmingWhitespace()
            let code = String(rest.prefix { $0 != ":" && !$0.isWhitespace })
            var reason = rest.dropFirst(code.count).trimmingWhitespace()
            if reason.hasPrefix(":") { reason = String(reason.dropFirst()).trimmingWhitespace() }
            result.append(LintSuppression(code: code, reason: reason, line: offset + 1))
        }
        return result
    }
}

extension Migration {
    /// The id with every character that is not a letter or digit replaced by `_`: safe inside
    /// the names of archives, triggers and functions the plan creates.
    /// The human checklist items this file does not acknowledge.
    public var unacknowledgedChecklist: [ChecklistItem] {
        ChecklistItem.allCases.filter { item in !checklist.contains { $0.item == item } }
    }

    /// Whether any operation is hand-written SQL (a SQL file is one such operation).
    public var hasHandWrittenSQL: Bool { operations.contains { $0.kind == .sql } }

    public var nameSafeID: String {
        String(id.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

/// A check that proves the migration did what it said: SQL and what its result must be.
public struct Validation: Hashable, Sendable {
    /// What the single value the query returns must be.
    public enum Expectation: Hashable, Sendable {
        case equals(String)
        case atMost(Int64)
        case atLeast(Int64)
        /// The query returns no rows at all.
        case noRows
        /// The query runs without an error, whatever it returns (sqitch's verify scripts).
        case runs
    }

    public var name: String
    public var sql: String
    public var expectation: Expectation

    public init(name: String, sql: String, expectation: Expectation) {
        self.name = name
        self.sql = sql
        self.expectation = expectation
    }
}

/// A condition that rolls the migration back (or pauses it) while it runs (the migration-planning guide).
public struct RollbackTrigger: Hashable, Sendable {
    public enum Condition: Hashable, Sendable {
        /// Any verification check fails.
        case integrityFailure
        /// More than this share of backfill batches fail.
        case failedBatches(percent: Double)
        /// The probe query's latency rises above its baseline by more than this share.
        case latency(aboveBaselinePercent: Double)
        /// A named validation fails.
        case validation(String)
    }

    public enum Action: String, Hashable, Sendable, CaseIterable {
        case rollback
        case pause
    }

    public var condition: Condition
    public var action: Action

    public init(condition: Condition, action: Action = .rollback) {
        self.condition = condition
        self.action = action
    }

    /// The triggers a migration's plan documents and its alert rules watch: its own, or when it
    /// names none, the usual three (an integrity check fails, probe latency over its baseline by
    /// half, more than 5% of batches fail).
    public static func documented(for migration: Migration) -> [RollbackTrigger] {
        migration.rollbackTriggers.isEmpty
            ? [RollbackTrigger(condition: .integrityFailure), RollbackTrigger(condition: .latency(aboveBaselinePercent: 50)),
               RollbackTrigger(condition: .failedBatches(percent: 5))]
            : migration.rollbackTriggers
    }
}

extension RollbackTrigger.Condition {
    /// A stable name for the condition, as the migration file spells its `when`
    /// (`validation:NAME` for a named validation): a metric label.
    public var key: String {
        switch self {
        case .integrityFailure: "integrity_failure"
        case .failedBatches: "failed_batches"
        case .latency: "latency"
        case .validation(let name): "validation:\(name)"
        }
    }

    /// The condition in words: "probe latency exceeds its baseline by more than 50%".
    public var summary: String {
        switch self {
        case .integrityFailure: "a data integrity check fails"
        case .failedBatches(let percent): "more than \(percent)% of backfill batches fail"
        case .latency(let percent): "probe latency exceeds its baseline by more than \(percent)%"
        case .validation(let name): "the validation '\(name)' fails"
        }
    }
}

/// A stop before a phase: a person's approval, a soak time, checks that must pass (the migration spec template:
/// "never proceed … without user confirmation").
public struct Gate: Hashable, Sendable {
    /// The phase the gate stands before.
    public enum Phase: String, Hashable, Sendable, CaseIterable {
        case expand, backfill, verify, contract, cleanup
    }

    public var before: Phase
    public var requiresApproval: Bool
    /// Seconds that must pass since the previous phase finished.
    public var soakSeconds: Int
    /// Names of validations that must pass.
    public var checks: [String]

    public init(before: Phase, requiresApproval: Bool = true, soakSeconds: Int = 0, checks: [String] = []) {
        self.before = before
        self.requiresApproval = requiresApproval
        self.soakSeconds = soakSeconds
        self.checks = checks
    }
}

extension Validation {
    /// Whether a query's result meets the expectation, and what was found (a count or a value
    /// the author's own query chose to return; validations are written to return aggregates).
    public func judge(_ rows: [Row]) -> (passed: Bool, found: String) {
        let first = rows.first?.values.first
        let found = rows.isEmpty ? "no rows" : (first?.textValue ?? "NULL")
        switch expectation {
        case .noRows: return (rows.isEmpty, found)
        case .runs: return (true, "it ran")
        case .equals(let value): return (first?.textValue == value, found)
        case .atMost(let limit): return ((first?.integerValue).map { $0 <= limit } ?? false, found)
        case .atLeast(let limit): return ((first?.integerValue).map { $0 >= limit } ?? false, found)
        }
    }

    /// `0`, `at most 5`, `no rows`: the expectation in words.
    public var expected: String {
        switch expectation {
        case .equals(let value): value
        case .atMost(let value): "at most \(value)"
        case .atLeast(let value): "at least \(value)"
        case .noRows: "no rows"
        case .runs: "to run without an error"
        }
    }
}
