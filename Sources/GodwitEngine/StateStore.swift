public import Foundation
public import GodwitCore

/// Godwit's own records inside the target database: which migrations ran (with the checksum of
/// their file, state, phase, steps done, timings, operator, what they wait for), the plan each
/// run follows with the digests taken before it, per-step and per-batch progress so a run can
/// resume, and the audit log. PostgreSQL keeps them in the schema `godwit`; SQLite in tables
/// named `godwit_…`. Inspection leaves them out.
///
/// Progress is written on the same connection as the work, inside the step's or batch's
/// transaction, so the record and the data commit together.
public struct StateStore: Sendable {
    public let driver: any DatabaseDriver
    /// The tables are known to exist (a run that installed them): reads do not ask first.
    let knownInstalled: Bool

    public init(driver: any DatabaseDriver) {
        self.init(driver: driver, knownInstalled: false)
    }

    init(driver: any DatabaseDriver, knownInstalled: Bool) {
        self.driver = driver
        self.knownInstalled = knownInstalled
    }

    private var dialect: any SQLDialect { driver.dialect }
    private var migrations: String { driver.godwitTable("migrations") }
    private var steps: String { driver.godwitTable("steps") }
    private var audit: String { driver.godwitTable("audit") }
    private var rehearsals: String { driver.godwitTable("rehearsals") }

    /// `$1` on PostgreSQL, `?1` on SQLite.
    private func p(_ number: Int) -> String { dialect.parameter(number) }
    private func placeholders(_ count: Int) -> String { dialect.parameters(count) }

    /// Creates the state tables when missing.
    public func install() async throws {
        var script = dialect.godwitNamespace.map { $0 + ";\n" } ?? ""
        script += """
            CREATE TABLE IF NOT EXISTS \(migrations) (
                id text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, state text NOT NULL, phase text,
                completed_steps integer NOT NULL DEFAULT 0, total_steps integer NOT NULL DEFAULT 0,
                started_at text NOT NULL, finished_at text, operator text NOT NULL, waiting_for text,
                approved_gates text NOT NULL DEFAULT '', phase_finished_at text, plan text
            );
            CREATE TABLE IF NOT EXISTS \(steps) (
                migration text NOT NULL, step integer NOT NULL, title text NOT NULL, phase text NOT NULL,
                started_at text NOT NULL, updated_at text, finished_at text, batches_done bigint NOT NULL DEFAULT 0,
                rows_done bigint NOT NULL DEFAULT 0, rows_total bigint NOT NULL DEFAULT 0, last_key text,
                PRIMARY KEY (migration, step)
            );
            CREATE TABLE IF NOT EXISTS \(rehearsals) (
                migration text NOT NULL, checksum text NOT NULL, verdict text NOT NULL, at text NOT NULL, seconds double precision NOT NULL,
                measurement text, PRIMARY KEY (migration, checksum)
            );
            CREATE TABLE IF NOT EXISTS \(audit) (
                seq \(dialect.autoNumberedKey) PRIMARY KEY, at text NOT NULL, event text NOT NULL,
                migration text NOT NULL, fields text NOT NULL
            );
            """
        try await driver.executeScript(unsafeSQL: script)
    }

    /// Whether the state tables exist (a read-only command must not create them).
    public func isInstalled() async throws -> Bool {
        if knownInstalled { return true }
        return try await driver.hasGodwitTable("migrations")
    }

