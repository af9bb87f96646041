import Foundation
import GodwitCore
import Testing

/// The watched run's view, transition by transition, without I/O: what each event and each
/// reading of the records changes.
@Suite("Run view")
struct RunViewTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    static var migration: Migration {
        var migration = Migration(id: "001", name: "Orders v2", operations: [])
        migration.rollbackTriggers = [RollbackTrigger(condition: .latency(aboveBaselinePercent: 50), action: .pause),
                                      RollbackTrigger(condition: .validation("totals match"))]
        return migration
    }

    @Test("Before any event: starting, the expected migration pending with its triggers armed")
    func expected() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.expect(Self.migration)
        view.expect(Self.migration)
        #expect(view.state == .starting)
        #expect(view.migrations.map(\.state) == ["pending"])
        #expect(view.triggers.map(\.key) == ["latency", "validation:totals match"])
        #expect(view.triggers.allSatisfy { !$0.fired })
        #expect(view.triggers.first?.action == "pause")
    }

    @Test("A migration without triggers is watched for the three documented ones")
    func documentedTriggers() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.expect(Migration(id: "002", name: "plain", operations: []))
        #expect(view.triggers.map(\.key) == ["integrity_failure", "latency", "failed_batches"])
    }

    @Test("Started, phase, step, batches, probes: the position, progress, charts and last progress follow")
    func progress() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.expect(Self.migration)
        view.observe(ExecutionEvent(at: Self.at(1), kind: .migrationStarted, migration: "001", message: "001 Orders v2: 4 steps",
                                    plan: .init(phases: [.expand, .backfill, .backfill, .contract], steps: 4)))
        #expect(view.state == .running)
        #expect(view.migrations[0].state == "running")
        #expect(view.migrations[0].phases == [.expand, .backfill, .contract])
        #expect(view.migrations[0].totalSteps == 4)
        view.observe(ExecutionEvent(at: Self.at(2), kind: .phaseStarted, migration: "001", phase: .backfill, message: "phase backfill begins"))
        view.observe(ExecutionEvent(at: Self.at(2), kind: .stepStarted, migration: "001", phase: .backfill, step: 2, message: "Backfill orders.total"))
        #expect(view.current == RunView.Position(migration: "001", phase: .backfill, step: 2, title: "Backfill orders.total"))
        #expect(view.migrations[0].phase == .backfill)
        for batch in 1...3 {
            view.observe(ExecutionEvent(at: Self.at(2 + Double(batch)), kind: .batch, migration: "001", phase: .backfill, step: 2,
                                        message: "batch \(batch)",
                                        progress: .init(rowsDone: Int64(batch * 100), rowsTotal: 1000, rowsPerSecond: 100, batchSize: 100),
                                        batchSeconds: 0.05 * Double(batch)))
        }
        view.observe(ExecutionEvent(at: Self.at(6), kind: .probe, migration: "001", message: "probe", probe: .init(latency: 0.004, baseline: 0.002)))
        #expect(view.progress?.rowsDone == 300)
        #expect(view.rates.count == 3 && view.rates.last?.at == Self.at(5))
        #expect(view.batchSeconds == [0.05, 0.1, 0.15000000000000002])
        #expect(view.lastProgressAt == Self.at(5))
        #expect(view.probes.map(\.value) == [0.004] && view.probeBaseline == 0.002)
        #expect(view.secondsLeft == 7)
        #expect(view.lastMessage == "[001] batch 3", "a probe is no message")
        view.observe(ExecutionEvent(at: Self.at(7), kind: .stepFinished, migration: "001", phase: .backfill, step: 2, message: "done"))
        #expect(view.migrations[0].completedSteps == 2)
        #expect(view.lastProgressAt == Self.at(7))
        // An undone step does not count as done.
        view.observe(ExecutionEvent(at: Self.at(8), kind: .stepFinished, migration: "001", step: 3, message: "undone", undo: true))
        #expect(view.migrations[0].completedSteps == 2)
    }

    @Test("Retries count lock waits apart; verifications add their passed and failed checks")
    func retriesAndChecks() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.observe(ExecutionEvent(kind: .retry, migration: "001", message: "lock", lockWait: true))
        view.observe(ExecutionEvent(kind: .retry, migration: "001", message: "connection lost", lockWait: false))
        view.observe(ExecutionEvent(kind: .verification, migration: "001", phase: .expand, message: "ok", checks: .init(passed: 5, failed: 0)))
        view.observe(ExecutionEvent(kind: .verification, migration: "001", phase: .backfill, message: "failed", checks: .init(passed: 4, failed: 1)))
        #expect(view.retries == 2 && view.lockWaits == 1)
        #expect(view.checksPassed == 9 && view.checksFailed == 1)
    }

    @Test("A gate: waiting, with the approve command; the migration's end clears it")
    func gate() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.observe(ExecutionEvent(at: Self.at(3), kind: .gate, migration: "001", phase: .contract, message: "waiting for approval",
                                    gate: .init(reason: "approval of the gate before contract: run godwit approve 001", approveCommand: "godwit approve 001")))
        #expect(view.state == .waiting)
        #expect(view.gate?.approveCommand == "godwit approve 001")
        #expect(view.gate?.since == Self.at(3) && view.gate?.phase == .contract)
        #expect(view.migrations.first?.state == "waiting-at-gate")
        view.observe(ExecutionEvent(kind: .migrationFinished, migration: "001", message: "001 applied"))
        #expect(view.gate == nil)
        #expect(view.migrations.first?.state == "applied")
        view.finish(failed: false, at: Self.at(9))
        #expect(view.state == .waiting, "a run that stopped at a gate ends waiting")
    }

    @Test("A fired trigger is marked; one the view did not expect is added; a rollback shows in the migration's state")
    func triggers() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.expect(Self.migration)
        view.observe(ExecutionEvent(kind: .notice, migration: "001", message: "rollback trigger fired", trigger: "latency"))
        #expect(view.triggers.first { $0.key == "latency" }?.fired == true)
        #expect(view.triggers.first { $0.key == "validation:totals match" }?.fired == false)
        view.observe(ExecutionEvent(kind: .notice, migration: "001", message: "fired", trigger: "failed_batches"))
        #expect(view.triggers.count == 3 && view.triggers.last?.fired == true)
        view.observe(ExecutionEvent(kind: .rollbackStarted, migration: "001", message: "rolling back"))
        #expect(view.migrations[0].state == "rolling-back")
        view.observe(ExecutionEvent(kind: .rollbackFinished, migration: "001", message: "rolled back"))
        #expect(view.migrations[0].state == "rolled-back")
        view.finish(failed: true, at: Self.at(4))
        #expect(view.state == .failed)
    }

    @Test("Copy and sync events: rows per table and the lag; no migration line is made for them")
    func copyAndSync() {
        var view = RunView(command: "copy", startedAt: Self.start)
        view.observe(ExecutionEvent(kind: .batch, migration: "copy", message: "Track", progress: .init(rowsDone: 500, rowsTotal: 900, rowsPerSecond: 50, batchSize: 500),
                                    copied: ["Track": 500]))
        view.observe(ExecutionEvent(kind: .batch, migration: "sync", message: "sync", syncLag: 12))
        #expect(view.copied == ["Track": 500] && view.syncLag == 12)
        #expect(view.migrations.isEmpty)
    }

    @Test("The charts keep at most their limit of samples, the newest")
    func historyLimit() {
        var view = RunView(command: "apply", startedAt: Self.start)
        for index in 0..<(RunView.historyLimit + 10) {
            view.observe(ExecutionEvent(at: Self.at(Double(index)), kind: .batch, migration: "001", message: "b",
                                        progress: .init(rowsDone: Int64(index), rowsTotal: 10_000, rowsPerSecond: Double(index), batchSize: 1)))
        }
        #expect(view.rates.count == RunView.historyLimit)
        #expect(view.rates.first?.value == 10)
    }

    static func record(_ state: MigrationRecord.State, phase: Phase?, waitingFor: String? = nil) -> MigrationRecord {
        var record = MigrationRecord(id: "001", name: "Orders v2", checksum: "c", state: state, startedAt: Self.start, operatorName: "ops")
        record.phase = phase
        record.completedSteps = 1
        record.totalSteps = 4
        record.waitingFor = waitingFor
        return record
    }

    @Test("watch: the records make the lines, the step under way with its rate, the audit tail and a settled state")
    func absorbRunning() {
        var view = RunView(command: "watch", startedAt: Self.start)
        var step = StepProgress(step: 2, title: "Backfill orders.total", phase: .backfill, startedAt: Self.at(1))
        step.rowsDone = 400
        step.rowsTotal = 1000
        step.updatedAt = Self.at(5)
        let audit = (0..<20).map { AuditEvent(at: Self.at(Double($0)), kind: .phaseStarted, migration: "001", fields: [.init("phase", "p\($0)")]) }
        view.absorb(RunRecords(records: [Self.record(.running, phase: .expand)], phases: ["001": [.expand, .backfill, .contract]],
                               current: .init(migration: "001", progress: step), audit: audit, runnerActive: true), now: Self.at(6))
        #expect(view.state == .running)
        #expect(view.migrations == [RunView.Migration(id: "001", name: "Orders v2", state: "running", phases: [.expand, .backfill, .contract],
                                                      phase: .backfill, completedSteps: 1, totalSteps: 4)])
        #expect(view.progress?.rowsDone == 400 && view.progress?.rowsTotal == 1000)
        #expect(view.progress?.rowsPerSecond == 100, "400 rows in the 4 s since the step began")
        #expect(view.current?.step == 2)
        #expect(view.lastProgressAt == Self.at(5))
        #expect(view.audit.count == RunView.auditLimit && view.audit.last?.contains("phase=p19") == true)
        // The runner's process died: no lock, a running record.
        view.absorb(RunRecords(records: [Self.record(.running, phase: .backfill)], phases: [:], current: nil, audit: [], runnerActive: false),
                    now: Self.at(7))
        #expect(view.state == .interrupted)
        #expect(view.migrations[0].phases == [.expand, .backfill, .contract], "known phases are kept")
    }

    @Test("watch: a record at a gate gives the gate, its approve command and since when; a failure's trigger and checks count")
    func absorbGateAndFailure() {
        var view = RunView(command: "watch", startedAt: Self.start)
        let waiting = Self.record(.waitingAtGate, phase: .backfill, waitingFor: "approval of the gate before contract: run godwit approve 001")
        let audit = [AuditEvent(at: Self.at(3), kind: .gateWaiting, migration: "001", fields: [.init("phase", "contract"), .init("waiting_for", "approval")])]
        view.absorb(RunRecords(records: [waiting], phases: [:], current: nil, audit: audit, runnerActive: false), now: Self.at(10))
        #expect(view.state == .waiting)
        #expect(view.gate == RunView.Waiting(migration: "001", phase: .contract, reason: waiting.waitingFor!, approveCommand: "godwit approve 001",
                                             since: Self.at(3)))

        var failed = RunView(command: "watch", startedAt: Self.start)
        let failure = [
            AuditEvent(at: Self.at(4), kind: .integrityCheck, migration: "001", fields: [.init("checks", "6"), .init("failed", "1")]),
            AuditEvent(at: Self.at(5), kind: .migrationFailed, migration: "001",
                       fields: [.init("reason", "x"), .init("action", "pause"), .init("trigger", "validation:totals match")]),
        ]
        failed.absorb(RunRecords(records: [Self.record(.failed, phase: .backfill)], phases: [:], current: nil, audit: failure, runnerActive: false),
                      now: Self.at(6))
        #expect(failed.state == .failed)
        #expect(failed.checksPassed == 5 && failed.checksFailed == 1)
        #expect(failed.triggers.map(\.key) == ["validation:totals match"] && failed.triggers[0].fired)
        #expect(failed.gate == nil)
    }

    @Test("watch on a database where nothing ran: idle, not finished")
    func idle() {
        var view = RunView(command: "watch", startedAt: Self.start)
        view.absorb(RunRecords(records: [], phases: [:], current: nil, audit: [], runnerActive: false), now: Self.at(1))
        #expect(view.state == .idle)
    }

    @Test("In the runner's own process, records never move a migration back to an earlier phase than its events")
    func eventsAheadOfRecords() {
        var view = RunView(command: "apply", startedAt: Self.start)
        view.observe(ExecutionEvent(kind: .migrationStarted, migration: "001", message: "s"))
        view.observe(ExecutionEvent(kind: .phaseStarted, migration: "001", phase: .backfill, message: "p"))
        view.absorb(RunRecords(records: [Self.record(.running, phase: .expand)], phases: [:], current: nil, audit: [], runnerActive: true), now: Self.at(1))
        #expect(view.migrations[0].phase == .backfill)
        #expect(view.state == .running)
    }
}
