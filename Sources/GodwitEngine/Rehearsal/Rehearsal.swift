import Foundation
public import GodwitCore

/// `godwit rehearse`: runs the pending migrations on a clone of the database — apply every
/// phase up to contract (gates passed automatically), verify, roll back, prove the schema and
/// every table's checksum equal the original's, apply again through cleanup, verify — timing
/// every step, and drops the clone on every path. In the original, only Godwit's records change:
/// the verdict per migration file, which `apply` requires.
public struct Rehearsal: Sendable {
    public let url: DatabaseURL
    public var settings: ExecutionSettings
    /// Where a SQL migration's down goes when it has none: beside `x.up.sql` as `x.down.sql`, and
    /// as `down.sql` in a folder holding `up.sql` or Prisma's `migration.sql`.
    static func downFile(of migration: Migration) -> String? {
        guard let path = migration.source?.path else { return nil }
        if path.hasSuffix(".up.sql") { return String(path.dropLast(".up.sql".count)) + ".down.sql" }
        if path.hasSuffix("/up.sql") || path.hasSuffix("/migration.sql") { return (path as NSString).deletingLastPathComponent + "/down.sql" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return path + "/down.sql" }
        return nil
    }

    /// Migration ids for a sentence: all of a few, or the first and last three of many.
    static func list(_ ids: [String]) -> String {
        ids.count <= 8 ? ids.joined(separator: ", ")
            : (ids.prefix(3) + ["… (\(ids.count - 6) more) …"] + ids.suffix(3)).joined(separator: ", ")
    }

    /// Steps holding ACCESS EXCLUSIVE or SHARE (on SQLite, the database's write lock) in their
    /// transaction longer than this are flagged.
    public var lockBudget: Double
    public let observer: (any ExecutionObserver)?
    public let interrupt: InterruptSignal
    /// With a value, PostgreSQL tables of more rows than this are cloned as a sample of about
    /// that many rows (`--sample`).
    public var sample: Int64?
    /// Where to put the copy when Godwit may not create databases (`--clone-on`): an empty
    /// database the user may fill, emptied again afterwards (a SQLite path that does not exist).
    public var cloneOn: DatabaseURL?
    /// The application's queries to replay on the clone before the migration, after it and
    /// after its rollback (`--baseline`): a regression past `threshold` is no-go unless the
    /// migration file accepts it.
    public var baseline: PerformanceBaseline?
    public var threshold = PerformanceThreshold()

    public init(url: DatabaseURL, settings: ExecutionSettings = ExecutionSettings(), lockBudget: Double = 0.2,
                observer: (any ExecutionObserver)? = nil, interrupt: InterruptSignal = InterruptSignal()) {
        self.url = url
        self.settings = settings
        self.lockBudget = lockBudget
        self.observer = observer
        self.interrupt = interrupt
    }

    public func run(directory: String) async throws -> RehearsalReport {
        let migrations = try MigrationDirectory.load(directory)
        let started = Date()
        let clone = try await DatabaseClone.make(of: url, sample: sample, on: cloneOn)
        observer?.observe(ExecutionEvent(kind: .notice, migration: "rehearsal", message: "cloned the database into \(clone.name) (\(clone.method))"))
        var probe: ServerProbe?
        do {
            probe = try await ServerProbe.start(for: clone.url)
            var report = try await rehearse(migrations, on: clone, probe: probe)
            report.seconds = Date().timeIntervalSince(started)
            await probe?.stop()
            await drop(clone)
            try await record(report, migrations: migrations)
            return report
        } catch {
            await probe?.stop()
            await drop(clone)
            throw error
        }
    }

    /// Drops the clone, and says whether it is gone or left behind (and how to remove it).
    private func drop(_ clone: DatabaseClone) async {
        let problem = await clone.drop()
        observer?.observe(ExecutionEvent(kind: .notice, migration: "rehearsal",
                                         message: problem.map { "the clone \(clone.name) is left behind: \($0)" } ?? "dropped the clone \(clone.name)"))
    }

