public import Foundation
public import GodwitCore

/// Godwit's own records inside the target database: which migrations ran (with the checksum of
/// their file, state, phase, steps done, timings, operator), per-step progress so a run can
/// resume, and the audit log. PostgreSQL keeps them in the schema `godwit`; SQLite in tables
/// named `godwit_…`. Inspection leaves them out.
public struct StateStore: Sendable {
    public let driver: any DatabaseDriver

    public init(driver: any DatabaseDriver) {
        self.driver = driver
    }

    private var isPostgres: Bool { driver.engine == .postgresql }
    private var migrations: String { isPostgres ? "godwit.migrations" : "godwit_migrations" }
    private var steps: String { isPostgres ? "godwit.steps" : "godwit_steps" }
    private var audit: String { isPostgres ? "godwit.audit" : "godwit_audit" }

    /// `$1` on PostgreSQL, `?` on SQLite.
    private func p(_ number: Int) -> String { isPostgres ? "$\(number)" : "?" }

    /// Creates the state tables when missing.
    public func install() async throws {
        var script = isPostgres ? "CREATE SCHEMA IF NOT EXISTS godwit;\n" : ""
        script += """
            CREATE TABLE IF NOT EXISTS \(migrations) (
                id text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, state text NOT NULL, phase text,
                completed_steps integer NOT NULL DEFAULT 0, started_at text NOT NULL, finished_at text, operator text NOT NULL
            );
            CREATE TABLE IF NOT EXISTS \(steps) (
                migration text NOT NULL, step integer NOT NULL, title text NOT NULL, phase text NOT NULL,
                started_at text NOT NULL, finished_at text, batches_done bigint NOT NULL DEFAULT 0, last_key text,
                PRIMARY KEY (migration, step)
            );
            CREATE TABLE IF NOT EXISTS \(audit) (
                seq \(isPostgres ? "bigserial" : "INTEGER") PRIMARY KEY, at text NOT NULL, event text NOT NULL,
                migration text NOT NULL, fields text NOT NULL
            );
            """
        try await driver.executeScript(unsafeSQL: script)
    }

    /// Whether the state tables exist (a read-only command must not create them).
    public func isInstalled() async throws -> Bool {
        let sql = isPostgres
            ? "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'godwit' AND c.relname = 'migrations'"
            : "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'godwit_migrations'"
        return try await driver.query(unsafeSQL: sql).first?[0].integerValue == 1
    }

    /// Every recorded migration, in version order; none when the tables do not exist yet.
    public func records() async throws -> [MigrationRecord] {
        guard try await isInstalled() else { return [] }
        let rows = try await driver.query(unsafeSQL: """
            SELECT id, name, checksum, state, phase, completed_steps, started_at, finished_at, operator FROM \(migrations)
            """)
        return rows.compactMap { row in
            guard let id = row[0].textValue, let name = row[1].textValue, let checksum = row[2].textValue,
                  let state = row[3].textValue.flatMap(MigrationRecord.State.init(rawValue:)),
                  let started = row[6].textValue.flatMap(Self.date), let operatorName = row[8].textValue else { return nil }
            return MigrationRecord(
                id: id, name: name, checksum: checksum, state: state, phase: row[4].textValue.flatMap(Phase.init(rawValue:)),
                completedSteps: Int(row[5].integerValue ?? 0), startedAt: started, finishedAt: row[7].textValue.flatMap(Self.date),
                operatorName: operatorName
            )
        }.sorted { VersionOrder.precedes($0.id, $1.id) }
    }

    /// Inserts or updates a migration's record.
    public func save(_ record: MigrationRecord) async throws {
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(migrations) (id, name, checksum, state, phase, completed_steps, started_at, finished_at, operator)
            VALUES (\((1...9).map(p).joined(separator: ", ")))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, checksum = excluded.checksum, state = excluded.state,
                phase = excluded.phase, completed_steps = excluded.completed_steps, started_at = excluded.started_at,
                finished_at = excluded.finished_at, operator = excluded.operator
            """, bindings: [
                .text(record.id), .text(record.name), .text(record.checksum), .text(record.state.rawValue),
                record.phase.map { .text($0.rawValue) } ?? .null, .integer(Int64(record.completedSteps)),
                .text(Self.text(record.startedAt)), record.finishedAt.map { .text(Self.text($0)) } ?? .null, .text(record.operatorName),
            ])
    }

    /// Records a step's progress: started, batches done and the last key reached, finished.
    public func recordStep(migration: String, step: Int, title: String, phase: Phase, startedAt: Date,
                           finishedAt: Date?, batchesDone: Int64 = 0, lastKey: String? = nil) async throws {
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(steps) (migration, step, title, phase, started_at, finished_at, batches_done, last_key)
            VALUES (\((1...8).map(p).joined(separator: ", ")))
            ON CONFLICT (migration, step) DO UPDATE SET finished_at = excluded.finished_at,
                batches_done = excluded.batches_done, last_key = excluded.last_key
            """, bindings: [
                .text(migration), .integer(Int64(step)), .text(title), .text(phase.rawValue), .text(Self.text(startedAt)),
                finishedAt.map { .text(Self.text($0)) } ?? .null, .integer(batchesDone), lastKey.map { .text($0) } ?? .null,
            ])
    }

    /// The last key a step's batches reached, to resume after a crash.
    public func lastKey(migration: String, step: Int) async throws -> String? {
        try await driver.query(unsafeSQL: "SELECT last_key FROM \(steps) WHERE migration = \(p(1)) AND step = \(p(2))",
                               bindings: [.text(migration), .integer(Int64(step))]).first?[0].textValue
    }

    /// Appends an event to the audit log.
    public func append(_ event: AuditEvent) async throws {
        let fields = try String(decoding: JSONEncoder().encode(event.fields), as: UTF8.self)
        try await driver.execute(unsafeSQL: "INSERT INTO \(audit) (at, event, migration, fields) VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)))",
                                 bindings: [.text(Self.text(event.at)), .text(event.kind.rawValue), .text(event.migration), .text(fields)])
    }

    /// The audit log in order, for one migration or all.
    public func events(migration: String? = nil) async throws -> [AuditEvent] {
        guard try await isInstalled() else { return [] }
        let rows = try await driver.query(
            unsafeSQL: "SELECT at, event, migration, fields FROM \(audit)" + (migration == nil ? "" : " WHERE migration = \(p(1))") + " ORDER BY seq",
            bindings: migration.map { [.text($0)] } ?? []
        )
        return rows.compactMap { row in
            guard let at = row[0].textValue.flatMap(Self.date), let kind = row[1].textValue.flatMap(AuditEvent.Kind.init(rawValue:)),
                  let migration = row[2].textValue, let json = row[3].textValue,
                  let fields = try? JSONDecoder().decode([AuditEvent.Field].self, from: Data(json.utf8)) else { return nil }
            return AuditEvent(at: at, kind: kind, migration: migration, fields: fields)
        }
    }

    private static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
