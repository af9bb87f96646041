import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// What PostgreSQL's `EXPLAIN (FORMAT JSON)` says about a query, read as the baseline reads it,
/// on a real server: with values, and without (the generic plan of a prepared statement).
@Suite("PostgreSQL query plans")
struct PostgresQueryPlanTests {
    @Test("Index scans name their index, with values and generically; a filter on an unindexed column is a sequential scan")
    func plans() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer, note text);
                    INSERT INTO orders SELECT n, n % 500, 'n' || n FROM generate_series(1, 20000) n;
                    CREATE INDEX idx_orders_customer ON orders (customer_id);
                    ANALYZE orders;
                    """)
                let dialect = driver.dialect
                func plan(_ sql: String, _ bindings: [DatabaseValue], generic: Bool = false) async throws -> QueryPlan {
                    let statements = try #require(dialect.explain(sql, generic: generic))
                    try await driver.execute(unsafeSQL: "BEGIN")
                    for statement in statements.before { try await driver.execute(unsafeSQL: statement) }
                    let rows = try await driver.query(unsafeSQL: statements.explain, bindings: statements.bindsParameters ? bindings : [])
                    try await driver.execute(unsafeSQL: "ROLLBACK")
                    return dialect.queryPlan(from: rows)
                }
                let lookup = try await plan("SELECT id FROM orders WHERE customer_id = $1", [.integer(4)])
                #expect(lookup.indexes == ["idx_orders_customer"], "\(lookup)")
                #expect(lookup.nodes.contains { $0.contains("Index") || $0.contains("Bitmap") })
                let generic = try await plan("SELECT id FROM orders WHERE customer_id = $1", [], generic: true)
                #expect(generic.indexes == ["idx_orders_customer"], "\(generic)")
                let scan = try await plan("SELECT count(*) FROM orders WHERE note = $1", [.text("n7")])
                #expect(scan.sequentialScans == ["orders"] && scan.indexes.isEmpty, "\(scan)")
            }
        }
    }

    @Test("The plan JSON is read through nested nodes; rows that are no plan give an empty one")
    func parsing() {
        let json = #"[{"Plan": {"Node Type": "Nested Loop", "Plans": [{"Node Type": "Seq Scan", "Relation Name": "customers"}, {"Node Type": "Index Only Scan", "Index Name": "orders_pkey", "Relation Name": "orders"}]}}]"#
        let plan = PostgresDialect().queryPlan(from: [Row(columns: ["QUERY PLAN"], values: [.text(json)])])
        #expect(plan == QueryPlan(nodes: ["Nested Loop", "Seq Scan", "Index Only Scan"], indexes: ["orders_pkey"], sequentialScans: ["customers"]))
        #expect(PostgresDialect().queryPlan(from: []) == QueryPlan(nodes: [], indexes: [], sequentialScans: []))
    }
}
