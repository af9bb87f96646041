import Foundation
public import GodwitCore

/// Collects execution events, for tests to assert on.
public final class EventLog: ExecutionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [ExecutionEvent] = []

    public init() {}

    public func observe(_ event: ExecutionEvent) {
        lock.withLock { collected.append(event) }
    }

    public var events: [ExecutionEvent] { lock.withLock { collected } }

    public func events(_ kind: ExecutionEvent.Kind) -> [ExecutionEvent] { events.filter { $0.kind == kind } }
}
