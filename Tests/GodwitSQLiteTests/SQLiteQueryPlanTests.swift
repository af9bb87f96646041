import GodwitCore
import GodwitEngine
import GodwitSQLite
import GodwitTesting
import Testing

/// What SQLite's `EXPLAIN QUERY PLAN` says about a query, read as the baseline reads it, on a
/// real database: the index a lookup uses, the table a filter on an unindexed column reads whole.
@Suite("SQLite query plans")
struct SQLiteQueryPlanTests {
    @Test("A lookup by an indexed column names the index; an unindexed filter reads the table; the rowid is no index")
    func plans() async throws {
        try await TemporaryDirectory.with { directory in
            let url = try DatabaseURL(parsing: "sqlite:" + directory.path("plans.db"))
            try await DatabaseConnector.withDriver(url, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id integer, note text);
                    CREATE INDEX idx_orders_customer ON orders (customer_id);
                    """)
                let dialect = driver.dialect
                func plan(_ sql: String, _ bindings: [DatabaseValue] = []) async throws -> QueryPlan {
                    let statements = try #require(dialect.explain(sql, generic: bindings.isEmpty))
                    let values = bindings.isEmpty ? [DatabaseValue.null] : bindings
                    return dialect.queryPlan(from: try await driver.query(unsafeSQL: statements.explain, bindings: statements.bindsParameters ? values : []))
                }
                let lookup = try await plan("SELECT id FROM orders WHERE customer_id = $1", [.integer(4)])
                #expect(lookup.indexes == ["idx_orders_customer"] && lookup.sequentialScans.isEmpty, "\(lookup)")
                let scan = try await plan("SELECT count(*) FROM orders WHERE note = $1", [.text("x")])
                #expect(scan.sequentialScans == ["orders"] && scan.indexes.isEmpty, "\(scan)")
                let byKey = try await plan("SELECT note FROM orders WHERE id = $1", [.integer(1)])
                #expect(byKey.indexes.isEmpty && byKey.sequentialScans.isEmpty, "\(byKey)")
                // Without values (NULL bound): SQLite plans the same.
                #expect(try await plan("SELECT id FROM orders WHERE customer_id = $1").indexes == ["idx_orders_customer"])
            }
        }
    }
}
