import Foundation
import GodwitCore
import Synchronization

/// The connection migration work runs on, kept usable: opened with the session settings
/// (lock and statement timeouts), reopened when the server ends it, and wrapped in retries with
/// exponential backoff and full jitter for transient failures (a lock timeout, a deadlock, a
/// terminated backend, a busy SQLite file).
final class ExecutionSession: Sendable {
    let url: DatabaseURL
    let settings: ExecutionSettings
    let observer: (any ExecutionObserver)?
    /// Reads the server around each step (rehearsals); nil in a real apply.
    let measurer: (any StepMeasurer)?
    private let current = Mutex<(any DatabaseDriver)?>(nil)
    /// Another tool's history kept current alongside Godwit's (see ``LegacyHistory``).
    let legacyHistory = Mutex<LegacyHistory?>(nil)
    /// The schema as last read when nothing has run since (the reading a migration ended with),
    /// so the next migration's plan starts from it instead of reading the catalog again.
    private let lastReading = Mutex<SchemaReading?>(nil)
    /// The reading a migration's plan was made from, just before its first step in this run:
    /// the verification after its last step reads again only what the migration changed.
    private let readingBefore = Mutex<(migration: String, reading: SchemaReading)?>(nil)
    /// The step whose checks passed in its own transaction as it finished, most recently in
    /// this run (see ``noteChecked(migration:step:)``).
    private let lastChecked = Mutex<(migration: String, step: Int, digests: [TableDigest])?>(nil)
    /// Tries and failed tries of retried work, for the failed-batch rollback trigger.
    private let tally = Mutex<(tries: Int, failures: Int)>((0, 0))
    /// Whether this run has installed the state tables (so no store asks again).
    private let stateInstalled = Mutex(false)
    /// The last verified backup, as the run found it when it first asked (`godwit backup`
    /// records one; it does not run inside an apply).
    private let verifiedBackup = Mutex<Date??>(nil)
    /// The passing rehearsals, as the run found them when it first asked (a rehearsal does not
    /// run inside an apply).
    private let rehearsals = Mutex<[RehearsedFile: Date]?>(nil)
    /// The checklist items the run last found open, and for which migration first.
    private let openChecklist = Mutex<(migration: String, items: [String])?>(nil)
    /// Audit events logged and not written yet (``log(_:)``).
    private let unwritten = Mutex<[AuditEvent]>([])
    /// The JSON of the schema objects the run's plans hold, so each plan encodes only what changed.
    private let schemaJSON = SchemaJSONCache()

    init(url: DatabaseURL, settings: ExecutionSettings, observer: (any ExecutionObserver)?, measurer: (any StepMeasurer)? = nil) {
        self.url = url
        self.settings = settings
        self.observer = observer
        self.measurer = measurer
    }

    /// Records that step `step` (1-based) of `migration` has just finished with its checks
    /// passed, so the verification of its phase, if it comes next, need not scan for them again;
    /// with the checksums its checks' scan took along (``TableDigester/scan(_:in:counting:on:)``).
    func noteChecked(migration: String, step: Int, digests: [TableDigest] = []) {
        lastChecked.withLock { $0 = (migration, step, digests) }
    }

    /// Whether the last step to finish in this run, with its checks, was step `step` of `migration`.
    func checksJustPassed(migration: String, step: Int) -> Bool {
        lastChecked.withLock { $0.map { $0.migration == migration && $0.step == step } ?? false }
    }

    /// The checksums step `step` of `migration` took as it finished, when it was the last to.
    func digestsJustTaken(migration: String, step: Int) -> [TableDigest] {
        lastChecked.withLock { $0.flatMap { $0.migration == migration && $0.step == step ? $0.digests : nil } ?? [] }
    }

    /// Keeps a reading of the live schema for the next ``takeReading()``: only call it when
    /// nothing will run on the database in between but Godwit's own records.
    func keep(reading: SchemaReading) { lastReading.withLock { $0 = reading } }

    /// The reading kept by ``keep(reading:)``, once.
    func takeReading() -> SchemaReading? { lastReading.withLock { reading in defer { reading = nil }; return reading } }

