import Foundation
import GodwitCore

/// Drives one backfill step in batches along the table's key: each batch updates a short key
/// range and records the last key in the same transaction, so a crash or a stop resumes right
/// after the last committed batch and no row is done twice or skipped.
///
/// Batches grow or shrink toward a target duration, pause when asked, and back off when a
/// probe query (one indexed read) gets slower than its baseline. The migration's rollback
/// triggers for failed batches and latency are watched here.
struct BackfillRunner {
    let session: ExecutionSession
    let interrupt: InterruptSignal
    let migration: Migration
    private var settings: ExecutionSettings { session.settings }

    /// `start`: prepared, no batch yet; `end`: every batch done.
    static let started = "start", finished = "end"

    init(session: ExecutionSession, interrupt: InterruptSignal, migration: Migration) {
        self.session = session
        self.interrupt = interrupt
        self.migration = migration
    }

    /// Runs the remaining batches of step `index` (0-based). The caller then runs the step's
    /// checks and marks it done.
    func run(_ step: PlanStep, index: Int) async throws {
        guard let backfill = step.backfill else { return }
        let sql = BackfillBatchSQL(backfill: backfill, engine: session.engine)
        let number = index + 1
        let label = "step \(number) (\(step.title))"
        var progress = try await session.store().stepProgress(migration: migration.id).first { $0.step == number }
        if progress?.lastKey == nil {
            let total = try await estimateRows(backfill.table)
            let fresh = StepProgress(step: number, title: step.title, phase: step.phase, startedAt: Date(), updatedAt: Date(), rowsTotal: total,
                                     lastKey: Self.started)
            var unchecked = step
            unchecked.checks = []
            let preparation = unchecked
            try await session.withRetries("prepare \(label)", migration: migration.id, step: number) { driver in
                try await PlanStepRunner().run(preparation, statements: Array(step.forward.dropLast()), checks: [], on: driver, label: label) { driver in
                    try await StateStore(driver: driver).recordStep(migration: migration.id, fresh)
                }
            }
            progress = fresh
        }
        guard var progress, progress.lastKey != Self.finished else { return }

        let walk = try await integerKeyWalk(sql, rows: progress.rowsTotal)
        let baseline = try await probeBaseline(sql)
        var size = max(1, settings.batchSize ?? backfill.batchSize)
        var pause = settings.batchPause
        var recentProbes: [Double] = []
        var recentForBackoff: [Double] = []
        let clock = ContinuousClock()
        let resumedAt = clock.now
        let rowsAtResume = progress.rowsDone
        while progress.lastKey != Self.finished {
            try interrupt.check(migration.id, resumeAt: number)
            let began = clock.now
            let after = progress.lastKey == Self.started ? nil : progress.lastKey
            let batchSize = size
            let rowsBefore = progress.rowsDone
            let current = progress
            progress = try await session.withRetries("batch \(progress.batchesDone + 1) of \(label)", migration: migration.id, step: number) { driver in
                try await driver.execute(unsafeSQL: "BEGIN")
                do {
                    for statement in driver.dialect.batchTransactionSetup(timeoutMilliseconds: ExecutionSession.milliseconds(settings.batchTimeout)) {
                        try await driver.execute(unsafeSQL: statement)
                    }
                    let upper: String?, counted: Bool
                    if let walk, let lower = walk.start(after: after) {
                        upper = walk.upper(after: lower, size: batchSize).map { sql.literal([.integer($0)]) }
                        counted = true
                    } else {
                        upper = try await driver.query(unsafeSQL: sql.upperBound(after: after, size: batchSize)).first.map { sql.literal($0.values) }
                        counted = upper == nil
                    }
                    let changed = try await driver.execute(unsafeSQL: sql.update(after: after, through: upper))
                    var next = current
                    next.lastKey = upper ?? Self.finished
                    next.batchesDone += 1
                    next.rowsDone += counted ? Int64(changed) : Int64(batchSize)
                    next.rowsTotal = max(next.rowsTotal, next.rowsDone)
                    next.updatedAt = Date()
                    try await StateStore(driver: driver).recordStep(migration: migration.id, next)
                    CrashPoint.reach("step-\(number)-batch-\(next.batchesDone)-before-commit")
                    try await driver.execute(unsafeSQL: "COMMIT")
                    return next
                } catch {
                    if !driver.isClosed && (error as? GodwitError)?.endsSession != true {
                        _ = try? await driver.execute(unsafeSQL: "ROLLBACK")
                    }
                    throw error
                }
            }
            CrashPoint.reach("step-\(number)-batch-\(progress.batchesDone)-after-commit")
            let seconds = Self.seconds(clock.now - began)
            let elapsed = Self.seconds(clock.now - resumedAt)
            session.observer?.observe(ExecutionEvent(
                kind: .batch, migration: migration.id, phase: step.phase, step: number,
                message: "batch \(progress.batchesDone): \(progress.rowsDone - rowsBefore) rows in \(String(format: "%.3f", seconds))s",
                progress: .init(rowsDone: progress.rowsDone, rowsTotal: progress.rowsTotal,
                                rowsPerSecond: elapsed > 0 ? Double(progress.rowsDone - rowsAtResume) / elapsed : 0, batchSize: batchSize),
                batchSeconds: seconds
            ))
            if progress.lastKey == Self.finished { break }
            if settings.batchTarget > 0, seconds > 0 {
                let scaled = Double(size) * min(2, max(0.5, settings.batchTarget / seconds))
                size = max(1, min(settings.maximumBatchSize, Int(scaled)))
            }
            try checkFailedBatches()
            if progress.batchesDone % 20 == 0 { try await checkFreeSpace() }
            if let baseline {
                let latency = try await probe(sql)
                session.observer?.observe(ExecutionEvent(kind: .probe, migration: migration.id, phase: step.phase, step: number,
                                                         message: String(format: "probe %.1f ms (baseline %.1f ms)", latency * 1000, baseline * 1000),
                                                         probe: .init(latency: latency, baseline: baseline)))
                // One slow probe on a busy machine is noise: back off when the median of the last
                // three is over the line.
                recentForBackoff = Array((recentForBackoff + [latency]).suffix(3))
                let typical = recentForBackoff.sorted()[recentForBackoff.count / 2]
                let backoffAt = baseline * (1 + settings.backoffLatencyShare) + 0.002
                if typical > backoffAt {
                    pause = min(settings.backoffCap, max(0.05, pause * 2))
                    session.observer?.observe(ExecutionEvent(
                        kind: .backoff, migration: migration.id, phase: step.phase, step: number,
                        message: String(format: "probes took %.1f ms (median of the last %d) against a baseline of %.1f ms: pausing %.2fs between batches",
                                        typical * 1000, recentForBackoff.count, baseline * 1000, pause),
                        probe: .init(latency: typical, baseline: baseline)))
                } else {
                    pause = max(settings.batchPause, pause / 2)
                }
                try checkLatency(latency, baseline: baseline, recent: &recentProbes)
            }
            if pause > 0 { try await Task.sleep(for: .seconds(pause)) }
        }
    }

