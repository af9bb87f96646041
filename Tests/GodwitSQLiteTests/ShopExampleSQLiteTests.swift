import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("The shop example on SQLite")
struct ShopExampleSQLiteTests {
    @Test("diff names the 9% NULL statuses and fills them first, picks downtime: minutes for the rebuilds; the migration rehearses, applies, verifies and rolls back to identical")
    func shop() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: ShopExample.schema(.sqlite)) }
            let (problems, yaml) = try await ShopExample.checkDiff(on: url)
            #expect(problems == [])
            let migrations = directory.path("migrations")
            try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
            try yaml.write(toFile: migrations + "/001_shop_v2.yaml", atomically: true, encoding: .utf8)
            let before = try await DatabaseState.of(url)

            let planned = try #require(try await MigrationPlanning.planAll(directory: migrations, database: url).first)
            // NOT NULL on status and the wider total: one rebuild of orders, not two.
            let rebuilds = planned.plan.steps.filter { $0.forward.contains { $0.hasPrefix("CREATE TABLE _godwit_new_orders") } }
            #expect(rebuilds.count == 1, "\(planned.plan.steps.map(\.title))")
            #expect(rebuilds.first?.checks.map(\.name).contains("no NULL in status") == true)
            let errors = Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
                .filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(errors.map(\.message))")
            let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: migrations)
            #expect(rehearsal.isGo, "\(rehearsal.problems)")
            // The archives stay for the retention window, so the rollback can restore from them.
            var settings = SQLCorpus.settings
            settings.retention = 86_400
            let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: migrations)
            #expect(outcome.ran == ["001"])
            let count = { (sql: String) in try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: sql).first?[0].integerValue } }
            #expect(try await count("SELECT count(*) FROM orders WHERE status = 'new'") == ShopExample.nullStatuses)
            #expect(try await count("SELECT count(*) FROM customers WHERE full_name LIKE 'customer %'") == Int64(ShopExample.customers))
            #expect(try await OnDemandVerification.run(url: url).allSatisfy(\.passed))
            let (_, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
            #expect(report.passed)
            #expect(try await DatabaseState.of(url) == before)
        }
    }
}
