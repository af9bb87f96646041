import Foundation
import GodwitCore

/// Counts rows across the workers of a copy and reports progress: rows/s per table and overall,
/// with an ETA, as ``ExecutionEvent``s (`copy` is their migration, the table their message).
final class CopyTally: @unchecked Sendable {
    private let lock = NSLock()
    private let observer: (any ExecutionObserver)?
    private let started = Date()
    private let total: Int64
    private var done: Int64 = 0
    private var rejected: [String: Int64] = [:]
    private var copied: [String: Int64] = [:]
    private var tableStarted: [String: Date] = [:]
    private var formats: [String: [String: [String: Int64]]] = [:]

    init(total: Int64, observer: (any ExecutionObserver)?) {
        self.total = total
        self.observer = observer
    }

    func add(rows: Int64, rejected count: Int64, formats found: [String: [TemporalValue.Format: Int64]], table: String) {
        let event: ExecutionEvent = lock.withLock {
            done += rows
            copied[table, default: 0] += rows
            rejected[table, default: 0] += count
            let since = tableStarted[table] ?? started
            if tableStarted[table] == nil { tableStarted[table] = started }
            for (column, counts) in found {
                for (format, number) in counts { formats[table, default: [:]][column, default: [:]][format.rawValue, default: 0] += number }
            }
            let elapsed = max(Date().timeIntervalSince(started), 0.001)
            let tableRate = Double(copied[table] ?? 0) / max(Date().timeIntervalSince(since), 0.001)
            return ExecutionEvent(kind: .batch, migration: "copy", message: "\(table): \(QuantityFormat.count(copied[table] ?? 0)) rows, \(QuantityFormat.count(Int64(tableRate))) rows/s",
                                  progress: .init(rowsDone: done, rowsTotal: max(total, done), rowsPerSecond: Double(done) / elapsed, batchSize: Int(rows)),
                                  copied: [table: copied[table] ?? 0])
        }
        observer?.observe(event)
    }

    func notice(_ message: String) {
        observer?.observe(ExecutionEvent(kind: .notice, migration: "copy", message: message))
    }

    func formats(of table: String) -> [String: [String: Int64]] { lock.withLock { formats[table] ?? [:] } }
}
