public import Foundation

/// What a rehearsal on a clone found (seed 001's "Dry Run Report"): every step's time in each
/// pass, strong locks over budget, whether rollback returned the database to identical (and where
/// not, the first differing rows), problems, suggestions, and go / no-go.
public struct RehearsalReport: Hashable, Codable, Sendable {
    public struct StepTiming: Hashable, Codable, Sendable {
        /// `apply`, `rollback` or `reapply`.
        public var pass: String
        public var migration: String
        public var step: Int
        public var phase: Phase?
        public var title: String
        public var seconds: Double
        /// The lock the step takes, when it is one that blocks writes (ACCESS EXCLUSIVE, SHARE).
        public var strongLock: String?
        /// Whether the strong lock was held longer than the budget.
        public var overBudget: Bool
        /// Rows a batched step walked.
        public var rows: Int64?

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
    public var differences: [Difference]
    public var problems: [String]
    public var suggestions: [String]
    /// Views that read the tables the migrations change, after the first apply.
    public var views: [ViewOutcome] = []

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
    public var isGo: Bool { problems.isEmpty && rollbackIdentical }

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

    public func markdown() -> String {
        var out = ["# Dry Run Report", "", "| | |", "|---|---|",
                   "| **Database** | `\(database)` (rehearsed on a clone made with \(cloneMethod)) |",
                   "| **Date** | \(ISO8601DateFormatter().string(from: startedAt)) |",
                   "| **Migrations** | \(migrations.isEmpty ? "none pending" : migrations.joined(separator: ", ")) |",
                   "| **Duration** | \(String(format: "%.1f", seconds)) s |",
                   "| **Rollback** | \(rollbackIdentical ? "identical: schema and every table's checksum equal the original" : "NOT identical") |",
                   "| **Verdict** | \(isGo ? "**GO**" : "**NO-GO**") |", ""]
        for pass in ["apply", "rollback", "reapply"] {
            let timings = steps.filter { $0.pass == pass }
            guard !timings.isEmpty else { continue }
            out += ["## \(pass == "apply" ? "Apply (through contract)" : pass == "rollback" ? "Rollback" : "Apply again (through cleanup)")", "",
                    "| Migration | Step | Phase | Title | Time | Strong lock |", "|---|---:|---|---|---:|---|"]
            for timing in timings {
                let lock = timing.strongLock.map { $0 + (timing.overBudget ? " — **over the \(String(format: "%g", lockBudgetSeconds)) s budget**" : "") } ?? ""
                out.append("| \(timing.migration) | \(timing.step) | \(timing.phase?.rawValue ?? "") | \(timing.title.replacingOccurrences(of: "|", with: "\\|")) | \(String(format: "%.3f", timing.seconds)) s | \(lock) |")
            }
            let total = timings.reduce(0) { $0 + $1.seconds }
            out += ["", "Total: \(String(format: "%.3f", total)) s.", ""]
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
        out += ["## Problems", ""] + (problems.isEmpty ? ["None."] : problems.map { "- \($0)" }) + [""]
        out += ["## Suggested adjustments", ""] + (suggestions.isEmpty ? ["None."] : suggestions.map { "- \($0)" }) + [""]
        return out.joined(separator: "\n")
    }
}
