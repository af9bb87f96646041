import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// A real project's migrations, in the layout its tool (diesel) writes: folders of `up.sql` and
/// `down.sql`, multi-statement files, plpgsql bodies, CONCURRENTLY, empty downs.
@Suite("A real project's SQL migrations on PostgreSQL")
struct RealCorpusPostgresTests {
    static let directory = Fixtures.url("real/crates-io/migrations").path

    @Test("atuin's server migrations (sqlx, no downs), taken over from sqlx after the first four: rehearsed to go with the downs Godwit writes (a counting trigger's function replaced and put back), applied with sqlx's rows and checksums, each rolled back proven")
    func atuinServer() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let seed = """
                INSERT INTO users (username, email, password) VALUES ('ann', 'Ann@Example.com', 'x1'), ('bö "quoted"', 'b@example.com', 'x2');
                INSERT INTO history (client_id, user_id, hostname, timestamp, data) VALUES
                  ('c1', 1, 'host', '2024-01-01 10:00', 'ls ''-la'''), ('c2', 1, 'hôst', '2024-01-01 10:01', repeat('x', 8000)),
                  ('c3', 2, 'h', '2024-01-02', '');
                """
            let problems = try await SQLxAdoption.run(directory: Fixtures.url("real/atuin/server-postgres").path, on: .postgres(endpoint), adopted: 4, seed: seed)
            #expect(problems == [])
        }
    }

    @Test("Umami's Prisma migrations (no downs): every down Godwit writes gives the schema back on the scratch (renames renamed back, the extension dropped), rehearsed to go, applied, the newest five rolled back proven over live rows and applied again to the same schema")
    func umami() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            let directory = Fixtures.url("real/umami/migrations").path
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            #expect(planned.count == 19)
            let effects = planned.compactMap { item in item.plan.migration.operations.first?.effect.map { (item.plan.migration.id, $0) } }
            #expect(effects.count == 19 && effects.allSatisfy { $0.1.generatedDown != nil })
            let left = effects.filter { !$0.1.reversal.restoresSchema }.map { "\($0.0): \($0.1.reversal)" }
            #expect(left.isEmpty, "downs that do not give the schema back: \(left)")
            let renames = effects.first { $0.0 == "02" }?.1.generatedDown?.sql ?? ""
            #expect(renames.contains("RENAME COLUMN event_data_id TO event_id") && !renames.contains("DROP COLUMN"), "\(renames)")
            #expect(effects.first?.1.generatedDown?.sql.hasSuffix("DROP EXTENSION IF EXISTS pgcrypto;") == true)

            let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: directory)
            #expect(rehearsal.isGo && rehearsal.rollbackIdentical, "\(rehearsal.problems)")
            var settings = SQLCorpus.settings
            settings.approveGates = true
            let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory)
            #expect(outcome.ran.count == 19)
            let applied = try await DatabaseConnector.withDriver(url) { driver in
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO "user" (user_id, username, password, role) VALUES
                      (gen_random_uuid(), 'ana', 'x', 'admin'), (gen_random_uuid(), 'bö "quoted"', 'y', 'user')
                    """)
                return try await driver.inspect(InspectionOptions()).removingStatistics()
            }
            for expected in ["19", "18", "17", "16", "15"] {
                let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
                #expect(id == expected && report.passed, "rollback of \(id): \(report.failures)")
            }
            let again = try await MigrationApplier(url: url, settings: settings).apply(directory: directory)
            #expect(again.ran == ["15", "16", "17", "18", "19"])
            let reapplied = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
            #expect(reapplied.removingGodwitHelpers().differences(from: applied.removingGodwitHelpers()).isEmpty)
            let users = try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT count(*) FROM \"user\"").first?[0].integerValue }
            #expect(users == 3)  // the two above and the admin 01 inserts
        }
    }

    @Test("crates.io's migrations: each planned from its scratch run, all applied with every target verified, the newest rolled back and applied again; downs judged on the scratch as the database then shows")
    func cratesIO() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            let count = try MigrationDirectory.load(Self.directory).count
            #expect(count == 285)
            let planned = try await MigrationPlanning.planAll(directory: Self.directory, database: url)
            #expect(planned.count == count)
            #expect(planned.allSatisfy { $0.plan.migration.operations.allSatisfy { $0.kind != .sql || $0.effect != nil } })
            let irreversible = planned.filter { $0.plan.steps.contains { $0.reverse == nil } }.map(\.plan.migration.id)
            #expect(irreversible.contains("20140925132250"), "an empty down.sql cannot undo")

            let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: Self.directory)
            #expect(outcome.ran.count == count)
            #expect(try await MigrationPlanning.planAll(directory: Self.directory, database: url).isEmpty)
            let applied = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }

            // The scratch run told which downs give the schema back exactly: the newest two do;
            // the third re-adds a dropped column at the end of users.
            let reversals = Dictionary(planned.compactMap { item in item.plan.migration.operations.first?.effect.map { (item.plan.migration.id, $0.reversal) } },
                                       uniquingKeysWith: { first, _ in first })
            #expect(reversals["2026-07-30-140000-0000"] == .identical)
            #expect(reversals["2026-07-24-154000-0000"] == .identical)
            #expect(reversals["2026-07-15-182934-0000"] == .columnOrderOnly(tables: ["public.users"]))
            for _ in 0..<2 {
                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(report.passed, "rollback of \(id): \(report.failures)")
            }
            let again = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: Self.directory)
            #expect(again.ran.count == 2)
            #expect(try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() } == applied)

            // The whole schema the project ends with survives inspect → SQL → an empty database,
            // as pg_dump sees it (composite types, storage parameters, constraint comments included).
            try await TestPostgres.withTemporaryDatabase { copy in
                let source = try await PostgresDriver.connect(endpoint)
                let target = try await PostgresDriver.connect(copy)
                let outcome = try await SchemaRoundTrip.run(from: source, into: target)
                try await source.close()
                try await target.close()
                #expect(outcome.recreated == outcome.original)
                let dump = { (endpoint: DatabaseURL.PostgresEndpoint) in
                    try await TestPostgres.schemaDump(endpoint).components(separatedBy: "\n\n")
                        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty && !$0.contains("godwit") }
                }
                let copied = try await dump(copy), original = try await dump(endpoint)
                #expect(copied == original)
            }
        }
    }
}
