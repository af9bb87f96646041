import Foundation
public import GodwitCore

/// How `apply` and `rollback` behave: timeouts, retries, batch sizing, gates, upkeep.
public struct ExecutionSettings: Sendable {
    /// The longest any statement waits for a lock before giving up (PostgreSQL `lock_timeout`,
    /// SQLite's busy timeout); the statement is then retried after a backoff, so a long query
    /// never makes the migration queue traffic behind it.
    public var lockTimeout: Double = 0.3
    /// The longest a DDL statement or check may run (PostgreSQL `statement_timeout`); 0 means none.
    public var statementTimeout: Double = 3600
    /// The longest one backfill batch may run.
    public var batchTimeout: Double = 60
    /// How many times a step or batch is tried when it fails for a transient reason.
    public var attempts: Int = 12
    /// The first backoff; each retry doubles it (up to `backoffCap`), with full jitter.
    public var backoffBase: Double = 0.05
    public var backoffCap: Double = 5
    /// Rows per batch to start with; nil takes the plan's size.
    public var batchSize: Int?
    /// Batches grow or shrink so each takes about this long (0 keeps the size fixed).
    public var batchTarget: Double = 0.05
    public var maximumBatchSize: Int = 100_000
    /// Rest between batches.
    public var batchPause: Double = 0
    /// A probe slower than its baseline by this share makes batches back off.
    public var backoffLatencyShare: Double = 0.5
    /// Pass every gate's approval (CI: `--yes`).
    public var approveGates = false
    /// Ignore soak times and the archive retention window (rehearsals, tests).
    public var waiveSoak = false
    /// How long archives and parked columns are kept before cleanup may drop them.
    public var retention: Double = 7 * 24 * 3600
    /// Stop after this phase.
    public var through: Phase = .cleanup
    /// Stop before a phase that needs more space than is free plus this margin; pause a
    /// backfill when free space falls under it.
    public var freeSpaceMargin: Int64 = 256 * 1024 * 1024
    /// Run `VACUUM` after a SQLite backfill (the strategy template's post-migration step).
    public var vacuumAfterBackfill = false
    /// Refuse to start a migration whose file has no passing rehearsal recorded in the database
    /// (`godwit apply` sets it unless `--unrehearsed`).
    public var requireRehearsal = false
    /// Refuse to start a migration while an item of the pre-flight checklist is open: a
    /// verified backup within a day, or a human item the file does not acknowledge.
    public var requireChecklist = false
    /// Whether another tool's history table (diesel's) is kept current: every migration Godwit
    /// applies or rolls back is written there too (`--no-legacy-history` turns it off). What
    /// the tool applied is adopted either way.
    public var keepsLegacyHistory = true
    /// Who runs it, for the records (`user@host`).
    public var operatorName: String = ExecutionSettings.defaultOperator

    public init() {}

    public static var defaultOperator: String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }
}
