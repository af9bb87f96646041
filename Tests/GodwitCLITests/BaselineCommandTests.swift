import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The application's performance baseline, on both engines: captured from a queries file,
/// replayed by `rehearse` before and after a migration and after its rollback, and compared with
/// the live database by `verify --baseline` after a real apply.
@Suite("Performance baseline")
struct BaselineCommandTests {
    /// 300,000 orders over 20,000 customers, looked up by customer through an index: without the
    /// index the lookup reads the whole table, well past 1.5× and +5 ms.
    static let orders = 300_000

    static let queries = """
        queries:
          - name: orders of a customer
            sql: SELECT id, total FROM orders WHERE customer_id = $1
            params: [42]
          - name: biggest order
            sql: SELECT max(total) FROM orders WHERE id < $1
            params: [1000]
          - name: order by note
            sql: SELECT count(*) FROM orders WHERE note = $1
            params: ['n42']

        """

    /// The column change and the index drop; `withIndexDrop: false` is the same change alone.
    static func migration(withIndexDrop: Bool, accepting: Bool = false) -> String {
        var text = """
            name: Orders channel
            downtime: zero
            operations:
              - add_column: {table: orders, column: {name: channel, type: text}}

            """
        if withIndexDrop { text += "  - drop_index: {table: orders, name: idx_orders_customer}\n" }
        if accepting { text += "accept_regressions:\n  - {query: orders of a customer, reason: the customer page moves to the search service this week}\n" }
        return text
    }

