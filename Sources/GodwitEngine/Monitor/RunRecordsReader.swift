public import Foundation
public import GodwitCore
import Synchronization

/// Reads Godwit's records of a database for watching a run (``RunRecords``): the migrations'
/// records, the phases of their plans, the step under way and the audit tail. Read-only; each
/// plan's phases are read once and kept, since a plan does not change during its run.
public final class RunRecordsReader: Sendable {
    private let url: DatabaseURL
    /// Phases by migration id and the run's start (a new run may follow another plan).
    private let phaseCache = Mutex<[String: [Phase]]>([:])

    /// How many of the newest audit events are read.
    public static let auditEvents = 50

    public init(url: DatabaseURL) {
        self.url = url
    }

    /// One reading of the records.
    public func read() async throws -> RunRecords {
        let runnerActive = try await RunnerLock.isHeld(for: url)
        return try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let store = StateStore(driver: driver)
            guard try await store.isInstalled() else {
                return RunRecords(records: [], phases: [:], current: nil, audit: [], runnerActive: runnerActive)
            }
            let records = try await store.records()
            var phases: [String: [Phase]] = [:]
            var current: RunRecords.Current?
            for record in records {
                let key = "\(record.id)@\(record.startedAt.timeIntervalSince1970)"
                if let known = phaseCache.withLock({ $0[key] }) {
                    phases[record.id] = known
                } else if let plan = try await store.plan(migration: record.id) {
                    let ordered = ExecutionEvent.PlanOutline(phases: plan.steps.map(\.phase), steps: plan.steps.count).phases
                    phaseCache.withLock { $0[key] = ordered }
                    phases[record.id] = ordered
                }
                if [.running, .rollingBack, .waitingAtGate, .failed].contains(record.state),
                   let step = try await store.stepProgress(migration: record.id).last(where: { $0.finishedAt == nil }) {
                    if current == nil || record.state == .running { current = .init(migration: record.id, progress: step) }
                }
            }
            return RunRecords(records: records, phases: phases, current: current,
                              audit: try await store.events(last: Self.auditEvents), runnerActive: runnerActive)
        }
    }
}
