import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `kill -9` of `godwit apply` anywhere, then a rerun: the migration completes and the data
/// equal an uninterrupted run's.
@Suite("Crash and resume")
struct CrashResumeTests {
    static let applyArguments = ["--yes", "--unrehearsed", "--retention", "0s", "--batch-size", "100", "--batch-target", "0"]

    /// The crash points: before and after commits of steps in every phase, inside batches of
    /// two backfills, and after a concurrent index build before it is recorded.
    static func crashPoints(for plan: Plan) -> [String] {
        let steps = plan.steps
        func first(_ phase: Phase) -> Int { steps.firstIndex { $0.phase == phase }! + 1 }
        func last(_ phase: Phase) -> Int { steps.lastIndex { $0.phase == phase }! + 1 }
        let backfills = steps.indices.filter { steps[$0].backfill != nil }.map { $0 + 1 }
        var points = [
            "step-1-before-commit", "step-1-after-commit",
            "step-\(first(.backfill))-batch-2-before-commit", "step-\(first(.backfill))-batch-3-after-commit",
            "step-\(first(.backfill))-before-commit",
            "step-\(first(.verify))-before-commit", "step-\(last(.verify))-after-commit",
            "step-\(first(.contract))-before-commit", "step-\(last(.contract))-after-commit",
            "step-\(first(.cleanup))-before-commit", "step-\(steps.count)-before-commit",
        ]
        if let concurrent = steps.firstIndex(where: { !$0.isTransactional }) { points.append("step-\(concurrent + 1)-before-commit") }
        if backfills.count > 1 { points.append("step-\(backfills[1])-batch-2-after-commit") }
        return points
    }

    @Test("PostgreSQL: kill -9 at 13 points over every phase, each followed by a rerun, ends as an uninterrupted run")
    func postgres() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.postgresMigration)
        defer { directory.remove() }
        let setup = ExecutionFixtures.postgresSchema(accounts: 600, payments: 300)

        func fresh(_ body: (DatabaseURL) async throws -> Void) async throws {
            try await TestPostgres.withTemporaryDatabase { endpoint in
                let url = DatabaseURL.postgres(endpoint)
                try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: setup) }
                try await body(url)
            }
        }
        var reference: [TableDigest] = []
        var points: [String] = []
        try await fresh { url in
            let live = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
            points = Self.crashPoints(for: try DatabaseConnector.planner(for: .postgresql).plan(try MigrationDirectory.load(directory.url.path)[0], against: live))
            let run = try await GodwitBinary.run(["apply", directory.url.path, "--db", url.unredactedString] + Self.applyArguments)
            #expect(run.status == 0, "\(run.standardError)")
            reference = try await DatabaseDigests.all(url)
        }
        #expect(points.count >= 10)
        #expect(reference.count == 2)
        for point in points {
            try await fresh { url in
                let crashed = try await GodwitBinary.run(["apply", directory.url.path, "--db", url.unredactedString] + Self.applyArguments,
                                                   extraEnvironment: ["GODWIT_CRASH_AT": point])
                #expect(crashed.wasSignalled && crashed.status == 9, "godwit was not killed at \(point): \(crashed.standardError)")
                // The server ends the dead runner's session (and its lock) as soon as it sees the socket close.
                var interrupted = ""
                for _ in 0..<20 where !interrupted.contains("interrupted") {
                    interrupted = try await GodwitBinary.run(["status", directory.url.path, "--db", url.unredactedString]).standardOutput
                    if !interrupted.contains("interrupted") { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(interrupted.contains("001  Accounts v2  interrupted") && interrupted.contains("godwit apply resumes it"), "\(point): \(interrupted)")
                let rerun = try await GodwitBinary.run(["apply", directory.url.path, "--db", url.unredactedString] + Self.applyArguments)
                #expect(rerun.status == 0, "rerun after \(point) failed: \(rerun.standardError)")
                #expect(try await DatabaseDigests.all(url) == reference, "data after a crash at \(point) differ from an uninterrupted run")
                let status = try await GodwitBinary.run(["status", directory.url.path, "--db", url.unredactedString])
                #expect(status.standardOutput.contains("applied, phase cleanup"), "\(point): \(status.standardOutput)")
            }
        }
    }

    @Test("SQLite: kill -9 inside a rebuild, a batch and a contract step, then a rerun, ends as an uninterrupted run")
    func sqlite() async throws {
        let directory = try ExecutionFixtures.directory(with: ExecutionFixtures.sqliteMigration)
        defer { directory.remove() }
        func fresh(_ name: String) async throws -> DatabaseURL {
            let url = try DatabaseURL(parsing: "sqlite:" + directory.path(name))
            try await DatabaseConnector.withDriver(url, access: .create) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.sqliteSchema(accounts: 700, payments: 300))
            }
            return url
        }
        let referenceURL = try await fresh("reference.db")
        let live = try await DatabaseConnector.withDriver(referenceURL) { try await $0.inspect(InspectionOptions()) }
        let plan = try DatabaseConnector.planner(for: .sqlite).plan(try MigrationDirectory.load(directory.url.path)[0], against: live)
        let run = try await GodwitBinary.run(["apply", directory.url.path, "--db", referenceURL.description] + Self.applyArguments)
        #expect(run.status == 0, "\(run.standardError)")
        let reference = try await DatabaseDigests.all(referenceURL)
        let backfills = plan.steps.indices.filter { plan.steps[$0].backfill != nil }.map { $0 + 1 }
        let points = ["step-1-before-commit", "step-\(backfills[0])-batch-3-before-commit", "step-\(backfills.last!)-batch-2-after-commit",
                      "step-\(plan.steps.count)-before-commit", "step-\(plan.steps.lastIndex { $0.phase == .contract }! + 1)-after-commit"]
        for (number, point) in points.enumerated() {
            let url = try await fresh("crash-\(number).db")
            let crashed = try await GodwitBinary.run(["apply", directory.url.path, "--db", url.description] + Self.applyArguments,
                                               extraEnvironment: ["GODWIT_CRASH_AT": point])
            #expect(crashed.wasSignalled && crashed.status == 9, "godwit was not killed at \(point): \(crashed.standardError)")
            let status = try await GodwitBinary.run(["status", directory.url.path, "--db", url.description]).standardOutput
            #expect(status.contains("001  Accounts v2  interrupted") && !status.contains("ETA"), "\(point): \(status)")
            let rerun = try await GodwitBinary.run(["apply", directory.url.path, "--db", url.description] + Self.applyArguments)
            #expect(rerun.status == 0, "rerun after \(point) failed: \(rerun.standardError)")
            #expect(try await DatabaseDigests.all(url) == reference, "data after a crash at \(point) differ from an uninterrupted run")
        }
    }
}
