import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The SQL corpus on a real PostgreSQL server: every file is run on a scratch copy while
/// planning, then rehearsed, applied and rolled back on a database with rows.
@Suite("SQL corpus on PostgreSQL")
struct SQLCorpusPostgresTests {
    static func withBase<T>(_ body: (DatabaseURL) async throws -> T) async throws -> T {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: try SQLCorpus.base(.postgresql)) }
            return try await body(url)
        }
    }

    static func schema(_ url: DatabaseURL) async throws -> Schema {
        try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
    }

    @Test("The chain: each file planned from what it does, rehearsed to go, applied with its target verified, rolled back to identical")
    func chain() async throws {
        try await Self.withBase { url in
            let directory = SQLCorpus.chain(.postgresql)
            let before = try await Self.schema(url), digests = try await DatabaseDigests.all(url)
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            #expect(planned.count == 30)
            for item in planned {
                let effect = try #require(item.plan.migration.operations.first?.effect, "\(item.plan.migration.id) was not run on a scratch copy")
                #expect(effect.reversal == .identical, "\(item.plan.migration.id): \(effect.reversal.summary)")
                #expect(effect.changesSchema, "\(item.plan.migration.id) changed nothing on the scratch")
            }
            // Every operation of every file says why it is classified as it is; a file that
            // leaves the tables alone says what it changes instead.
            for item in planned {
                let assessment = MigrationAssessment(item.plan.migration, engine: .postgresql, schema: item.schemaBefore)
                #expect(assessment.items.allSatisfy { !$0.classification.reasons.isEmpty }, "\(item.plan.migration.id) has an operation without a rationale")
            }
            let reasons = { (id: String) -> [String] in
                guard let item = planned.first(where: { $0.plan.migration.id == id }) else { return ["no migration \(id)"] }
                return MigrationAssessment(item.plan.migration, engine: .postgresql, schema: item.schemaBefore).items.first?.classification.reasons ?? []
            }
            #expect(reasons("001") == ["The SQL changes no table: it adds enum public.order_status."])
            #expect(reasons("026") == ["The SQL changes no table: it adds function public.price_with_tax(price numeric), adds function public.price_with_tax(price numeric, rate numeric)."])
            let phone = try #require(planned.first { $0.plan.migration.id == "002" })
            #expect(phone.plan.migration.effectiveOperations.contains { if case .addColumn(let change) = $0 { change.column.name == "phone" } else { false } })
            #expect(phone.plan.steps.map(\.phase) == [.expand])
            let index = try #require(planned.first { $0.plan.migration.id == "003" })
            #expect(index.plan.steps.map(\.isTransactional) == [false], "CREATE INDEX CONCURRENTLY runs alone, outside a transaction")

            let rehearsal = try await Rehearsal(url: url).run(directory: directory)
            #expect(rehearsal.isGo, "\(rehearsal.problems)")

            let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory)
            #expect(outcome.ran.count == 30)
            #expect(try await MigrationPlanning.planAll(directory: directory, database: url).isEmpty, "applied files are not planned again")
            for _ in 0..<30 {
                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(report.passed, "rollback of \(id): \(report.failures)")
            }
            #expect(try await Self.schema(url) == before)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    @Test("A down that does not give everything back is found on the scratch copy, named in the plan, and the rehearsal says no-go",
          arguments: [
              ("001_fill_statuses", "step 1 (Run up.sql (1 statement)): it has no down, so nothing undoes it."),
              ("002_enum_value", "step 1 (Run up.sql (1 statement)): it has no down, so nothing undoes it."),
              ("003_drop_view", "step 1 (Run up.sql (1 statement)): it has no down, so nothing undoes it."),
              ("004_name_moves_last", "step 1 (Run up.sql (1 statement)): it destroys data, and its down gives back the structure at most (down restores the schema up to column order (public.customers))."),
          ])
    func oneWay(_ migration: String, pointOfNoReturn: String) async throws {
        try await Self.withBase { url in
            let directory = try SQLCorpus.single(migration, of: SQLCorpus.oneWay(.postgresql))
            defer { directory.remove() }
            let planned = try await MigrationPlanning.planAll(directory: directory.url.path, database: url)
            let plan = try #require(planned.first?.plan)
            let markdown = PlanMarkdownRenderer(source: "test").render(plan, against: planned[0].schemaBefore)
            #expect(markdown.contains("**Point of no return**: \(pointOfNoReturn)"), "\(markdown.components(separatedBy: "## Rollback Plan").last?.prefix(600) ?? "")")
            let rehearsal = try await Rehearsal(url: url).run(directory: directory.url.path)
            #expect(!rehearsal.isGo)
        }
    }

    @Test("A statement that fails names its file, line and column, and the database is left as it was")
    func failureNamesThePlace() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                let folder = directory.path("001_broken")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try "ALTER TABLE customers ADD COLUMN nickname text;\n\n  ALTER TABLE nowhere ADD COLUMN x int;\n".write(toFile: folder + "/up.sql", atomically: true, encoding: .utf8)
                try "ALTER TABLE customers DROP COLUMN nickname;\n".write(toFile: folder + "/down.sql", atomically: true, encoding: .utf8)
                let before = try await Self.schema(url)
                do {
                    _ = try await MigrationPlanning.planAll(directory: directory.url.path, database: url)
                    Issue.record("planning a file that cannot run succeeded")
                } catch let error as GodwitError {
                    #expect(error.location == folder + "/up.sql:3:3")
                    #expect(error.summary.hasPrefix("The up SQL does not run on a copy of the schema"))
                    #expect(error.reason?.contains("in `ALTER TABLE nowhere ADD COLUMN x int`") == true)
                }
                await #expect(throws: GodwitError.self) { try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path) }
                #expect(try await Self.schema(url) == before)
            }
        }
    }

    @Test("A psql meta-command is refused at its line, before anything runs")
    func metaCommand() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try "SELECT 1;\n\\i other.sql\n".write(toFile: directory.path("001_meta.up.sql"), atomically: true, encoding: .utf8)
                try "SELECT 1;\n".write(toFile: directory.path("001_meta.down.sql"), atomically: true, encoding: .utf8)
                await #expect { try await MigrationPlanning.planAll(directory: directory.url.path, database: url) } throws: { error in
                    let error = error as? GodwitError
                    return error?.location == directory.path("001_meta.up.sql") + ":2:1" && error?.summary == "psql meta-command \\i in a migration"
                }
            }
        }
    }

    @Test("Lint finds in the corpus exactly what its golden file lists, each at its statement")
    func lint() async throws {
        try await Self.withBase { url in
            var report = try await SQLCorpus.lintReport(SQLCorpus.chain(.postgresql), on: url)
            report += try await SQLCorpus.lintReport(SQLCorpus.oneWay(.postgresql), on: url)
            // Files written to trip the rules, each linted alone against the base.
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: try Fixtures.text("sql-corpus/postgres/risky.sql")) }
            let risky = Fixtures.url("sql-corpus/postgres/risky").path
            for name in try FileManager.default.contentsOfDirectory(atPath: risky).sorted() {
                let single = try SQLCorpus.single(name, of: risky)
                defer { single.remove() }
                report += try await SQLCorpus.lintReport(single.url.path, on: url).replacingOccurrences(of: single.url.path + "/", with: "postgres/risky/")
            }
            let (actual, expected) = try SQLCorpus.golden("postgres/lint.golden", report)
            #expect(actual == expected, "rerun with GODWIT_UPDATE_GOLDEN=1 and review the diff")
        }
    }

    @Test("A SQL file that declares `-- godwit-downtime: zero` and blocks writes is refused by apply and rehearse as lint says; without the line it runs under minutes and rolls back")
    func declaredZeroDowntime() async throws {
        try await Self.withBase { url in
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: try Fixtures.text("sql-corpus/postgres/risky.sql")) }
            let directory = try SQLCorpus.single("006_set_not_null", of: Fixtures.url("sql-corpus/postgres/risky").path)
            defer { directory.remove() }
            let up = directory.path("006_set_not_null/up.sql")
            let before = try await DatabaseState.of(url)
            let planned = try #require(try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first)
            #expect(planned.plan.migration.downtime == .zero)
            let lint = Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore).filter { $0.code == "GW101" }
            #expect(lint.count == 1)
            await #expect { try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path) } throws: { error in
                let error = error as? GodwitError
                return error?.code == .invalidMigration && error?.reason?.contains("GW101") == true
                    && error?.location?.hasPrefix(directory.path("006_set_not_null")) == true
            }
            #expect(try await DatabaseState.of(url) == before)
            let rehearsal = try await Rehearsal(url: url).run(directory: directory.url.path)
            #expect(!rehearsal.isGo && rehearsal.problems.first?.contains("GW101") == true, "\(rehearsal.problems)")

            // Without the line the file promises nothing: it runs under minutes (on rows it can take).
            try await DatabaseConnector.withDriver(url) { _ = try await $0.execute(unsafeSQL: "UPDATE customers SET name = 'unnamed' WHERE name IS NULL") }
            let filled = try await DatabaseState.of(url)
            let text = try String(contentsOfFile: up, encoding: .utf8).replacingOccurrences(of: "-- godwit-downtime: zero\n", with: "")
            try text.write(toFile: up, atomically: true, encoding: .utf8)
            _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path)
            let (_, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
            #expect(report.passed)
            #expect(try await DatabaseState.of(url) == filled)
        }
    }

    @Test("A file that runs on the empty scratch but fails on the data: the rehearsal reports only what happened")
    func rehearsalOfAFailingApply() async throws {
        try await Self.withBase { url in
            let directory = try SQLCorpus.single("004_required_column", of: Fixtures.url("sql-corpus/postgres/risky").path)
            defer { directory.remove() }
            let report = try await Rehearsal(url: url).run(directory: directory.url.path)
            #expect(report.applyFailed)
            #expect(!report.isGo)
            #expect(report.views.isEmpty)
            let markdown = report.markdown()
            #expect(markdown.contains("| **Rollback** | not proven: the apply failed, so the migration's rollback never ran whole |"))
            #expect(!markdown.contains("identical: schema"))
            #expect(report.problems.first?.contains("up.sql:1:1") == true, "\(report.problems)")
            #expect(!report.problems.joined().lowercased().contains("resum"))
        }
    }

    @Test("A role that may not create databases is told why the scratch copy needs it, and nothing runs")
    func scratchNeedsCreateDatabase() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let role = "godwit_nocreatedb_\(UInt32.random(in: 0...UInt32.max))"
            let admin = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(admin) { driver in
                _ = try await driver.execute(unsafeSQL: "CREATE ROLE \(role) LOGIN NOCREATEDB")
                _ = try await driver.execute(unsafeSQL: "GRANT CREATE ON SCHEMA public TO \(role)")
            }
            var limited = endpoint
            limited.user = role
            await #expect { try await MigrationPlanning.planAll(directory: SQLCorpus.chain(.postgresql), database: .postgres(limited)) } throws: { error in
                let error = error as? GodwitError
                return error?.summary == "Cannot make the scratch database that SQL files are tried on"
                    && error?.remedy?.hasPrefix("Grant the role CREATEDB") == true
                    && error?.code == .permissionDenied && error?.engineCode == "42501"
                    && error?.cause?.reason?.contains("permission denied to create database") == true
                    && error?.description.contains("Caused by: PostgreSQL rejected a statement") == true
            }
            try await DatabaseConnector.withDriver(admin) { try await $0.executeScript(unsafeSQL: "DROP OWNED BY \(role); DROP ROLE \(role)") }
        }
    }
}