    /// Refreshes the planner's statistics of the backfilled table, on the session.
    func analyze(_ step: PlanStep, index: Int) async throws {
        guard let backfill = step.backfill else { return }
        try await session.withRetries("analyze after step \(index + 1) (\(step.title))", migration: migration.id, step: index + 1) { driver in
            try await driver.execute(unsafeSQL: Self.analyze(backfill, engine: driver.engine))
        }
    }

    /// Refreshes the statistics on a session of its own, beside the step's transaction (where
    /// ``SQLDialect/analyzesBesideWriters``); false when it did not run.
    func analyzeBeside(_ step: PlanStep) async -> Bool {
        guard let backfill = step.backfill else { return false }
        do {
            try await DatabaseConnector.withDriver(session.url) { try await $0.execute(unsafeSQL: Self.analyze(backfill, engine: $0.engine)) }
            return true
        } catch {
            return false
        }
    }

    private static func analyze(_ backfill: Backfill, engine: Engine) -> String {
        "ANALYZE \(engine.quoter.quote(backfill.table))"
    }

    /// The walk in key ranges, when the key is one integer column no more than twice as wide
    /// as the table's rows; nil: batch bounds are looked up in the key's index.
    private func integerKeyWalk(_ sql: BackfillBatchSQL, rows: Int64) async throws -> BackfillBatchSQL.IntegerKeyWalk? {
        guard let query = sql.keyRange else { return nil }
        let range = try await session.withRetries("key range of \(sql.backfill.table)", migration: migration.id) {
            try await $0.query(unsafeSQL: query).first?.values ?? []
        }
        return BackfillBatchSQL.IntegerKeyWalk(range: range, rows: rows)
    }

