/// Godwit's metrics, by name: what `/metrics` exposes and the alert rules query.
public enum GodwitMetric: String, CaseIterable, Sendable {
    case runState = "godwit_run_state"
    case migrationState = "godwit_migration_state"
    case migrationPhase = "godwit_migration_phase"
    case stepsCompleted = "godwit_migration_steps_completed"
    case stepsTotal = "godwit_migration_steps_total"
    case step = "godwit_step"
    case rowsDone = "godwit_rows_done"
    case rowsTotal = "godwit_rows_total"
    case rowsPerSecond = "godwit_rows_per_second"
    case etaSeconds = "godwit_eta_seconds"
    case batchSize = "godwit_batch_size"
    case batchDuration = "godwit_batch_duration_seconds"
    case lastProgress = "godwit_last_progress_timestamp_seconds"
    case lockWaits = "godwit_lock_waits_total"
    case retries = "godwit_retries_total"
    case probeLatency = "godwit_probe_latency_seconds"
    case probeBaseline = "godwit_probe_baseline_seconds"
    case checksPassed = "godwit_verification_checks_passed_total"
    case checksFailed = "godwit_verification_checks_failed_total"
    case triggerFired = "godwit_rollback_trigger_fired"
    case gateWaiting = "godwit_gate_waiting_seconds"
    case syncLag = "godwit_sync_lag_changes"
    case copyRows = "godwit_copy_rows"
    case serverLockWaiting = "godwit_server_lock_waiting_sessions"
    case serverLockWait = "godwit_server_lock_wait_longest_seconds"
    case serverTransactions = "godwit_server_transactions_per_second"
    case serverRollbacks = "godwit_server_rollbacks_per_second"
    case serverReplicationLagBytes = "godwit_server_replication_lag_bytes"
    case serverReplicationLagSeconds = "godwit_server_replication_lag_seconds"
    case serverLongQueries = "godwit_server_long_queries"
    case serverLongestQuery = "godwit_server_longest_query_seconds"

    /// The labels the metric carries.
    public var labels: [String] {
        switch self {
        case .runState: ["state"]
        case .migrationState: ["migration", "state"]
        case .migrationPhase: ["migration", "phase"]
        case .stepsCompleted, .stepsTotal, .step: ["migration"]
        case .triggerFired: ["migration", "trigger"]
        case .gateWaiting: ["migration", "phase"]
        case .copyRows: ["table"]
        default: []
        }
    }

    /// What the metric measures, for `# HELP` and the README.
    public var help: String {
        switch self {
        case .runState: "1 for the state the run is in (starting, running, waiting, finished, failed, interrupted, idle), 0 for the others"
        case .migrationState: "1 for the state each migration's record is in, 0 for the others"
        case .migrationPhase: "1 for the phase each migration is in or last finished, 0 for its plan's other phases"
        case .stepsCompleted: "Steps of the migration's plan done"
        case .stepsTotal: "Steps in the migration's plan"
        case .step: "The 1-based step under way"
        case .rowsDone: "Rows done by the step under way (backfill, copy, sync)"
        case .rowsTotal: "Rows the step under way has to do"
        case .rowsPerSecond: "Rows per second of the step under way"
        case .etaSeconds: "Seconds left for the step under way at its current rate"
        case .batchSize: "Rows per batch, as adapted to the batch time target"
        case .batchDuration: "Seconds each backfill batch took (a histogram)"
        case .lastProgress: "Unix time when rows last moved or a step last finished"
        case .lockWaits: "Statements retried because a lock was not granted within the lock timeout"
        case .retries: "Statements retried after a transient failure"
        case .probeLatency: "Latency of the last probe query between batches"
        case .probeBaseline: "The probe's latency measured before the first batch"
        case .checksPassed: "Verification checks passed"
        case .checksFailed: "Verification checks failed"
        case .triggerFired: "1 when the migration's rollback trigger fired, 0 while it is armed"
        case .gateWaiting: "Seconds the migration has waited at the gate before the phase"
        case .syncLag: "Changes captured on the source and not yet applied to the target"
        case .copyRows: "Rows copied per table"
        case .serverLockWaiting: "Sessions of the server waiting for a lock"
        case .serverLockWait: "The longest current lock wait on the server"
        case .serverTransactions: "Transactions per second in the database (commits and rollbacks)"
        case .serverRollbacks: "Rollbacks per second in the database"
        case .serverReplicationLagBytes: "The largest replay lag of a standby or subscriber, in bytes of WAL"
        case .serverReplicationLagSeconds: "The largest replay lag of a standby or subscriber, in seconds"
        case .serverLongQueries: "Statements running longer than 5 seconds"
        case .serverLongestQuery: "The longest running statement's age, when over 5 seconds"
        }
    }
}