    /// Every recorded migration, in version order; none when the tables do not exist yet.
    public func records() async throws -> [MigrationRecord] {
        guard try await isInstalled() else { return [] }
        let rows = try await driver.query(unsafeSQL: """
            SELECT id, name, checksum, state, phase, completed_steps, started_at, finished_at, operator,
                   total_steps, waiting_for, approved_gates, phase_finished_at FROM \(migrations)
            """)
        return rows.compactMap { row in
            guard let id = row[0].textValue, let name = row[1].textValue, let checksum = row[2].textValue,
                  let state = row[3].textValue.flatMap(MigrationRecord.State.init(rawValue:)),
                  let started = row[6].textValue.flatMap(Self.date), let operatorName = row[8].textValue else { return nil }
            return MigrationRecord(
                id: id, name: name, checksum: checksum, state: state, phase: row[4].textValue.flatMap(Phase.init(rawValue:)),
                completedSteps: Int(row[5].integerValue ?? 0), startedAt: started, finishedAt: row[7].textValue.flatMap(Self.date),
                operatorName: operatorName, totalSteps: Int(row[9].integerValue ?? 0), waitingFor: row[10].textValue,
                approvedGates: (row[11].textValue ?? "").split(separator: ",").compactMap { Phase(rawValue: String($0)) },
                phaseFinishedAt: row[12].textValue.flatMap(Self.date)
            )
        }.sorted { VersionOrder.precedes($0.id, $1.id) }
    }

    /// One migration's record.
    public func record(_ id: String) async throws -> MigrationRecord? {
        try await records().first { $0.id == id }
    }

    /// Inserts or updates a migration's record (its stored plan is kept), with `events` appended
    /// to the audit log in the same statement where the engine allows (``SQLDialect/combinesWrites``).
    public func save(_ record: MigrationRecord, events: [AuditEvent] = []) async throws {
        try await perform([try eventsWrite(events), upsertWrite(record, planJSON: nil)].compactMap { $0 })
    }

    /// Saves a record with the plan its run follows (and `events`), in one statement. With a
    /// `cache`, each schema object the cache wrote before (the previous plan's) is not encoded again.
    public func save(_ record: MigrationRecord, plan: StoredPlan, cache: SchemaJSONCache? = nil,
                     events: [AuditEvent] = []) async throws {
        let json = try Self.json(of: plan, cache: cache)
        try await perform([try eventsWrite(events), upsertWrite(record, planJSON: json)].compactMap { $0 })
    }

    private func upsertWrite(_ record: MigrationRecord, planJSON: String?) -> StateWrite {
        var columns = ["id", "name", "checksum", "state", "phase", "completed_steps", "started_at", "finished_at", "operator",
                       "total_steps", "waiting_for", "approved_gates", "phase_finished_at"]
        var bindings: [DatabaseValue] = [
            .text(record.id), .text(record.name), .text(record.checksum), .text(record.state.rawValue),
            record.phase.map { .text($0.rawValue) } ?? .null, .integer(Int64(record.completedSteps)),
            .text(Self.text(record.startedAt)), record.finishedAt.map { .text(Self.text($0)) } ?? .null, .text(record.operatorName),
            .integer(Int64(record.totalSteps)), record.waitingFor.map { .text($0) } ?? .null,
            .text(record.approvedGates.map(\.rawValue).joined(separator: ",")),
            record.phaseFinishedAt.map { .text(Self.text($0)) } ?? .null,
        ]
        if let planJSON {
            columns.append("plan")
            bindings.append(.text(planJSON))
        }
        let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let table = migrations, dialect = dialect, names = columns.joined(separator: ", "), count = bindings.count
        return StateWrite(bindings: bindings) { first in
            """
            INSERT INTO \(table) (\(names)) VALUES (\(StateWrite.placeholders(count, from: first, in: dialect)))
            ON CONFLICT (id) DO UPDATE SET \(updates)
            """
        }
    }

    /// Marks `count` steps done, with the phase of the last: run inside the step's transaction.
    public func setCompletedSteps(migration: String, count: Int, phase: Phase?) async throws {
        try await perform([completedStepsWrite(migration: migration, count: count, phase: phase)])
    }

    private func completedStepsWrite(migration: String, count: Int, phase: Phase?) -> StateWrite {
        let table = migrations, dialect = dialect
        return StateWrite(bindings: [.integer(Int64(count)), phase.map { .text($0.rawValue) } ?? .null, .text(migration)]) { first in
            "UPDATE \(table) SET completed_steps = \(dialect.parameter(first)), phase = \(dialect.parameter(first + 1)) WHERE id = \(dialect.parameter(first + 2))"
        }
    }

