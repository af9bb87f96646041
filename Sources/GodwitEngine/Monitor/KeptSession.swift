import GodwitCore
import Synchronization

/// A read-only session kept open between a watcher's readings, and opened again once it is
/// closed or gone: one per reader, used from one actor at a time.
final class KeptSession: Sendable {
    private let url: DatabaseURL
    private let current = Mutex<(any DatabaseDriver)?>(nil)

    init(url: DatabaseURL) {
        self.url = url
    }

    /// The open session, opened now when there is none.
    func driver() async throws -> any DatabaseDriver {
        if let driver = current.withLock({ $0 }), !driver.isClosed { return driver }
        let opened = try await DatabaseConnector.open(url, access: .readOnly)
        current.withLock { $0 = opened }
        return opened
    }

    /// Ends the session; the next ``driver()`` opens a new one.
    func close() async {
        let old = current.withLock { driver -> (any DatabaseDriver)? in
            defer { driver = nil }
            return driver
        }
        try? await old?.close()
    }
}
