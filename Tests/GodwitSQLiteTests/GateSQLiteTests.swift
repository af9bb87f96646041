import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Gates on SQLite")
struct GateSQLiteTests {
    @Test("A destructive contract under downtime: zero (a dropped table, the one SQLite drops without blocking writes) waits at the gate the plan lists, until approved")
    func impliedGate() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO people VALUES (1, 'Ann');")
            }
            let problems = try await ExecutionFixtures.impliedGate(on: url, table: "people", operation: "drop_table: {table: people}")
            #expect(problems == [])
        }
    }

    @Test("A declared gate before a phase the plan does not have is refused, naming the phases it has")
    func gateOnMissingPhase() throws {
        let migration = try MigrationFileParser().parse("""
            name: index
            downtime: minutes
            operations:
              - create_index: {table: people, name: people_name, columns: [name]}
            gates:
              - {before: contract}
            """, file: "001_index.yaml", defaultID: "001")
        var table = Table(name: QualifiedName("people"))
        table.columns = [Column(name: "id", type: "INTEGER"), Column(name: "name", type: "TEXT")]
        let error = #expect(throws: GodwitError.self) {
            try DatabaseConnector.planner(for: .sqlite).plan(migration, against: Schema(engine: .sqlite, tables: [table]))
        }
        #expect(error?.summary == "The gate before contract stands before a phase this plan does not have")
        #expect(error?.reason?.contains("the plan's phases are expand") == true)
    }
}

@Suite("Plans read the data first on SQLite")
struct DataFirstSQLiteTests {
    @Test("NULLs under a new NOT NULL, duplicates under a new UNIQUE and orphans under a new foreign key are counted before anything runs; a check whose rows an earlier pending migration writes is named as not counted (GW132) until that migration ran")
    func counts() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "SELECT 1") }
            let problems = try await ExecutionFixtures.dataFirst(on: url)
            #expect(problems == [])
        }
    }
}
