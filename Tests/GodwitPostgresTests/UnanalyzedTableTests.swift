import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTesting
import Testing

@Suite("Tables never analyzed")
struct UnanalyzedTableTests {
    @Test("A table never analyzed is not taken for empty: its rows come from the statistics counter or are said to be unknown, never 0")
    func neverAnalyzed() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let writer = try await PostgresDriver.connect(endpoint)
            // Keep this session's counts out of the statistics where the role may (a superuser),
            // so the reading below sees what a reading right after a bulk load sees.
            _ = try? await writer.execute(unsafeSQL: "SET track_counts = off")
            for statement in [
                "CREATE TABLE orders (id int PRIMARY KEY, status text) WITH (autovacuum_enabled = false)",
                "INSERT INTO orders SELECT g, 'new' FROM generate_series(1, 5000) AS g",
                "CREATE TABLE empty_one (id int PRIMARY KEY) WITH (autovacuum_enabled = false)",
            ] { try await writer.execute(unsafeSQL: statement) }
            let reader = try await PostgresDriver.connect(endpoint)
            let schema = try await reader.inspect(InspectionOptions())
            let orders = schema.table(named: QualifiedName(schema: "public", "orders"))?.statistics?.rowCount
            #expect(orders == nil || orders == 5000, "read \(String(describing: orders)) rows")
            #expect(schema.table(named: QualifiedName(schema: "public", "empty_one"))?.statistics?.rowCount == 0)

            let migration = try MigrationFileParser().parse("""
                name: widen
                downtime: window
                operations:
                  - alter_column: {table: orders, column: status, type: varchar(40)}
                """, file: "widen.yaml", defaultID: "1")
            let assessment = MigrationAssessment(migration, engine: .postgresql, schema: schema)
            let facts = StrategySelector.decide(migration, assessment).facts
            #expect(!facts.contains { $0.contains("about 0 rows") }, "\(facts)")
            if orders == nil {
                #expect(facts.contains { $0.contains("rows are not known (no statistics yet: run ANALYZE") }, "\(facts)")
            }
            try await reader.execute(unsafeSQL: "ANALYZE orders")
            let analyzed = try await reader.inspect(InspectionOptions())
            #expect(analyzed.table(named: QualifiedName(schema: "public", "orders"))?.statistics?.rowCount == 5000)
            try await writer.close()
            try await reader.close()
        }
    }
}
