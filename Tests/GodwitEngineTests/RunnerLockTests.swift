import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Runner lock", .serialized)
struct RunnerLockTests {
    static let since = Date(timeIntervalSince1970: 1_790_000_000)
    static var holder: String {
        "godwit pid \(ProcessInfo.processInfo.processIdentifier) on \(ProcessInfo.processInfo.hostName) since 2026-09-21T14:13:20Z"
    }

    @Test("PostgreSQL: a second runner is refused naming the holder; release lets it in")
    func postgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            let first = try await RunnerLock.acquire(for: url, now: Self.since)
            let error = await #expect(throws: GodwitError.self) { try await RunnerLock.acquire(for: url) }
            #expect(error?.description == "Another godwit is running migrations at \(endpoint.serverDescription)/\(endpoint.database): held by \(Self.holder). Wait for it to finish, or stop it: the lock goes away with its process.")
            await first.release()
            let second = try await RunnerLock.acquire(for: url)
            await second.release()
        }
    }

    @Test("PostgreSQL: CREATE INDEX CONCURRENTLY completes while the lock is held (no Flyway deadlock)")
    func concurrentIndex() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            let lock = try await RunnerLock.acquire(for: url)
            try await DatabaseConnector.withDriver(url) { driver in
                try await driver.execute(unsafeSQL: "SET statement_timeout = '20s'")
                try await driver.execute(unsafeSQL: "CREATE TABLE t (x int)")
                try await driver.execute(unsafeSQL: "INSERT INTO t SELECT generate_series(1, 1000)")
                try await driver.execute(unsafeSQL: "CREATE INDEX CONCURRENTLY t_x ON t (x)")
                #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass AND indisvalid").first?[0] == .integer(1))
            }
            await lock.release()
        }
    }

    @Test("PostgreSQL: a holder whose session dies leaves no stale lock")
    func deadHolder() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            let lock = try await RunnerLock.acquire(for: url)
            _ = try await DatabaseConnector.withDriver(.postgres(try TestPostgres.endpoint())) { admin in
                try await admin.execute(unsafeSQL: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'godwit runner %' AND datname = '\(endpoint.database)'")
            }
            var acquired: RunnerLock?
            try await Poll.until(timeout: .seconds(120), every: .milliseconds(100)) {
                acquired = try? await RunnerLock.acquire(for: url)
                return acquired != nil
            }
            #expect(acquired != nil)
            await acquired?.release()
            await lock.release()
        }
    }

    @Test("SQLite: a second runner is refused naming the holder; a killed holder leaves no stale lock")
    func sqlite() async throws {
        try await TemporaryDirectory.with { directory in
            let path = try directory.copy(Fixtures.chinookSQLite)
            let url = DatabaseURL.sqlite(.init(path: path))
            let first = try await RunnerLock.acquire(for: url, now: Self.since)
            let error = await #expect(throws: GodwitError.self) { try await RunnerLock.acquire(for: url) }
            #expect(error?.description == "Another godwit is running migrations at \(path): held by \(Self.holder). Wait for it to finish, or stop it: the lock goes away with its process.")
            #expect(error?.code.isUsageError == false, "a held lock is a refusal (exit 1), not a usage error (64)")
            await first.release()

            // Another process takes the lock file, then dies by kill -9.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            child.arguments = ["python3", "-c", "import fcntl, sys, time\nf = open(sys.argv[1], 'a')\nfcntl.flock(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(60)", path + "-godwit.lock"]
            let output = Pipe()
            child.standardOutput = output
            try child.run()
            _ = output.fileHandleForReading.availableData  // waits for "locked"
            await #expect(throws: GodwitError.self) { try await RunnerLock.acquire(for: url) }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let after = try await RunnerLock.acquire(for: url)
            await after.release()
        }
    }
}
