import Foundation
public import GodwitCore
import GodwitEngine

/// A project's life on one database, as a team lives it: 001 applied (its cleanup waiting for
/// the retention window); 002 added, then planned, linted, rehearsed and applied alone; a 003
/// that fails on the data, is fixed and applied; an applied file edited (drift) and restored;
/// 003 then 002 rolled back; both applied again. After every step `plan`, `lint`, `status` and
/// `rehearse` must agree on what is applied and what is pending, and plans are made against
/// the live schema (never re-checking what is applied).
public enum ProjectLife {
    static let first = """
        name: nicknames
        operations:
          - add_column: {table: customers, column: {name: nickname, type: text}}
          - create_index: {table: customers, name: customers_tier, columns: [tier]}
        """

    static let second = """
        name: upper names
        operations:
          - add_column: {table: customers, column: {name: name_upper, type: text}, up: "upper(name)"}
        """

    /// Tiers repeat, so the unique index fails on the data.
    static let broken = """
        name: unique key
        operations:
          - create_index: {table: customers, name: customers_key, columns: [tier], unique: true}
        """

    /// Emails are unique where they are not NULL.
    static let fixed = """
        name: unique key
        operations:
          - create_index: {table: customers, name: customers_key, columns: [email], unique: true}
        """

    /// Lives the project on `url`, which holds ``OperationMatrix/seed(_:)``. Returns what failed.
    public static func run(on url: DatabaseURL) async throws -> [String] {
        var problems: [String] = []
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.url.path
        func write(_ text: String, _ name: String) throws { try text.write(toFile: directory.path(name), atomically: true, encoding: .utf8) }
        // The default retention window: cleanup waits, as in production.
        var settings = SQLCorpus.settings
        settings.retention = ExecutionSettings().retention
        let apply = { try await MigrationApplier(url: url, settings: settings).apply(directory: path) }

        /// Whether every command sees `applied` applied and the rest pending.
        func agree(_ moment: String, applied: [String], rehearse: Bool = true) async throws {
            let all = try MigrationDirectory.load(path).map(\.id)
            let pending = all.filter { !applied.contains($0) }
            let planned = try await MigrationPlanning.planAll(directory: path, database: url)
            if planned.map(\.plan.migration.id) != pending { problems.append("\(moment): plan has \(planned.map(\.plan.migration.id)) pending, expected \(pending)") }
            let lintErrors = planned.flatMap { Linter().lint($0.plan.migration, plan: $0.plan, against: $0.schemaBefore, dataCounts: $0.dataCounts) }
                .filter { $0.severity == .error }
            if !lintErrors.isEmpty { problems.append("\(moment): lint \(lintErrors.map { "\($0.code) \($0.message)" })") }
            let status = try await ProjectStatus.read(try MigrationDirectory.load(path), on: url).entries
            let statusApplied = status.filter { $0.state == "applied" }.map(\.id)
            if statusApplied != applied { problems.append("\(moment): status has \(statusApplied) applied (\(status.map { "\($0.id) \($0.state)" })), expected \(applied)") }
            if status.contains(where: \.drift) { problems.append("\(moment): status claims drift") }
            let inDatabase = status.filter(\.isInDatabase).map(\.id)
            if inDatabase != applied { problems.append("\(moment): status has \(inDatabase) in the database, expected \(applied)") }
            guard rehearse else { return }
            let report = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: path)
            if report.migrations != pending { problems.append("\(moment): rehearse ran \(report.migrations), expected \(pending)") }
            if !report.isGo { problems.append("\(moment): rehearsal no-go: \(report.problems)") }
        }

        // 001 applied; its cleanup waits.
        try write(first, "001_nicknames.yaml")
        try await agree("before anything", applied: [])
        _ = try await apply()
        try await agree("001 applied", applied: ["001"], rehearse: false)
        let afterFirst = try await DatabaseState.of(url)

        // 002 added: planned against the live schema, alone.
        try write(second, "002_upper_names.yaml")
        try await agree("002 added", applied: ["001"])
        let ran = try await apply().ran
        if ran != ["002"] { problems.append("apply of 002 ran \(ran)") }
        try await agree("002 applied", applied: ["001", "002"], rehearse: false)
        let afterSecond = try await DatabaseState.of(url)

        // 003 fails on the data: plan and lint name the duplicates first; apply changes nothing.
        try write(broken, "003_unique_key.yaml")
        let brokenPlan = try await MigrationPlanning.planAll(directory: path, database: url)
        if brokenPlan.first?.dataCounts.isEmpty != false { problems.append("the broken 003's duplicates were not counted before it ran") }
        do {
            _ = try await apply()
            problems.append("the broken 003 applied")
        } catch is GodwitError {
            if try await DatabaseState.of(url) != afterSecond { problems.append("the failed 003 left changes behind") }
        }
        let failed = try await ProjectStatus.read(try MigrationDirectory.load(path), on: url).entries.last
        if failed?.state != "failed" { problems.append("status of the failed 003: \(String(describing: failed?.state))") }

        // Fixed: planned afresh, no word of drift, applied.
        try write(fixed, "003_unique_key.yaml")
        try await agree("003 fixed", applied: ["001", "002"])
        _ = try await apply()
        try await agree("003 applied", applied: ["001", "002", "003"], rehearse: false)

        // Drift: an applied file edited is refused by plan and apply, and shown by status.
        try write(first + "\n# edited after it was applied\n", "001_nicknames.yaml")
        for (command, attempt) in [("plan", { _ = try await MigrationPlanning.planAll(directory: path, database: url) }),
                                   ("apply", { _ = try await apply() })] as [(String, () async throws -> Void)] {
            do {
                try await attempt()
                problems.append("\(command) ignored the drifted 001")
            } catch let error as GodwitError where error.summary.contains("changed after it was applied") {}
        }
        if try await ProjectStatus.read(try MigrationDirectory.load(path), on: url).entries.first?.drift != true { problems.append("status does not show the drift") }
        try write(first, "001_nicknames.yaml")

        // Rollback of 003, then 002: back to just after 001.
        for id in ["003", "002"] {
            let (undone, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            if undone != id || !report.passed { problems.append("rollback undid \(undone) (expected \(id)): \(report.failures.map(\.detail))") }
        }
        if try await DatabaseState.of(url) != afterFirst { problems.append("after rolling back 003 and 002 the database differs from after 001") }
        try await agree("003 and 002 rolled back", applied: ["001"])

        // And forward again.
        let again = try await apply().ran
        if again != ["002", "003"] { problems.append("the second apply ran \(again)") }
        try await agree("all applied again", applied: ["001", "002", "003"], rehearse: false)
        return problems
    }
}
