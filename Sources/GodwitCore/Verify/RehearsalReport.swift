public import Foundation

/// What a rehearsal on a clone found (the strategy template's "Dry Run Report"): every step's time in each
/// pass, strong locks over budget, whether rollback returned the database to identical (and where
/// not, the first differing rows), problems, suggestions, and go / no-go.
public struct RehearsalReport: Hashable, Codable, Sendable {
    /// A lock measured on the server during a step.
    public struct LockMeasurement: Hashable, Codable, Sendable {
        /// In SQL's spelling: `ACCESS EXCLUSIVE`, `SHARE`.
        public var mode: String
        /// The table (`public.users`), or what else was awaited (`virtualxid`).
        public var object: String
        /// The duration's estimate, or its upper bound when one sample alone saw the lock.
        public var seconds: Double
        public var isUpperBound: Bool

        public init(mode: String, object: String, seconds: Double, isUpperBound: Bool = false) {
            self.mode = mode
            self.object = object
            self.seconds = seconds
            self.isUpperBound = isUpperBound
        }

        /// `ACCESS EXCLUSIVE on public.users ≈ 120 ms`, or `< 20 ms` when seen by one sample.
        public var text: String { "\(mode) on \(object) \(isUpperBound ? "<" : "≈") \(DurationFormat.precise(seconds))" }
    }

    public struct StepTiming: Hashable, Codable, Sendable {
        /// `apply`, `rollback` or `reapply`.
        public var pass: String
        public var migration: String
        public var step: Int
        public var phase: Phase?
        public var title: String
        public var seconds: Double
        /// The lock the plan says the step takes, when it is one that blocks writes (ACCESS
        /// EXCLUSIVE, SHARE; SQLite's database write lock).
        public var strongLock: String?
        /// Whether a write-blocking lock was held longer than the budget: as measured on
        /// PostgreSQL; on SQLite, the step's transaction holds the database's write lock throughout.
        public var overBudget: Bool
        /// Rows a batched step walked.
        public var rows: Int64?
        /// True when the step was being undone (the rollback pass, or a trigger's rollback).
        public var undo: Bool?
        /// Batches of a batched step: how many ran, and the sizes they started and ended at
        /// (sizes adapt toward the batch time target).
        public var batches: Int?
        public var firstBatchSize: Int?
        public var lastBatchSize: Int?
        /// PostgreSQL: the longest a write-blocking lock on an existing table was held, sampled
        /// from `pg_locks` (nil when no sample saw one).
        public var lockHeld: LockMeasurement?
        /// PostgreSQL: the longest wait for any lock.
        public var lockWait: LockMeasurement?
        /// PostgreSQL: bytes written to new storage (a table rewritten, an index built, a table
        /// filled by copying), and bytes existing storage grew by (rows updated in place).
        public var bytesRewritten: Int64?
        public var bytesGrown: Int64?

        public init(pass: String, migration: String, step: Int, phase: Phase?, title: String, seconds: Double,
                    strongLock: String? = nil, overBudget: Bool = false, rows: Int64? = nil) {
            self.rows = rows
            self.pass = pass
            self.migration = migration
            self.step = step
            self.phase = phase
            self.title = title
            self.seconds = seconds
            self.strongLock = strongLock
            self.overBudget = overBudget
        }
    }

    /// Where the database after rollback differs from the original.
    public struct Difference: Hashable, Codable, Sendable {
        public var table: String
        /// `id 101…116`, found by bisecting per-range checksums; nil when the table has no
        /// integer key to bisect on.
        public var keyRange: String?
        /// Keys of rows that differ (at most a few), as SQL literals.
        public var keys: [String]
        public var detail: String

        public init(table: String, keyRange: String?, keys: [String], detail: String) {
            self.table = table
            self.keyRange = keyRange
            self.keys = keys
            self.detail = detail
        }
    }

    /// A table the clone holds only a sample of (`--sample`).
    public struct SampledTable: Hashable, Codable, Sendable {
        public var table: String
        public var rowsInSource: Int64
        public var rowsCopied: Int64

        public init(table: String, rowsInSource: Int64, rowsCopied: Int64) {
            self.table = table
            self.rowsInSource = rowsInSource
            self.rowsCopied = rowsCopied
        }
    }

    /// What happened to a view that reads a table the migrations change.
    public struct ViewOutcome: Hashable, Codable, Sendable {
        public var view: String
        /// `unchanged`, `definition rewritten by the engine`, `dropped`.
        public var outcome: String
        /// `answers 599 rows`, or the error a query on it gives.
        public var query: String
        /// The definition after the migrations, when it changed.
        public var definitionAfter: String?

        public init(view: String, outcome: String, query: String, definitionAfter: String? = nil) {
            self.view = view
            self.outcome = outcome
            self.query = query
            self.definitionAfter = definitionAfter
        }
    }

