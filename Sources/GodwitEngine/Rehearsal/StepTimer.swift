import Foundation
import GodwitCore

/// Times the steps of one rehearsal pass: collects their start and finish events (forwarding
/// them), and on PostgreSQL reads a ``ServerMark`` at each boundary, so each step gets the locks
/// the sampler saw during it and the storage it wrote.
final class StepTimer: ExecutionObserver, StepMeasurer, @unchecked Sendable {
    private let forward: (any ExecutionObserver)?
    private let probe: ServerProbe?
    private let lock = NSLock()
    private var started: [String: ExecutionEvent] = [:]
    private var finished: [(start: ExecutionEvent, end: ExecutionEvent)] = []
    private var rows: [String: Int64] = [:]
    private var batchSizes: [String: (first: Int, last: Int, count: Int)] = [:]
    private var openMarks: [String: ServerMark] = [:]
    private var windows: [String: (start: ServerMark, end: ServerMark)] = [:]

    init(forwarding observer: (any ExecutionObserver)?, probe: ServerProbe? = nil) {
        forward = observer
        self.probe = probe
    }

    private static func key(_ migration: String, _ step: Int?, undo: Bool) -> String { "\(migration)#\(step ?? 0)\(undo ? "-undo" : "")" }

    func observe(_ event: ExecutionEvent) {
        forward?.observe(event)
        let key = Self.key(event.migration, event.step, undo: event.undo == true)
        lock.withLock {
            switch event.kind {
            case .stepStarted: started[key] = event
            case .stepFinished: if let start = started.removeValue(forKey: key) { finished.append((start, event)) }
            case .batch:
                guard let progress = event.progress else { break }
                rows[key] = progress.rowsDone
                let sizes = batchSizes[key]
                batchSizes[key] = (sizes?.first ?? progress.batchSize, progress.batchSize, (sizes?.count ?? 0) + 1)
            default: break
            }
        }
    }

    func stepStarting(migration: String, step: Int, undo: Bool) async {
        guard let probe, let mark = try? await probe.mark() else { return }
        lock.withLock { openMarks[Self.key(migration, step, undo: undo)] = mark }
    }

    func stepFinished(migration: String, step: Int, undo: Bool) async {
        let key = Self.key(migration, step, undo: undo)
        guard let probe, let start = lock.withLock({ openMarks.removeValue(forKey: key) }),
              let end = try? await probe.mark() else { return }
        lock.withLock { windows[key] = (start, end) }
    }

    func timings(pass: String, on url: DatabaseURL, budget: Double) async throws -> [RehearsalReport.StepTiming] {
        await probe?.settle()
        let (pairs, walked, measured, sizes) = lock.withLock { (finished, rows, windows, batchSizes) }
        let observations = probe?.sampler.observations ?? []
        var plans: [String: StoredPlan] = [:]
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let store = StateStore(driver: driver)
            for migration in Set(pairs.map(\.start.migration)) { plans[migration] = try await store.plan(migration: migration) }
        }
        return pairs.map { start, end in
            let number = start.step ?? 0
            let undo = start.undo == true
            let key = Self.key(start.migration, number, undo: undo)
            let step = plans[start.migration].flatMap { number > 0 && number <= $0.steps.count ? $0.steps[number - 1] : nil }
            let seconds = end.at.timeIntervalSince(start.at)
            let planned: String? = step.flatMap { step in
                // A batched backfill holds its lock one batch at a time, not for the whole step.
                guard step.isTransactional, step.backfill == nil, [.accessExclusive, .share, .databaseWrite].contains(step.lock) else { return nil }
                return step.lock.sqlName
            }
            var timing = RehearsalReport.StepTiming(pass: pass, migration: start.migration, step: number, phase: start.phase,
                                                    title: step.map { (undo ? "undo: " : "") + $0.title } ?? start.message, seconds: seconds, strongLock: planned,
                                                    overBudget: planned != nil && seconds > budget, rows: walked[key])
            timing.undo = undo ? true : nil
            if let batches = sizes[key] {
                (timing.firstBatchSize, timing.lastBatchSize, timing.batches) = batches
            }
            if let window = measured[key] {
                let locks = StepLocks(observations: observations, window: window)
                timing.lockHeld = locks.longestHold
                timing.lockWait = locks.longestWait
                timing.overBudget = (timing.lockHeld?.seconds ?? 0) > budget
                (timing.bytesRewritten, timing.bytesGrown) = window.end.written(since: window.start)
            }
            return timing
        }
    }
}

/// The sampled locks that belong to one step: those first seen between its two marks. Holds
/// count only on relations that existed when the step began; a table the step creates is
/// invisible to everyone else until it commits, so its lock blocks nobody.
struct StepLocks {
    let longestHold: RehearsalReport.LockMeasurement?
    let longestWait: RehearsalReport.LockMeasurement?

    init(observations: [LockSampler.Observation], window: (start: ServerMark, end: ServerMark)) {
        let during = observations.filter { $0.latestStart >= window.start.time && $0.latestStart <= window.end.time }
        let name = { (observation: LockSampler.Observation) -> String in
            guard let relation = observation.relation else { return observation.lockType }
            return (window.end.storage[relation] ?? window.start.storage[relation])?.name ?? "relation \(relation)"
        }
        let measure = { (observation: LockSampler.Observation) in
            RehearsalReport.LockMeasurement(mode: Self.sqlName(observation.mode), object: name(observation),
                                            seconds: observation.isSingleSample ? observation.atMost : observation.estimate,
                                            isUpperBound: observation.isSingleSample)
        }
        longestHold = during.filter { $0.granted && $0.relation.map { window.start.storage[$0] != nil } == true }
            .map(measure).max { $0.seconds < $1.seconds }
        longestWait = during.filter { !$0.granted }.map(measure).max { $0.seconds < $1.seconds }
    }

    /// `AccessExclusiveLock` → `ACCESS EXCLUSIVE`.
    static func sqlName(_ mode: String) -> String {
        var words: [String] = []
        for character in mode.hasSuffix("Lock") ? String(mode.dropLast(4)) : mode {
            if character.isUppercase || words.isEmpty { words.append("") }
            words[words.count - 1].append(character)
        }
        return words.joined(separator: " ").uppercased()
    }
}
