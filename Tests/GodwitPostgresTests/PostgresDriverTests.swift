import Foundation
import GodwitCore
@testable import GodwitPostgres
import GodwitTesting
import Testing

@Suite("PostgreSQL driver")
struct PostgresDriverTests {
    @Test("Values decode exactly as PostgreSQL prints them")
    func exactValues() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let expressions = [
                "12345678901234567890.000123456789::numeric", "-0.5::numeric(10,4)", "0::numeric", "'NaN'::numeric",
                "1e-20::numeric", "100000000::numeric", "'2024-02-29'::date", "'0044-03-15 BC'::date",
                "'1999-12-31 23:59:59.999999'::timestamp", "'1970-01-01 00:00:00'::timestamp", "'2000-01-01 00:00:00.5+00'::timestamptz",
                "'1900-06-01 12:00:00+00'::timestamptz", "'13:45:01.25'::time", "'infinity'::timestamp",
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "'{\"a\": [1, 2]}'::jsonb", "'{\"b\":1}'::json",
            ]
            let zone = "SET TIME ZONE 'UTC'"
            try await driver.execute(unsafeSQL: zone)
            let select = expressions.enumerated().map { "\($1) AS v\($0)" }.joined(separator: ", ")
            let asText = expressions.enumerated().map { "(\($1))::text AS v\($0)" }.joined(separator: ", ")
            let decoded = try #require(try await driver.query(unsafeSQL: "SELECT \(select)").first)
            let printed = try #require(try await driver.query(unsafeSQL: "SELECT \(asText)").first)
            for index in expressions.indices {
                #expect(decoded[index] == printed[index], "\(expressions[index])")
            }
            let scalars = try #require(try await driver.query(
                unsafeSQL: "SELECT true, 32767::int2, 2147483647::int4, 9223372036854775807::int8, 1.5::float8, 0.25::float4, '\\x00ff'::bytea, NULL::text, 'x'::varchar, 'y'::char(2)"
            ).first)
            #expect(scalars.values == [
                .integer(1), .integer(32767), .integer(2_147_483_647), .integer(Int64.max), .real(1.5), .real(0.25),
                .blob([0, 255]), .null, .text("x"), .text("y "),
            ])
            try await driver.close()
        }
    }

    @Test("Bound values of every storage class round-trip through a query")
    func bindings() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let row = try #require(try await driver.query(
                unsafeSQL: "SELECT $1::int8, $2::float8, $3::text, $4::bytea, $5::text",
                bindings: [.integer(-7), .real(2.5), .text("it's"), .blob([1, 2, 3]), .null]
            ).first)
            #expect(row.values == [.integer(-7), .real(2.5), .text("it's"), .blob([1, 2, 3]), .null])
            try await driver.close()
        }
    }

    @Test("Rows stream in pages; a consumer that throws stops the query and the connection stays usable")
    func pages() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let sizes = Counter()
            try await driver.forEachPage(unsafeSQL: "SELECT g FROM generate_series(1, 25000) AS g", bindings: [], pageSize: 1000) { page in
                sizes.add(page.count, last: page.last?[0].integerValue ?? 0)
            }
            #expect(sizes.values == Array(repeating: 1000, count: 25))
            #expect(sizes.lastSeen == 25000)
            struct Enough: Error {}
            await #expect(throws: Enough.self) {
                try await driver.forEachPage(unsafeSQL: "SELECT g FROM generate_series(1, 200000) AS g", bindings: [], pageSize: 100) { _ in
                    throw Enough()
                }
            }
            #expect(try await driver.query(unsafeSQL: "SELECT 41 + 1").first?[0] == .integer(42))
            try await driver.close()
        }
    }

    @Test("A transaction that throws is rolled back; one that returns is committed")
    func transactions() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.execute(unsafeSQL: "CREATE TABLE t (id int)")
            struct Failure: Error {}
            await #expect(throws: Failure.self) {
                try await driver.withTransaction {
                    try await driver.execute(unsafeSQL: "INSERT INTO t VALUES (1)")
                    throw Failure()
                }
            }
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(0))
            let inserted = try await driver.withTransaction { try await driver.execute(unsafeSQL: "INSERT INTO t VALUES (1), (2), (3)") }
            #expect(inserted == 3)
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM t").first?[0] == .integer(3))
            try await driver.close()
        }
    }

    @Test("A script stops at its first failing statement and says which one")
    func scriptFailure() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let error = await #expect(throws: GodwitError.self) {
                try await driver.executeScript(unsafeSQL: "CREATE TABLE a (id int);\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);")
            }
            #expect(error?.description == "PostgreSQL rejected a statement at statement 2 of 3 (CREATE TABLE a (id int)): relation \"a\" already exists (SQLSTATE 42P07).")
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_class WHERE relname = 'b'").first?[0] == .integer(0))
            try await driver.close()
        }
    }

    @Test("A rejected value is not quoted back in the error")
    func valueNotLeaked() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let error = await #expect(throws: GodwitError.self) {
                try await driver.query(unsafeSQL: "SELECT $1::int", bindings: [.text("card-4111111111111111")])
            }
            #expect(error?.description == "PostgreSQL rejected a statement: invalid input syntax for type integer (SQLSTATE 22P02).")
            try await driver.close()
        }
    }
}

@Suite("PostgreSQL scripts split by SQLScript")
struct PostgresScriptSplitterTests {
    @Test("Semicolons inside strings, identifiers, comments, dollar quotes and BEGIN ATOMIC do not split")
    func split() {
        let script = """
            -- leading comment; with a semicolon
            CREATE TABLE "we;ird" (v text DEFAULT 'a;b');
            SELECT E'it\\'s; fine', $1;
            /* block; /* nested; */ still comment; */ SELECT 2;
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 ELSE 2 END; SELECT 3; END;
            SELECT $$x;y$$
            """
        let statements = SQLScript.statements(in: script, engine: .postgresql).map(\.text)
        #expect(statements.count == 6)
        #expect(statements[0].hasSuffix("CREATE TABLE \"we;ird\" (v text DEFAULT 'a;b')"))
        #expect(statements[1] == "SELECT E'it\\'s; fine', $1")
        #expect(statements[2] == "SELECT 2", "a statement starts at its first token, after the comment")
        #expect(statements[3].hasSuffix("$body$ BEGIN RETURN 1; END $body$"))
        #expect(statements[4].hasSuffix("SELECT 3; END"))
        #expect(statements[5] == "SELECT $$x;y$$")
    }

    @Test("Empty statements and trailing comments are dropped")
    func empties() {
        #expect(SQLScript.statements(in: ";;\n-- only a comment\n", engine: .postgresql).isEmpty)
        #expect(SQLScript.statements(in: "SELECT 1;;SELECT 2", engine: .postgresql).map(\.text) == ["SELECT 1", "SELECT 2"])
    }
}

/// Collects page sizes from a consumer.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    private var last: Int64 = 0

    func add(_ size: Int, last: Int64) {
        lock.withLock {
            sizes.append(size)
            self.last = last
        }
    }

    var values: [Int] { lock.withLock { sizes } }
    var lastSeen: Int64 { lock.withLock { last } }
}
