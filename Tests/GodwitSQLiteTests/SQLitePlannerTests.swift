import Foundation
import GodwitCore
import GodwitEngine
import GodwitSQLite
import GodwitTesting
import Testing

/// Every table's rows, in key order: what must come back after a rollback.
enum DataSnapshot {
    static func take(_ driver: any DatabaseDriver, tables: [Table]) async throws -> [String: [Row]] {
        var snapshot: [String: [Row]] = [:]
        for table in tables {
            let quoted = SQLIdentifierQuoter.alwaysQuoted(table.name.name)
            let order = (1...max(table.columns.count, 1)).map(String.init).joined(separator: ", ")
            snapshot[table.name.name] = try await driver.query(unsafeSQL: "SELECT * FROM \(quoted) ORDER BY \(order)")
        }
        return snapshot
    }
}

@Suite("SQLite planner")
struct SQLitePlannerTests {
    /// A migration touching the feature database with every operation kind.
    static let migration = """
        name: every operation on SQLite
        operations:
          - create_table:
              table: audit
              columns: [{name: id, type: INTEGER, nullable: false}, {name: note, type: TEXT}]
              primary_key: [id]
          - add_column:
              table: account
              column: {name: nickname, type: TEXT}
              up: "'nick_' || id"
          - add_column: {table: account, column: {name: joined, type: TEXT, default: CURRENT_TIMESTAMP}}
          - rename_column: {table: sensor, from: kind, to: category}
          - alter_column:
              table: order line
              column: price
              type: TEXT
              up: CAST(price AS TEXT)
              down: CAST(price AS REAL)
          - alter_column: {table: measurement, column: taken_at, nullable: true}
          - create_index: {table: account, name: account_nickname, columns: [nickname]}
          - drop_index: {table: measurement, name: measurement_recent}
          - add_constraint: {table: sensor, name: sensor_name_short, check: "length(name) < 20"}
          - update_rows: {table: account, set: "email = upper(email)", where: "id = 1"}
          - drop_constraint: {table: account, name: account_email_unique}
          - drop_column: {table: account, column: balance}
          - drop_table: {table: legacy}
          - rename_table: {table: audit, to: audit_log}
          - sql: {up: "CREATE TABLE side (x)", down: "DROP TABLE side"}
        """

    func makeDatabase(_ directory: TemporaryDirectory) async throws -> SQLiteDriver {
        let driver = try SQLiteDriver.open(.init(path: directory.path("plan.db")), mode: .create)
        try await driver.executeScript(unsafeSQL: try Fixtures.text("features/sqlite-features.sql"))
        try await driver.executeScript(unsafeSQL: """
            CREATE TABLE legacy (id INTEGER PRIMARY KEY, payload TEXT);
            INSERT INTO legacy VALUES (1, 'keep me'), (2, 'me too');
            INSERT INTO "order line" (order_id, line_no, account_id, quantity, price) VALUES (1, 1, 1, 2, 9.999), (1, 2, 2, 1, 5.5);
            UPDATE account SET balance = 12.5 WHERE id = 2;
            """)
        return driver
    }

    @Test("Forward reaches the planned schema; reverse returns schema and data to identical")
    func forwardAndBack() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try await makeDatabase(directory)
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startData = try await DataSnapshot.take(driver, tables: start.tables)
            let migration = try MigrationFileParser().parse(Self.migration, file: "m.yaml", defaultID: "7")
            let plan = try SQLitePlanner().plan(migration, against: start)
            #expect(plan.steps.map(\.phase) == plan.steps.map(\.phase).sorted())

            try await PlanStepRunner().forward(plan, through: .contract, on: driver)
            var after = try await driver.inspect(InspectionOptions()).removingStatistics()
            let archives = after.tables.filter { $0.name.name.hasPrefix("_godwit_archive_") }.map(\.name.name).sorted()
            #expect(archives == ["_godwit_archive_7_account_balance", "_godwit_archive_7_account_update", "_godwit_archive_7_legacy"])
            after.tables.removeAll { $0.name.name.hasPrefix("_godwit_archive_") || $0.name.name == "side" }
            #expect(after.tables.map(\.name) == plan.target.tables.map(\.name))
            for table in plan.target.tables {
                let actual = after.table(named: table.name)
                #expect(actual?.columns.map(\.name) == table.columns.map(\.name), "\(table.name)")
                #expect(actual?.columns.map(\.isNullable) == table.columns.map(\.isNullable), "\(table.name)")
                #expect(actual?.indexes.map(\.name) == table.indexes.map(\.name), "\(table.name)")
            }
            let nicknames = try await driver.query(unsafeSQL: "SELECT nickname FROM account ORDER BY id").map { $0[0] }
            #expect(nicknames == [.text("nick_1"), .text("nick_2")])
            let prices = try await driver.query(unsafeSQL: "SELECT price FROM \"order line\" ORDER BY line_no").map { $0[0] }
            #expect(prices == [.text("9.999"), .text("5.5")])
            #expect(try await driver.query(unsafeSQL: "SELECT email FROM account WHERE id = 1").first?[0] == .text("A@EXAMPLE.COM"))

            try await PlanStepRunner().reverse(plan, through: .contract, on: driver)
            let back = try await driver.inspect(InspectionOptions()).removingStatistics()
            #expect(back == start)
            #expect(try await DataSnapshot.take(driver, tables: back.tables) == startData)