    /// Marks step `step` finished and the first `step` steps done, in the step's transaction and
    /// in one statement where the engine allows: the step's row keeps when it started and the
    /// batches and rows it counted, or is made now with none.
    public func markStepDone(migration: String, step: Int, title: String, phase: Phase, startedAt: Date, finishedAt: Date) async throws {
        let table = steps, dialect = dialect
        let finished = StateWrite(bindings: [
            .text(migration), .integer(Int64(step)), .text(title), .text(phase.rawValue), .text(Self.text(startedAt)),
            .text(Self.text(finishedAt)),
        ]) { first in
            let p = { (offset: Int) in dialect.parameter(first + offset) }
            return """
                INSERT INTO \(table) (migration, step, title, phase, started_at, updated_at, finished_at)
                VALUES (\(p(0)), \(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(5)))
                ON CONFLICT (migration, step) DO UPDATE SET updated_at = excluded.updated_at, finished_at = excluded.finished_at
                """
        }
        try await perform([completedStepsWrite(migration: migration, count: step, phase: phase), finished])
    }

    /// Runs `writes` in order: as one statement where the engine combines writes, else one by one.
    /// Writes sent together must not touch the same rows (a data-modifying `WITH` sees none of
    /// the others' changes).
    private func perform(_ writes: [StateWrite]) async throws {
        guard !writes.isEmpty else { return }
        guard dialect.combinesWrites, writes.count > 1 else {
            for write in writes { try await driver.execute(unsafeSQL: write.sql(1), bindings: write.bindings) }
            return
        }
        var first = 1
        var parts: [String] = []
        for write in writes {
            parts.append(write.sql(first))
            first += write.bindings.count
        }
        let leading = parts.dropLast().enumerated().map { "godwit_write_\($0.offset) AS (\($0.element))" }.joined(separator: ",\n")
        try await driver.execute(unsafeSQL: "WITH \(leading)\n\(parts[parts.count - 1])", bindings: writes.flatMap(\.bindings))
    }

    /// A plan's JSON, decoding to the same ``StoredPlan`` as `JSONEncoder`'s: its two schemas,
    /// most of the work, written through `cache` when there is one.
    static func json(of plan: StoredPlan, cache: SchemaJSONCache? = nil) throws -> String {
        let schema = { (schema: Schema) in try cache?.json(of: schema) ?? encoded(schema) }
        return "{\"steps\":\(try encoded(plan.steps)),\"before\":\(try schema(plan.before)),\"target\":\(try schema(plan.target)),"
            + "\"digests\":\(try encoded(plan.digests))}"
    }

    @Sendable static func encoded<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    /// The plan a run follows; nil before the run began.
    public func plan(migration: String) async throws -> StoredPlan? {
        guard let json = try await driver.query(unsafeSQL: "SELECT plan FROM \(migrations) WHERE id = \(p(1))",
                                                bindings: [.text(migration)]).first?[0].textValue else { return nil }
        return try JSONDecoder().decode(StoredPlan.self, from: Data(json.utf8))
    }

