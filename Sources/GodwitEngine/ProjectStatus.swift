public import Foundation
public import GodwitCore

/// Where every migration of a directory stands in a database: what `godwit status` shows, and
/// what tests compare with `plan`, `lint` and `rehearse`. Read-only.
public enum ProjectStatus {
    /// One migration's standing.
    public struct Entry: Encodable, Sendable {
        public var id: String
        public var name: String
        public var file: String?
        /// `pending`, a record's state (`applied`, `waiting-at-gate`, `failed`, …),
        /// `applied (adopted from diesel)`, or `interrupted` for a run that stopped with no runner
        /// holding the lock (its process died: `godwit apply` resumes it).
        public var state: String
        public var phase: String?
        public var completedSteps: Int?
        public var startedAt: Date?
        public var finishedAt: Date?
        public var operatorName: String?
        public var totalSteps: Int?
        /// What it waits for: a gate's approval, a soak time, the retention window.
        public var waitingFor: String?
        /// The step under way, with batch progress.
        public var current: Progress?
        /// The file changed after it was applied.
        public var drift: Bool
        /// Whether it is in the database, wholly or part-way, so `plan` and `lint` leave it out
        /// (false when pending, rolled back, or failed before any step finished).
        public var isInDatabase: Bool
    }

    /// The batch progress of the step under way.
    public struct Progress: Encodable, Sendable {
        public var step: Int
        public var title: String
        public var rowsDone: Int64
        public var rowsTotal: Int64
        public var percent: Double
        public var rowsPerSecond: Double?
        public var etaSeconds: Double?
    }

    /// The entries for `migrations`, in their order, and the records with no file.
    public static func read(_ migrations: [Migration], on url: DatabaseURL) async throws -> (entries: [Entry], orphans: [MigrationRecord]) {
        let runnerActive = try await RunnerLock.isHeld(for: url)
        let (records, progress, legacy) = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let store = StateStore(driver: driver)
            let records = try await store.records()
            var progress: [String: Progress] = [:]
            for record in records where [.running, .failed, .waitingAtGate].contains(record.state) {
                guard let step = try await store.stepProgress(migration: record.id).last(where: { $0.finishedAt == nil && $0.rowsTotal > 0 })
                else { continue }
                let measured = ExecutionEvent.Progress(rowsDone: step.rowsDone, rowsTotal: step.rowsTotal, rowsPerSecond: step.rowsPerSecond ?? 0, batchSize: 0)
                progress[record.id] = Progress(
                    step: step.step, title: step.title, rowsDone: step.rowsDone, rowsTotal: step.rowsTotal,
                    percent: measured.fraction * 100, rowsPerSecond: step.rowsPerSecond, etaSeconds: runnerActive ? measured.secondsLeft : nil)
            }
            return (records, progress, try await LegacyHistory.read(on: driver))
        }
        let entries = migrations.map { migration -> Entry in
            var record = records.first { $0.id == migration.id }
            if record == nil, let legacy, legacy.contains(migration) {
                record = MigrationRecord.adopted(migration, from: legacy.tool, at: Date())
            }
            let adoptedFrom = record?.adoptedFrom
            var state = adoptedFrom.map { "applied (adopted from \($0))" } ?? record?.state.rawValue ?? "pending"
            if let record, [.running, .rollingBack].contains(record.state), !runnerActive { state = "interrupted" }
            return Entry(
                id: migration.id, name: migration.name, file: migration.source?.path, state: state,
                phase: record?.phase?.rawValue, completedSteps: adoptedFrom == nil ? record?.completedSteps : nil,
                startedAt: adoptedFrom == nil ? record?.startedAt : nil, finishedAt: adoptedFrom == nil ? record?.finishedAt : nil,
                operatorName: adoptedFrom == nil ? record?.operatorName : nil, totalSteps: record?.totalSteps,
                waitingFor: record?.waitingFor, current: progress[migration.id],
                drift: record.map { DriftCheck.hasDrifted(migration, from: $0) } ?? false,
                isInDatabase: record.map(MigrationPlanning.hasBegun) ?? false
            )
        }
        let orphans = records.filter { record in !migrations.contains { $0.id == record.id } }
        return (entries, orphans)
    }
}