    public var database: String
    public var cloneMethod: String
    public var startedAt: Date
    public var seconds: Double
    public var migrations: [String]
    public var lockBudgetSeconds: Double
    public var steps: [StepTiming]
    public var rollbackIdentical: Bool
    /// The migration whose rollback could not run or did not finish (a point of no return, a
    /// down that failed): the newer ones were rolled back, each checked against the state
    /// before it ran, and it stays applied with the older ones, so the database is not compared
    /// with the original.
    public var rollbackStoppedAt: String?
    /// Tables the rollback gave back with every column and row, but with columns in another
    /// order (a down that adds a dropped column again puts it last); the rollback still counts
    /// as identical, and the report names them.
    public var reorderedColumns: [String] = []
    public var differences: [Difference]
    public var problems: [String]
    public var suggestions: [String]
    /// Views that read the tables the migrations change, after the first apply.
    public var views: [ViewOutcome] = []
    /// The clone's database name (PostgreSQL) or file (SQLite), dropped after the rehearsal.
    public var clone: String?
    /// Tables cut down to a sample in the clone; empty when it is a full copy.
    public var sampledTables: [SampledTable] = []
    /// How often `pg_locks` was sampled (PostgreSQL), which bounds how short a lock is seen.
    public var lockSamplingSeconds: Double?
    /// Whether the first apply failed: the rollback then only undid what it left, which proves
    /// nothing about the migration's own rollback.
    public var applyFailed = false
    /// The performance baseline's queries on the clone after apply and after rollback, each
    /// against the same query on the clone before the migration (`rehearse --baseline`).
    public var performance: [PerformanceCheck] = []

    /// The baseline's queries at one moment of the rehearsal.
    public struct PerformanceCheck: Hashable, Codable, Sendable {
        /// `after apply`, `after rollback`.
        public var moment: String
        public var queries: [QueryComparison]

        public init(moment: String, queries: [QueryComparison]) {
            self.moment = moment
            self.queries = queries
        }
    }

    public init(database: String, cloneMethod: String, startedAt: Date, seconds: Double = 0, migrations: [String] = [],
                lockBudgetSeconds: Double, steps: [StepTiming] = [], rollbackIdentical: Bool = false,
                differences: [Difference] = [], problems: [String] = [], suggestions: [String] = []) {
        self.database = database
        self.cloneMethod = cloneMethod
        self.startedAt = startedAt
        self.seconds = seconds
        self.migrations = migrations
        self.lockBudgetSeconds = lockBudgetSeconds
        self.steps = steps
        self.rollbackIdentical = rollbackIdentical
        self.differences = differences
        self.problems = problems
        self.suggestions = suggestions
    }

    /// Go when every pass ran, rollback was identical and no problem was found.
    public var isGo: Bool { problems.isEmpty && rollbackIdentical && !applyFailed }