    static func setup(_ url: DatabaseURL) async throws {
        let rows = Self.orders
        let script = url.engine == .sqlite
            ? """
              CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id integer NOT NULL, total integer NOT NULL, note text);
              WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(rows))
              INSERT INTO orders (customer_id, total, note) SELECT n % 20000, n % 977, 'n' || (n % 5000) FROM g;
              CREATE INDEX idx_orders_customer ON orders (customer_id);
              ANALYZE;
              """
            : """
              CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, total integer NOT NULL, note text);
              INSERT INTO orders SELECT n, n % 20000, n % 977, 'n' || (n % 5000) FROM generate_series(1, \(rows)) n;
              CREATE INDEX idx_orders_customer ON orders (customer_id);
              ANALYZE orders;
              """
        try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: script) }
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The rehearsals here are judged by plan (a lost index that turns a lookup into a whole-table
    /// read is a regression whatever the clock says); the clock's own verdicts are the subject
    /// of `PerformanceComparisonTests`. A wide slack keeps tests running beside this one on a
    /// two-core machine from slowing a full-table query by the default 5 ms and 1.5×.
    static let slack = ["--regression-slack", "100ms"]

    static func run(on url: DatabaseURL, in directory: TemporaryDirectory) async throws {
        try await setup(url)
        let db = url.unredactedString
        try write(queries, to: directory.path("queries.yaml"))
        let baselineFile = directory.path("baseline.json")

        let captured = try await GodwitBinary.run(["baseline", "capture", "--db", db, "--queries", directory.path("queries.yaml"),
                                                   "--runs", "7", "--output", baselineFile])
        #expect(captured.status == 0, "\(captured.standardError)")
        #expect(captured.standardOutput.contains("Captured 3 queries into \(baselineFile)"), "\(captured.standardOutput)")
        let baseline = try PerformanceBaseline.load(baselineFile)
        let lookup = try #require(baseline.queries.first { $0.name == "orders of a customer" })
        #expect(lookup.plan?.indexes == ["idx_orders_customer"], "\(String(describing: lookup.plan))")
        #expect(lookup.timing?.runs == 7)
        #expect(lookup.parameters == [.integer(42)])
        #expect(baseline.queries.first { $0.name == "order by note" }?.plan?.sequentialScans == ["orders"])
        #expect(!captured.standardOutput.contains("n42"), "a sample value was echoed")

        // The live database meets its own baseline.
        let steady = try await GodwitBinary.run(["verify", "--db", db, "--baseline", baselineFile] + slack)
        #expect(steady.status == 0, "\(steady.standardOutput)\(steady.standardError)")
        #expect(steady.standardOutput.contains("| **Meets or exceeds the baseline** | **yes** |"))

        // The column change with the index drop: no-go, naming the query, the lost index, the ratio.
        try write(migration(withIndexDrop: true), to: directory.path("dropping/001_orders_channel.yaml"))
        let dropping = try await GodwitBinary.run(["rehearse", directory.path("dropping"), "--db", db, "--baseline", baselineFile] + slack)
        #expect(dropping.status == 2, "\(dropping.standardOutput)\(dropping.standardError)")
        let problem = dropping.standardOutput.split(separator: "\n").first { $0.hasPrefix("- Query 'orders of a customer' is slower after apply: ") }
        #expect(problem?.contains("index idx_orders_customer no longer used") == true, "\(dropping.standardOutput)")
        #expect(problem?.contains("orders read whole (sequential scan)") == true)
        #expect(problem.map { $0.range(of: #"ms → [0-9.]+ ms \([0-9.]+×"#, options: .regularExpression) != nil } == true, "no time ratio: \(String(describing: problem))")
        #expect(dropping.standardOutput.contains("| **Verdict** | **NO-GO** |"))
        // The rollback brings the index back: after rollback the query meets the baseline again.
        #expect(dropping.standardOutput.contains("| after rollback | orders of a customer |"))
        #expect(!dropping.standardOutput.contains("is slower after rollback"), "\(dropping.standardOutput)")
        // The queries the change does not touch meet the baseline.
        #expect(!dropping.standardOutput.contains("Query 'biggest order'"))

        // The same change without the index drop: go.
        try write(migration(withIndexDrop: false), to: directory.path("keeping/001_orders_channel.yaml"))
        let keeping = try await GodwitBinary.run(["rehearse", directory.path("keeping"), "--db", db, "--baseline", baselineFile] + slack)
        #expect(keeping.status == 0, "\(keeping.standardOutput)\(keeping.standardError)")
        #expect(keeping.standardOutput.contains("## Performance against the baseline"))
        #expect(keeping.standardOutput.contains("| after apply | orders of a customer |"))
        #expect(keeping.standardOutput.contains("| none | meets the baseline |"))

        // Accepted in the file, with its reason: go, and the report says so.
        try write(migration(withIndexDrop: true, accepting: true), to: directory.path("accepting/001_orders_channel.yaml"))
        let accepting = try await GodwitBinary.run(["rehearse", directory.path("accepting"), "--db", db, "--baseline", baselineFile] + slack)
        #expect(accepting.status == 0, "\(accepting.standardOutput)\(accepting.standardError)")
        #expect(accepting.standardOutput.contains("slower, accepted: the customer page moves to the search service this week"))

        // Applied for real: verify --baseline says the lookup no longer meets the baseline (exit 2).
        let applied = try await GodwitBinary.run(["apply", directory.path("dropping"), "--db", db, "--yes", "--unrehearsed", "--retention", "0s"])
        #expect(applied.status == 0, "\(applied.standardError)")
        let after = try await GodwitBinary.run(["verify", directory.path("dropping"), "--db", db, "--baseline", baselineFile, "--format", "json"] + slack)
        #expect(after.status == 2, "\(after.standardOutput)\(after.standardError)")
        let report = try JSONSerialization.jsonObject(with: Data(after.standardOutput.utf8)) as? [String: Any]
        let lookupNow = (report?["queries"] as? [[String: Any]])?.first { $0["name"] as? String == "orders of a customer" }
        #expect(lookupNow?["regressed"] as? Bool == true)
        #expect(lookupNow?["lostIndexes"] as? [String] == ["idx_orders_customer"])
    }

    @Test("SQLite: capture, a rehearsal that loses the index is no-go naming query, index and ratio; without the drop it is go; verify --baseline after apply")
    func sqlite() async throws {
        try await TemporaryDirectory.with { directory in
            try await Self.run(on: try DatabaseURL(parsing: "sqlite:" + directory.path("shop.db")), in: directory)
        }
    }

    @Test("PostgreSQL: capture, a rehearsal that loses the index is no-go naming query, index and ratio; without the drop it is go; verify --baseline after apply")
    func postgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                try await Self.run(on: .postgres(endpoint), in: directory)
            }
        }
    }

    @Test("PostgreSQL with pg_stat_statements: the top reading statements are captured with the server's statistics and their generic plans; a lost index is judged by plan")
    func statementStatistics() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let url = DatabaseURL.postgres(endpoint)
                try await Self.setup(url)
                try await DatabaseConnector.withDriver(url) { driver in
                    try await driver.execute(unsafeSQL: "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                    _ = try await driver.query(unsafeSQL: "SELECT pg_stat_statements_reset()::text")
                    // The application at work: the same lookup with different customers.
                    for customer in 1...5 {
                        _ = try await driver.query(unsafeSQL: "SELECT id, total FROM orders WHERE customer_id = $1", bindings: [.integer(Int64(customer))])
                    }
                }
                let baselineFile = directory.path("baseline.json")
                let captured = try await GodwitBinary.run(["baseline", "capture", "--db", url.unredactedString, "--top", "5", "--runs", "3", "--output", baselineFile])
                #expect(captured.status == 0, "\(captured.standardError)")
                let baseline = try PerformanceBaseline.load(baselineFile)
                let statement = try #require(baseline.queries.first { $0.source == .statementStatistics && $0.sql.contains("customer_id = $1") },
                                             "\(baseline.queries.map(\.sql))")
                #expect((statement.statistics?.calls ?? 0) >= 5)
                #expect(statement.timing == nil, "a statement without sample values is not timed")
                #expect(!baseline.queries.contains { $0.sql.localizedCaseInsensitiveContains("pg_stat_statements") || $0.sql.contains("godwit") })
                // Planned without values: prepared, with the generic plan forced.
                #expect(statement.plan?.indexes == ["idx_orders_customer"], "\(String(describing: statement.plan))")

                try Self.write(Self.migration(withIndexDrop: true), to: directory.path("dropping/001_orders_channel.yaml"))
                let rehearsal = try await GodwitBinary.run(["rehearse", directory.path("dropping"), "--db", url.unredactedString, "--baseline", baselineFile] + Self.slack)
                #expect(rehearsal.status == 2, "\(rehearsal.standardOutput)")
                #expect(rehearsal.standardOutput.contains("is slower after apply: index idx_orders_customer no longer used"), "\(rehearsal.standardOutput)")
                #expect(!rehearsal.standardOutput.contains("is slower after rollback"), "\(rehearsal.standardOutput)")
            }
        }
    }

    @Test("Bad input: a writing query, a missing sample value, a duplicate name, an unreadable baseline — each a clear error")
    func badInput() async throws {
        try await TemporaryDirectory.with { directory in
            let db = "sqlite:" + directory.path("shop.db")
            try await Self.setup(try DatabaseURL(parsing: db))
            let cases: [(String, String)] = [
                ("queries:\n  - {name: purge, sql: \"DELETE FROM orders\"}\n", "only reading queries are replayed"),
                ("queries:\n  - {name: one, sql: \"SELECT * FROM orders WHERE id = $2\", params: [1]}\n", "uses $2 but `params` gives 1 values"),
                ("queries:\n  - {name: one, sql: \"SELECT 1\"}\n  - {name: one, sql: \"SELECT 2\"}\n", "the name 'one' is used twice"),
                ("queries:\n  - {name: gone, sql: \"SELECT missing FROM orders\"}\n", "A baseline query fails on the database"),
            ]
            for (text, expected) in cases {
                try Self.write(text, to: directory.path("q.yaml"))
                let result = try await GodwitBinary.run(["baseline", "capture", "--db", db, "--queries", directory.path("q.yaml"), "--output", directory.path("b.json")])
                #expect(result.status != 0 && result.standardError.contains(expected), "\(expected): \(result.standardError)")
                #expect(!FileManager.default.fileExists(atPath: directory.path("b.json")))
            }
            try Self.write("{}", to: directory.path("broken.json"))
            let broken = try await GodwitBinary.run(["verify", "--db", db, "--baseline", directory.path("broken.json")])
            #expect(broken.status == 64 && broken.standardError.contains("Not a performance baseline"), "\(broken.standardError)")
        }
    }
}
