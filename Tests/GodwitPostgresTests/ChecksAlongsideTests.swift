import Foundation
import GodwitCore
@testable import GodwitEngine
import GodwitTesting
import Testing

/// A backfill step that ends the last phase before cleanup counts its checks' rows in the same
/// scan that takes the checksums of the final verification: one read of the table, not two.
@Suite("Checks and checksums in one scan")
struct ChecksAlongsideTests {
    static let migration = ExecutionFixtures.nameUpperMigration

    static let setup = "CREATE TABLE people (id integer PRIMARY KEY, name text NOT NULL);\n"
        + (1...500).map { "INSERT INTO people (id, name) VALUES (\($0), 'person \($0)');" }.joined(separator: "\n")

    static var settings: ExecutionSettings { ApplyPostgresTests.settings() }

    static func withDatabase(_ engine: Engine, _ body: (DatabaseURL) async throws -> Void) async throws {
        switch engine {
        case .sqlite:
            try await TemporaryDirectory.with { directory in
                let url = try DatabaseURL(parsing: "sqlite:" + directory.path("app.db"))
                try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: setup) }
                try await body(url)
            }
        case .postgresql:
            try await TestPostgres.withTemporaryDatabase { endpoint in
                let url = DatabaseURL.postgres(endpoint)
                try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: setup) }
                try await body(url)
            }
        }
    }

    @Test("The scan counts each condition's rows and takes the same checksums as a scan without them", arguments: Engine.allCases)
    func scanCounts(_ engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let schema = try await driver.inspect(InspectionOptions())
                let people = try #require(schema.tables.first { $0.name.name == "people" }).name
                let plain = try await TableDigester.digests(of: [people], in: schema, on: driver)
                let scan = try await TableDigester.scan([people], in: schema, counting: [people: ["id % 10 = 0", "id > 450", "name IS NULL"]], on: driver)
                #expect(scan.digests == plain)
                #expect(scan.counts[people] == [50, 50, 0])
            }
        }
    }

    @Test("Only the backfill step that ends the last phase before cleanup takes the checksums along")
    func decision() throws {
        var table = Table(name: QualifiedName(schema: "public", "people"))
        table.columns = [Column(name: "id", type: "integer", isNullable: false), Column(name: "name", type: "text", isNullable: false)]
        table.primaryKey = PrimaryKey(name: nil, columns: ["id"])
        let schema = Schema(engine: .postgresql, tables: [table])
        let twoFills = try MigrationFileParser().parse("""
            name: two
            downtime: zero
            operations:
              - add_column: {table: people, column: {name: a, type: text}, up: "upper(name)"}
              - add_column: {table: people, column: {name: b, type: text, nullable: false}, up: "lower(name)"}
            """, file: "001_two.yaml", defaultID: "001")
        let plan = try DatabaseConnector.planner(for: .postgresql).plan(twoFills, against: schema)
        let stored = StoredPlan(steps: plan.steps, before: schema, target: plan.target, digests: [TableDigest(table: table.name, columns: ["id", "name"], rows: 0, checksum: "")])
        let chosen = plan.steps.indices.filter { MigrationApplier.checksumsAlongside(step: $0, of: stored) != nil }
        let backfills = plan.steps.indices.filter { plan.steps[$0].backfill != nil }
        #expect(backfills.count == 2)
        // The second fill's phase goes on to its NOT NULL steps: the checksums are taken after those.
        let last = try #require(backfills.last)
        let laterWork = plan.steps[(last + 1)...].contains { $0.phase != .cleanup }
        #expect(chosen == (laterWork ? [] : [last]))
        // One fill and nothing but cleanup after it: that step.
        let one = try MigrationFileParser().parse(Self.migration, file: "001_one.yaml", defaultID: "001")
        let onePlan = try DatabaseConnector.planner(for: .postgresql).plan(one, against: schema)
        let oneStored = StoredPlan(steps: onePlan.steps, before: schema, target: onePlan.target, digests: stored.digests)
        let oneChosen = onePlan.steps.indices.filter { MigrationApplier.checksumsAlongside(step: $0, of: oneStored) != nil }
        #expect(oneChosen == onePlan.steps.indices.filter { onePlan.steps[$0].backfill != nil })
        #expect(MigrationApplier.checksumsAlongside(step: oneChosen[0], of: oneStored)?.tables == [table.name])
    }

    @Test("Apply: the final report's checksum equals a separate scan's, and the backfill's check is reported passed", arguments: Engine.allCases)
    func applied(_ engine: Engine) async throws {
        let directory = try ExecutionFixtures.directory(with: Self.migration, name: "001_name_upper.yaml")
        defer { directory.remove() }
        try await Self.withDatabase(engine) { url in
            let outcome = try await MigrationApplier(url: url, settings: Self.settings).apply(directory: directory.url.path)
            let final = try #require(outcome.reports.first { $0.tables.contains { !$0.checksum.isEmpty } })
            #expect(final.passed)
            #expect(final.checks.contains { $0.name == "backfill of name_upper equals up(old)" && $0.passed && $0.detail.contains("as it finished") })
            let taken = try #require(final.tables.first { $0.table.name == "people" })
            let separate = try #require(try await DatabaseDigests.all(url).first { $0.table.name == "people" })
            #expect(taken == separate)
            #expect(taken.columns == ["id", "name", "name_upper"] && taken.rows == 500)
        }
    }

    @Test("Apply: after a phase that only changes the catalog (expand, cleanup) no table is counted; after the backfill every row is", arguments: Engine.allCases)
    func catalogOnlyPhases(_ engine: Engine) async throws {
        let directory = try ExecutionFixtures.directory(with: Self.migration, name: "001_name_upper.yaml")
        defer { directory.remove() }
        try await Self.withDatabase(engine) { url in
            let outcome = try await MigrationApplier(url: url, settings: Self.settings).apply(directory: directory.url.path)
            let skipped = outcome.reports.filter { report in report.checks.contains { $0.detail.contains("its steps change only the catalog") } }
            // Expand (the column and its fill trigger) everywhere; cleanup (the trigger dropped)
            // where it runs now, PostgreSQL's plan.
            #expect(skipped.map(\.scope).contains { $0.hasSuffix("after expand") }, "\(outcome.reports.map(\.scope))")
            #expect(outcome.reports.filter { $0.scope.hasSuffix("after cleanup") }.allSatisfy { report in skipped.contains { $0.scope == report.scope } })
            #expect(engine == .sqlite || skipped.count == 2, "\(outcome.reports.map(\.scope))")
            #expect(skipped.allSatisfy { $0.tables.isEmpty && $0.passed })
            #expect(skipped.first?.checks.contains { $0.name.hasSuffix("people") && $0.detail == "not counted after expand: its steps change only the catalog" } == true)
            #expect(outcome.reports.contains { $0.tables.contains { $0.table.name == "people" && $0.rows == 500 } })
        }
    }

    @Test("A phase counts as catalog-only when each step is instant, batches nothing and comes from an operation whose effect on rows the plan knows")
    func catalogOnlyDecision() throws {
        var table = Table(name: QualifiedName(schema: "public", "people"))
        table.columns = [Column(name: "id", type: "integer", isNullable: false), Column(name: "name", type: "text", isNullable: false)]
        table.primaryKey = PrimaryKey(name: nil, columns: ["id"])
        let schema = Schema(engine: .postgresql, tables: [table])
        func phases(_ text: String) throws -> [Phase: Bool] {
            let migration = try MigrationFileParser().parse(text, file: "001_x.yaml", defaultID: "001")
            let plan = try DatabaseConnector.planner(for: .postgresql).plan(migration, against: schema)
            return Dictionary(grouping: plan.steps, by: \.phase).mapValues { IntegrityVerifier.changesOnlyTheCatalog($0, of: migration) }
        }
        let fill = try phases(Self.migration)
        #expect(fill[.expand] == true && fill[.cleanup] == true && fill[.backfill] == false)
        let handWritten = try phases("name: x\noperations:\n  - sql: {up: \"ALTER TABLE people ADD COLUMN note text\", down: \"ALTER TABLE people DROP COLUMN note\"}\n")
        #expect(!handWritten.values.contains(true), "\(handWritten)")
        let update = try phases("name: x\noperations:\n  - update_rows: {table: people, set: \"name = upper(name)\"}\n")
        #expect(!update.values.contains(true), "\(update)")
        #expect(!IntegrityVerifier.changesOnlyTheCatalog([], of: nil))
    }

    @Test("A backfilled value that does not equal up(old) fails the step in the same scan: apply stops and the step is not done", arguments: Engine.allCases)
    func failing(_ engine: Engine) async throws {
        let directory = try ExecutionFixtures.directory(with: Self.migration, name: "001_name_upper.yaml")
        defer { directory.remove() }
        try await Self.withDatabase(engine) { url in
            var settings = Self.settings
            settings.through = .expand
            _ = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            // Something else on the table rewrites the new column of rows 1…100 on every
            // update: their backfilled values are then not upper(name).
            let spoiler = engine == .postgresql
                ? """
                  CREATE FUNCTION spoil() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name_upper := 'x'; RETURN NEW; END $$;
                  CREATE TRIGGER spoil BEFORE UPDATE ON people FOR EACH ROW WHEN (NEW.id <= 100) EXECUTE FUNCTION spoil();
                  """
                : """
                  CREATE TRIGGER spoil AFTER UPDATE OF name_upper ON people WHEN NEW.id <= 100 AND NEW.name_upper IS NOT 'x'
                  BEGIN UPDATE people SET name_upper = 'x' WHERE id = NEW.id; END;
                  """
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: spoiler) }
            await #expect {
                _ = try await MigrationApplier(url: url, settings: Self.settings).apply(directory: directory.url.path)
            } throws: { error in
                "\(error)".contains("backfill of name_upper equals up(old): 100 rows")
            }
            let (done, backfill) = try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                return (try await store.record("001")?.completedSteps,
                        try await store.plan(migration: "001")?.steps.firstIndex { $0.backfill != nil })
            }
            #expect(done != nil && done == backfill)
        }
    }
}
