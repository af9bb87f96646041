public import GodwitCore

/// The runner lock on PostgreSQL: a session advisory lock taken on a connection of its own that
/// never opens a transaction, so it cannot deadlock with `CREATE INDEX CONCURRENTLY` (which waits
/// for open transactions) and it vanishes with the session when the process dies (no stale lock
/// rows). The connection's `application_name` carries the holder's label, so a refusal can name it.
public struct PostgresRunnerLock: RunnerLocking {
    /// The advisory lock's two keys: 'godw' and 1 (the migration runner).
    static let keys = (Int32(bitPattern: 0x676F_6477), Int32(1))

    public init() {}

    public func acquire(_ url: DatabaseURL, label: String) async throws -> RunnerLockAttempt {
        guard case .postgres(let endpoint) = url else { throw GodwitError.wrongEngine(url, for: .postgresql) }
        let driver = try await PostgresDriver.connect(endpoint, applicationName: label)
        let (key1, key2) = Self.keys
        let granted = try await driver.query(unsafeSQL: "SELECT pg_try_advisory_lock(\(key1), \(key2))").first?[0].integerValue == 1
        guard granted else {
            let other = try? await driver.query(unsafeSQL: "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE \(Self.heldLock)").first
            try? await driver.close()
            return .held(label: other?[0].textValue)
        }
        return .granted {
            // A session the server ended holds no lock any more, and talking to it can hang:
            // unlock only a live session, and give each step a time limit.
            if !driver.isClosed {
                await withTimeLimit(seconds: 5) { _ = try? await driver.query(unsafeSQL: "SELECT pg_advisory_unlock(\(key1), \(key2))") }
            }
            await withTimeLimit(seconds: 5) { try? await driver.close() }
        }
    }

    public func isHeld(_ url: DatabaseURL) async throws -> Bool {
        guard case .postgres(let endpoint) = url else { throw GodwitError.wrongEngine(url, for: .postgresql) }
        return try await PostgresDriver.with(endpoint) { driver in
            try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_locks l WHERE \(Self.heldLock)").first?[0].integerValue ?? 0 > 0
        }
    }

    /// The granted runner lock in `pg_locks l`, in the current database.
    private static var heldLock: String {
        """
        l.locktype = 'advisory' AND l.granted AND l.classid::bigint = \(UInt32(bitPattern: keys.0))
          AND l.objid::bigint = \(keys.1) AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """
    }
}
