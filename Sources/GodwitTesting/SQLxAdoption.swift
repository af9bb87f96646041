import Foundation
public import GodwitCore
public import GodwitEngine

/// A real project's sqlx migrations (`Tests/Fixtures/real/atuin`), taken over from sqlx half
/// way through its life: sqlx applied the first files and wrote its rows, the application wrote
/// rows of its own; then Godwit reads sqlx's history, rehearses only the rest to go, applies them
/// with sqlx's rows (checksums sqlx accepts), and rolls each back, proven, down to what sqlx
/// applied, which it refuses to touch.
public enum SQLxAdoption {
    /// Returns what failed, in words (empty when all held).
    /// - Parameters:
    ///   - adopted: how many of the files sqlx applied.
    ///   - seed: the application's rows, written after sqlx's part.
    public static func run(directory: String, on url: DatabaseURL, adopted: Int, seed: String) async throws -> [String] {
        var problems: [String] = []
        let migrations = try MigrationDirectory.load(directory)
        guard migrations.count > adopted else { return ["read \(migrations.count) migrations"] }
        try await DatabaseConnector.withDriver(url) { driver in
            try await ToolLayoutFixtures.applyAsTheToolWould(.sqlx, first: adopted, from: directory, on: driver)
            try await driver.executeScript(unsafeSQL: seed)
        }
        let start = try await DatabaseState.of(url)
        let statuses = try await ProjectStatus.read(migrations, on: url).entries.map(\.state)
        let expected = Array(repeating: "applied (adopted from sqlx)", count: adopted) + Array(repeating: "pending", count: migrations.count - adopted)
        if statuses != expected { problems.append("status: \(statuses)") }

        let pending = migrations.dropFirst(adopted).map(\.id)
        let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: directory)
        if !rehearsal.isGo || rehearsal.migrations != pending { problems.append("rehearsal of \(rehearsal.migrations): \(rehearsal.problems)") }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory)
        if outcome.ran != pending { problems.append("apply ran \(outcome.ran)") }

        // What `sqlx migrate run` checks before it runs anything: a row per file, its checksum.
        let rows = try await DatabaseConnector.withDriver(url) { driver in
            try await driver.query(unsafeSQL: "SELECT version, checksum FROM _sqlx_migrations ORDER BY version")
        }
        let wanted = migrations.map { migration -> [DatabaseValue] in
            guard case .rawSQL(let raw) = migration.operations[0] else { return [] }
            return [.integer(Int64(migration.id)!), .blob(MigrationChecksum.sha384(Data(raw.up.utf8)))]
        }
        if rows.map(\.values) != wanted { problems.append("sqlx's rows after apply: \(rows.count) of \(wanted.count), or a checksum differs") }

        for id in pending.reversed() {
            let (rolledBack, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            if rolledBack != id || !report.passed { problems.append("rollback of \(rolledBack): \(report.failures)") }
        }
        do {
            _ = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            problems.append("a migration sqlx applied was rolled back")
        } catch let error as GodwitError where error.code == .refused {}
        let end = try await DatabaseState.of(url)
        if end.digests != start.digests { problems.append("the application's rows differ after the rollbacks") }
        let left = end.schema.removingStatistics().differences(from: start.schema.removingStatistics())
        if !left.isEmpty { problems.append("after the rollbacks the schema differs: \(left)") }
        let remaining = try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT count(*) FROM _sqlx_migrations").first?[0].integerValue }
        if remaining != Int64(adopted) { problems.append("sqlx's rows after the rollbacks: \(remaining ?? -1)") }
        return problems
    }
}
