public import Foundation
public import GodwitCore

/// Reads Godwit's records of a database for watching a run (``RunRecords``): the migrations'
/// records, the phases of their plans, the step under way and the audit tail. Read-only, on one
/// session kept open between readings (opened again after a failure); each plan's phases are
/// read once and kept, since a plan does not change during its run.
public actor RunRecordsReader {
    private let url: DatabaseURL
    /// Whether to ask who holds the runner lock: `watch` does; a runner watching itself knows.
    private let checksRunner: Bool
    private let session: KeptSession
    /// Phases by migration id and the run's start (a new run may follow another plan).
    private var phaseCache: [String: [Phase]] = [:]

    /// How many of the newest audit events are read.
    public static let auditEvents = 50

    public init(url: DatabaseURL, checksRunner: Bool = true) {
        self.url = url
        self.checksRunner = checksRunner
        session = KeptSession(url: url)
    }

    /// One reading of the records.
    public func read() async throws -> RunRecords {
        let runnerActive = checksRunner ? try await RunnerLock.isHeld(for: url) : true
        do {
            return try await read(on: try await session.driver(), runnerActive: runnerActive)
        } catch {
            await close()
            throw error
        }
    }

    /// Ends the reading session.
    public func close() async {
        await session.close()
    }

    private func read(on driver: any DatabaseDriver, runnerActive: Bool) async throws -> RunRecords {
        let store = StateStore(driver: driver)
        guard try await store.isInstalled() else {
            return RunRecords(records: [], phases: [:], current: nil, audit: [], runnerActive: runnerActive)
        }
        let records = try await store.records()
        var phases: [String: [Phase]] = [:]
        var current: RunRecords.Current?
        for record in records {
            let key = "\(record.id)@\(record.startedAt.timeIntervalSince1970)"
            if let known = phaseCache[key] {
                phases[record.id] = known
            } else if let plan = try await store.plan(migration: record.id) {
                let ordered = ExecutionEvent.PlanOutline(phases: plan.steps.map(\.phase), steps: plan.steps.count).phases
                phaseCache[key] = ordered
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
