public import Foundation
public import GodwitCore

/// A runbook's state: where the run stands (stages done, whether the last one is verified, the
/// file's checksum), each stage's record, the last rehearsal's results and the audit log. It
/// lives in an embedded SQLite file beside the runbook by default (`FILE.state.db`), or in any
/// database Godwit drives (`--state URL`), in tables named `godwit_runbook_…` (PostgreSQL: the
/// `godwit` schema). Each write commits on its own, so a `kill -9` loses at most the stage
/// under way, which the next run starts again.
public struct RunbookStore: Sendable {
    public let driver: any DatabaseDriver
    /// The runbook's name: one state can hold several runbooks.
    public let runbook: String

    /// Where a run stands.
    public struct Progress: Hashable, Sendable {
        public enum State: String, Sendable { case running, waiting, failed, aborted, finished, rollingBack = "rolling-back", rolledBack = "rolled-back" }
        public var state: State
        public var checksum: String
        public var startedAt: Date
        /// Stages whose work is done, in file order.
        public var completed: Int
        /// Whether the last of them passed its verification.
        public var verified: Bool
        /// Stages undone by a rollback under way, newest first.
        public var undone: Int
    }

    public init(driver: any DatabaseDriver, runbook: String) {
        self.driver = driver
        self.runbook = runbook
    }

    /// The default state of the runbook at `file`: `sqlite:FILE.state.db`.
    public static func defaultURL(for file: String) -> DatabaseURL {
        .sqlite(.init(path: file + ".state.db"))
    }

    private var dialect: any SQLDialect { driver.dialect }
    private var runs: String { driver.godwitTable("runbook_runs") }
    private var stages: String { driver.godwitTable("runbook_stages") }
    private var rehearsals: String { driver.godwitTable("runbook_rehearsals") }
    private var audit: String { driver.godwitTable("runbook_audit") }
    private func p(_ number: Int) -> String { dialect.parameter(number) }

    /// Creates the tables when missing.
    public func install() async throws {
        var script = dialect.godwitNamespace.map { $0 + ";\n" } ?? ""
        script += """
            CREATE TABLE IF NOT EXISTS \(runs) (
                runbook text PRIMARY KEY, state text NOT NULL, checksum text NOT NULL, started_at text NOT NULL,
                completed integer NOT NULL, verified integer NOT NULL, undone integer NOT NULL
            );
            CREATE TABLE IF NOT EXISTS \(stages) (runbook text NOT NULL, stage text NOT NULL, record text NOT NULL, PRIMARY KEY (runbook, stage));
            CREATE TABLE IF NOT EXISTS \(rehearsals) (runbook text NOT NULL, stage text NOT NULL, record text NOT NULL, PRIMARY KEY (runbook, stage));
            CREATE TABLE IF NOT EXISTS \(audit) (
                seq \(dialect.autoNumberedKey) PRIMARY KEY, runbook text NOT NULL, at text NOT NULL, event text NOT NULL, stage text NOT NULL, fields text NOT NULL
            );
            """
        try await driver.executeScript(unsafeSQL: script)
    }

    public func isInstalled() async throws -> Bool {
        try await driver.hasGodwitTable("runbook_runs")
    }

    public func progress() async throws -> Progress? {
        guard try await isInstalled() else { return nil }
        guard let row = try await driver.query(unsafeSQL: "SELECT state, checksum, started_at, completed, verified, undone FROM \(runs) WHERE runbook = \(p(1))",
                                               bindings: [.text(runbook)]).first,
              let state = row[0].textValue.flatMap(Progress.State.init(rawValue:)), let started = row[2].textValue.flatMap(Self.date) else { return nil }
        return Progress(state: state, checksum: row[1].textValue ?? "", startedAt: started, completed: Int(row[3].integerValue ?? 0),
                        verified: (row[4].integerValue ?? 0) != 0, undone: Int(row[5].integerValue ?? 0))
    }

