import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Synchronization
import Testing

@Suite("The shop example on PostgreSQL")
struct ShopExamplePostgresTests {
    /// One application version inserting customers and orders in a loop, through the old
    /// (`name`) or the new (`full_name`, explicit status) columns, counting errors.
    final class Writer: Sendable {
        let isNewCode: Bool
        private let stopFlag = Mutex(false)
        private let state = Mutex<(writes: Int, errors: [String])>((0, []))

        init(isNewCode: Bool) { self.isNewCode = isNewCode }
        func stop() { stopFlag.withLock { $0 = true } }
        var writes: Int { state.withLock { $0.writes } }
        var errors: [String] { state.withLock { $0.errors } }

        func run(_ url: DatabaseURL) async throws {
            let driver = try await DatabaseConnector.open(url)
            var counter = 0
            while !stopFlag.withLock({ $0 }) {
                counter += 1
                do {
                    let name = "\(isNewCode ? "new" : "old") writer \(counter)"
                    let id = try await driver.query(unsafeSQL: "INSERT INTO customers (\(isNewCode ? "full_name" : "name")) VALUES ($1) RETURNING id",
                                                    bindings: [.text(name)]).first?[0].integerValue ?? 0
                    if isNewCode {
                        // Until contract the column is still integer: new code writes what fits.
                        try await driver.execute(unsafeSQL: "INSERT INTO orders (customer_id, status, total) VALUES ($1, 'paid', 2000000000)", bindings: [.integer(id)])
                    } else {
                        try await driver.execute(unsafeSQL: "INSERT INTO orders (customer_id, total) VALUES ($1, 7)", bindings: [.integer(id)])
                    }
                    state.withLock { $0.writes += 2 }
                } catch {
                    state.withLock { $0.errors.append("\(error)") }
                }
                try await Task.sleep(for: .milliseconds(3))
            }
            try await driver.close()
        }
    }

    @Test("diff names the 9% NULL statuses and fills them first; applied online, old and new code write with no error until the gate; approve; contract; rollback restores the schema and keeps every row")
    func shop() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: ShopExample.schema(.postgresql)) }
            let (problems, yaml) = try await ShopExample.checkDiff(on: url)
            #expect(problems == [])
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try yaml.write(toFile: directory.path("001_shop_v2.yaml"), atomically: true, encoding: .utf8)
            let before = try await DatabaseState.of(url)
            let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: directory.url.path)
            #expect(rehearsal.isGo, "\(rehearsal.problems)")

            var settings = SQLCorpus.settings
            settings.approveGates = false
            settings.retention = 86_400
            settings.batchSize = 500
            settings.batchPause = 0.002
            let old = Writer(isNewCode: false)
            let oldTask = Task { try await old.run(url) }
            try await Task.sleep(for: .milliseconds(100))
            let first = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            guard case .waiting(_, let reason) = first.stop, reason.contains("before contract") else {
                old.stop()
                try await oldTask.value
                Issue.record("apply did not stop at the gate before contract: \(first.stop)")
                return
            }
            // Both versions write side by side until the gate.
            let new = Writer(isNewCode: true)
            let newTask = Task { try await new.run(url) }
            try await Task.sleep(for: .milliseconds(800))
            old.stop()
            try await oldTask.value
            #expect(old.errors.isEmpty, "old code saw errors before the gate: \(old.errors.prefix(3))")
            #expect(old.writes > 20)

            // Old code is retired: approve, and contract runs while new code writes.
            _ = try await GateApproval.approve("001", url: url)
            let second = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            try await Task.sleep(for: .milliseconds(200))
            new.stop()
            try await newTask.value
            #expect(second.reports.allSatisfy { $0.passed })
            #expect(new.errors.isEmpty, "new code saw errors: \(new.errors.prefix(3))")
            let count = { (sql: String) in try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: sql).first?[0].integerValue } }
            #expect(try await count("SELECT count(*) FROM orders WHERE status IS NULL") == 0)
            // After contract the wide total is the column: an amount past the integer range fits.
            _ = try await DatabaseConnector.withDriver(url) { try await $0.execute(unsafeSQL: "INSERT INTO orders (customer_id, status, total) VALUES (1, 'paid', 3000000000)") }
            #expect(try await count("SELECT count(*) FROM orders WHERE total > 2147483647") == 1)
            let columns = try await DatabaseState.of(url).schema.table(named: QualifiedName(schema: "public", "customers"))?.columns.map(\.name)
            #expect(columns == ["id", "email", "full_name"] || columns == ["id", "full_name", "email"], "\(String(describing: columns))")

            // Rollback: the schema as it was, every row kept (the wide total does not fit the old
            // integer column, so it is removed first, as a team would before rolling back).
            _ = try await DatabaseConnector.withDriver(url) { try await $0.execute(unsafeSQL: "DELETE FROM orders WHERE total > 2147483647") }
            let (_, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            // The schema is proven as it was; the rows differ from before the run by exactly what
            // the application wrote meanwhile, and the report says so rather than pass.
            #expect(report.checks.first { $0.level == .structure }?.passed == true)
            #expect(report.failures.allSatisfy { $0.level == .counts || $0.level == .checksums }, "\(report.failures.map(\.detail))")
            let after = try await DatabaseState.of(url)
            #expect(after.schema == before.schema, "\(before.schema.differences(from: after.schema))")
            #expect(try await count("SELECT count(*) FROM customers") == Int64(ShopExample.customers + old.writes / 2 + new.writes / 2))
            #expect(try await count("SELECT count(*) FROM customers WHERE name IS NULL") == 0)
        }
    }
}
