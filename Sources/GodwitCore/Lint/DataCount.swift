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

    public init(step: Int, stepTitle: String, check: String, table: QualifiedName?, rows: Int64, fix: String? = nil) {
        self.step = step
        self.stepTitle = stepTitle
        self.check = check
        self.table = table
        self.rows = rows
        self.fix = fix
    }
}
