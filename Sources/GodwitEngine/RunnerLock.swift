public import Foundation
public import GodwitCore
import GodwitPostgres
#if canImport(Glibc)
import Glibc
#endif

/// One Godwit runner at a time per database.
///
/// - PostgreSQL: a session advisory lock taken on a connection of its own that never opens a
///   transaction, so it cannot deadlock with `CREATE INDEX CONCURRENTLY` (which waits for open
///   transactions — the Flyway failure) and it vanishes with the session when the process dies
///   (no stale lock rows — the Liquibase failure). The connection's `application_name` carries
///   the holder's pid, host and start time, so a refusal can name it.
/// - SQLite: `flock` on a file beside the database (`app.db-godwit.lock`), released by the
///   operating system when the process dies; the holder writes its pid, host and start time in it.
public final class RunnerLock: @unchecked Sendable {
    /// The advisory lock's two keys: 'godw' and 1 (the migration runner).
    static let advisoryKeys = (Int32(bitPattern: 0x676F_6477), Int32(1))

    private let release_: @Sendable () async -> Void
    private var isReleased = false
    private let mutex = NSLock()

    private init(release: @escaping @Sendable () async -> Void) {
        self.release_ = release
    }

    /// Takes the lock, or throws naming who holds it.
    public static func acquire(for url: DatabaseURL, now: Date = Date()) async throws -> RunnerLock {
        let holder = Holder(pid: Int(getpid()), host: ProcessInfo.processInfo.hostName, since: now)
        switch url {
        case .postgres(let endpoint):
            let driver = try await PostgresDriver.connect(endpoint, applicationName: holder.applicationName)
            let (key1, key2) = advisoryKeys
            let granted = try await driver.query(unsafeSQL: "SELECT pg_try_advisory_lock(\(key1), \(key2))").first?[0].integerValue == 1
            guard granted else {
                let other = try await driver.query(unsafeSQL: """
                    SELECT a.application_name, a.pid::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = \(UInt32(bitPattern: key1))
                      AND l.objid::bigint = \(key2) AND l.objsubid = 2
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """).first
                try? await driver.close()
                let described = other?[0].textValue.flatMap(Holder.init(applicationName:))?.description
                    ?? "backend \(other?[1].textValue ?? "?")"
                throw held(by: described, where: endpoint.serverDescription + "/" + endpoint.database)
            }
            return RunnerLock {
                // A session the server ended holds no lock any more, and talking to it can hang:
                // unlock only a live session, and give each step a time limit.
                if !driver.isClosed {
                    await withTimeLimit(seconds: 5) { _ = try? await driver.query(unsafeSQL: "SELECT pg_advisory_unlock(\(key1), \(key2))") }
                }
                await withTimeLimit(seconds: 5) { try? await driver.close() }
            }
        case .sqlite(let location):
            guard !location.isInMemory else { return RunnerLock {} }
            let path = location.path + "-godwit.lock"
            let descriptor = open(path, O_RDWR | O_CREAT, 0o644)
            guard descriptor >= 0 else {
                throw GodwitError(.permissionDenied, "Cannot create the runner lock", location: path,
                                  remedy: "Make the database's directory writable by this user.")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                close(descriptor)
                throw held(by: Holder(applicationName: text.trimmingCharacters(in: .whitespacesAndNewlines))?.description ?? "another process",
                           where: location.path)
            }
            _ = ftruncate(descriptor, 0)
            let text = holder.applicationName + "\n"
            _ = text.withCString { write(descriptor, $0, strlen($0)) }
            return RunnerLock {
                _ = ftruncate(descriptor, 0)
                _ = flock(descriptor, LOCK_UN)
                close(descriptor)
            }
        }
    }

    /// Whether a runner holds the lock now, without taking it: `status` tells a run under way
    /// from one whose process died.
    public static func isHeld(for url: DatabaseURL) async throws -> Bool {
        switch url {
        case .postgres:
            let (key1, key2) = advisoryKeys
            return try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                try await driver.query(unsafeSQL: """
                    SELECT count(*) FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND classid::bigint = \(UInt32(bitPattern: key1))
                      AND objid::bigint = \(key2) AND objsubid = 2
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """).first?[0].integerValue ?? 0 > 0
            }
        case .sqlite(let location):
            guard !location.isInMemory else { return false }
            let descriptor = open(location.path + "-godwit.lock", O_RDONLY)
            guard descriptor >= 0 else { return false }
            defer { close(descriptor) }
            // A shared lock is refused while a runner holds its exclusive one.
            guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return true }
            _ = flock(descriptor, LOCK_UN)
            return false
        }
    }

    /// Gives the lock back. Safe to call more than once.
    public func release() async {
        let shouldRelease = mutex.withLock { () -> Bool in
            defer { isReleased = true }
            return !isReleased
        }
        if shouldRelease { await release_() }
    }

    private static func held(by holder: String, where location: String) -> GodwitError {
        GodwitError(.refused, "Another godwit is running migrations", location: location, reason: "held by \(holder)",
                    remedy: "Wait for it to finish, or stop it: the lock goes away with its process.")
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

/// Runs `work`, returning after at most `seconds`: work that does not finish by then is left
/// behind (a task group would wait for it, so this races two unstructured tasks instead).
func withTimeLimit(seconds: Double, _ work: @escaping @Sendable () async -> Void) async {
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
