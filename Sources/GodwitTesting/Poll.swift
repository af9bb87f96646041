import Foundation

/// Waits for something another task or session brings about. Bounded by time, never by a
/// count of naps: a loaded machine stretches each nap and each query, so a count that was
/// plenty on a quiet machine runs out early on a busy one.
public enum Poll {
    /// Checks `condition` every `interval` until it holds or `timeout` has passed; true when it
    /// held.
    @discardableResult
    public static func until(timeout: Duration = .seconds(300), every interval: Duration = .milliseconds(5),
                             _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: interval)
        }
        return try await condition()
    }
}