    public func save(_ progress: Progress) async throws {
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(runs) (runbook, state, checksum, started_at, completed, verified, undone) VALUES (\(dialect.parameters(7)))
            ON CONFLICT (runbook) DO UPDATE SET state = excluded.state, checksum = excluded.checksum, started_at = excluded.started_at,
                completed = excluded.completed, verified = excluded.verified, undone = excluded.undone
            """, bindings: [.text(runbook), .text(progress.state.rawValue), .text(progress.checksum), .text(Self.text(progress.startedAt)),
                            .integer(Int64(progress.completed)), .integer(progress.verified ? 1 : 0), .integer(Int64(progress.undone))])
    }

    /// Every stage's record, by stage id.
    public func records() async throws -> [String: StageRecord] {
        guard try await isInstalled() else { return [:] }
        return try await decoded(StageRecord.self, from: stages)
    }

    public func save(_ record: StageRecord) async throws {
        try await upsert(record, stage: record.stage, into: stages)
    }

    /// Removes every stage record and the run (a run begun again after a full rollback).
    public func reset() async throws {
        try await driver.execute(unsafeSQL: "DELETE FROM \(stages) WHERE runbook = \(p(1))", bindings: [.text(runbook)])
        try await driver.execute(unsafeSQL: "DELETE FROM \(runs) WHERE runbook = \(p(1))", bindings: [.text(runbook)])
    }

    public func rehearsalResults() async throws -> [StageRehearsal] {
        guard try await isInstalled() else { return [] }
        return Array(try await decoded(StageRehearsal.self, from: rehearsals).values)
    }

    public func save(_ rehearsal: StageRehearsal) async throws {
        try await upsert(rehearsal, stage: rehearsal.stage, into: rehearsals)
    }

    public func append(_ event: RunbookEvent) async throws {
        let fields = String(decoding: try JSONEncoder().encode(event.fields), as: UTF8.self)
        try await driver.execute(unsafeSQL: "INSERT INTO \(audit) (runbook, at, event, stage, fields) VALUES (\(dialect.parameters(5)))",
                                 bindings: [.text(runbook), .text(Self.text(event.at)), .text(event.kind.rawValue), .text(event.stage), .text(fields)])
    }

    /// The audit log, oldest first.
    public func events() async throws -> [RunbookEvent] {
        guard try await isInstalled() else { return [] }
        let rows = try await driver.query(unsafeSQL: "SELECT at, event, stage, fields FROM \(audit) WHERE runbook = \(p(1)) ORDER BY seq", bindings: [.text(runbook)])
        return rows.compactMap { row in
            guard let at = row[0].textValue.flatMap(Self.date), let kind = row[1].textValue.flatMap(RunbookEvent.Kind.init(rawValue:)),
                  let stage = row[2].textValue else { return nil }
            let fields = (try? JSONDecoder().decode([AuditEvent.Field].self, from: Data((row[3].textValue ?? "[]").utf8))) ?? []
            return RunbookEvent(at: at, kind: kind, stage: stage, fields: fields)
        }
    }

    private func upsert(_ value: some Encodable, stage: String, into table: String) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        try await driver.execute(unsafeSQL: """
            INSERT INTO \(table) (runbook, stage, record) VALUES (\(dialect.parameters(3)))
            ON CONFLICT (runbook, stage) DO UPDATE SET record = excluded.record
            """, bindings: [.text(runbook), .text(stage), .text(String(decoding: try encoder.encode(value), as: UTF8.self))])
    }

    private func decoded<T: Decodable>(_ type: T.Type, from table: String) async throws -> [String: T] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var found: [String: T] = [:]
        for row in try await driver.query(unsafeSQL: "SELECT stage, record FROM \(table) WHERE runbook = \(p(1))", bindings: [.text(runbook)]) {
            guard let stage = row[0].textValue, let text = row[1].textValue else { continue }
            found[stage] = try decoder.decode(T.self, from: Data(text.utf8))
        }
        return found
    }

    static func text(_ date: Date) -> String { StateStore.text(date) }
    static func date(_ text: String) -> Date? { StateStore.date(text) }
}
