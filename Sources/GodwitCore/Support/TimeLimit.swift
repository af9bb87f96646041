import Foundation

/// Runs `work`, returning after at most `seconds`: work that does not finish by then is left
/// behind (a task group would wait for it, so this races two unstructured tasks instead).
public func withTimeLimit(seconds: Double, _ work: @escaping @Sendable () async -> Void) async {
    let resumed = NSLock()
    nonisolated(unsafe) var done = false
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let finish: @Sendable () -> Void = {
            let first = resumed.withLock { () -> Bool in
                defer { done = true }
                return !done
            }
            if first { continuation.resume() }
        }
        Task { await work(); finish() }
        Task { try? await Task.sleep(for: .seconds(seconds)); finish() }
    }
}
