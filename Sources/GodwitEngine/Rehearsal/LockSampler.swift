import Foundation
import GodwitCore
import Synchronization

/// Watches, from a session of its own, the locks that the sessions of one PostgreSQL database
/// hold and wait for. Every `interval` it reads `pg_locks` for table locks that block writes
/// (SHARE and stronger) and for any lock not yet granted. Each lock becomes an ``Observation``
/// whose start and end are known to within one sampling interval, so its duration is too; a
/// wait's start is exact, since PostgreSQL reports it (`waitstart`).
///
/// Times are the server's clock, the same clock ``ServerMark`` reads at step boundaries.
final class LockSampler: Sendable {
    /// One lock, held or awaited, by one transaction.
    struct Observation: Hashable, Sendable {
        var pid: Int64
        var lockType: String
        /// The table's oid, for table locks.
        var relation: Int64?
        /// PostgreSQL's name for it: `AccessExclusiveLock`, `ShareLock`.
        var mode: String
        var granted: Bool
        /// Bounds on when it began: the sample before the first that saw it, and that first
        /// one (both the reported start for a wait).
        var earliestStart: Double
        var latestStart: Double
        /// The last sample that saw it, and the first after that did not.
        var lastSeen: Double
        var endedBy: Double

        /// How many samples saw it.
        var samples: Int

        /// The longest duration the samples allow.
        var atMost: Double { endedBy - earliestStart }
        /// The midpoint of the shortest and the longest duration the samples allow.
        var estimate: Double { ((lastSeen - latestStart) + atMost) / 2 }
        /// Seen once, only the upper bound means anything.
        var isSingleSample: Bool { samples == 1 }
    }

    /// The modes that conflict with ROW EXCLUSIVE, the lock every INSERT, UPDATE and DELETE takes.
    static let writeBlockingModes = ["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]

    let interval: Double
    private let database: String
    private let server: DatabaseURL
    private struct State {
        var open: [String: Observation] = [:]
        var closed: [Observation] = []
        var lastSample: Double?
        var failure: String?
    }
    private let state = Mutex(State())
    private let loop = Mutex<Task<Void, Never>?>(nil)

    /// Samples the sessions of `database`, reading from `server` (any database of the same
    /// server, so the sampling session never sits in the database it watches).
    init(database: String, server: DatabaseURL, interval: Double = 0.01) {
        self.database = database
        self.server = server
        self.interval = interval
    }

    /// Opens the sampling session and starts sampling.
    func start() async throws {
        let driver = try await DatabaseConnector.open(server)
        let sql = """
            SELECT extract(epoch FROM clock_timestamp())::float8, l.pid::int8, l.virtualtransaction, l.locktype,
                   l.relation::int8, l.mode, l.granted, extract(epoch FROM l.waitstart)::float8
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE a.datname = $1 AND l.pid <> pg_backend_pid()
              AND (NOT l.granted OR (l.locktype = 'relation' AND l.mode IN ('\(Self.writeBlockingModes.joined(separator: "', '"))')))
            UNION ALL SELECT extract(epoch FROM clock_timestamp())::float8, NULL, NULL, NULL, NULL, NULL, NULL, NULL
            """
        let bindings: [DatabaseValue] = [.text(database)]
        let task = Task { [self] in
            while !Task.isCancelled {
                do {
                    record(try await driver.query(unsafeSQL: sql, bindings: bindings))
                } catch {
                    // A query cut short by stop() is the end of sampling, not a failure.
                    if !(error is CancellationError) && !Task.isCancelled {
                        state.withLock { $0.failure = (error as? GodwitError)?.summary ?? "\(error)" }
                    }
                    break
                }
                try? await Task.sleep(for: .seconds(interval))
            }
            try? await driver.close()
        }
        loop.withLock { $0 = task }
    }

    /// Stops sampling and closes what is still open at the last sample.
    func stop() async {
        let task = loop.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        state.withLock { state in
            let end = (state.lastSample ?? 0) + interval
            for var observation in state.open.values {
                observation.endedBy = end
                state.closed.append(observation)
            }
            state.open = [:]
        }
    }

    /// Everything observed so far, finished or not.
    var observations: [Observation] {
        state.withLock { $0.closed + Array($0.open.values) }
    }

    /// Why sampling stopped early, if it did.
    var failure: String? { state.withLock { $0.failure } }

    /// Folds one sample in: new locks open, locks no longer there close at this sample's time.
    private func record(_ rows: [Row]) {
        guard let now = rows.last?[0].doubleValue else { return }
        state.withLock { state in
            let previous = state.lastSample ?? now
            var seen = Set<String>()
            for row in rows.dropLast() {
                guard let pid = row[1].integerValue, let transaction = row[2].textValue, let type = row[3].textValue,
                      let mode = row[5].textValue else { continue }
                let granted = row[6].integerValue.map { $0 != 0 } ?? (row[6].textValue == "true")
                let relation = row[4].integerValue
                let key = "\(pid)|\(transaction)|\(type)|\(relation ?? 0)|\(mode)|\(granted)"
                seen.insert(key)
                if state.open[key] != nil {
                    state.open[key]?.lastSeen = now
                    state.open[key]?.samples += 1
                } else {
                    let waitStart = granted ? nil : row[7].doubleValue
                    state.open[key] = Observation(pid: pid, lockType: type, relation: relation, mode: mode, granted: granted,
                                                  earliestStart: waitStart ?? previous, latestStart: waitStart ?? now,
                                                  lastSeen: now, endedBy: now, samples: 1)
                }
            }
            for key in state.open.keys where !seen.contains(key) {
                if var observation = state.open.removeValue(forKey: key) {
                    observation.endedBy = now
                    state.closed.append(observation)
                }
            }
            state.lastSample = now
        }
    }
}
