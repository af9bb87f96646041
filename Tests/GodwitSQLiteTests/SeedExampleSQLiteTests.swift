import Foundation
import GodwitCore
import GodwitEngine
import GodwitSQLite
import GodwitTesting
import Testing

/// The strategy template's example on SQLite (examples/users-v2/sqlite): rebuild plans, applied on real data,
/// rolled back to identical.
@Suite("The strategy template example on SQLite")
struct SeedExampleSQLiteTests {
    static let example = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/users-v2/sqlite")

    @Test("The Markdown plan matches examples/users-v2/sqlite/plan.md")
    func goldenPlan() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("seed.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: try String(contentsOf: Self.example.appendingPathComponent("schema.sql"), encoding: .utf8))
            try await driver.executeScript(unsafeSQL: try String(contentsOf: Self.example.appendingPathComponent("data.sql"), encoding: .utf8))
            try await driver.close()
            let planned = try await MigrationPlanning.planAll(directory: Self.example.appendingPathComponent("migrations").path,
                                                              database: .sqlite(.init(path: directory.path("seed.db"))))
            let root = Self.example.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path + "/"
            let text = planned.map { PlanMarkdownRenderer(source: "sqlite:app.db").render($0.plan, against: $0.schemaBefore) }
                .joined(separator: "\n---\n\n").replacingOccurrences(of: root, with: "")
            let file = Self.example.appendingPathComponent("plan.md")
            if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" { try text.write(to: file, atomically: true, encoding: .utf8) }
            #expect(text == (try String(contentsOf: file, encoding: .utf8)))
        }
    }

    @Test("Both migrations run forward with table rebuilds, orders follow UUIDs, rollback returns to identical")
    func forwardAndBack() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("seed.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: try String(contentsOf: Self.example.appendingPathComponent("schema.sql"), encoding: .utf8))
            try await driver.executeScript(unsafeSQL: try String(contentsOf: Self.example.appendingPathComponent("data.sql"), encoding: .utf8))
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startData = try await DataSnapshot.take(driver, tables: start.tables)
            try await driver.close()

            let url = DatabaseURL.sqlite(.init(path: directory.path("seed.db")))
            let planned = try await MigrationPlanning.planAll(directory: Self.example.appendingPathComponent("migrations").path, database: url)
            #expect(planned.count == 2)
            #expect(planned.allSatisfy { $0.plan.steps.contains { $0.title.hasPrefix("Rebuild") } })
            for item in planned {
                #expect(Linter().lint(item.plan.migration, plan: item.plan, against: item.schemaBefore).filter { $0.suppressedBecause == nil && $0.severity >= .warning }.isEmpty)
            }
            try await DatabaseConnector.withDriver(url) { driver in
                for item in planned { try await PlanStepRunner().forward(item.plan, through: .contract, on: driver) }
                let after = try await driver.inspect(InspectionOptions())
                let users = try #require(after.table(named: QualifiedName("users")))
                #expect(users.column(named: "full_name")?.isNullable == false)
                #expect(users.indexes.map(\.name).contains("users_uuid_key"))
                #expect(after.table(named: QualifiedName("orders"))?.foreignKeys.contains { $0.columns == ["user_uuid"] } == true)
                let followed = try await driver.query(unsafeSQL: "SELECT count(*) FROM orders o JOIN users u ON u.uuid = o.user_uuid AND u.id = o.user_id")
                #expect(followed.first?[0] == .integer(5))
                #expect(try await driver.query(unsafeSQL: "SELECT created_at FROM users WHERE id = 1").first?[0] == .text("2024-01-01T12:00:00Z"))
                #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM pragma_foreign_key_check").first?[0] == .integer(0))

                for item in planned.reversed() { try await PlanStepRunner().reverse(item.plan, through: .contract, on: driver) }
                let back = try await driver.inspect(InspectionOptions()).removingStatistics()
                #expect(back == start)
                #expect(try await DataSnapshot.take(driver, tables: back.tables) == startData)
            }
        }
    }
}
