import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The SQL corpus on real SQLite files: planned from a scratch run in memory, rehearsed, applied
/// and rolled back.
@Suite("SQL corpus on SQLite")
struct SQLCorpusSQLiteTests {
    static func withBase<T>(_ body: (DatabaseURL) async throws -> T) async throws -> T {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: try SQLCorpus.base(.sqlite)) }
            return try await body(url)
        }
    }

    static func schema(_ url: DatabaseURL) async throws -> Schema {
        try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics() }
    }

    @Test("The chain: each file planned from what it does, rehearsed to go, applied with its target verified, rolled back to identical")
    func chain() async throws {
        try await Self.withBase { url in
            let directory = SQLCorpus.chain(.sqlite)
            let before = try await Self.schema(url), digests = try await DatabaseDigests.all(url)
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            #expect(planned.count == 16)
            for item in planned {
                let effect = try #require(item.plan.migration.operations.first?.effect, "\(item.plan.migration.id) was not run on a scratch copy")
                #expect(effect.reversal == .identical, "\(item.plan.migration.id): \(effect.reversal.summary)")
                #expect(effect.changesSchema, "\(item.plan.migration.id) changed nothing on the scratch")
            }
            let rebuild = try #require(planned.first { $0.plan.migration.id == "007" })
            #expect(rebuild.plan.steps.map(\.isTransactional) == [false, true, false], "PRAGMA foreign_keys runs outside the transaction")

            let rehearsal = try await Rehearsal(url: url).run(directory: directory)
            #expect(rehearsal.isGo, "\(rehearsal.problems)")

            let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory)
            #expect(outcome.ran.count == 16)
            #expect(try await MigrationPlanning.planAll(directory: directory, database: url).isEmpty)
            for _ in 0..<16 {
                let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
                #expect(report.passed, "rollback of \(id): \(report.failures)")
            }
            #expect(try await Self.schema(url) == before)
            #expect(try await DatabaseDigests.all(url) == digests)
        }
    }

    @Test("A schema statement that fails on the scratch copy names file:line:column; the database is unchanged")
    func failureNamesThePlace() async throws {
        try await Self.withBase { url in
            try await TemporaryDirectory.with { directory in
                try "ALTER TABLE customers ADD COLUMN nickname TEXT;\nCREATE INDEX i ON nowhere (x);\n"
                    .write(toFile: directory.path("001_broken.up.sql"), atomically: true, encoding: .utf8)
                try "ALTER TABLE customers DROP COLUMN nickname;\n".write(toFile: directory.path("001_broken.down.sql"), atomically: true, encoding: .utf8)
                let before = try await Self.schema(url)
                await #expect { try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: directory.url.path) } throws: { error in
                    (error as? GodwitError)?.location == directory.path("001_broken.up.sql") + ":2:1"
                }
                #expect(try await Self.schema(url) == before)
            }
        }
    }

    @Test("Lint finds in the corpus exactly what its golden file lists, each at its statement")
    func lint() async throws {
        try await Self.withBase { url in
            let report = try await SQLCorpus.lintReport(SQLCorpus.chain(.sqlite), on: url) + ("")
            let (actual, expected) = try SQLCorpus.golden("sqlite/lint.golden", report)
            #expect(actual == expected, "rerun with GODWIT_UPDATE_GOLDEN=1 and review the diff")
        }
    }
}

@Suite("A down that gives a column back last, on SQLite")
struct ColumnOrderSQLiteTests {
    @Test("A dropped column added back at the end: the plan says up to column order; rehearsal goes, naming the table; rollback passes for it and for an older migration after it")
    func columnOrder() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ColumnOrderScenario.run(on: url, in: directory)
            #expect(problems == [])
        }
    }
}
