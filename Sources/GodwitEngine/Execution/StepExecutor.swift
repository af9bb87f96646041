import Foundation
import Synchronization
import GodwitCore

/// Runs one plan step forward or back for `apply` and `rollback`, and records it: in the step's
/// own transaction where it has one, so the work and the record commit together and a crash
/// between them cannot happen. Steps that cannot run in a transaction (concurrent index builds)
/// are idempotent instead, and an INVALID index a failed build left behind is dropped first.
struct StepExecutor {
    let session: ExecutionSession
    let interrupt: InterruptSignal
    let migration: Migration
    let steps: [PlanStep]
    private let runner = PlanStepRunner()

    init(session: ExecutionSession, interrupt: InterruptSignal, migration: Migration, steps: [PlanStep]) {
        self.session = session
        self.interrupt = interrupt
        self.migration = migration
        self.steps = steps
    }

    /// Checksums the verification right after a step would take: a backfill step's checks
    /// that count rows of these tables take them in the same scan (one read of each table
    /// instead of two).
    struct ChecksumsAlongside: Sendable {
        var tables: [QualifiedName]
        /// The schema the tables have then, for their columns and types.
        var schema: Schema
    }

    /// Runs step `index` (0-based) forward and marks it done.
    func forward(_ index: Int, checksumsAlongside along: ChecksumsAlongside? = nil) async throws {
        let step = steps[index], number = index + 1
        let label = "step \(number) of \(steps.count) (\(step.title))"
        let started = Date()
        await session.measurer?.stepStarting(migration: migration.id, step: number, undo: false)
        session.observer?.observe(ExecutionEvent(kind: .stepStarted, migration: migration.id, phase: step.phase, step: number, message: step.title))
        if let backfill = step.backfill, BackfillBatchSQL(backfill: backfill, engine: session.engine).isBatchable {
            let backfillRunner = BackfillRunner(session: session, interrupt: interrupt, migration: migration)
            try await backfillRunner.run(step, index: index)
            // ANALYZE reads a sample while the checks scan the table, on another session where
            // the engine allows; otherwise (or when that fails) before the checks, on this one.
            let beside = try await session.driver().dialect.analyzesBesideWriters
            async let analyzedBeside = beside ? backfillRunner.analyzeBeside(step) : false
            var bare = step
            bare.setup = []
            bare.teardown = []
            let checksOnly = bare
            let folded = along.map { along in
                step.isTransactional ? step.checks.filter { check in
                    !check.isPrecondition && check.rowFilter.map { along.tables.contains($0.table) } == true
                } : []
            } ?? []
            let separate = step.checks.filter { !folded.contains($0) }
            let taken = try await session.withRetries("checks of \(label)", migration: migration.id, step: number) { driver in
                let digests = Mutex<[TableDigest]>([])
                try await runner.run(checksOnly, statements: [], checks: separate, on: driver, label: label) { driver in
                    if let along, !folded.isEmpty {
                        let taken = try await check(folded, takingChecksums: along, on: driver, label: label)
                        digests.withLock { $0 = taken }
                    }
                    try await markDone(through: index, on: driver, startedAt: nil)
                    CrashPoint.reach("step-\(number)-before-commit")
                }
                return digests.withLock { $0 }
            }
            if await !analyzedBeside { try await backfillRunner.analyze(step, index: index) }
            session.noteChecked(migration: migration.id, step: number, digests: taken)
        } else {
            do {
                try await session.withRetries(label, migration: migration.id, step: number) { driver in
                    if !step.isTransactional { try await dropInvalidIndexes(mentionedIn: step.forward, on: driver) }
                    try await runner.run(step, statements: step.forward, locations: step.forwardLocations, checks: step.checks, on: driver, label: label) { driver in
                        try await markDone(through: index, on: driver, startedAt: started)
                        CrashPoint.reach("step-\(number)-before-commit")
                    }
                }
            } catch {
                // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind (no
                // transaction undoes it): drop it, so the failed step leaves nothing.
                if !step.isTransactional, let driver = try? await session.driver() {
                    try? await dropInvalidIndexes(mentionedIn: step.forward, on: driver)
                }
                throw error
            }
        }
        CrashPoint.reach("step-\(number)-after-commit")
        if step.backfill == nil { session.noteChecked(migration: migration.id, step: number) }
        session.observer?.observe(ExecutionEvent(kind: .stepFinished, migration: migration.id, phase: step.phase, step: number,
                                                 message: "\(step.title) (\(String(format: "%.3f", Date().timeIntervalSince(started)))s)"))
        await session.measurer?.stepFinished(migration: migration.id, step: number, undo: false)
    }