    /// The rows to do, for progress: the server's estimate for a big table (a count would
    /// scan it), a count for a small one.
    private func estimateRows(_ table: QualifiedName) async throws -> Int64 {
        try await session.withRetries("count \(table)", migration: migration.id) { driver in
            let quoter = driver.engine.quoter
            if let estimate = driver.dialect.rowEstimate(table) {
                let rows = try await driver.query(unsafeSQL: estimate).first?[0].integerValue ?? -1
                if rows >= 100_000 { return rows }
            }
            return try await driver.query(unsafeSQL: "SELECT count(*) FROM \(quoter.quote(table))").first?[0].integerValue ?? 0
        }
    }

    private func probe(_ sql: BackfillBatchSQL) async throws -> Double {
        let clock = ContinuousClock()
        let began = clock.now
        _ = try await session.withRetries("probe", migration: migration.id) { try await $0.query(unsafeSQL: sql.probe) }
        return Self.seconds(clock.now - began)
    }

    /// The median of five probes before the first batch.
    private func probeBaseline(_ sql: BackfillBatchSQL) async throws -> Double? {
        var samples: [Double] = []
        for _ in 0..<5 { samples.append(try await probe(sql)) }
        return samples.sorted()[2]
    }

    private func checkFailedBatches() throws {
        for trigger in migration.rollbackTriggers {
            guard case .failedBatches(let percent) = trigger.condition else { continue }
            let (tries, failures) = session.failureRate
            if tries >= 10, Double(failures) / Double(tries) * 100 > percent {
                throw RollbackTriggerFired(trigger: trigger, observation: "\(failures) of \(tries) batch tries failed (limit \(percent)%)")
            }
        }
    }

    /// The latency trigger: the median of the last 10 probes above the baseline by more than the
    /// trigger's percentage and by more than 10 ms (a rise in noise-level timings is not one). A
    /// median, so one probe that slips between two lock holds does not hide a sustained rise,
    /// and one slow probe does not fire it.
    private func checkLatency(_ latency: Double, baseline: Double, recent: inout [Double]) throws {
        recent.append(latency)
        if recent.count > 10 { recent.removeFirst(recent.count - 10) }
        guard recent.count == 10 else { return }
        let median = recent.sorted()[4...5].reduce(0, +) / 2
        for trigger in migration.rollbackTriggers {
            guard case .latency(let percent) = trigger.condition else { continue }
            if median > baseline * (1 + percent / 100), median > baseline + 0.010 {
                throw RollbackTriggerFired(trigger: trigger, observation: String(
                    format: "probe latency stayed above its baseline of %.1f ms + %.0f%%: the median of the last 10 probes was %.1f ms",
                    baseline * 1000, percent, median * 1000))
            }
        }
    }

    private func checkFreeSpace() async throws {
        guard let free = await FreeSpace.available(for: try await session.driver()), free < settings.freeSpaceMargin else { return }
        throw GodwitError(.ioFailure, "Paused: free disk space is low", location: session.url.description,
                          reason: "\(free / 1_048_576) MiB free, under the margin of \(settings.freeSpaceMargin / 1_048_576) MiB",
                          remedy: "Free space (VACUUM, archive old data) and run godwit apply again: it resumes after the last batch.")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
