import Foundation
public import GodwitCore

/// The history another migration tool keeps in the database, read in place so a team can point
/// Godwit at its existing directory: what that tool applied counts as applied ("adopted"), and
/// Godwit keeps writing the tool's rows as it applies and rolls back, so the team can switch back.
///
/// Each table as its tool creates it (the tests create them the same way):
/// - diesel: `__diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp)`, a
///   row per migration; a version is the name before its first `_`, dashes removed.
/// - golang-migrate: `schema_migrations (version bigint PRIMARY KEY, dirty boolean)`, one row: the
///   newest version applied; every lower one counts as applied.
/// - dbmate: `schema_migrations (version varchar(128) PRIMARY KEY)`, a row per migration.
/// - goose: `goose_db_version (id serial, version_id bigint, is_applied boolean, tstamp)`, a row per
///   apply and per rollback; a version's newest row says where it stands.
/// - Flyway: `flyway_schema_history (installed_rank, version, description, type, script, checksum,
///   installed_by, installed_on, execution_time, success)`, a row per migration with Flyway's
///   CRC32 checksum of the script, so `flyway validate` accepts what Godwit applied; a
///   repeatable script's rows have no version.
/// - Prisma: `_prisma_migrations`, a row per folder with the SHA-256 of its migration.sql.
/// - sqlx: `_sqlx_migrations (version bigint PRIMARY KEY, description, installed_on, success,
///   checksum, execution_time)`, a row per migration with the SHA-384 of its up SQL, which sqlx
///   checks against the file before it runs anything.
/// - sqitch: the `sqitch` schema on PostgreSQL, the registry file beside a SQLite database; `changes` by sqitch's change id, written with its
///   dependencies, tags and events by ``SqitchRegistry``.
public struct LegacyHistory: Sendable {
    /// The tools whose history Godwit reads.
    public enum Tool: String, Sendable, CaseIterable {
        case diesel
        case golangMigrate = "golang-migrate"
        case dbmate
        case goose
        case flyway
        case prisma
        /// `sqitch.changes` by change id (computed from `sqitch.plan` as sqitch does); Godwit
        /// writes sqitch's rows on PostgreSQL (``SqitchRegistry``).
        case sqitch
        case sqlx

        /// The history table the tool keeps.
        public var table: String {
            switch self {
            case .diesel: "__diesel_schema_migrations"
            case .golangMigrate, .dbmate: "schema_migrations"
            case .goose: "goose_db_version"
            case .flyway: "flyway_schema_history"
            case .prisma: "_prisma_migrations"
            case .sqitch: "sqitch.changes"
            case .sqlx: "_sqlx_migrations"
            }
        }
    }

    public let tool: Tool
    /// The versions the tool counts as applied, in its spelling.
    public let versions: Set<String>
    /// golang-migrate's one row: the newest version applied.
    let newest: Int64?

    /// The tool's version of a migration.
    public func version(of migration: Migration) -> String {
        tool == .sqitch ? (migration.sqitch?.change.id ?? migration.name) : Self.version(migration.id, for: tool)
    }

    static func version(_ id: String, for tool: Tool) -> String {
        switch tool {
        case .diesel: id.replacingOccurrences(of: "-", with: "")
        case .golangMigrate, .goose, .sqlx: Int64(id).map(String.init) ?? id
        case .dbmate, .flyway, .prisma, .sqitch: id
        }
    }

    /// Whether the tool recorded the migration as applied.
    public func contains(_ migration: Migration) -> Bool {
        if tool == .golangMigrate, let newest, let version = Int64(migration.id) { return version <= newest }
        return versions.contains(version(of: migration))
    }

    /// Whether a table is one of the history tables Godwit keeps current for another tool.
    public static func isHistoryTable(_ name: QualifiedName) -> Bool {
        // sqitch's registry is a schema of its own: changes, events, tags, dependencies, projects.
        name.schema == "sqitch" || Tool.allCases.contains { $0.table == name.name }
    }

