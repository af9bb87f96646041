import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// `rehearse` on PostgreSQL: clones, proves rollback, and leaves no clone behind.
@Suite("PostgreSQL rehearsal")
struct RehearsalPostgresTests {
    @Test("Seed 001's migrations rehearse: go, rollback identical, the original untouched, no clone left")
    func seedExample() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try TestPostgres.load(SeedExampleTests.example.appendingPathComponent("schema.sql"), into: endpoint)
            try TestPostgres.load(SeedExampleTests.example.appendingPathComponent("data.sql"), into: endpoint)
            let before = try await DatabaseDigests.all(url)
            let report = try await Rehearsal(url: url).run(directory: SeedExampleTests.example.appendingPathComponent("migrations").path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.migrations == ["001", "002", "003"])
            #expect(report.rollbackIdentical)
            #expect(report.cloneMethod == "CREATE DATABASE … TEMPLATE")
            #expect(Set(report.steps.map(\.pass)) == ["apply", "rollback", "reapply"])
            #expect(report.steps.filter { $0.pass == "reapply" }.count == report.steps.filter { $0.pass == "apply" }.count + 3)
            #expect(try await DatabaseDigests.all(url) == before)
            // The verdict is recorded in the original, per file, for apply's guardrail.
            let migrations = try MigrationDirectory.load(SeedExampleTests.example.appendingPathComponent("migrations").path)
            for migration in migrations {
                let passed = try await DatabaseConnector.withDriver(url) {
                    try await StateStore(driver: $0).passedRehearsal(migration: migration.id, checksum: migration.source!.checksum)
                }
                #expect(passed != nil, "no rehearsal recorded for \(migration.id)")
            }
            let clones = try await DatabaseConnector.withDriver(url) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname LIKE 'godwit_rehearsal_%'").first?[0].integerValue
            }
            #expect(clones == 0)
        }
    }

    @Test("With another session on the source, the clone is made with pg_dump and pg_restore")
    func dumpAndRestore() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 300, payments: 100))
            }
            let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
            defer { directory.remove() }
            let other = try await DatabaseConnector.open(url)
            let report = try await Rehearsal(url: url).run(directory: directory.url.path)
            try await other.close()
            #expect(report.cloneMethod == "pg_dump | pg_restore")
            #expect(report.isGo, "\(report.problems)")
        }
    }
}

@Suite("PostgreSQL backup")
struct BackupPostgresTests {
    @Test("pg_dump backup read back by pg_restore, restored into a scratch database with equal checksums, which is then dropped")
    func deepBackup() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 500, payments: 200))
            }
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let result = try await DatabaseBackup.make(of: url, to: directory.path("app.dump"), deep: true)
            #expect(result.bytes > 0)
            #expect(result.checks.first?.hasPrefix("pg_restore --list read the archive: ") == true)
            #expect(result.checks.last == "every table's row count and checksum equal the database's (2 tables)")
            let scratch = try await DatabaseConnector.withDriver(url) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname LIKE 'godwit_backup_check_%'").first?[0].integerValue
            }
            #expect(scratch == 0)
            let events = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).events() }
            #expect(events.contains { $0.kind == .backupVerified })
        }
    }
}

@Suite("PostgreSQL rehearsal on Sakila")
struct SakilaRehearsalTests {
    @Test("Renaming a column a view reads: the report states the view was rewritten and still answers; rollback identical")
    func viewDependency() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try TestPostgres.load(Fixtures.sakilaSchema, into: endpoint)
            try TestPostgres.load(Fixtures.sakilaData, into: endpoint)
            let migration = """
                name: Customers' given names
                downtime: minutes
                operations:
                  - rename_column: {table: customer, from: first_name, to: given_name}

                """
            let directory = try ExecutionFixtures.directory(with: migration, name: "001_given_name.yaml")
            defer { directory.remove() }
            let before = try await DatabaseDigests.all(url)
            let report = try await Rehearsal(url: url).run(directory: directory.url.path)
            #expect(report.isGo, "\(report.problems)")
            #expect(report.rollbackIdentical)
            let customerList = report.views.first { $0.view == "public.customer_list" }
            #expect(customerList?.outcome == "definition rewritten by the engine to follow the change")
            #expect(customerList?.query == "answers (599 rows)")
            #expect(customerList?.definitionAfter?.contains("cu.given_name") == true)
            #expect(report.markdown().contains("| `public.customer_list` | definition rewritten by the engine to follow the change | answers (599 rows) |"))
            #expect(try await DatabaseDigests.all(url) == before)
        }
    }
}
