import Foundation
public import GodwitCore
public import Prometheus
import Synchronization

/// Keeps the Prometheus exposition of a watched run in step with its ``RunView``, through
/// swift-prometheus: gauges are set from each view, counters raised by what grew since the last
/// one, and the batch-time histogram fed from batch events.
public final class RunMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let batchDurations: ValueHistogram
    /// What the last published view counted, so counters grow by the difference.
    private let counted = Mutex<[GodwitMetric: Int]>([:])

    /// Batch-time buckets, in seconds: a batch aims at about 0.2 s.
    public static let batchBuckets: [Double] = [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]

    public init() {
        batchDurations = registry.makeValueHistogram(descriptor: Self.descriptor(.batchDuration), buckets: Self.batchBuckets)
    }

    /// Records one event's measurements that a view does not keep (each batch's time).
    public func record(_ event: ExecutionEvent) {
        if event.kind == .batch, let seconds = event.batchSeconds { batchDurations.record(seconds) }
    }

    /// Sets every metric from `view`.
    public func publish(_ view: RunView) {
        for state in RunView.State.allCases {
            gauge(.runState, ["state": state.rawValue]).set(to: view.state == state ? 1.0 : 0.0)
        }
        for migration in view.migrations {
            for state in ["pending"] + MigrationRecord.State.allCases.map(\.rawValue) {
                gauge(.migrationState, ["migration": migration.id, "state": state]).set(to: migration.state == state ? 1.0 : 0.0)
            }
            for phase in migration.phases.isEmpty ? Array(migration.phase.map { [$0] } ?? []) : migration.phases {
                gauge(.migrationPhase, ["migration": migration.id, "phase": phase.rawValue]).set(to: migration.phase == phase ? 1.0 : 0.0)
            }
            gauge(.stepsCompleted, ["migration": migration.id]).set(Double(migration.completedSteps))
            gauge(.stepsTotal, ["migration": migration.id]).set(Double(migration.totalSteps))
            let waiting = view.gate?.migration == migration.id ? view.gate : nil
            if let waiting, let phase = waiting.phase {
                gauge(.gateWaiting, ["migration": migration.id, "phase": phase.rawValue]).set(max(0, view.updatedAt.timeIntervalSince(waiting.since)))
            } else {
                for phase in migration.phases { gauge(.gateWaiting, ["migration": migration.id, "phase": phase.rawValue]).set(to: 0.0) }
            }
        }
        if let current = view.current, let step = current.step { gauge(.step, ["migration": current.migration]).set(Double(step)) }
        gauge(.rowsDone).set(Double(view.progress?.rowsDone ?? 0))
        gauge(.rowsTotal).set(Double(view.progress?.rowsTotal ?? 0))
        gauge(.rowsPerSecond).set(view.progress?.rowsPerSecond ?? 0)
        gauge(.etaSeconds).set(view.secondsLeft ?? 0)
        gauge(.batchSize).set(Double(view.progress?.batchSize ?? 0))
        gauge(.lastProgress).set((view.lastProgressAt ?? view.startedAt).timeIntervalSince1970)
        raise(.lockWaits, to: view.lockWaits)
        raise(.retries, to: view.retries)
        raise(.checksPassed, to: view.checksPassed)
        raise(.checksFailed, to: view.checksFailed)
        gauge(.probeLatency).set(view.probes.last?.value ?? 0)
        gauge(.probeBaseline).set(view.probeBaseline ?? 0)
        for trigger in view.triggers {
            gauge(.triggerFired, ["migration": trigger.migration, "trigger": trigger.key]).set(to: trigger.fired ? 1.0 : 0.0)
        }
        gauge(.syncLag).set(Double(view.syncLag ?? 0))
        for (table, rows) in view.copied { gauge(.copyRows, ["table": table]).set(Double(rows)) }
        if let server = view.server {
            gauge(.serverLockWaiting).set(Double(server.lockWaitingSessions))
            gauge(.serverLockWait).set(server.longestLockWaitSeconds)
            gauge(.serverTransactions).set(server.transactionsPerSecond ?? 0)
            gauge(.serverRollbacks).set(server.rollbacksPerSecond ?? 0)
            gauge(.serverReplicationLagBytes).set(Double(server.replicationLagBytes ?? 0))
            gauge(.serverReplicationLagSeconds).set(server.replicationLagSeconds ?? 0)
            gauge(.serverLongQueries).set(Double(server.longQueries))
            gauge(.serverLongestQuery).set(server.longestQuerySeconds)
        }
    }

    /// The exposition in Prometheus's text format.
    public func exposition() -> String {
        registry.emitToString()
    }

    private func gauge(_ metric: GodwitMetric, _ labels: KeyValuePairs<String, String> = [:]) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(metric), labels: labels.map { ($0.key, $0.value) })
    }

    private func raise(_ metric: GodwitMetric, to count: Int) {
        let counter = registry.makeCounter(descriptor: Self.descriptor(metric), labels: [])
        let grown = counted.withLock { seen -> Int in
            let before = seen[metric] ?? 0
            seen[metric] = max(before, count)
            return max(0, count - before)
        }
        if grown > 0 { counter.increment(by: Int64(grown)) }
    }

    private static func descriptor(_ metric: GodwitMetric) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: metric.rawValue, unitName: "", helpText: metric.help)
    }
}