    /// The history in the database, or nil when no known tool left one.
    public static func read(on driver: any DatabaseDriver) async throws -> LegacyHistory? {
        for tool in Tool.allCases where tool != .dbmate {
            if tool == .sqitch {
                guard try await SqitchRegistry.attach(on: driver), try await exists(tool.table, on: driver) else { continue }
            } else {
                guard try await exists(tool.table, on: driver) else { continue }
            }
            switch tool {
            case .diesel:
                return LegacyHistory(tool: .diesel, versions: try await column("SELECT version FROM \(tool.table)", on: driver), newest: nil)
            case .golangMigrate, .dbmate:
                // Both call it schema_migrations; golang-migrate's has a dirty flag.
                guard try await hasColumn("dirty", in: tool.table, on: driver) else {
                    return LegacyHistory(tool: .dbmate, versions: try await column("SELECT version FROM schema_migrations", on: driver), newest: nil)
                }
                let newest = try await driver.query(unsafeSQL: "SELECT max(version) FROM schema_migrations").first?[0].integerValue
                return LegacyHistory(tool: .golangMigrate, versions: [], newest: newest)
            case .goose:
                let rows = try await driver.query(unsafeSQL: "SELECT version_id, CASE WHEN is_applied THEN 1 ELSE 0 END FROM goose_db_version ORDER BY id")
                var state: [String: Bool] = [:]
                for row in rows { if let version = row[0].integerValue { state[String(version)] = row[1].integerValue == 1 } }
                return LegacyHistory(tool: .goose, versions: Set(state.filter(\.value).keys.filter { $0 != "0" }), newest: nil)
            case .flyway:
                let sql = "SELECT version FROM flyway_schema_history WHERE version IS NOT NULL AND CASE WHEN success THEN 1 ELSE 0 END = 1"
                // A repeatable's row has no version; its script and checksum make Godwit's id.
                let repeatables = """
                    SELECT substr(script, 1, length(script) - 4) || '@' || CAST(checksum AS TEXT) FROM flyway_schema_history
                    WHERE version IS NULL AND checksum IS NOT NULL AND CASE WHEN success THEN 1 ELSE 0 END = 1
                    """
                return LegacyHistory(tool: .flyway, versions: try await column(sql, on: driver).union(try await column(repeatables, on: driver)), newest: nil)
            case .sqitch:
                return LegacyHistory(tool: .sqitch, versions: try await column("SELECT change_id FROM sqitch.changes", on: driver), newest: nil)
            case .sqlx:
                // A row that did not succeed is one sqlx itself stops at: not applied.
                let sql = "SELECT version FROM _sqlx_migrations WHERE CASE WHEN success THEN 1 ELSE 0 END = 1"
                return LegacyHistory(tool: .sqlx, versions: try await column(sql, on: driver), newest: nil)
            case .prisma:
                // A folder name is `<timestamp>_<name>`; Godwit's id is the timestamp.
                let names = try await column("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL", on: driver)
                return LegacyHistory(tool: .prisma, versions: Set(names.map { String($0.prefix { $0 != "_" }) }), newest: nil)
            }
        }
        return nil
    }