    /// Records a step's progress: started, batches and rows done, the last key reached, finished.
    public func recordStep(migration: String, _ progress: StepProgress) async throws {
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(steps) (migration, step, title, phase, started_at, updated_at, finished_at, batches_done, rows_done, rows_total, last_key)
            VALUES (\(placeholders(11)))
            ON CONFLICT (migration, step) DO UPDATE SET updated_at = excluded.updated_at, finished_at = excluded.finished_at,
                batches_done = excluded.batches_done, rows_done = excluded.rows_done, rows_total = excluded.rows_total,
                last_key = excluded.last_key
            """, bindings: [
                .text(migration), .integer(Int64(progress.step)), .text(progress.title), .text(progress.phase.rawValue),
                .text(Self.text(progress.startedAt)), progress.updatedAt.map { .text(Self.text($0)) } ?? .null,
                progress.finishedAt.map { .text(Self.text($0)) } ?? .null, .integer(progress.batchesDone),
                .integer(progress.rowsDone), .integer(progress.rowsTotal), progress.lastKey.map { .text($0) } ?? .null,
            ])
    }

    /// The progress of every step of a migration that has begun, in step order.
    public func stepProgress(migration: String) async throws -> [StepProgress] {
        guard try await isInstalled() else { return [] }
        let rows = try await driver.query(unsafeSQL: """
            SELECT step, title, phase, started_at, updated_at, finished_at, batches_done, rows_done, rows_total, last_key
            FROM \(steps) WHERE migration = \(p(1)) ORDER BY step
            """, bindings: [.text(migration)])
        return rows.compactMap { row in
            guard let step = row[0].integerValue, let title = row[1].textValue, let phase = row[2].textValue.flatMap(Phase.init(rawValue:)),
                  let started = row[3].textValue.flatMap(Self.date) else { return nil }
            return StepProgress(step: Int(step), title: title, phase: phase, startedAt: started, updatedAt: row[4].textValue.flatMap(Self.date),
                                finishedAt: row[5].textValue.flatMap(Self.date), batchesDone: row[6].integerValue ?? 0,
                                rowsDone: row[7].integerValue ?? 0, rowsTotal: row[8].integerValue ?? 0, lastKey: row[9].textValue)
        }
    }

    /// Forgets a migration's step progress (when it is rolled back, a new run starts afresh).
    public func clearSteps(migration: String) async throws {
        try await driver.execute(unsafeSQL: "DELETE FROM \(steps) WHERE migration = \(p(1))", bindings: [.text(migration)])
    }

    /// Records a rehearsal's verdict for a migration file (by its checksum).
    public func recordRehearsal(migration: String, checksum: String, passed: Bool, at: Date, seconds: Double,
                                measurement: RehearsalMeasurement? = nil) async throws {
        let measured = try measurement.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(rehearsals) (migration, checksum, verdict, at, seconds, measurement) VALUES (\(placeholders(6)))
            ON CONFLICT (migration, checksum) DO UPDATE SET verdict = excluded.verdict, at = excluded.at, seconds = excluded.seconds,
                measurement = excluded.measurement
            """, bindings: [.text(migration), .text(checksum), .text(passed ? "go" : "no-go"), .text(Self.text(at)), .real(seconds),
                            measured.map { .text($0) } ?? .null])
    }

    /// What the latest rehearsal of this file on this database measured.
    public func rehearsalMeasurement(migration: String, checksum: String) async throws -> RehearsalMeasurement? {
        guard try await isInstalled() else { return nil }
        guard let json = try await driver.query(unsafeSQL: "SELECT measurement FROM \(rehearsals) WHERE migration = \(p(1)) AND checksum = \(p(2))",
                                                bindings: [.text(migration), .text(checksum)]).first?[0].textValue else { return nil }
        return try? JSONDecoder().decode(RehearsalMeasurement.self, from: Data(json.utf8))
    }

    /// Every passing rehearsal on this database: when each migration file (by migration and
    /// checksum) last passed.
    public func passedRehearsals() async throws -> [RehearsedFile: Date] {
        guard try await isInstalled() else { return [:] }
        let rows = try await driver.query(unsafeSQL: "SELECT migration, checksum, at FROM \(rehearsals) WHERE verdict = 'go'")
        var passed: [RehearsedFile: Date] = [:]
        for row in rows {
            guard let migration = row[0].textValue, let checksum = row[1].textValue, let at = row[2].textValue.flatMap(Self.date) else { continue }
            passed[RehearsedFile(migration: migration, checksum: checksum)] = at
        }
        return passed
    }

    /// When the migration file with this checksum last passed a rehearsal on this database.
    public func passedRehearsal(migration: String, checksum: String) async throws -> Date? {
        guard try await isInstalled() else { return nil }
        return try await driver.query(unsafeSQL: "SELECT at FROM \(rehearsals) WHERE migration = \(p(1)) AND checksum = \(p(2)) AND verdict = 'go'",
                                      bindings: [.text(migration), .text(checksum)]).first?[0].textValue.flatMap(Self.date)
    }

    /// Appends an event to the audit log.
    public func append(_ event: AuditEvent) async throws {
        try await append([event])
    }

    /// Appends events to the audit log, in order, in one statement.
    public func append(_ events: [AuditEvent]) async throws {
        try await perform([try eventsWrite(events)].compactMap { $0 })
    }

    /// One `INSERT` of `events` in order (rows get their sequence numbers in the order listed);
    /// nil for none.
    private func eventsWrite(_ events: [AuditEvent]) throws -> StateWrite? {
        guard !events.isEmpty else { return nil }
        var bindings: [DatabaseValue] = []
        for event in events {
            let fields = try String(decoding: JSONEncoder().encode(event.fields), as: UTF8.self)
            bindings += [.text(Self.text(event.at)), .text(event.kind.rawValue), .text(event.migration), .text(fields)]
        }
        let table = audit, dialect = dialect
        return StateWrite(bindings: bindings) { first in
            let rows = events.indices.map { "(" + StateWrite.placeholders(4, from: first + 4 * $0, in: dialect) + ")" }
            return "INSERT INTO \(table) (at, event, migration, fields) VALUES " + rows.joined(separator: ", ")
        }
    }

    /// When the latest event of a kind was logged.
    public func lastEvent(_ kind: AuditEvent.Kind) async throws -> Date? {
        guard try await isInstalled() else { return nil }
        return try await driver.query(unsafeSQL: "SELECT at FROM \(audit) WHERE event = \(p(1)) ORDER BY seq DESC LIMIT 1",
                                      bindings: [.text(kind.rawValue)]).first?[0].textValue.flatMap(Self.date)
    }

    /// The audit log in order, for one migration or all; only its newest `last` events when
    /// given.
    public func events(migration: String? = nil, last: Int? = nil) async throws -> [AuditEvent] {
        guard try await isInstalled() else { return [] }
        let filter = migration == nil ? "" : " WHERE migration = \(p(1))"
        let select = "SELECT at, event, migration, fields, seq FROM \(audit)" + filter
        let rows = try await driver.query(
            unsafeSQL: last.map { "SELECT * FROM (\(select) ORDER BY seq DESC LIMIT \($0)) AS newest ORDER BY seq" } ?? select + " ORDER BY seq",
            bindings: migration.map { [.text($0)] } ?? []
        )
        return rows.compactMap { row in
            guard let at = row[0].textValue.flatMap(Self.date), let kind = row[1].textValue.flatMap(AuditEvent.Kind.init(rawValue:)),
                  let migration = row[2].textValue, let json = row[3].textValue,
                  let fields = try? JSONDecoder().decode([AuditEvent.Field].self, from: Data(json.utf8)) else { return nil }
            return AuditEvent(at: at, kind: kind, migration: migration, fields: fields)
        }
    }

    /// Made once: progress is written on every batch. ISO8601DateFormatter is thread-safe.
    nonisolated(unsafe) private static let formatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    static func text(_ date: Date) -> String { formatter.string(from: date) }

    static func date(_ text: String) -> Date? { formatter.date(from: text) }
}

/// One write to the state tables: its SQL, with parameters numbered from the number it is given
/// (several writes may share one statement's parameters), and its values.
struct StateWrite: Sendable {
    let bindings: [DatabaseValue]
    let sql: @Sendable (_ firstParameter: Int) -> String

    init(bindings: [DatabaseValue], sql: @escaping @Sendable (_ firstParameter: Int) -> String) {
        self.bindings = bindings
        self.sql = sql
    }

    /// `count` parameters from `first` on, comma-separated.
    static func placeholders(_ count: Int, from first: Int, in dialect: any SQLDialect) -> String {
        (first..<first + count).map(dialect.parameter).joined(separator: ", ")
    }
}

/// A migration file as a rehearsal knew it: the migration and its file's checksum.
public struct RehearsedFile: Hashable, Sendable {
    public let migration: String
    public let checksum: String
}

