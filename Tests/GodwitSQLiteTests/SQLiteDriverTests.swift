import Foundation
import GodwitCore
import GodwitSQLite
import GodwitTesting
import Testing

@Suite("SQLite driver")
struct SQLiteDriverTests {
    @Test("Rows stream in pages of the asked size, in order, with every storage class")
    func pages() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("pages.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE t (id INTEGER PRIMARY KEY, r REAL, s TEXT, b BLOB, n);
                WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 10000)
                INSERT INTO t SELECT i, i / 2.0, 'row ' || i, x'00ff', NULL FROM c;
                """)
            let pages = PageLog()
            try await driver.forEachPage(unsafeSQL: "SELECT id, r, s, b, n FROM t WHERE id > ? ORDER BY id", bindings: [.integer(0)], pageSize: 333) { page in
                pages.record(page)
            }
            #expect(pages.sizes.count == 31)
            #expect(pages.sizes.dropLast().allSatisfy { $0 == 333 })
            #expect(pages.sizes.last == 10000 - 30 * 333)
            #expect(pages.first?.columns == ["id", "r", "s", "b", "n"])
            #expect(pages.first?.values == [.integer(1), .real(0.5), .text("row 1"), .blob([0, 255]), .null])
            #expect(pages.ids == Array(1...10000).map(Int64.init))
            try await driver.close()
        }
    }

    @Test("A consumer that throws stops the stream and the connection stays usable")
    func stopEarly() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("stop.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE t (id INTEGER PRIMARY KEY);
                WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 5000) INSERT INTO t SELECT i FROM c;
                """)
            struct Enough: Error {}
            let pages = PageLog()
            await #expect(throws: Enough.self) {
                try await driver.forEachPage(unsafeSQL: "SELECT id FROM t", bindings: [], pageSize: 100) { page in
                    pages.record(page)
                    if pages.sizes.count == 3 { throw Enough() }
                }
            }
            #expect(pages.sizes.count == 3)
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(5000))
            try await driver.close()
        }
    }

    @Test("A transaction that throws is rolled back")
    func transactionRollback() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("tx.db")), mode: .create)
            try await driver.execute(unsafeSQL: "CREATE TABLE t (id INTEGER)")
            struct Failure: Error {}
            await #expect(throws: Failure.self) {
                try await driver.withTransaction {
                    try await driver.execute(unsafeSQL: "INSERT INTO t VALUES (?)", bindings: [.integer(1)])
                    throw Failure()
                }
            }
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(0))
            let changed = try await driver.withTransaction {
                try await driver.execute(unsafeSQL: "INSERT INTO t VALUES (1), (2)")
            }
            #expect(changed == 2)
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(2))
            try await driver.close()
        }
    }
}

@Suite("SQLite errors")
struct SQLiteErrorTests {
    @Test("A missing file: what, where, what to do — and no file is created")
    func missingFile() async throws {
        try TemporaryDirectory.with { directory in
            let path = directory.path("absent.db")
            let error = try #require(throws: GodwitError.self) { try SQLiteDriver.open(.init(path: path)) }
            #expect(error.code == .fileNotFound)
            #expect(error.description.hasPrefix("No SQLite database at \(path): the file does not exist. Check the path (relative paths start from "))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("A file that is not SQLite is refused and left as it was")
    func notADatabase() async throws {
        try TemporaryDirectory.with { directory in
            let path = directory.path("notes.db")
            let content = Data(String(repeating: "not a database, just text\n", count: 200).utf8)
            try content.write(to: URL(fileURLWithPath: path))
            let error = try #require(throws: GodwitError.self) { try SQLiteDriver.open(.init(path: path)) }
            #expect(error.description == "Not a SQLite database at \(path): the file exists but is not in SQLite format. Check the path; Godwit opens SQLite 3 database files.")
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
        }
    }

    @Test("A directory is not a database")
    func directoryPath() async throws {
        try TemporaryDirectory.with { directory in
            let error = try #require(throws: GodwitError.self) { try SQLiteDriver.open(.init(path: directory.url.path)) }
            #expect(error.description == "Not a SQLite database at \(directory.url.path): the path is a directory. Name the database file inside it.")
        }
    }

    @Test("Writing through a read-only connection is refused and changes nothing")
    func readOnly() async throws {
        try await TemporaryDirectory.with { directory in
            let path = try directory.copy(Fixtures.chinookSQLite)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let driver = try SQLiteDriver.open(.init(path: path), mode: .readOnly)
            let error = await #expect(throws: GodwitError.self) {
                try await driver.execute(unsafeSQL: "DELETE FROM Album")
            }
            #expect(error?.code == .permissionDenied)
            #expect(error?.description == "The SQLite database is read-only at \(path): attempt to write a readonly database. Make the file and its directory writable by this user, or point Godwit at a writable copy.")
            try await driver.close()
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("A bad statement names SQLite's reason and no bound value")
    func badStatement() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("bad.db")), mode: .create)
            try await driver.execute(unsafeSQL: "CREATE TABLE t (id INTEGER PRIMARY KEY, secret TEXT UNIQUE)")
            try await driver.execute(unsafeSQL: "INSERT INTO t (secret) VALUES (?)", bindings: [.text("hunter2")])
            let error = await #expect(throws: GodwitError.self) {
                try await driver.execute(unsafeSQL: "INSERT INTO t (secret) VALUES (?)", bindings: [.text("hunter2")])
            }
            #expect(error?.description == "SQLite rejected a statement at \(directory.path("bad.db")): UNIQUE constraint failed: t.secret.")
            #expect(error?.description.contains("hunter2") == false)
            try await driver.close()
        }
    }
}

/// Records what a paging consumer saw.
final class PageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var pages: [[Row]] = []

    func record(_ page: [Row]) {
        lock.lock()
        pages.append(page)
        lock.unlock()
    }

    var sizes: [Int] { lock.withLock { pages.map(\.count) } }
    var first: Row? { lock.withLock { pages.first?.first } }
    var ids: [Int64] { lock.withLock { pages.flatMap { $0.compactMap { $0[0].integerValue } } } }
}

@Suite("SQLite streaming cancellation")
struct SQLiteStreamingCancellationTests {
    @Test("Cancelling the task that reads a stream stops it with CancellationError; the connection stays usable")
    func cancel() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("cancel.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE t (id INTEGER PRIMARY KEY);
                WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000) INSERT INTO t SELECT i FROM c;
                """)
            let pages = PageLog()
            let reader = Task {
                try await driver.forEachPage(unsafeSQL: "SELECT id FROM t", bindings: [], pageSize: 10) { page in
                    pages.record(page)
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            while pages.sizes.count < 3 { try await Task.sleep(for: .milliseconds(5)) }
            reader.cancel()
            let result = await reader.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(pages.sizes.count < 10_000)
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(100000))
            try await driver.close()
        }
    }
}

@Suite("Row checksums on SQLite")
struct DigestTamperingSQLiteTests {
    @Test("Same rows in any order digest alike; a changed value, a NULL, a deleted row and swapped values each change it")
    func tampering() async throws {
        try await TemporaryDirectory.with { directory in
            let problems = try await DigestTampering.check(.sqlite(.init(path: directory.path("digest.db"))))
            #expect(problems == [])
        }
    }
}
