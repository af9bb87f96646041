import Foundation
import GodwitCore

/// Hands pages of rows from a synchronous producer (a GRDB cursor on its own thread) to an
/// asynchronous consumer, holding at most `capacity` pages: the producer blocks while the
/// consumer is behind, so memory stays bounded whatever the size of the result.
final class PageChannel<Page: Sendable>: @unchecked Sendable {
    /// Thrown into the producer when the consumer has gone away.
    struct Cancelled: Error {}

    private let condition = NSCondition()
    private let capacity: Int
    private var pages: [Page] = []
    private var isFinished = false
    private var isCancelled = false
    private var failure: (any Error)?
    private var waiter: CheckedContinuation<Page?, any Error>?

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Producer side: waits for room, then queues the page.
    func send(_ page: Page) throws {
        condition.lock()
        while pages.count >= capacity, !isCancelled { condition.wait() }
        if isCancelled {
            condition.unlock()
            throw Cancelled()
        }
        if let waiter {
            self.waiter = nil
            condition.unlock()
            waiter.resume(returning: page)
            return
        }
        pages.append(page)
        condition.unlock()
    }

    /// Producer side: no more pages; `error` when the producer failed.
    func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        isFinished = true
        failure = error
        let waiter = self.waiter
        self.waiter = nil
        condition.unlock()
        if let waiter {
            if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
        }
    }

    /// Consumer side (or a cancelled task): stops the producer at its next page and wakes a
    /// consumer waiting for one with `CancellationError`.
    func cancel() {
        condition.lock()
        isCancelled = true
        pages.removeAll()
        let waiter = self.waiter
        self.waiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume(throwing: CancellationError())
    }

    /// Consumer side: the next page, or `nil` at the end.
    func next() async throws -> Page? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if isCancelled {
                condition.unlock()
                continuation.resume(throwing: CancellationError())
            } else if !pages.isEmpty {
                let page = pages.removeFirst()
                condition.signal()
                condition.unlock()
                continuation.resume(returning: page)
            } else if isFinished {
                let failure = self.failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                waiter = continuation
                condition.unlock()
            }
        }
    }
}