    /// Notes the reading `migration` is planned from, before its first step runs.
    func noteReading(before migration: String, _ reading: SchemaReading) { readingBefore.withLock { $0 = (migration, reading) } }

    /// The reading `migration` was planned from in this run, if it was the last one noted.
    func reading(before migration: String) -> SchemaReading? {
        readingBefore.withLock { $0.flatMap { $0.migration == migration ? $0.reading : nil } }
    }

    /// The open connection, reconnecting when it is gone.
    func driver() async throws -> any DatabaseDriver {
        if let driver = current.withLock({ $0 }), !driver.isClosed { return driver }
        let driver = try await DatabaseConnector.open(url)
        for statement in driver.dialect.sessionSetup(lockTimeoutMilliseconds: Self.milliseconds(settings.lockTimeout),
                                                     statementTimeoutMilliseconds: Self.milliseconds(settings.statementTimeout)) {
            try await driver.execute(unsafeSQL: statement)
        }
        current.withLock { $0 = driver }
        return driver
    }

    /// A state store on the current connection.
    func store() async throws -> StateStore {
        StateStore(driver: try await driver(), knownInstalled: stateInstalled.withLock { $0 })
    }

    /// When a backup was last verified, read once per run.
    func lastVerifiedBackup() async throws -> Date? {
        if let known = verifiedBackup.withLock({ $0 }) { return known }
        let at = try await store().lastEvent(.backupVerified)
        verifiedBackup.withLock { $0 = .some(at) }
        return at
    }

    /// When this migration file last passed a rehearsal on this database; every rehearsal is
    /// read once per run.
    func passedRehearsal(migration: String, checksum: String) async throws -> Date? {
        if let known = rehearsals.withLock({ $0 }) { return known[RehearsedFile(migration: migration, checksum: checksum)] }
        let passed = try await store().passedRehearsals()
        rehearsals.withLock { $0 = passed }
        return passed[RehearsedFile(migration: migration, checksum: checksum)]
    }

    /// Installs the state tables when missing; the stores this session hands out after that
    /// know they are there.
    func installState() async throws {
        try await store().install()
        stateInstalled.withLock { $0 = true }
    }

    /// Notes the checklist items open for `migration`; returns the migration they were first
    /// found open for when the list is the same as the last one noted.
    func noteOpenChecklist(_ items: [String], for migration: String) -> String? {
        openChecklist.withLock { last in
            if let last, last.items == items { return last.migration }
            last = (migration, items)
            return nil
        }
    }

    /// Logs an audit event. It is written with the next record this run saves, in the same
    /// statement (``save(_:)``), or by ``writeLog()``, which runs before every step: no step
    /// starts before what led to it is in the log.
    func log(_ event: AuditEvent) { unwritten.withLock { $0.append(event) } }

    /// Writes the events logged and not written yet.
    func writeLog() async throws {
        try await writingLog { events in
            guard !events.isEmpty else { return }
            try await self.store().append(events)
        }
    }

    /// Saves a migration's record, with the events logged since the last write.
    func save(_ record: MigrationRecord) async throws {
        try await writingLog { events in try await self.store().save(record, events: events) }
    }

    /// Saves a migration's record with the plan its run follows, and the events logged since
    /// the last write; a schema object an earlier plan of the run saved is not encoded again.
    func save(_ record: MigrationRecord, plan: StoredPlan) async throws {
        try await writingLog { events in
            try await self.store().save(record, plan: plan, cache: self.schemaJSON, events: events)
        }
    }

    /// Hands the events logged and not written yet to `write`; when it fails they stay, first,
    /// for the next write.
    private func writingLog(_ write: ([AuditEvent]) async throws -> Void) async throws {
        let events = takeUnwritten()
        do {
            try await write(events)
        } catch {
            unwritten.withLock { $0 = events + $0 }
            throw error
        }
    }

    private func takeUnwritten() -> [AuditEvent] { unwritten.withLock { events in defer { events = [] }; return events } }

