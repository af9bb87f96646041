import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A stop request (SIGINT, SIGTERM, or a caller): the executor finishes or undoes the current
/// batch, records its position and releases the lock before it returns.
public final class InterruptSignal: @unchecked Sendable {
    // `sources` is written under `lock` only; the flag is atomic.
    private let requested = Atomic<Bool>(false)
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// Whether a stop was requested.
    public var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Requests a stop.
    public func request() { requested.store(true, ordering: .relaxed) }

    /// Turns SIGINT and SIGTERM into stop requests instead of killing the process.
    public func trapSignals() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.request() }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    /// Throws the interruption error when a stop was requested.
    func check(_ migration: String, resumeAt step: Int) throws {
        guard isRequested else { return }
        throw GodwitErrorInterrupted(migration: migration, step: step)
    }
}

/// The run stopped on request; its position is recorded.
public struct GodwitErrorInterrupted: Error, CustomStringConvertible, Sendable {
    public var migration: String
    public var step: Int

    public var description: String {
        "Interrupted: migration \(migration) stopped cleanly before step \(step). Run godwit apply again to resume there, or godwit rollback \(migration) to undo it."
    }
}
