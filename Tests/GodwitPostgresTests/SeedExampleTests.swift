import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// The strategy template's example (examples/users-v2/postgres): planned as expand/contract, applied forward on
/// real data, references checked, and rolled back to identical.
@Suite("The strategy template example on PostgreSQL")
struct SeedExampleTests {
    static let example = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/users-v2/postgres")

    @Test("The Markdown plan matches examples/users-v2/postgres/plan.md")
    func goldenPlan() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TestPostgres.load(Self.example.appendingPathComponent("schema.sql"), into: endpoint)
            try await TestPostgres.load(Self.example.appendingPathComponent("data.sql"), into: endpoint)
            try await TestPostgres.execute(endpoint, "ANALYZE")
            let planned = try await MigrationPlanning.planAll(
                directory: Self.example.appendingPathComponent("migrations").path, database: .postgres(endpoint)
            )
            let root = Self.example.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/"
            let text = planned.map { PlanMarkdownRenderer(source: "postgres://app@db.example.com:5432/app").render($0.plan, against: $0.schemaBefore) }
                .joined(separator: "\n---\n\n").replacingOccurrences(of: root, with: "")
            let file = Self.example.appendingPathComponent("plan.md")
            if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" { try text.write(to: file, atomically: true, encoding: .utf8) }
            #expect(text == (try String(contentsOf: file, encoding: .utf8)))
        }
    }

    @Test("Both migrations run forward, orders follow their users' UUIDs, and rollback returns to identical")
    func forwardAndBack() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TestPostgres.load(Self.example.appendingPathComponent("schema.sql"), into: endpoint)
            try await TestPostgres.load(Self.example.appendingPathComponent("data.sql"), into: endpoint)
            let url = DatabaseURL.postgres(endpoint)
            let planned = try await MigrationPlanning.planAll(directory: Self.example.appendingPathComponent("migrations").path, database: url)
            #expect(planned.count == 3)
            for item in planned where item.plan.migration.downtime == .zero {
                #expect(Linter().lint(item.plan.migration, plan: item.plan, against: item.schemaBefore).filter { $0.severity == .error }.isEmpty)
                #expect(item.plan.steps.filter { $0.phase < .contract }.allSatisfy { $0.isOnline })
            }
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.execute(unsafeSQL: "SET TIME ZONE 'UTC'")
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startDump = try await TestPostgres.schemaDump(endpoint)
            let startRows = try await driver.query(unsafeSQL: "SELECT u.id::text, u.name, u.created_at::text, o.id::text, o.total::text FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id")

            // Migration 001 up to its backfill; old code then writes an order without user_uuid,
            // which the fill trigger completes; then the rest.
            try await PlanStepRunner().forward(planned[0].plan, through: .backfill, on: driver)
            try await driver.execute(unsafeSQL: "INSERT INTO orders (user_id, total) VALUES (2, 9.50)")
            let filled = try await driver.query(unsafeSQL: "SELECT count(*) FROM orders o JOIN users u ON u.uuid = o.user_uuid WHERE o.total = 9.50")
            #expect(filled.first?[0] == .integer(1))
            try await driver.execute(unsafeSQL: "DELETE FROM orders WHERE total = 9.50")
            try await PlanStepRunner().forward(planned[0].plan, from: .verify, through: .contract, on: driver)
            for item in planned.dropFirst() { try await PlanStepRunner().forward(item.plan, through: .contract, on: driver) }
            let after = try await driver.inspect(InspectionOptions()).removingStatistics()
            let users = try #require(after.table(named: QualifiedName(schema: "public", "users")))
            #expect(users.column(named: "id")?.type == "uuid")
            #expect(users.column(named: "id")?.defaultExpression == "gen_random_uuid()")
            #expect(users.primaryKey?.columns == ["id"])
            #expect(users.column(named: "legacy_id")?.type == "integer")
            #expect(users.column(named: "full_name")?.isNullable == false)
            #expect(users.column(named: "created_at")?.type == "timestamp with time zone")
            #expect(Set(users.indexes.map(\.name)).isSuperset(of: ["users_uuid_key", "idx_users_email", "idx_users_created"]))
            let orders = try #require(after.table(named: QualifiedName(schema: "public", "orders")))
            #expect(orders.foreignKeys.map(\.name) == ["orders_user_id_fkey"])
            #expect(orders.foreignKeys.first?.referencedColumns == ["id"])
            #expect(orders.column(named: "user_id")?.type == "uuid")
            let followed = try await driver.query(unsafeSQL: "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE u.legacy_id = o.legacy_user_id")
            #expect(followed.first?[0] == .integer(5))
            let converted = try await driver.query(unsafeSQL: "SELECT created_at::text FROM users WHERE email = 'john@example.com'")
            #expect(converted.first?[0] == .text("2024-01-01 12:00:00+00"))

            for item in planned.reversed() { try await PlanStepRunner().reverse(item.plan, through: .contract, on: driver) }
            #expect(try await driver.inspect(InspectionOptions()).removingStatistics() == start)
            #expect(try await TestPostgres.schemaDump(endpoint) == startDump)
            #expect(try await driver.query(unsafeSQL: "SELECT u.id::text, u.name, u.created_at::text, o.id::text, o.total::text FROM users u JOIN orders o ON o.user_id = u.id ORDER BY o.id") == startRows)
            try await driver.close()
        }
    }
}
