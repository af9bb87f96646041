public import Foundation
public import GodwitCore
#if canImport(Glibc)
import Glibc
#endif

/// One Godwit runner at a time per database, through the engine's ``RunnerLocking`` (an
/// advisory lock on PostgreSQL, `flock` on a file beside a SQLite database), labelled with the
/// holder's pid, host and start time so a refusal can name it. Either lock goes away with the
/// process that holds it: no stale lock rows (the Liquibase failure), and no transaction held
/// open that `CREATE INDEX CONCURRENTLY` would wait for (the Flyway failure).
public final class RunnerLock: @unchecked Sendable {
    private let release_: @Sendable () async -> Void
    private var isReleased = false
    private let mutex = NSLock()

    private init(release: @escaping @Sendable () async -> Void) {
        self.release_ = release
    }

    /// Takes the lock, or throws naming who holds it.
    public static func acquire(for url: DatabaseURL, now: Date = Date()) async throws -> RunnerLock {
        let holder = Holder(pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, since: now)
        switch try await DatabaseConnector.support(for: url.engine).locking.acquire(url, label: holder.applicationName) {
        case .granted(let release):
            return RunnerLock(release: release)
        case .held(let label):
            let described = label.flatMap { Holder(applicationName: $0.trimmingCharacters(in: .whitespacesAndNewlines)) }?.description
                ?? "another process"
            throw GodwitError(.refused, "Another godwit is running migrations", location: url.place, reason: "held by \(described)",
                              remedy: "Wait for it to finish, or stop it: the lock goes away with its process.")
        }
    }

    /// Whether a runner holds the lock now, without taking it: `status` tells a run under way
    /// from one whose process died.
    public static func isHeld(for url: DatabaseURL) async throws -> Bool {
        return try await DatabaseConnector.support(for: url.engine).locking.isHeld(url)
    }

    /// Gives the lock back. Safe to call more than once.
    public func release() async {
        let shouldRelease = mutex.withLock { () -> Bool in
            defer { isReleased = true }
            return !isReleased
        }
        if shouldRelease { await release_() }
    }

    /// Who holds the lock, carried in the PostgreSQL application name or the SQLite lock file.
    struct Holder: CustomStringConvertible {
        var pid: Int
        var host: String
        var since: Date

        init(pid: Int, host: String, since: Date) {
            self.pid = pid
            self.host = host
            self.since = since
        }

        /// `godwit runner pid=123 host=build-7 since=2026-11-21T16:40:00Z` (PostgreSQL keeps 63 bytes).
        var applicationName: String {
            // Cut on a character boundary: a host name may hold more than ASCII.
            var name = "godwit runner pid=\(pid) host=\(host) since=\(ISO8601DateFormatter().string(from: since))"
            while name.utf8.count > 63 { name.removeLast() }
            return name
        }

        init?(applicationName: String) {
            guard applicationName.hasPrefix("godwit runner ") else { return nil }
            var fields: [String: String] = [:]
            for part in applicationName.split(separator: " ") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            guard let pid = fields["pid"].flatMap(Int.init), let host = fields["host"] else { return nil }
            self.init(pid: pid, host: host, since: fields["since"].flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date(timeIntervalSince1970: 0))
        }

        var description: String {
            "godwit pid \(pid) on \(host) since \(ISO8601DateFormatter().string(from: since))"
        }
    }
}

