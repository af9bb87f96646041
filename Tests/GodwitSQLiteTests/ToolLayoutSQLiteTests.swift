import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Other tools' layouts and histories on SQLite")
struct ToolLayoutSQLiteTests {
    @Test("Each tool's directory is read in place and its history adopted: status, the next file only, its rows kept current (sqitch: in its registry file beside the database)",
          arguments: LegacyHistory.Tool.allCases)
    func adopt(_ tool: LegacyHistory.Tool) async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.adopt(tool, on: url)
            #expect(problems == [])
        }
    }

    @Test("sqitch's registry beside the database goes with a rehearsal's copy: a copy beside the database, which would share the registry, is refused; one elsewhere adopts, says go, and leaves nothing behind")
    func sqitchRegistryOfTheClone() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await ToolLayoutFixtures.applyAsTheToolWould(.sqitch, first: 2, on: $0) }
            let registry = directory.path("sqitch.db")
            let before = try Data(contentsOf: URL(fileURLWithPath: registry))
            var rehearsal = Rehearsal(url: url, settings: SQLCorpus.settings)
            rehearsal.cloneOn = .sqlite(.init(path: directory.path("copy.db")))
            await #expect(throws: GodwitError.self) { _ = try await rehearsal.run(directory: ToolLayoutFixtures.directory(.sqitch)) }
            #expect(!FileManager.default.fileExists(atPath: directory.path("copy.db")))
            try FileManager.default.createDirectory(atPath: directory.path("elsewhere"), withIntermediateDirectories: true)
            rehearsal.cloneOn = .sqlite(.init(path: directory.path("elsewhere/copy.db")))
            let report = try await rehearsal.run(directory: ToolLayoutFixtures.directory(.sqitch))
            #expect(report.isGo, "\(report.problems)")
            #expect(report.migrations.count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("elsewhere")) == [])
            #expect(try Data(contentsOf: URL(fileURLWithPath: registry)) == before)
        }
    }

    @Test("Prisma's migrations, which have no down, get one Godwit writes: shown for review, linted for loss, and run by rollback")
    func prismaGeneratedDown() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.generatedDown(on: url)
            #expect(problems == [])
        }
    }

    @Test("golang-migrate's up files without downs get downs Godwit writes; a data fix no down can undo stops the rehearsal's rollback once, named; a failing down is reported, not thrown")
    func upOnly() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.upOnly(on: url, in: directory)
            #expect(problems == [])
        }
    }

    @Test("A down that drops a table the database had before: the rehearsal names it gone, rows counted, and says no-go")
    func downDroppingATable() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.downDroppingATable(on: url, in: directory)
            #expect(problems == [])
        }
    }

    @Test("Flyway's repeatable scripts: adopted at their checksum, run again when changed (after every version), never rolled back")
    func flywayRepeatable() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.repeatable(on: url, in: directory)
            #expect(problems == [])
        }
    }

    @Test("A history table the application guards with a trigger: apply stops at the refused row with what to do, --no-legacy-history finishes the migration and goes on (diesel's table untouched, its history still adopted); rollback the same")
    func refusedHistory() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let problems = try await ToolLayoutFixtures.refusedHistory(on: url, in: directory)
            #expect(problems == [])
        }
    }

    @Test("Sections, transaction options and undo files are read as each tool means them")
    func reading() throws {
        let dbmate = try MigrationDirectory.load(ToolLayoutFixtures.directory(.dbmate))
        #expect(dbmate.map(\.id) == ["20240101120000", "20240102120000", "20240103120000"])
        guard case .rawSQL(let raw) = dbmate[1].operations[0] else { Issue.record("not SQL"); return }
        #expect(raw.up.contains("CREATE TABLE books") && !raw.up.contains("DROP TABLE books"))
        #expect(raw.down.contains("DROP TABLE books"))
        #expect(raw.upSource?.firstLine == 2)
        let flyway = try MigrationDirectory.load(ToolLayoutFixtures.directory(.flyway))
        #expect(flyway.map(\.id) == ["1.1", "1.2", "1.3"])
        guard case .rawSQL(let first) = flyway[0].operations[0] else { return }
        #expect(first.down.isEmpty, "no undo file: the migration cannot be undone")
        let goose = try MigrationDirectory.load(ToolLayoutFixtures.directory(.goose))
        #expect(goose.map(\.id) == ["00001", "00002", "00003"])
        let sqitch = try MigrationDirectory.load(ToolLayoutFixtures.directory(.sqitch))
        #expect(sqitch.map(\.name) == ["authors", "books", "country"])
        #expect(sqitch[2].validations.map(\.name) == ["verify/country.sql:5", "verify/country.sql:6"])
        #expect(sqitch[2].validations.allSatisfy { $0.expectation == .runs })
    }
}
