import Foundation

/// What a plan's step will meet in the live data, counted before anything runs: the rows a
/// check of the step finds today (NULLs under a new NOT NULL, duplicates under a new UNIQUE,
/// orphans under a new foreign key, rows a new CHECK rejects).
public struct DataCount: Hashable, Sendable {
    /// The step's position in the plan (from 0).
    public var step: Int
    public var stepTitle: String
    /// The check's name (`NULLs in status`).
    public var check: String
    /// The table the step changes, when it names one.
    public var table: QualifiedName?
    /// The rows found.
    public var rows: Int64
    /// What to do about them (``DataFix``).
    public var fix: String?
    /// How `rows` was found.
    public var basis: Basis

    /// How a count was taken: exactly, from a sample of a big table, or not at all because the
    /// exact count ran past the probe's time budget and the check cannot be sampled.
    public enum Basis: Hashable, Sendable {
        case exact
        /// Scaled up from a sample of about this share (0–1) of the table's rows.
        case sampled(share: Double)
        /// Not counted: the exact count did not finish within this many seconds.
        case notCounted(seconds: Double)
        /// Not counted: an earlier pending migration (this id) writes the rows first, so what
        /// the check meets is what that migration leaves, which only running it tells.
        case afterEarlierMigration(String)
    }

    public init(step: Int, stepTitle: String, check: String, table: QualifiedName?, rows: Int64, fix: String? = nil, basis: Basis = .exact) {
        self.step = step
        self.stepTitle = stepTitle
        self.check = check
        self.table = table
        self.rows = rows
        self.fix = fix
        self.basis = basis
    }

    /// The count for people: `1,234`, `about 1,200 (a 1% sample)`, `not counted (over 5 s)`.
    public var rowsText: String {
        switch basis {
        case .exact:
            return QuantityFormat.count(rows)
        case .sampled(let share):
            let percent = share * 100
            let shown = percent >= 1 ? String(format: "%.0f%%", percent) : String(format: "%.2g%%", percent)
            return "about \(QuantityFormat.count(rows)) (a \(shown) sample)"
        case .notCounted(let seconds):
            return "not counted (the exact count took over \(DurationFormat.text(seconds)))"
        case .afterEarlierMigration(let migration):
            return "not counted (migration \(migration) writes these rows first)"
        }
    }
}

/// How far `plan` and `lint` go counting the live rows a change would trip on: exact counts up
/// to `exactRows` rows (by the table's estimate) and within `seconds` each; past either, a
/// sample of about `sampleRows` rows where the check is a condition on each row (NULLs, a CHECK,
/// values that do not fit), and "not counted" where it is not (duplicates, orphans).
public struct ProbeBudget: Hashable, Sendable {
    public var exactRows: Int64
    public var seconds: Double
    public var sampleRows: Int64

    public init(exactRows: Int64 = 2_000_000, seconds: Double = 10, sampleRows: Int64 = 200_000) {
        self.exactRows = exactRows
        self.seconds = seconds
        self.sampleRows = sampleRows
    }
}
