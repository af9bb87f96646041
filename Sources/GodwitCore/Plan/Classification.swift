/// What a change does to the application and its data.
public enum ChangeKind: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    /// Old application code keeps working and nothing is lost.
    case additive
    /// Old application code fails (a renamed column, a new constraint its writes break).
    case breaking
    /// Data is lost (a dropped column or table, an irreversible update).
    case destructive

    public static func < (lhs: ChangeKind, rhs: ChangeKind) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.count) < (allCases.firstIndex(of: rhs) ?? allCases.count)
    }
}

/// The lock a statement takes on the table it changes.
///
/// PostgreSQL's table-level locks in increasing strength
/// (https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES), and SQLite's
/// single database write lock (https://www.sqlite.org/lockingv3.html), which readers in WAL mode
/// do not wait for.
public enum TableLock: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    case none
    case accessShare
    case rowExclusive
    case shareUpdateExclusive
    case share
    case shareRowExclusive
    case accessExclusive
    /// SQLite: one writer at a time for the whole database.
    case databaseWrite

    /// The name the engine's documentation uses.
    public var sqlName: String {
        switch self {
        case .none: "none"
        case .accessShare: "ACCESS SHARE"
        case .rowExclusive: "ROW EXCLUSIVE"
        case .shareUpdateExclusive: "SHARE UPDATE EXCLUSIVE"
        case .share: "SHARE"
        case .shareRowExclusive: "SHARE ROW EXCLUSIVE"
        case .accessExclusive: "ACCESS EXCLUSIVE"
        case .databaseWrite: "database write lock"
        }
    }


    /// Whether ordinary writes (`INSERT`, `UPDATE`, `DELETE`) wait while it is held.
    public var blocksWrites: Bool {
        [.share, .shareRowExclusive, .accessExclusive, .databaseWrite].contains(self)
    }

    public static func < (lhs: TableLock, rhs: TableLock) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.count) < (allCases.firstIndex(of: rhs) ?? allCases.count)
    }
}

/// How long the lock is held, in kind.
public enum LockDuration: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    /// A catalog change: milliseconds, whatever the table's size.
    case instant
    /// Every row is read (a validation, an index build, a batched update).
    case scan
    /// The table is rewritten: time and extra space grow with its size.
    case rewrite

    public static func < (lhs: LockDuration, rhs: LockDuration) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.count) < (allCases.firstIndex(of: rhs) ?? allCases.count)
    }
}

/// How likely a change is to hurt, from its lock, its duration and the table's real size.
public enum Risk: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    case low, medium, high

    public static func < (lhs: Risk, rhs: Risk) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.count) < (allCases.firstIndex(of: rhs) ?? allCases.count)
    }
}

/// The classifier's verdict on one operation, with the facts it rests on.
public struct Classification: Hashable, Codable, Sendable {
    public var kind: ChangeKind
    /// The lock the operation takes when written as plain DDL.
    public var lock: TableLock
    public var duration: LockDuration
    /// Whether it can run inside a transaction (`CREATE INDEX CONCURRENTLY` cannot).
    public var isTransactional: Bool
    /// Whether old and new application versions can keep working throughout, with the
    /// technique that makes it so.
    public var isZeroDowntimePossible: Bool
    /// The technique: `NOT VALID then VALIDATE`, `CREATE INDEX CONCURRENTLY`, `expand/contract`, …
    public var technique: String?
    public var risk: Risk
    /// Rows the operation reads or rewrites (from live statistics; 0 for a table created in the
    /// same migration), when known.
    public var rowsAffected: Int64?
    /// Why: one sentence per fact that decided the verdict.
    public var reasons: [String]

    public init(
        kind: ChangeKind,
        lock: TableLock,
        duration: LockDuration,
        isTransactional: Bool = true,
        isZeroDowntimePossible: Bool = true,
        technique: String? = nil,
        risk: Risk = .low,
        rowsAffected: Int64? = nil,
        reasons: [String] = []
    ) {
        self.kind = kind
        self.lock = lock
        self.duration = duration
        self.isTransactional = isTransactional
        self.isZeroDowntimePossible = isZeroDowntimePossible
        self.technique = technique
        self.risk = risk
        self.rowsAffected = rowsAffected
        self.reasons = reasons
    }

    /// The stronger of two verdicts, for an operation that does several things at once.
    func combined(with other: Classification) -> Classification {
        Classification(
            kind: max(kind, other.kind),
            lock: max(lock, other.lock),
            duration: max(duration, other.duration),
            isTransactional: isTransactional && other.isTransactional,
            isZeroDowntimePossible: isZeroDowntimePossible && other.isZeroDowntimePossible,
            technique: [technique, other.technique].compactMap { $0 }.joined(separator: "; ").nilIfEmpty,
            risk: max(risk, other.risk),
            rowsAffected: rowsAffected ?? other.rowsAffected,
            reasons: reasons + other.reasons
        )
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