    private func rehearse(_ migrations: [Migration], on clone: DatabaseClone, probe: ServerProbe?) async throws -> RehearsalReport {
        var report = RehearsalReport(database: url.description, cloneMethod: clone.method, startedAt: Date(), lockBudgetSeconds: lockBudget)
        report.lockSamplingSeconds = probe?.sampler.interval
        report.sampledTables = clone.sampledTables
        report.clone = clone.name
        // Another tool's history is its log, which Godwit writes as it applies and rolls back
        // (goose and sqitch add a row for each): it is not data a rollback gives back.
        let originalDigests = try await DatabaseDigests.all(clone.url).filter { !LegacyHistory.isHistoryTable($0.table) }
        let originalSchema = try await DatabaseConnector.withDriver(clone.url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
        let queriesBefore = try await baselineQueries(on: clone.url)

        // 1. Every phase up to contract; cleanup waits for a retention window that never ends here.
        var first = settings
        first.approveGates = true
        first.waiveSoak = true
        first.retention = 365 * 86400
        let applyLog = StepTimer(forwarding: observer, probe: probe)
        let alreadyApplied = Set(try await DatabaseConnector.withDriver(clone.url, access: .readOnly) { try await StateStore(driver: $0).records() }
            .filter(MigrationPlanning.hasBegun).map(\.id))
        var applyFailed = false
        do {
            var applier = MigrationApplier(url: clone.url, settings: first, observer: applyLog, interrupt: interrupt)
            applier.measurer = applyLog
            let applied = try await applier.apply(migrations)
            if case .rolledBack(let id, let reason, _) = applied.stop { report.problems.append("Migration \(id) was rolled back by a trigger: \(reason)") }
        } catch let error as GodwitError {
            applyFailed = true
            report.applyFailed = true
            // What happened only: the clone is dropped, so no advice to fix it and resume there.
            var happened = error
            happened.remedy = nil
            report.problems.append("Apply on the clone failed: \(happened.description)")
        }
        let rehearsed = try await DatabaseConnector.withDriver(clone.url, access: .readOnly) { try await StateStore(driver: $0).records() }
            .filter { !alreadyApplied.contains($0.id) && $0.adoptedFrom == nil }.map(\.id)
        report.migrations = rehearsed
        report.steps += try await applyLog.timings(pass: "apply", on: clone.url, budget: lockBudget)
        // Views are judged on a finished apply only: a half-applied one says nothing of them.
        if !applyFailed { report.views = try await viewOutcomes(of: migrations, before: originalSchema, on: clone.url) }
        if !applyFailed {
            for failure in try await OnDemandVerification.run(url: clone.url, migrations: migrations).flatMap(\.failures) {
                report.problems.append("Verification after apply: \(failure.name) (\(failure.detail))")
            }
            try await comparePerformance(with: queriesBefore, at: "after apply", on: clone.url, migrations: migrations, into: &report)
        }

        // 2. Roll back what this rehearsal applied, newest first, and compare with the original.
        let rollbackLog = StepTimer(forwarding: observer, probe: probe)
        let newestFirst = Array(rehearsed.reversed())
        var stuck: (migration: String, older: Int)?
        var unfinished: String?
        for (position, id) in newestFirst.enumerated() {
            let state = try await DatabaseConnector.withDriver(clone.url) { try await StateStore(driver: $0).record(id)?.state }
            guard state != .rolledBack else { continue }
            do {
                var rollback = MigrationRollback(url: clone.url, settings: settings, observer: rollbackLog, interrupt: interrupt)
                rollback.measurer = rollbackLog
                let (_, verified) = try await rollback.rollback(id)
                if !verified.passed {
                    report.problems.append("Rollback of \(id) did not give back the schema and data it started from: "
                        + verified.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "))
                }
            } catch let error as GodwitError {
                // The clone is dropped: its address, and advice for a database that stays, say nothing here.
                report.problems.append("Rollback of \(id) failed: " + [error.summary, error.reason].compactMap { $0 }.joined(separator: ": "))
                // Every older migration would be refused for this one still being applied.
                let older = Array(newestFirst[(position + 1)...].reversed())
                if !older.isEmpty {
                    report.problems.append("Not rolled back, as \(older.count == 1 ? "it was" : "they were") applied before \(id): \(Self.list(older))")
                }
                if error.summary.contains("point of no return") { stuck = (id, older.count) } else { unfinished = id }
                break
            }
        }
        report.steps += try await rollbackLog.timings(pass: "rollback", on: clone.url, budget: lockBudget)
        try await comparePerformance(with: queriesBefore, at: "after rollback", on: clone.url, migrations: migrations, into: &report)
        if let stoppedAt = stuck?.migration ?? unfinished {
            // What stays applied differs from the original by design: each rollback that ran was
            // checked against the state before its own migration, and the problems say where it stopped.
            report.rollbackStoppedAt = stoppedAt
            report.rollbackIdentical = false
        } else {
            try await compareWithOriginal(clone: clone, schema: originalSchema, digests: originalDigests, into: &report)
        }

        // 3. Apply again, through cleanup, and verify (when the first apply got through and the
        // rollback finished what it began).
        let stuckMigration = stuck.flatMap { stuck in migrations.first { $0.id == stuck.migration }.map { ($0, stuck.older) } }
        if let unfinished, !applyFailed {
            report.problems.append("Not applied again: the rollback of \(unfinished) did not finish, and an apply does not start over an unfinished rollback")
        }
        guard !applyFailed, unfinished == nil else {
            report.suggestions = suggestions(for: report, stuck: stuckMigration)
            return report
        }
        var second = first
        second.retention = 0
        let reapplyLog = StepTimer(forwarding: observer, probe: probe)
        var reapplier = MigrationApplier(url: clone.url, settings: second, observer: reapplyLog, interrupt: interrupt)
        reapplier.measurer = reapplyLog
        let reapplied: ApplyOutcome
        do {
            reapplied = try await reapplier.apply(migrations)
        } catch let error as GodwitError {
            report.problems.append("The second apply failed: " + [error.summary, error.reason].compactMap { $0 }.joined(separator: ": "))
            report.suggestions = suggestions(for: report, stuck: stuckMigration)
            return report
        }
        if case .rolledBack(let id, let reason, _) = reapplied.stop { report.problems.append("Migration \(id) was rolled back on the second apply: \(reason)") }
        report.steps += try await reapplyLog.timings(pass: "reapply", on: clone.url, budget: lockBudget)
        for failure in try await OnDemandVerification.run(url: clone.url, migrations: migrations).flatMap(\.failures) {
            report.problems.append("Verification after the second apply: \(failure.name) (\(failure.detail))")
        }
        report.suggestions = suggestions(for: report, stuck: stuckMigration)
        return report
    }

    /// Compares the clone, every rehearsed migration rolled back, with the original as cloned:
    /// the schema (column order aside) and every table's checksum; a table that differs is
    /// bisected against the original to its first differing rows.
    private func compareWithOriginal(clone: DatabaseClone, schema originalSchema: Schema, digests originalDigests: [TableDigest],
                                     into report: inout RehearsalReport) async throws {
        let restoredDigests = try await DatabaseDigests.all(clone.url, like: originalDigests).filter { !LegacyHistory.isHistoryTable($0.table) }
        let restoredSchema = try await DatabaseConnector.withDriver(clone.url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
        let schemaDifferences: [String]
        switch SQLEffect.reversal(from: originalSchema, to: restoredSchema) {
        case .columnOrderOnly(let tables):
            report.reorderedColumns = tables
            schemaDifferences = []
        case .differs(let objects): schemaDifferences = objects
        case .failed(let reason): schemaDifferences = [reason]
        case .identical, .notChecked: schemaDifferences = []
        }
        let dataDifferences = DigestComparison(before: originalDigests, after: restoredDigests).differences
        report.rollbackIdentical = schemaDifferences.isEmpty && dataDifferences.isEmpty
        for difference in schemaDifferences { report.differences.append(.init(table: "(schema)", keyRange: nil, keys: [], detail: difference)) }
        if !dataDifferences.isEmpty {
            // The original is untouched: bisect each differing table between it and the clone.
            try await DatabaseConnector.withDriver(url, access: .readOnly) { original in
                try await DatabaseConnector.withDriver(clone.url, access: .readOnly) { copy in
                    for difference in dataDifferences {
                        guard let table = originalSchema.table(named: difference.table), let columns = difference.before?.columns else { continue }
                        guard let after = difference.after else {
                            // A down that drops a table the original had: nothing left to bisect.
                            report.differences.append(.init(table: table.name.description, keyRange: nil, keys: [],
                                                            detail: "gone after the rollback, with its \(difference.before?.rows ?? 0) rows"))
                            continue
                        }
                        guard after.columns == columns else {
                            report.differences.append(.init(table: table.name.description, keyRange: nil, keys: [],
                                                            detail: "its columns differ after the rollback, so its rows cannot be compared"))
                            continue
                        }
                        guard !clone.sampledTables.contains(where: { $0.table == table.name.description }) else {
                            // The original holds rows the clone never had: only the sample's own digests compare.
                            report.differences.append(.init(table: table.name.description, keyRange: nil, keys: [],
                                                            detail: "count or checksum differs from before the rehearsal; the table was sampled, so its rows cannot be bisected against the original: rehearse without --sample to locate them"))
                            continue
                        }
                        report.differences.append(try await DifferenceLocator(original: original, copy: copy).locate(table, columns: columns))
                    }
                }
            }
        }
        if !report.rollbackIdentical {
            let first = report.differences.first
            let place = first.map { $0.table == "(schema)" ? "the schema" : $0.table + ($0.keyRange.map { " at \($0)" } ?? "") } ?? "the data"
            let more = report.differences.count - 1
            report.problems.append("Rollback did not return the database to identical: \(place)" + (first.map { ": \($0.detail)" } ?? "")
                + (more > 0 ? " (and \(more) more difference\(more == 1 ? "" : "s"), listed above)" : ""))
        }
    }

    /// The baseline's queries measured on the clone (before the migration); none without one.
    private func baselineQueries(on url: DatabaseURL) async throws -> [QueryMeasurement] {
        guard let baseline else { return [] }
        guard baseline.engine == url.engine else {
            throw GodwitError(.invalidArgument, "The performance baseline is of another engine",
                              reason: "it was captured on \(baseline.engine.rawValue), and this database is \(url.engine.rawValue)",
                              remedy: "Capture the baseline on this database: godwit baseline capture --db URL --queries FILE.")
        }
        return try await QueryReplayer(runs: baseline.runs).measure(baseline.queries, on: url)
    }

    /// Replays the baseline's queries at `moment` and compares each with before the migration;
    /// a regression no migration file accepts becomes a problem, so the verdict is no-go.
    private func comparePerformance(with before: [QueryMeasurement], at moment: String, on url: DatabaseURL, migrations: [Migration],
                                    into report: inout RehearsalReport) async throws {
        guard let baseline, !before.isEmpty else { return }
        let compared = try await QueryReplayer(runs: baseline.runs).compare(baseline.queries, with: before, on: url, threshold: threshold,
                                                                            accepted: migrations.flatMap(\.acceptedRegressions))
        report.performance.append(.init(moment: moment, queries: compared))
        for query in compared where query.blocks {
            report.problems.append("Query '\(query.name)' \(query.failure == nil ? "is slower" : "fails") \(moment): \(query.summary)"
                                   + " (threshold \(String(format: "%g", threshold.ratio))× and +\(String(format: "%g", threshold.slackMilliseconds)) ms;"
                                   + " accept it with a reason under accept_regressions: in the migration file if it is meant)")
        }
    }

    /// Records the verdict in the original database's Godwit records (its only write there), so
    /// `apply` can require a passing rehearsal of the same files.
    private func record(_ report: RehearsalReport, migrations: [Migration]) async throws {
        try await DatabaseConnector.withDriver(url) { driver in
            let store = StateStore(driver: driver)
            try await store.install()
            for migration in migrations where report.migrations.contains(migration.id) {
                var steps: [Int: RehearsalMeasurement.Step] = [:]
                for timing in report.steps where timing.pass == "apply" && timing.migration == migration.id && timing.undo != true {
                    steps[timing.step] = .init(seconds: timing.seconds, rows: timing.rows, lock: timing.lockHeld?.text)
                }
                try await store.recordRehearsal(migration: migration.id, checksum: migration.source?.checksum ?? "", passed: report.isGo,
                                                at: report.startedAt, seconds: report.seconds,
                                                measurement: RehearsalMeasurement(date: report.startedAt, steps: steps))
                try await store.append(AuditEvent(at: Date(), kind: .rollbackTested, migration: migration.id, fields: [
                    .init("verdict", report.isGo ? "go" : "no-go"), .init("rollback", report.rollbackIdentical ? "identical" : "differs"),
                    .init("clone", report.cloneMethod + (report.sampledTables.isEmpty ? "" : " (\(report.sampledTables.count) tables sampled)")), .init("duration", String(format: "%.1fs", report.seconds)),
                ]))
            }
        }
    }

    /// What the first apply did to each view that reads a table the migrations change.
    private func viewOutcomes(of migrations: [Migration], before: Schema, on url: DatabaseURL) async throws -> [RehearsalReport.ViewOutcome] {
        let touched = Set(migrations.flatMap { TableDigester.touchedTables(by: $0, in: before) })
        let watched = before.views.filter { !touched.isDisjoint(with: $0.dependencies) }
        guard !watched.isEmpty else { return [] }
        return try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let after = try await driver.inspect(InspectionOptions())
            let quoter = driver.engine.quoter
            var outcomes: [RehearsalReport.ViewOutcome] = []
            for view in watched.sorted(by: { $0.name < $1.name }) {
                guard let now = after.view(named: view.name) else {
                    outcomes.append(.init(view: view.name.description, outcome: "dropped", query: "—"))
                    continue
                }
                let query: String
                do {
                    let rows = try await driver.query(unsafeSQL: "SELECT count(*) FROM \(quoter.quote(view.name))").first?[0].integerValue ?? 0
                    query = "answers (\(rows) rows)"
                } catch let error as GodwitError {
                    query = "fails: \(error.reason ?? error.summary)"
                }
                let changed = now.definition != view.definition
                outcomes.append(.init(view: view.name.description,
                                      outcome: changed ? "definition rewritten by the engine to follow the change" : "unchanged",
                                      query: query, definitionAfter: changed ? now.definition : nil))
            }
            return outcomes
        }
    }

    private func suggestions(for report: RehearsalReport, stuck: (migration: Migration, older: Int)?) -> [String] {
        var found: [String] = []
        if let (migration, older) = stuck {
            let others = older == 0 ? "" : older == 1 ? ", and so neither can the one applied before it" : ", and so neither can the \(older) applied before it"
            let file = Self.downFile(of: migration).map { "write its down in \($0)" } ?? "give it a down that reverses it"
            found.append("Migration \(migration.id) cannot be undone\(others): \(file) (what undoes its change, rows included), then rehearse again.")
        }
        for step in report.steps where step.overBudget && step.pass != "rollback" {
            let held = step.lockHeld.map { "\($0.mode) on \($0.object) for \(DurationFormat.precise($0.seconds))" }
                ?? "\(step.strongLock ?? "a write-blocking lock") for \(DurationFormat.precise(step.seconds))"
            found.append("Step \(step.step) of \(step.migration) (\(step.title)) held \(held), over the \(DurationFormat.precise(report.lockBudgetSeconds)) budget: run it in a window, or split the table's change into an online expand/contract.")
        }
        for step in report.steps where step.pass == "apply" {
            guard let first = step.firstBatchSize, let last = step.lastBatchSize, let batches = step.batches, batches >= 3,
                  last >= first * 2 || last * 2 <= first else { continue }
            found.append("Backfill step \(step.step) of \(step.migration) (\(step.title)) started with batches of \(first) rows and settled on \(last) "
                + "to meet the \(DurationFormat.precise(settings.batchTarget)) batch target: start there with --batch-size \(last).")
        }
        return found
    }
}