            // Cleanup drops the archives: past it, the plan cannot be undone, and says so.
            try await PlanStepRunner().forward(plan, on: driver)
            #expect(try await driver.inspect(InspectionOptions()).tables.allSatisfy { !$0.name.name.hasPrefix("_godwit_archive_") })
            let error = await #expect(throws: GodwitError.self) { try await PlanStepRunner().reverse(plan, on: driver) }
            #expect(error?.description.hasPrefix("Step \(plan.steps.count) cannot be undone at Drop the archive") == true)
            try await driver.close()
        }
    }

    @Test("Consecutive changes to one table are one rebuild; a second computed column starts a new one; forward reaches the target and reverse gives back schema and rows")
    func rebuildsJoined() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try await makeDatabase(directory)
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startData = try await DataSnapshot.take(driver, tables: start.tables)
            let migration = try MigrationFileParser().parse("""
                name: order lines
                downtime: minutes
                operations:
                  - alter_column: {table: order line, column: price, type: TEXT, up: CAST(price AS TEXT), down: CAST(price AS REAL)}
                  - add_constraint: {table: order line, name: quantity_positive, check: "quantity > 0"}
                  - alter_column: {table: order line, column: quantity, nullable: false}
                  - alter_column: {table: order line, column: quantity, type: TEXT, up: "'x' || quantity", down: "CAST(substr(quantity, 2) AS INTEGER)"}
                """, file: "m.yaml", defaultID: "11")
            let plan = try SQLitePlanner().plan(migration, against: start)
            let rebuilds = plan.steps.filter { $0.forward.contains { $0.hasPrefix("CREATE TABLE") } }
            #expect(rebuilds.count == 2, "\(plan.steps.map(\.title))")
            #expect(rebuilds.first?.title == "Rebuild order line to change price; with constraint quantity_positive; to change quantity (one rebuild)")
            #expect(rebuilds.first?.checks.map(\.name) == ["foreign keys of order line", "rows violating CHECK (quantity > 0)", "no NULL in quantity"])
            #expect(rebuilds.first?.checks.map(\.operationIndex) == [0, 1, 2], "each check names the operation it comes from")

            try await PlanStepRunner().forward(plan, on: driver)
            let after = try await driver.inspect(InspectionOptions()).removingStatistics()
            #expect(after.table(named: QualifiedName("order line"))?.checkConstraints.map(\.name).contains("quantity_positive") == true)
            let rows = try await driver.query(unsafeSQL: "SELECT price, quantity FROM \"order line\" ORDER BY line_no").map { [$0[0], $0[1]] }
            #expect(rows == [[.text("9.999"), .text("x2")], [.text("5.5"), .text("x1")]])
            try await PlanStepRunner().reverse(plan, on: driver)
            let back = try await driver.inspect(InspectionOptions()).removingStatistics()
            #expect(back == start)
            #expect(try await DataSnapshot.take(driver, tables: back.tables) == startData)
            try await driver.close()
        }
    }

    @Test("A rebuild whose new constraint the data breaks fails its check and leaves the database as it was")
    func failingCheck() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try await makeDatabase(directory)
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startData = try await DataSnapshot.take(driver, tables: start.tables)
            let migration = try MigrationFileParser().parse(
                "name: x\noperations:\n  - alter_column: {table: measurement, column: value, nullable: false}\n", file: "m.yaml", defaultID: "8"
            )
            let plan = try SQLitePlanner().plan(migration, against: start)
            #expect(plan.steps.count == 1)
            #expect(plan.steps[0].checks.map(\.name) == ["no NULL in value", "foreign keys of measurement"])
            let error = await #expect(throws: GodwitError.self) { try await PlanStepRunner().forward(plan, on: driver) }
            #expect(error != nil)
            #expect(try await driver.inspect(InspectionOptions()).removingStatistics() == start)
            #expect(try await DataSnapshot.take(driver, tables: start.tables) == startData)
            try await driver.close()
        }
    }

    @Test("Unknown tables and columns are refused before any SQL, naming the operation")
    func unknownNames() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try await makeDatabase(directory)
            let schema = try await driver.inspect(InspectionOptions())
            try await driver.close()
            let missingTable = try MigrationFileParser().parse("name: x\noperations:\n  - drop_column: {table: nope, column: a}\n", file: "9_x.yaml", defaultID: "9")
            let tableError = #expect(throws: GodwitError.self) { try SQLitePlanner().plan(missingTable, against: schema) }
            #expect(tableError?.description == "Unknown table nope at 9_x.yaml:3:5 (operations[0]): the database has no such table at this point of the migration. Check the name, or create the table in an earlier operation.")
            let missingColumn = try MigrationFileParser().parse("name: x\noperations:\n  - rename_column: {table: sensor, from: colour, to: color}\n", file: "9_x.yaml", defaultID: "9")
            let columnError = #expect(throws: GodwitError.self) { try SQLitePlanner().plan(missingColumn, against: schema) }
            #expect(columnError?.description == "Unknown column sensor.colour at 9_x.yaml:3:5 (operations[0]): the table has no such column at this point of the migration. The table has: name, kind.")
        }
    }

    @Test("Operations on one table that would run out of phase order are refused")
    func outOfOrder() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try await makeDatabase(directory)
            let schema = try await driver.inspect(InspectionOptions())
            try await driver.close()
            let migration = try MigrationFileParser().parse("""
                name: x
                operations:
                  - drop_index: {table: measurement, name: measurement_recent}
                  - create_index: {table: measurement, name: measurement_recent, columns: [sensor]}
                """, file: "10_x.yaml", defaultID: "10")
            let error = #expect(throws: GodwitError.self) { try SQLitePlanner().plan(migration, against: schema) }
            #expect(error?.description == "Operations 0 and 1 on measurement would run out of order at 10_x.yaml: operation 1 runs in expand, before operation 0's contract step. Split them into two migrations.")
        }
    }
}
