import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Other tools' layouts and histories on PostgreSQL")
struct ToolLayoutPostgresTests {
    // One tool at a time: each case rehearses on a clone of its own, about five sessions, and
    // the rest of the suite shares the server's connections.
    @Test("Each tool's directory is read in place and its history adopted: status, the next file only, its rows kept current",
          .serialized, arguments: LegacyHistory.Tool.allCases)
    func adopt(_ tool: LegacyHistory.Tool) async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let problems = try await ToolLayoutFixtures.adopt(tool, on: .postgres(endpoint))
            #expect(problems == [])
        }
    }

    @Test("Prisma's migrations, which have no down, get one Godwit writes: shown for review, linted for loss, and run by rollback")
    func prismaGeneratedDown() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let problems = try await ToolLayoutFixtures.generatedDown(on: .postgres(endpoint))
            #expect(problems == [])
        }
    }

    @Test("golang-migrate's up files without downs get downs Godwit writes; a data fix no down can undo stops the rehearsal's rollback once, named; a failing down is reported, not thrown")
    func upOnly() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.upOnly(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("Up files that replace a function and a trigger in place get downs that put the earlier bodies back: rehearsed to go, each rollback proven")
    func replacedFunctions() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.replacedFunctions(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("Up files that create an extension, rename columns (one of them the key) and a table, and move a primary key to a new column: the downs Godwit writes drop the extension, rename back keeping every value, and drop the new key before the old column returns; rehearsed to go, each rollback proven")
    func renamesInGeneratedDowns() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.renamesInGeneratedDowns(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("A down that drops a table the database had before: the rehearsal names it gone, rows counted, and says no-go")
    func downDroppingATable() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.downDroppingATable(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("Flyway's repeatable scripts: adopted at their checksum, run again when changed (after every version), never rolled back")
    func flywayRepeatable() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.repeatable(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("A history table the application guards with a trigger: apply stops at the refused row with what to do, --no-legacy-history finishes the migration and goes on (diesel's table untouched, its history still adopted); rollback the same")
    func refusedHistory() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let problems = try await ToolLayoutFixtures.refusedHistory(on: .postgres(endpoint), in: directory)
                #expect(problems == [])
            }
        }
    }

    @Test("A rehearsal names a rollback that did not give back its start (an enum's added label, which no down removes), though the next rollback makes the whole identical")
    func rollbackLeftDifferences() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let folder = directory.path("m")
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try "CREATE TYPE mood AS ENUM ('sad');\n".write(toFile: folder + "/1_mood.up.sql", atomically: true, encoding: .utf8)
                // Its down drops the domain; nothing takes the label back.
                try "ALTER TYPE mood ADD VALUE 'happy';\nCREATE DOMAIN positive AS integer;\n".write(toFile: folder + "/2_happy.up.sql", atomically: true, encoding: .utf8)
                let report = try await Rehearsal(url: .postgres(endpoint), settings: SQLCorpus.settings).run(directory: folder)
                #expect(!report.isGo)
                #expect(report.problems.contains { $0.hasPrefix("Rollback of 2 did not give back the schema and data it started from: ") }, "\(report.problems)")
                #expect(!report.problems.contains { $0.hasPrefix("Rollback of 1 ") }, "\(report.problems)")
            }
        }
    }
}