    /// The report as one JSON document, with `verdict` (`go` / `no-go`) beside its facts and
    /// step times in milliseconds' precision.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var copy = self
        copy.steps = steps.map { var step = $0; step.seconds = (step.seconds * 1000).rounded() / 1000; return step }
        return String(decoding: try encoder.encode(WithVerdict(report: copy)), as: UTF8.self) + "\n"
    }

    /// The report's own keys plus `verdict`.
    private struct WithVerdict: Encodable {
        var report: RehearsalReport
        enum Keys: String, CodingKey { case verdict }
        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(report.isGo ? "go" : "no-go", forKey: .verdict)
        }
    }

    /// What an identical rollback gave back, in words.
    private var identicalWords: String {
        guard !reorderedColumns.isEmpty else { return "identical: schema and every table's checksum equal the original" }
        return "identical up to column order: schema and every table's checksum equal the original, but the columns of "
            + reorderedColumns.joined(separator: ", ") + " come back in another order (a down re-adds a dropped column last)"
    }

    /// How far the rollback got and what it gave back, in words.
    private var rollbackWords: String {
        if applyFailed { return "not proven: the apply failed, so the migration's rollback never ran whole" }
        if let stoppedAt = rollbackStoppedAt {
            let undone = migrations.drop { $0 != stoppedAt }.dropFirst().count
            let kept = migrations.prefix { $0 != stoppedAt }.count
            return "stopped at \(stoppedAt)" + (undone == 0 ? "" : ", after rolling back the \(undone) newer (each checked against the state before it)")
                + "; \(stoppedAt)\(kept == 0 ? "" : " and the \(kept) before it") stay applied, so the database was not compared with the original"
        }
        return rollbackIdentical ? identicalWords : "NOT identical"
    }

    public func markdown() -> String {
        var out = ["# Dry Run Report", "", "| | |", "|---|---|",
                   "| **Database** | `\(database)` (rehearsed on a clone made with \(cloneMethod)) |",
                   "| **Date** | \(ISO8601DateFormatter().string(from: startedAt)) |",
                   "| **Migrations** | \(migrations.isEmpty ? "none pending" : migrations.joined(separator: ", ")) |",
                   "| **Duration** | \(String(format: "%.1f", seconds)) s |",
                   "| **Rollback** | \(rollbackWords) |",
                   "| **Verdict** | \(isGo ? "**GO**" : "**NO-GO**") |", ""]
        for pass in ["apply", "rollback", "reapply"] {
            let timings = steps.filter { $0.pass == pass }
            guard !timings.isEmpty else { continue }
            out += ["## \(pass == "apply" ? "Apply (through contract)" : pass == "rollback" ? "Rollback" : "Apply again (through cleanup)")", "",
                    "| Migration | Step | Phase | Title | Time | Write-blocking lock held | Longest lock wait | Storage written |",
                    "|---|---:|---|---|---:|---|---|---|"]
            for timing in timings {
                out.append("| \(timing.migration) | \(timing.step) | \(timing.phase?.rawValue ?? "") | \(timing.title.replacingOccurrences(of: "|", with: "\\|")) "
                    + "| \(String(format: "%.3f", timing.seconds)) s | \(lockCell(timing)) | \(timing.lockWait?.text ?? "—") | \(storageCell(timing)) |")
            }
            let total = timings.reduce(0) { $0 + $1.seconds }
            out += ["", "Total: \(String(format: "%.3f", total)) s.", ""]
        }
        if !sampledTables.isEmpty {
            out += ["## Sampled tables", "",
                    "The clone held a sample of these tables (`--sample`): times of steps over them are for the sample, "
                    + "and rows outside it were not rehearsed.", "",
                    "| Table | Rows in the database | Rows in the clone |", "|---|---:|---:|"]
            out += sampledTables.map { "| `\($0.table)` | \(QuantityFormat.count($0.rowsInSource)) | \(QuantityFormat.count($0.rowsCopied)) |" }
            out.append("")
        }
        if !views.isEmpty {
            out += ["## Views on the changed tables (after apply)", "", "| View | What happened | Query |", "|---|---|---|"]
            out += views.map { "| `\($0.view)` | \($0.outcome) | \($0.query.replacingOccurrences(of: "|", with: "\\|")) |" }
            out.append("")
            for view in views {
                if let definition = view.definitionAfter { out += ["`\(view.view)` now reads:", "", "```sql", definition, "```", ""] }
            }
        }
        if !differences.isEmpty {
            out += ["## Differences after rollback", "", "| Table | Key range | Keys | Detail |", "|---|---|---|---|"]
            out += differences.map { "| `\($0.table)` | \($0.keyRange ?? "—") | \($0.keys.joined(separator: ", ")) | \($0.detail) |" }
            out.append("")
        }
        if let sampling = lockSamplingSeconds {
            out += ["Locks were sampled from `pg_locks` every \(DurationFormat.precise(sampling)); a lock held for less is not seen, and "
                    + "durations are good to about that much. Storage written is read from the relations' sizes and file nodes around each step.", ""]
        }
        if !performance.isEmpty {
            out += ["## Performance against the baseline", "",
                    "The baseline's queries on the clone, before the migration and at each moment below: the fastest of the timed runs, the ratio adjusted for how busy the machine was (a fixed calibration workload is timed between the runs).", "",
                    "| Moment | Query | Before | After | Ratio | Plan change | Verdict |", "|---|---|---:|---:|---:|---|---|"]
            for check in performance {
                for query in check.queries {
                    let verdict = query.failure.map { "**fails**: \($0)" }
                        ?? (query.blocks ? "**slower**" : query.regressed ? "slower, accepted: \(query.acceptedBecause ?? "")" : "meets the baseline")
                    out.append("| \(check.moment) | \(query.name) | \(query.before.map { String(format: "%.2f ms", $0) } ?? "—") | "
                               + "\(query.after.map { String(format: "%.2f ms", $0) } ?? "—") | \(query.ratio.map { String(format: "%.2f×", $0) } ?? "—") | "
                               + "\(query.planChange) | \(verdict) |")
                }
            }
            out.append("")
        }
        out += ["## Problems", ""] + (problems.isEmpty ? ["None."] : problems.map { "- \($0)" }) + [""]
        out += ["## Suggested adjustments", ""] + (suggestions.isEmpty ? ["None."] : suggestions.map { "- \($0)" }) + [""]
        return out.joined(separator: "\n")
    }

    private func lockCell(_ timing: StepTiming) -> String {
        let budget = timing.overBudget ? " — **over the \(DurationFormat.precise(lockBudgetSeconds)) budget**" : ""
        if let held = timing.lockHeld { return held.text + budget }
        guard let planned = timing.strongLock else { return "—" }
        if lockSamplingSeconds != nil { return "\(planned) (plan): too brief for any sample to see" }
        return "\(planned) for the step's transaction" + budget
    }

    private func storageCell(_ timing: StepTiming) -> String {
        var parts: [String] = []
        if let rewritten = timing.bytesRewritten, rewritten > 0 { parts.append("\(QuantityFormat.bytes(rewritten)) new") }
        if let grown = timing.bytesGrown, grown > 0 { parts.append("+\(QuantityFormat.bytes(grown)) in place") }
        return parts.isEmpty ? "—" : parts.joined(separator: ", ")
    }
}
