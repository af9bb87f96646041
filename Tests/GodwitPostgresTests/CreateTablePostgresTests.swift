import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("create_table on PostgreSQL")
struct CreateTablePostgresTests {
    @Test("A table with an unnamed primary key, a unique column and a foreign key applies, verifies and rolls back (PostgreSQL names the key)",
          arguments: [Migration.Downtime.zero, .window])
    func unnamedPrimaryKey(_ downtime: Migration.Downtime) async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE parent (id bigint PRIMARY KEY)") }
            try await TemporaryDirectory.with { directory in
                try """
                    name: plain table
                    downtime: \(downtime.rawValue)
                    operations:
                      - create_table:
                          table: plain_t
                          columns:
                            - {name: id, type: bigint, nullable: false}
                            - {name: code, type: text}
                            - {name: parent_id, type: bigint}
                          primary_key: [id]
                          unique: [[code]]
                          foreign_keys: [{columns: [parent_id], references: {table: parent, columns: [id]}}]
                    """.write(toFile: directory.path("001_plain.yaml"), atomically: true, encoding: .utf8)
                var settings = SQLCorpus.settings
                settings.approveGates = true
                let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
                let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
                #expect(outcome.ran == ["001"])
                let failures = outcome.reports.flatMap(\.failures).map(\.name)
                #expect(failures.isEmpty, "\(failures)")
                let live = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
                let key = live.table(named: QualifiedName(schema: "public", "plain_t"))?.primaryKey
                #expect(key?.name == "plain_t_pkey" && key?.columns == ["id"])
                let (_, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
                #expect(report.passed, "\(report.failures)")
                let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
                #expect(after.differences(from: before).isEmpty)
            }
        }
    }
}

@Suite("Gates on PostgreSQL")
struct GatePostgresTests {
    @Test("A breaking contract under downtime: zero waits at the gate the plan lists, until approved")
    func impliedGate() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: "CREATE TABLE people (id bigint PRIMARY KEY, name text); INSERT INTO people VALUES (1, 'Ann');") }
            let problems = try await ExecutionFixtures.impliedGate(on: url, table: "people", operation: "rename_column: {table: people, from: name, to: full_name}")
            #expect(problems == [])
        }
    }
}

@Suite("Plans read the data first on PostgreSQL")
struct DataFirstPostgresTests {
    @Test("NULLs under a new NOT NULL, duplicates under a new UNIQUE and orphans under a new foreign key are counted before anything runs; a check whose rows an earlier pending migration writes is named as not counted (GW132) until that migration ran")
    func counts() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let problems = try await ExecutionFixtures.dataFirst(on: .postgres(endpoint))
            #expect(problems == [])
        }
    }
}
