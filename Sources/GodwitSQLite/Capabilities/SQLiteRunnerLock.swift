import Foundation
public import GodwitCore
#if canImport(Glibc)
import Glibc
#endif

/// The runner lock on SQLite: `flock` on a file beside the database (`app.db-godwit.lock`),
/// released by the operating system when the process dies. The holder writes its label in it.
/// An in-memory database is private to its process and needs none.
public struct SQLiteRunnerLock: RunnerLocking {
    public init() {}

    public func acquire(_ url: DatabaseURL, label: String) async throws -> RunnerLockAttempt {
        guard case .sqlite(let location) = url else { throw GodwitError.wrongEngine(url, for: .sqlite) }
        guard !location.isInMemory else { return .granted {} }
        let path = Self.lockPath(location)
        let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
        guard descriptor >= 0 else {
            throw GodwitError(.permissionDenied, "Cannot create the runner lock", location: path,
                              remedy: "Make the database's directory writable by this user.")
        }
        // `status` and `watch` look with a shared lock held for an instant (``isHeld(_:)``):
        // a few tries a few milliseconds apart tell such a look from a runner.
        var tries = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            tries += 1
            guard tries < 10 else {
                let text = try? String(contentsOfFile: path, encoding: .utf8)
                close(descriptor)
                return .held(label: text)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        _ = ftruncate(descriptor, 0)
        let text = label + "\n"
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        return .granted {
            _ = ftruncate(descriptor, 0)
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    public func isHeld(_ url: DatabaseURL) async throws -> Bool {
        guard case .sqlite(let location) = url else { throw GodwitError.wrongEngine(url, for: .sqlite) }
        guard !location.isInMemory else { return false }
        let descriptor = open(Self.lockPath(location), O_RDONLY)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        // A shared lock is refused while a runner holds its exclusive one.
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return true }
        _ = flock(descriptor, LOCK_UN)
        return false
    }

    static func lockPath(_ location: DatabaseURL.SQLiteLocation) -> String { location.path + "-godwit.lock" }
}
