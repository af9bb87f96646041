/// The phases of a staged migration, in order. Destructive work happens only in `contract`,
/// after the gate that asks whether to pass the point of no return.
public enum Phase: String, Hashable, Codable, Sendable, CaseIterable, Comparable {
    /// Additive and reversible: new tables and columns, shadow columns, dual-write triggers,
    /// `NOT VALID` constraints, concurrent indexes.
    case expand
    /// Data is copied or computed in batches.
    case backfill
    /// Constraints are validated and the data is checked.
    case verify
    /// Old parts are removed or renamed away (kept restorable in an archive).
    case contract
    /// Archives and helpers are dropped after the retention window.
    case cleanup

    public static func < (lhs: Phase, rhs: Phase) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.count) < (allCases.firstIndex(of: rhs) ?? allCases.count)
    }
}

/// Rows to change in batches, walking a key: the executor runs `assignments` on one batch at a
/// time so no lock is held for long and a crash resumes where it stopped.
public struct Backfill: Hashable, Codable, Sendable {
    public var table: QualifiedName
    /// `full_name = first_name || ' ' || last_name`
    public var assignments: String
    public var condition: String?
    /// The columns the batches walk: the primary key, or `rowid` on SQLite.
    public var keyColumns: [String]
    public var batchSize: Int

    /// Rows per batch when the migration names none (`update_rows.batch_size` does).
    public static let defaultBatchSize = 1000

    public init(table: QualifiedName, assignments: String, condition: String? = nil, keyColumns: [String], batchSize: Int) {
        self.table = table
        self.assignments = assignments
        self.condition = condition
        self.keyColumns = keyColumns
        self.batchSize = batchSize
    }
}

/// A check a step must pass: SQL returning one number that must be zero (violating rows,
/// orphans, duplicates, mismatches).
public struct StepCheck: Hashable, Codable, Sendable {
    public var name: String
    public var sql: String
    /// Whether it runs before the step's statements: a precondition names the violating rows
    /// where `VALIDATE` or a unique build would only fail. Otherwise it runs after them.
    public var isPrecondition: Bool
    /// When the check counts the rows of one table that meet a condition (NULLs, a CHECK's
    /// violations): that table and condition, so a probe of a big table can count a sample.
    public var rowFilter: RowFilter?
    /// The operation the check comes from, when its step does the work of several (SQLite
    /// rebuilds one table once for consecutive changes); nil: the step's own operation.
    public var operationIndex: Int?

    /// Rows of `table` for which `condition` holds.
    public struct RowFilter: Hashable, Codable, Sendable {
        public var table: QualifiedName
        public var condition: String

        public init(table: QualifiedName, condition: String) {
            self.table = table
            self.condition = condition
        }
    }

    public init(name: String, sql: String, isPrecondition: Bool = false, rowFilter: RowFilter? = nil) {
        self.name = name
        self.sql = sql
        self.isPrecondition = isPrecondition
        self.rowFilter = rowFilter
    }

    /// `SELECT count(*) FROM table WHERE condition`, with the filter kept for sampling.
    public static func counting(_ name: String, table: QualifiedName, where condition: String, quoter: SQLIdentifierQuoter,
                                isPrecondition: Bool = false) -> StepCheck {
        StepCheck(name: name, sql: "SELECT count(*) FROM \(quoter.quote(table)) WHERE \(condition)", isPrecondition: isPrecondition,
                  rowFilter: RowFilter(table: table, condition: condition))
    }
}

/// One step of a plan: its SQL both ways and everything an operator needs to judge it.
public struct PlanStep: Hashable, Codable, Sendable {
    public var phase: Phase
    /// For people: `Rebuild users with email NOT NULL`.
    public var title: String
    /// Statements run outside the transaction before it (SQLite's `PRAGMA foreign_keys = OFF`).
    public var setup: [String]
    /// The forward statements, in order.
    public var forward: [String]
    /// The statements that undo the step, in order; `nil` when it cannot be undone.
    public var reverse: [String]?
    /// Statements run outside the transaction after it, both ways.
    public var teardown: [String]
    /// Whether the forward and reverse statements run inside one transaction.
    public var isTransactional: Bool
    public var lock: TableLock
    public var duration: LockDuration
    public var estimatedSeconds: Double
    /// Batched data work the executor drives, when the step is a backfill.
    public var backfill: Backfill?
    /// Checks that must pass after the forward statements.
    public var checks: [StepCheck]
    /// The operation (its position in the migration) that caused the step.
    public var operationIndex: Int?
    /// Whether old application code keeps working while and after the step runs, and writes
    /// are never blocked for long; `false` for steps that need downtime.
    public var isOnline: Bool
    /// Where each forward statement was written (`up.sql:12:1`), for hand-written SQL; errors
    /// name it. Empty for SQL Godwit wrote.
    public var forwardLocations: [String]?
    /// Where each reverse statement was written.
    public var reverseLocations: [String]?

    public init(
        phase: Phase,
        title: String,
        setup: [String] = [],
        forward: [String],
        reverse: [String]?,
        teardown: [String] = [],
        isTransactional: Bool = true,
        lock: TableLock,
        duration: LockDuration,
        estimatedSeconds: Double = 0,
        backfill: Backfill? = nil,
        checks: [StepCheck] = [],
        operationIndex: Int? = nil,
        isOnline: Bool = true,
        forwardLocations: [String]? = nil,
        reverseLocations: [String]? = nil
    ) {
        self.phase = phase
        self.title = title
        self.setup = setup
        self.forward = forward
        self.reverse = reverse
        self.teardown = teardown
        self.isTransactional = isTransactional
        self.lock = lock
        self.duration = duration
        self.estimatedSeconds = estimatedSeconds
        self.backfill = backfill
        self.checks = checks
        self.operationIndex = operationIndex
        self.isOnline = isOnline
        self.forwardLocations = forwardLocations
        self.reverseLocations = reverseLocations
    }

    /// Whether the step can be undone.
    public var isReversible: Bool { reverse != nil }
}

/// A migration resolved against a live database: the steps in phase order.
public struct Plan: Hashable, Sendable {
    public var migration: Migration
    public var engine: Engine
    public var steps: [PlanStep]
    /// The schema the plan leads to.
    public var target: Schema

    public init(migration: Migration, engine: Engine, steps: [PlanStep], target: Schema) {
        self.migration = migration
        self.engine = engine
        self.steps = steps
        self.target = target
    }

    /// The steps of one phase, in order.
    public func steps(in phase: Phase) -> [PlanStep] {
        steps.filter { $0.phase == phase }
    }
}

/// Turns a migration into a staged plan for one engine.
public protocol MigrationPlanner: Sendable {
    /// The plan for `migration` against the live `schema`.
    /// - Throws: ``GodwitError`` when an operation does not fit the schema (an unknown table or
    ///   column) or the engine cannot do it.
    func plan(_ migration: Migration, against schema: Schema) throws -> Plan
}