    /// Writes the tool's row for a migration Godwit applied.
    public func recordApplied(_ migration: Migration, on driver: any DatabaseDriver, by operatorName: String = "godwit") async throws {
        let p = Placeholders(dialect: driver.dialect)
        let version = version(of: migration)
        switch tool {
        case .sqitch:
            guard let record = migration.sqitch, try await SqitchRegistry.attach(on: driver) else { return }
            try await SqitchRegistry(driver: driver, operatorName: operatorName).deployed(record)
        case .diesel, .dbmate:
            _ = try await driver.execute(unsafeSQL: "INSERT INTO \(tool.table) (version) SELECT \(p[1]) WHERE NOT EXISTS (SELECT 1 FROM \(tool.table) WHERE version = \(p[1]))",
                                         bindings: [.text(version)])
        case .golangMigrate:
            guard let number = Int64(version) else { return }
            _ = try await driver.execute(unsafeSQL: "DELETE FROM schema_migrations")
            _ = try await driver.execute(unsafeSQL: "INSERT INTO schema_migrations (version, dirty) VALUES (\(p[1]), false)", bindings: [.integer(number)])
        case .goose:
            guard let number = Int64(version) else { return }
            _ = try await driver.execute(unsafeSQL: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (\(p[1]), true)", bindings: [.integer(number)])
        case .prisma:
            try await recordPrisma(migration, on: driver, p)
        case .sqlx:
            // sqlx's checksum is of the up SQL as the file holds it; it refuses to run on if they differ.
            guard let number = Int64(version) else { return }
            let text = migration.operations.first?.rawSQL?.up ?? ""
            _ = try await driver.execute(unsafeSQL: """
                INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (\(p[1]), \(p[2]), true, \(p[3]), 0)
                """, bindings: [.integer(number), .text(migration.name), .blob(MigrationChecksum.sha384(Data(text.utf8)))])
        case .flyway:
            let script = migration.source.map { ($0.path as NSString).lastPathComponent } ?? version
            let text = migration.operations.first?.rawSQL?.up ?? ""
            _ = try await driver.execute(unsafeSQL: """
                INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                SELECT coalesce(max(installed_rank), 0) + 1, \(p[1]), \(p[2]), 'SQL', \(p[3]), \(p[4]), 'godwit', 0, true FROM flyway_schema_history
                """, bindings: [ToolLayouts.isRepeatable(migration.id) ? .null : .text(version), .text(migration.name), .text(script),
                                .integer(Int64(FlywayChecksum.of(text)))])
        }
    }

    /// Prisma's row: a random id, the SHA-256 of migration.sql, the folder's name.
    private func recordPrisma(_ migration: Migration, on driver: any DatabaseDriver, _ p: Placeholders) async throws {
        let folder = migration.source.map { (($0.path as NSString).deletingLastPathComponent as NSString).lastPathComponent } ?? migration.id
        let now = driver.dialect.currentTimestamp
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
            VALUES (\(p[1]), \(p[2]), \(now), \(p[3]), \(now), 1)
            """, bindings: [.text(UUID().uuidString.lowercased()), .text(migration.source?.checksum ?? ""), .text(folder)])
    }

    /// The error a write of the tool's history ends with when the database refuses it for good
    /// (a trigger of the application's that keeps the tool out, say): the migration's own work
    /// is done, and the error says how to finish without the tool's row. A transient failure is
    /// returned as it is, to be retried.
    public func refusal(_ error: any Error, migration: Migration, rollingBack: Bool) -> any Error {
        guard let cause = error as? GodwitError, !cause.isTransient else { return error }
        let command = rollingBack ? "godwit rollback \(migration.id)" : "godwit apply"
        return cause.explained(
            "\(tool.rawValue)'s history table \(tool.table) refused " + (rollingBack ? "to drop the row of migration \(migration.id)" : "the row of migration \(migration.id)"),
            code: .refused, location: migration.source?.path,
            reason: (rollingBack ? "the migration's rollback ran; " : "the migration ran and passed verification; ") + "the database said: \(cause.summary)",
            remedy: "Run \(command) again with --no-legacy-history to finish without writing \(tool.rawValue)'s history (Godwit's own records stay complete, "
                + "and what \(tool.rawValue) applied is still adopted), or remove what refuses the write and run \(command) again: it finishes by writing it."
        )
    }

    /// Updates the tool's history for a migration Godwit rolled back.
    /// - Parameter previous: the newest migration still applied after it (golang-migrate keeps only that one).
    public func recordRolledBack(_ migration: Migration, previous: String?, on driver: any DatabaseDriver, by operatorName: String = "godwit") async throws {
        let p = Placeholders(dialect: driver.dialect)
        let version = version(of: migration)
        switch tool {
        case .sqitch:
            guard try await SqitchRegistry.attach(on: driver) else { return }
            try await SqitchRegistry(driver: driver, operatorName: operatorName).reverted(changeNamed: migration.name)
        case .diesel, .dbmate, .flyway:
            _ = try await driver.execute(unsafeSQL: "DELETE FROM \(tool.table) WHERE version = \(p[1])", bindings: [.text(version)])
        case .golangMigrate:
            // One row: the newest version still applied is the one before.
            _ = try await driver.execute(unsafeSQL: "DELETE FROM schema_migrations")
            if let previous, let number = Int64(Self.version(previous, for: tool)) {
                _ = try await driver.execute(unsafeSQL: "INSERT INTO schema_migrations (version, dirty) VALUES (\(p[1]), false)", bindings: [.integer(number)])
            }
        case .goose:
            guard let number = Int64(version) else { return }
            _ = try await driver.execute(unsafeSQL: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (\(p[1]), false)", bindings: [.integer(number)])
        case .sqlx:
            guard let number = Int64(version) else { return }
            _ = try await driver.execute(unsafeSQL: "DELETE FROM _sqlx_migrations WHERE version = \(p[1])", bindings: [.integer(number)])
        case .prisma:
            let now = driver.dialect.currentTimestamp
            _ = try await driver.execute(unsafeSQL: """
                UPDATE _prisma_migrations SET rolled_back_at = \(now)
                WHERE substr(migration_name, 1, length(\(p[1])) + 1) = \(p[1]) || '_' AND rolled_back_at IS NULL
                """, bindings: [.text(version)])
        }
    }

    private static func column(_ sql: String, on driver: any DatabaseDriver) async throws -> Set<String> {
        Set(try await driver.query(unsafeSQL: sql).compactMap { $0[0].textValue })
    }

    private static func exists(_ table: String, on driver: any DatabaseDriver) async throws -> Bool {
        if driver.engine == .sqlite, table.hasPrefix("sqitch.") {
            // sqitch's registry file, attached as `sqitch`.
            return try await driver.query(unsafeSQL: "SELECT count(*) FROM sqitch.sqlite_schema WHERE type = 'table' AND name = ?",
                                          bindings: [.text(String(table.dropFirst("sqitch.".count)))]).first?[0].integerValue ?? 0 > 0
        }
        return try await driver.query(unsafeSQL: driver.dialect.tableCount, bindings: [.text(table)]).first?[0].integerValue ?? 0 > 0
    }

    private static func hasColumn(_ column: String, in table: String, on driver: any DatabaseDriver) async throws -> Bool {
        try await driver.query(unsafeSQL: driver.dialect.columnCount, bindings: [.text(table), .text(column)]).first?[0].integerValue ?? 0 > 0
    }
}

/// `$1, $2` on PostgreSQL, `?1, ?2` on SQLite (numbered, so one value can stand twice).
private struct Placeholders {
    let dialect: any SQLDialect
    subscript(number: Int) -> String { dialect.parameter(number) }
}

extension MigrationRecord {
    /// The record of a migration another tool applied before Godwit took over.
    static func adopted(_ migration: Migration, from tool: LegacyHistory.Tool, at date: Date) -> MigrationRecord {
        MigrationRecord(id: migration.id, name: migration.name, checksum: migration.source?.checksum ?? "", state: .applied,
                        startedAt: date, finishedAt: date, operatorName: adoptionMark + tool.rawValue)
    }

    /// What an adopted record has for its operator, before the tool's name.
    private static let adoptionMark = "adopted from "

    /// The tool that applied this migration before Godwit took over (`golang-migrate`), for a
    /// record Godwit adopted from that tool's history; nil for a migration Godwit ran. Godwit
    /// holds no plan of an adopted migration, so it neither rolls it back nor rehearses it.
    var adoptedFrom: String? {
        operatorName.hasPrefix(Self.adoptionMark) ? String(operatorName.dropFirst(Self.adoptionMark.count)) : nil
    }
}
