import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The SQL corpus on real SQLite files: planned from a scratch run in memory, rehearsed, applied
/// and rolled back.
@Suite("SQL corpus on SQLite")
struct SQLCorpusSQLiteTests {
    static func withBase<T>(_ body: (DatabaseURL) async throws -> T) async throws -> T {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: try SQLCorpus.base(.sqlite)) }
            return try await body(url)
        }
    }

    static func schema(_ url: DatabaseURL) async throws -> Schema {
        try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
    }

    @Test("The chain: each file planned from what it does, rehearsed to go, applied with its target verified, rolled back to identical")
    func chain() async throws {
        try await Self.withBase { url in
            let directory = SQLCorpus.chain(.sqlite)
            let before = try await Self.schema(url), digests = try await DatabaseDigests.all(url)
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            #expect(planned.count == 16)
            for item in planned {
                let effect = try #require(item.plan.migration.operations.first?.effect, "\(item.plan.migration.id) was not run on a scratch copy")
                #expect(effect.reversal == .identical, "\(item.plan.migration.id): \(effect.reversal.summary)")
                #expect(effect.changesSchema, "\(item.plan.migration.id) changed nothing on the scratch")
            }
            let rebuild = try #require(planned.first { $0.plan.migration.id == "007" })
            #expect(rebuild.plan.steps.map(\.isTransactional) == [false, true, false], "PRAGMA foreign_keys runs outside the transaction")
            // The file switches keys itself: Godwit adds no switch of its own, checks the keys
            // of the part run while they are off, and leaves them on after the last part.
            #expect(rebuild.plan.steps.map(\.setup) == [[], [], []])
            #expect(rebuild.plan.steps.map { $0.checks.map(\.sql) } == [[], ["SELECT count(*) FROM pragma_foreign_key_check"], []])
            #expect(rebuild.plan.steps.last?.teardown == ["PRAGMA foreign_keys = ON"])
            // Schema changes with no switch of their own run with keys off around them, checked before the commit.
            let framed = try #require(planned.first { $0.plan.migration.id == "006" })
            #expect(framed.plan.steps.map(\.setup) == [["PRAGMA foreign_keys = OFF"]])
            #expect(framed.plan.steps.map(\.teardown) == [["PRAGMA foreign_keys = ON"]])

            let rehearsal = try await Rehearsal(url: url).run(directory: directory)
            #expect(rehearsal.isGo, "\(rehearsal.problems)")

            let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory)
            #expect(outcome.ran.count == 16)
            #expect(try await MigrationPlanning.planAll(directory: directory, database: url).isEmpty)
            for _ in 0..<16 {
                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(report.passed, "rollback of \(id): \(report.failures)")
            }
            #expect(try await Self.schema(url) == before)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    /// Two related tables rebuilt the way many projects write it (stash's, for one): both moved
    /// aside, new ones made under their names, rows copied, the old ones dropped parent first.
    /// With foreign keys on, SQLite would rewrite the child's key to the moved parent and the
    /// parent's drop would fail on it.
    static let rebuildWithoutPragma = """
        -- Customers gain a vip flag; the rebuild switches no foreign keys itself.
        DROP VIEW order_totals;
        ALTER TABLE orders RENAME TO _orders_old;
        ALTER TABLE customers RENAME TO _customers_old;
        CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, vip INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id), status TEXT, total REAL);
        INSERT INTO customers (id, email, name, created_at) SELECT id, email, name, created_at FROM _customers_old;
        INSERT INTO orders (id, customer_id, status, total) SELECT id, customer_id, status, total FROM _orders_old;
        DROP TABLE _customers_old;
        DROP TABLE _orders_old;
        CREATE VIEW order_totals AS SELECT id, customer_id, total FROM orders;
        """

    @Test("A table rebuild written for foreign keys off, with no PRAGMA of its own, runs with keys off and checked: planned, rehearsed to go, applied with every row, rolled back to identical; a schema change that orphans rows fails at the key check and changes nothing")
    func rebuildWithKeysOff() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try Self.rebuildWithoutPragma.write(toFile: directory.path("001_vip.up.sql"), atomically: true, encoding: .utf8)
                try Self.rebuildWithoutPragma
                    .replacingOccurrences(of: ", vip INTEGER NOT NULL DEFAULT 0", with: "")
                    .replacingOccurrences(of: "Customers gain a vip flag", with: "Customers lose the vip flag")
                    .write(toFile: directory.path("001_vip.down.sql"), atomically: true, encoding: .utf8)
                let before = try await Self.schema(url), digests = try await DatabaseDigests.all(url)
                let planned = try #require(try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first)
                #expect(planned.plan.migration.operations.first?.effect?.reversal == .identical)
                #expect(planned.plan.steps.map(\.setup) == [["PRAGMA foreign_keys = OFF"]])
                #expect(planned.plan.steps.map(\.teardown) == [["PRAGMA foreign_keys = ON"]])
                #expect(planned.plan.steps.flatMap(\.checks).map(\.sql) == ["SELECT count(*) FROM pragma_foreign_key_check"])

                let rehearsal = try await Rehearsal(url: url).run(directory: directory.url.path)
                #expect(rehearsal.isGo, "\(rehearsal.problems)")
                let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path)
                #expect(outcome.ran == ["001"])
                let (customers, orders, orphans, keysOn) = try await DatabaseConnector.withDriver(url) { driver in
                    (try await driver.query(unsafeSQL: "SELECT count(*) FROM customers WHERE vip = 0").first?[0].integerValue,
                     try await driver.query(unsafeSQL: "SELECT count(*) FROM orders").first?[0].integerValue,
                     try await driver.query(unsafeSQL: "SELECT count(*) FROM pragma_foreign_key_check").first?[0].integerValue,
                     try await driver.query(unsafeSQL: "PRAGMA foreign_keys").first?[0].integerValue)
                }
                #expect(customers == 300 && orders == 900 && orphans == 0 && keysOn == 1)

                // A schema change beside a delete that leaves orders pointing nowhere: with keys
                // off the delete goes through, and the check before the commit stops it.
                let afterFirst = try await Self.schema(url), digestsAfterFirst = try await DatabaseDigests.all(url)
                try "ALTER TABLE customers ADD COLUMN note TEXT;\nDELETE FROM customers WHERE id = 1;\n"
                    .write(toFile: directory.path("002_orphans.up.sql"), atomically: true, encoding: .utf8)
                try "ALTER TABLE customers DROP COLUMN note;\n".write(toFile: directory.path("002_orphans.down.sql"), atomically: true, encoding: .utf8)
                await #expect { try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path) } throws: { error in
                    guard let error = error as? GodwitError else { return false }
                    return error.code == .integrityFailure && (error.reason ?? "").contains("foreign key points to no row") && (error.reason ?? "").hasSuffix(": 3 rows")
                }
                #expect(try await Self.schema(url) == afterFirst)
                #expect(try await DatabaseDigests.all(url) == digestsAfterFirst)
                try FileManager.default.removeItem(atPath: directory.path("002_orphans.up.sql"))
                try FileManager.default.removeItem(atPath: directory.path("002_orphans.down.sql"))
                // 002 failed before any step finished: nothing of it to roll back, named so.
                await #expect { try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback("002") } throws: { error in
                    (error as? GodwitError)?.reason == "it failed before any step finished, so nothing of it is in the database"
                }

                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(id == "001" && report.passed, "\(report.failures)")
                #expect(try await Self.schema(url) == before)
                #expect(try await DatabaseDigests.all(url) == digests)
            }
        }
    }

    @Test("A table the file creates is described whole under New Tables, its indexes with it, and not again as a modified table; a table it alters is")
    func newTablesWithTheirIndexes() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try """
                    CREATE TABLE coupons (id INTEGER PRIMARY KEY, code TEXT NOT NULL, customer_id INTEGER REFERENCES customers (id));
                    CREATE UNIQUE INDEX coupons_code ON coupons (code);
                    CREATE INDEX coupons_customer ON coupons (customer_id);
                    ALTER TABLE customers ADD COLUMN coupon_count INTEGER NOT NULL DEFAULT 0;
                    """.write(toFile: directory.path("001_coupons.up.sql"), atomically: true, encoding: .utf8)
                let planned = try #require(try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first)
                let markdown = PlanMarkdownRenderer(source: "test").render(planned.plan, against: planned.schemaBefore)
                let new = try #require(markdown.components(separatedBy: "### New Tables").last?.components(separatedBy: "### Modified Tables").first)
                let modified = try #require(markdown.components(separatedBy: "### Modified Tables").last?.components(separatedBy: "## Breaking").first)
                #expect(new.contains("#### Table: `coupons`") && new.contains("**Indexes**:\n- `coupons_code` (unique): code\n- `coupons_customer`: customer_id"), "\(new)")
                #expect(!modified.contains("coupons"), "\(modified)")
                #expect(modified.contains("#### Table: `customers`") && modified.contains("| ADD | `coupon_count` |"), "\(modified)")
            }
        }
    }

    @Test("A file of comments only does nothing and so has nothing to undo: applied and rolled back, not a point of no return")
    func commentsOnly() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try "-- The work moved to application code; nothing runs here.\n".write(toFile: directory.path("001_noop.up.sql"), atomically: true, encoding: .utf8)
                let planned = try #require(try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first)
                #expect(planned.plan.steps.map(\.reverse) == [[]])
                _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path)
                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(id == "001" && report.passed)
            }
        }
    }

    @Test("A schema statement that fails on the scratch copy names file:line:column; the database is unchanged")
    func failureNamesThePlace() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try "ALTER TABLE customers ADD COLUMN nickname TEXT;\nCREATE INDEX i ON nowhere (x);\n"
                    .write(toFile: directory.path("001_broken.up.sql"), atomically: true, encoding: .utf8)
                try "ALTER TABLE customers DROP COLUMN nickname;\n".write(toFile: directory.path("001_broken.down.sql"), atomically: true, encoding: .utf8)
                let before = try await Self.schema(url)
                await #expect { try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path) } throws: { error in
                    (error as? GodwitError)?.location == directory.path("001_broken.up.sql") + ":2:1"
                }
                #expect(try await Self.schema(url) == before)
            }
        }
    }

    @Test("Lint finds in the corpus exactly what its golden file lists, each at its statement")
    func lint() async throws {
        try await Self.withBase { url in
            let report = try await SQLCorpus.lintReport(SQLCorpus.chain(.sqlite), on: url) + ("")
            let (actual, expected) = try SQLCorpus.golden("sqlite/lint.golden", report)
            #expect(actual == expected, "rerun with GODWIT_UPDATE_GOLDEN=1 and review the diff")
        }
    }
}

@Suite("A down that gives a column back last, on SQLite")
struct ColumnOrderSQLiteTests {
    @Test("A dropped column added back at the end: the plan says up to column order; rehearsal goes, naming the table; rollback passes for it and for an older migration after it")
    func columnOrder() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ColumnOrderScenario.run(on: url, in: directory)
            #expect(problems == [])
        }
    }
}