    /// Runs `checks` (each counting rows of one table) within the checksum scan of `along`'s
    /// tables, in the step's transaction, and returns the checksums. A scan the server refuses
    /// (one without the hash function) is undone to a savepoint and the checks run on their own.
    private func check(_ checks: [StepCheck], takingChecksums along: ChecksumsAlongside, on driver: any DatabaseDriver,
                       label: String) async throws -> [TableDigest] {
        let filtered = checks.compactMap { check in check.rowFilter.map { (check: check, filter: $0) } }
        let byTable = Dictionary(grouping: filtered, by: \.filter.table)
        let scan: TableDigester.Scan
        try await driver.execute(unsafeSQL: "SAVEPOINT godwit_checks")
        do {
            scan = try await TableDigester.scan(along.tables, in: along.schema, counting: byTable.mapValues { $0.map(\.filter.condition) }, on: driver)
        } catch let error as GodwitError where !error.endsSession {
            try await driver.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_checks")
            for check in checks { try await runner.verify(check, on: driver, label: label) }
            return []
        }
        try await driver.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_checks")
        for (table, entries) in byTable {
            for (position, entry) in entries.enumerated() {
                if let counts = scan.counts[table], position < counts.count {
                    try runner.judge(entry.check, found: counts[position], label: label)
                } else {
                    try await runner.verify(entry.check, on: driver, label: label)
                }
            }
        }
        return scan.digests
    }

    /// Undoes step `index` (0-based) and records that only the steps before it stay done.
    func reverse(_ index: Int) async throws {
        let step = steps[index], number = index + 1
        guard let statements = step.reverse else {
            throw GodwitError(.refused, "Step \(number) cannot be undone", location: step.title,
                              remedy: "It ran in \(step.phase.rawValue), past the point of no return; restore from a backup instead.")
        }
        let label = "undo of step \(number) (\(step.title))"
        await session.measurer?.stepStarting(migration: migration.id, step: number, undo: true)
        session.observer?.observe(ExecutionEvent(kind: .stepStarted, migration: migration.id, phase: step.phase, step: number, message: "undo: \(step.title)", undo: true))
        try await session.withRetries(label, migration: migration.id, step: number) { driver in
            if !step.isTransactional { try await dropInvalidIndexes(mentionedIn: statements + step.forward, on: driver) }
            try await runner.run(step, statements: statements, locations: step.reverseLocations, checks: [], on: driver, label: label) { driver in
                try await StateStore(driver: driver).setCompletedSteps(migration: migration.id, count: index,
                                                                       phase: index > 0 ? steps[index - 1].phase : nil)
                CrashPoint.reach("undo-\(number)-before-commit")
            }
        }
        session.observer?.observe(ExecutionEvent(kind: .stepFinished, migration: migration.id, phase: step.phase, step: number, message: "undone: \(step.title)", undo: true))
        await session.measurer?.stepFinished(migration: migration.id, step: number, undo: true)
    }

    private func markDone(through index: Int, on driver: any DatabaseDriver, startedAt: Date?) async throws {
        let step = steps[index], finished = Date()
        try await StateStore(driver: driver).markStepDone(migration: migration.id, step: index + 1, title: step.title, phase: step.phase,
                                                          startedAt: startedAt ?? finished, finishedAt: finished)
    }

    /// Drops INVALID indexes (left by an interrupted concurrent build) named in `statements`.
    private func dropInvalidIndexes(mentionedIn statements: [String], on driver: any DatabaseDriver) async throws {
        guard let query = driver.dialect.invalidIndexes else { return }
        let invalid = try await driver.query(unsafeSQL: query)
        let quoter = driver.dialect.quoter
        for row in invalid {
            guard let schema = row[0].textValue, let name = row[1].textValue,
                  statements.contains(where: { SQLText.mentions($0, name) }) else { continue }
            session.observer?.observe(ExecutionEvent(kind: .notice, migration: migration.id,
                                                     message: "dropping the INVALID index \(schema).\(name) left by an interrupted build"))
            try await driver.execute(unsafeSQL: "DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: schema, name)))")
        }
    }
}