    /// Drops the connection (after it failed); the next use opens a new one.
    func reset() async {
        let old = current.withLock { driver -> (any DatabaseDriver)? in
            defer { driver = nil }
            return driver
        }
        if let old { await withTimeLimit(seconds: 5) { try? await old.close() } }
    }

    func close() async { await reset() }

    var engine: Engine { url.engine }

    /// The share of tries that failed so far.
    var failureRate: (tries: Int, failures: Int) { tally.withLock { $0 } }

    /// Runs `work`, retrying transient failures up to `settings.attempts` times. A transaction
    /// left open by a failure is rolled back first; a lost connection is reopened.
    func withRetries<T: Sendable>(
        _ label: String, migration: String, step: Int? = nil,
        _ work: @escaping @Sendable (any DatabaseDriver) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            tally.withLock { $0.tries += 1 }
            let driver = try await connectWithRetries(label, migration: migration)
            do {
                return try await Self.watched(driver, work)
            } catch let error as GodwitError where error.isTransient && attempt < settings.attempts {
                tally.withLock { $0.failures += 1 }
                if driver.isClosed || error.endsSession {
                    await reset()
                } else {
                    // A live session in a failed transaction: end it, but never wait long on a
                    // connection the server may be closing.
                    await withTimeLimit(seconds: 5) { _ = try? await driver.execute(unsafeSQL: "ROLLBACK") }
                }
                let delay = backoff(attempt: attempt)
                observer?.observe(ExecutionEvent(
                    kind: .retry, migration: migration, step: step,
                    message: "\(label): \(error.isLockTimeout ? "lock not granted within \(settings.lockTimeout)s" : error.summary) (attempt \(attempt) of \(settings.attempts)); retrying in \(String(format: "%.2f", delay))s",
                    lockWait: error.isLockTimeout
                ))
                try await Task.sleep(for: .seconds(delay))
            } catch {
                if let error = error as? GodwitError, error.isTransient { tally.withLock { $0.failures += 1 } }
                if driver.isClosed || (error as? GodwitError)?.endsSession == true { await reset() }
                throw error
            }
        }
    }

    private func connectWithRetries(_ label: String, migration: String) async throws -> any DatabaseDriver {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await driver()
            } catch let error as GodwitError where error.code == .serverUnreachable && attempt < settings.attempts {
                try await Task.sleep(for: .seconds(backoff(attempt: attempt)))
            }
        }
    }

    /// Runs `work`, failing it when the server ends the session under it: postgres-nio may
    /// leave a statement sent on a connection the server closed waiting forever.
    static func watched<T: Sendable>(_ driver: any DatabaseDriver, _ work: @escaping @Sendable (any DatabaseDriver) async throws -> T) async throws -> T {
        guard driver.engine == .postgresql else { return try await work(driver) }
        let finished = OnceFlag()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let worker = Task {
                do {
                    let value = try await work(driver)
                    if finished.claim() { continuation.resume(returning: value) }
                } catch {
                    if finished.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                while !finished.isClaimed {
                    try? await Task.sleep(for: .milliseconds(100))
                    guard driver.isClosed else { continue }
                    // Give the statement a moment to fail on its own.
                    try? await Task.sleep(for: .seconds(1))
                    if finished.claim() {
                        worker.cancel()
                        continuation.resume(throwing: GodwitError(.serverUnreachable, "Lost the connection to PostgreSQL", location: driver.url.description,
                                                                  reason: "the server ended the session"))
                    }
                    return
                }
            }
        }
    }

    /// Equal jitter: a random wait between half and all of `base × 2^(attempt-1)`, capped.
    func backoff(attempt: Int) -> Double {
        let ceiling = min(settings.backoffCap, settings.backoffBase * pow(2, Double(attempt - 1)))
        return Double.random(in: ceiling / 2...max(ceiling / 2, ceiling))
    }

    static func milliseconds(_ seconds: Double) -> Int { Int((seconds * 1000).rounded()) }
}

/// Set once, by whichever side gets there first.
final class OnceFlag: Sendable {
    private let value = Mutex(false)

    /// True for the first caller only.
    func claim() -> Bool {
        value.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }

    var isClaimed: Bool { value.withLock { $0 } }
}
