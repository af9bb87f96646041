import Foundation
public import GodwitCore
public import GodwitEngine

/// Sample directories in other tools' layouts (`Tests/Fixtures/layouts/<tool>`), three
/// migrations each, and their history tables as each tool creates and fills them.
public enum ToolLayoutFixtures {
    public static func directory(_ tool: LegacyHistory.Tool) -> String {
        Fixtures.url("layouts/\(tool.rawValue)").path
    }

    /// Plays the tool: runs the first `count` migrations' up SQL and writes its history rows.
    /// - Parameter folder: the migrations, the tool's sample directory when nil.
    public static func applyAsTheToolWould(_ tool: LegacyHistory.Tool, first count: Int, from folder: String? = nil, on driver: any DatabaseDriver) async throws {
        let migrations = try MigrationDirectory.load(folder ?? directory(tool))
        if tool == .sqitch { try await attachSqitchRegistry(on: driver) }
        try await driver.executeScript(unsafeSQL: historyTable(tool, engine: driver.engine))
        if tool == .goose { _ = try await driver.execute(unsafeSQL: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)") }
        for (number, migration) in migrations.prefix(count).enumerated() {
            guard case .rawSQL(let raw) = migration.operations[0] else { continue }
            try await driver.executeScript(unsafeSQL: raw.up)
            let version = migration.id
            switch tool {
            case .diesel, .dbmate:
                _ = try await driver.execute(unsafeSQL: "INSERT INTO \(tool.table) (version) VALUES ('\(version.replacingOccurrences(of: "-", with: ""))')")
            case .golangMigrate:
                _ = try await driver.execute(unsafeSQL: "DELETE FROM schema_migrations")
                _ = try await driver.execute(unsafeSQL: "INSERT INTO schema_migrations (version, dirty) VALUES (\(Int(version)!), false)")
            case .goose:
                _ = try await driver.execute(unsafeSQL: "INSERT INTO goose_db_version (version_id, is_applied) VALUES (\(Int(version)!), true)")
            case .sqlx:
                // sqlx's row: the description from the file name, the SHA-384 of the up SQL.
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (\(Int(version)!), '\(migration.name)', true, \(driver.dialect.parameter(1)), 41000)
                    """, bindings: [.blob(MigrationChecksum.sha384(Data(raw.up.utf8)))])
            case .sqitch:
                // sqitch's own rows: the change id and script hash it computes.
                let record = migration.sqitch!
                // On SQLite sqitch writes times as `YYYY-MM-DD HH:MM:SS` text.
                let plannedAt = driver.engine == .sqlite
                    ? record.change.plannedAt.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "") : record.change.plannedAt
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email)
                    VALUES ('\(record.change.id)', '\(record.scriptHash)', '\(migration.name)', 'library', '', 'Ann', 'ann@example.com',
                            '\(plannedAt)', 'Ann Example', 'ann@example.com')
                    """)
                for (name, id) in record.requiredIDs {
                    _ = try await driver.execute(unsafeSQL: "INSERT INTO sqitch.dependencies VALUES ('\(record.change.id)', 'require', '\(name)', '\(id)')")
                }
            case .prisma:
                let folder = ((migration.source!.path as NSString).deletingLastPathComponent as NSString).lastPathComponent
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
                    VALUES ('00000000-0000-0000-0000-00000000000\(number)', '\(migration.source!.checksum)', CURRENT_TIMESTAMP, '\(folder)', CURRENT_TIMESTAMP, 1)
                    """)
            case .flyway:
                let script = (migration.source!.path as NSString).lastPathComponent
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                    VALUES (\(number + 1), '\(version)', '\(migration.name)', 'SQL', '\(script)', 12345, 'flyway', 3, true)
                    """)
            }
        }
    }

    /// The history table as the tool's own code creates it on each engine.
    static func historyTable(_ tool: LegacyHistory.Tool, engine: Engine) -> String {
        let postgres = engine == .postgresql
        switch tool {
        case .diesel:
            return "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        case .golangMigrate:
            return postgres ? "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)"
                : "CREATE TABLE schema_migrations (version uint64, dirty bool); CREATE UNIQUE INDEX version_unique ON schema_migrations (version)"
        case .dbmate:
            return "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)"
        case .goose:
            return postgres
                ? "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), PRIMARY KEY(id))"
                : "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT (datetime('now')))"
        case .sqitch where !postgres:
            // sqitch's registry for SQLite, a file of its own attached as `sqitch`, as `sqitch
            // deploy` creates it (its releases table left out).
            return """
                CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
                creator_name TEXT NOT NULL, creator_email TEXT NOT NULL);
                CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL,
                project TEXT NOT NULL REFERENCES projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
                committed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at DATETIME NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, script_hash));
                CREATE TABLE sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL, project TEXT NOT NULL REFERENCES projects(project) ON UPDATE CASCADE,
                change_id TEXT NOT NULL REFERENCES changes(change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
                committed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at DATETIME NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, tag));
                CREATE TABLE sqitch.dependencies (change_id TEXT NOT NULL REFERENCES changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
                type TEXT NOT NULL, dependency TEXT NOT NULL, dependency_id TEXT NULL REFERENCES changes(change_id) ON UPDATE CASCADE
                CONSTRAINT dependencies_check CHECK ((type = 'require' AND dependency_id IS NOT NULL) OR (type = 'conflict' AND dependency_id IS NULL)),
                PRIMARY KEY (change_id, dependency));
                CREATE TABLE sqitch.events (event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
                change_id TEXT NOT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES projects(project) ON UPDATE CASCADE,
                note TEXT NOT NULL DEFAULT '', requires TEXT NOT NULL DEFAULT '', conflicts TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '',
                committed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at DATETIME NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, PRIMARY KEY (change_id, committed_at));
                INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ('library', 'https://example.com/library/', 'Ann', 'ann@example.com');
                """
        case .sqitch:
            // sqitch's registry on PostgreSQL, as `sqitch deploy` creates it (its releases table left out).
            return """
                CREATE SCHEMA sqitch;
                CREATE TABLE sqitch.projects (project TEXT PRIMARY KEY, uri TEXT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
                creator_name TEXT NOT NULL, creator_email TEXT NOT NULL);
                CREATE TABLE sqitch.changes (change_id TEXT PRIMARY KEY, script_hash TEXT NULL, change TEXT NOT NULL,
                project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
                committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, script_hash));
                CREATE TABLE sqitch.tags (tag_id TEXT PRIMARY KEY, tag TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
                change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE, note TEXT NOT NULL DEFAULT '',
                committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, UNIQUE (project, tag));
                CREATE TABLE sqitch.dependencies (change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
                type TEXT NOT NULL, dependency TEXT NOT NULL, dependency_id TEXT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE
                CONSTRAINT dependencies_check CHECK ((type = 'require' AND dependency_id IS NOT NULL) OR (type = 'conflict' AND dependency_id IS NULL)),
                PRIMARY KEY (change_id, dependency));
                CREATE TABLE sqitch.events (event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
                change_id TEXT NOT NULL, change TEXT NOT NULL, project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
                note TEXT NOT NULL DEFAULT '', requires TEXT[] NOT NULL DEFAULT '{}', conflicts TEXT[] NOT NULL DEFAULT '{}', tags TEXT[] NOT NULL DEFAULT '{}',
                committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), committer_name TEXT NOT NULL, committer_email TEXT NOT NULL,
                planned_at TIMESTAMPTZ NOT NULL, planner_name TEXT NOT NULL, planner_email TEXT NOT NULL, PRIMARY KEY (change_id, committed_at));
                INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ('library', 'https://example.com/library/', 'Ann', 'ann@example.com');
                """
        case .prisma:
            return postgres
                ? "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)"
                : "CREATE TABLE _prisma_migrations (id TEXT PRIMARY KEY NOT NULL, checksum TEXT NOT NULL, finished_at DATETIME, migration_name TEXT NOT NULL, logs TEXT, rolled_back_at DATETIME, started_at DATETIME NOT NULL DEFAULT current_timestamp, applied_steps_count INTEGER UNSIGNED NOT NULL DEFAULT 0)"
        case .sqlx:
            return postgres
                ? "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)"
                : "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)"
        case .flyway:
            return """
                CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), description VARCHAR(200) NOT NULL,
                type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL,
                installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, execution_time INT NOT NULL, success BOOLEAN NOT NULL)
                """
        }
    }

    /// On SQLite, sqitch's registry file beside the database (`sqitch.db` for `app.db`),
    /// attached as `sqitch` (created when missing, as `sqitch deploy` does).
    public static func attachSqitchRegistry(on driver: any DatabaseDriver) async throws {
        guard driver.engine == .sqlite, case .sqlite(let file) = driver.url else { return }
        let attached = try await driver.query(unsafeSQL: "SELECT count(*) FROM pragma_database_list WHERE name = 'sqitch'").first?[0].integerValue ?? 0
        guard attached == 0 else { return }
        let path = URL(fileURLWithPath: file.path).deletingLastPathComponent().appendingPathComponent("sqitch.db").path
        _ = try await driver.execute(unsafeSQL: "ATTACH DATABASE '\(path)' AS sqitch")
    }

    /// Every step of adoption on `url`: the tool applied the first two; Godwit sees them as
    /// applied, plans and applies only the third, writes the tool's history, and rolls it back.
    /// Returns what failed, in words (empty when all held).
    public static func adopt(_ tool: LegacyHistory.Tool, on url: DatabaseURL) async throws -> [String] {
        var problems: [String] = []
        let directory = directory(tool)
        let migrations = try MigrationDirectory.load(directory)
        if migrations.count != 3 { problems.append("read \(migrations.count) migrations, not 3") }
        try await DatabaseConnector.withDriver(url) { try await applyAsTheToolWould(tool, first: 2, on: $0) }
        let history = { try await DatabaseConnector.withDriver(url) { try await LegacyHistory.read(on: $0) } }
        guard let found = try await history(), found.tool == tool else { return problems + ["the history was not read as \(tool.rawValue)'s"] }
        let pending = try await MigrationPlanning.planAll(directory: directory, database: url).map(\.plan.migration.id)
        if pending != [migrations[2].id] { problems.append("pending: \(pending)") }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        // A rehearsal takes in only the file pending: what the tool applied is neither run nor
        // rolled back on the clone, and the tool's history is left as it was.
        let rehearsal = try await Rehearsal(url: url, settings: settings).run(directory: directory)
        if !rehearsal.isGo || rehearsal.migrations != [migrations[2].id] {
            problems.append("rehearsal over the adopted history: \(rehearsal.migrations), \(rehearsal.problems)")
        }
        if try await history()?.contains(migrations[2]) != false { problems.append("the rehearsal wrote the tool's history") }
        let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory)
        if outcome.ran != [migrations[2].id] { problems.append("apply ran \(outcome.ran)") }
        guard let after = try await history() else { return problems + ["the history table is gone"] }
        if tool == .sqitch {
            // sqitch's rows for the third change: its dependency resolved, a deploy event.
            let rows = try await DatabaseConnector.withDriver(url) { driver in
                try await attachSqitchRegistry(on: driver)
                return try await driver.query(unsafeSQL: """
                    SELECT (SELECT count(*) FROM sqitch.dependencies d WHERE d.change_id = c.change_id AND d.dependency_id = '\(migrations[0].sqitch!.change.id)'),
                           (SELECT count(*) FROM sqitch.events e WHERE e.change_id = c.change_id AND e.event = 'deploy'), c.script_hash
                    FROM sqitch.changes c WHERE c.change_id = '\(migrations[2].sqitch!.change.id)'
                    """).map { "\($0[0].integerValue ?? -1) \($0[1].integerValue ?? -1) \($0[2].textValue ?? "")" }
            }
            if rows != ["1 1 \(migrations[2].sqitch!.scriptHash)"] { problems.append("sqitch rows for the third change: \(rows)") }
        }
        if tool == .sqlx {
            // sqlx checks each applied file against its row's checksum before it runs anything.
            let row = try await DatabaseConnector.withDriver(url) { driver in
                try await driver.query(unsafeSQL: "SELECT description, checksum, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations WHERE version = \(migrations[2].id)").first
            }
            guard case .rawSQL(let raw) = migrations[2].operations[0] else { return problems + ["the third sqlx migration is not SQL"] }
            if row?[0].textValue != "country" || row?[1] != .blob(MigrationChecksum.sha384(Data(raw.up.utf8))) || row?[2].integerValue != 1 {
                problems.append("sqlx's row for the third migration: \(String(describing: row))")
            }
        }
        if !migrations.allSatisfy(after.contains) { problems.append("after apply the tool's history lacks one of \(migrations.map(\.id))") }
        if tool == .prisma {
            // Prisma writes no down: Godwit wrote one on the scratch copy, marked for review.
            let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
            if !planned.isEmpty { problems.append("after apply, still pending: \(planned.map(\.plan.migration.id))") }
        }
        let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
        if id != migrations[2].id || !report.passed { problems.append("rollback of \(id): \(report.failures)") }
        guard let back = try await history() else { return problems + ["the history table is gone"] }
        if back.contains(migrations[2]) || !back.contains(migrations[0]) || !back.contains(migrations[1]) {
            problems.append("after rollback the tool's history is wrong")
        }
        // What the tool applied has no plan here: a rollback of it is refused, naming the tool.
        do {
            let (id, _) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            problems.append("rolled back the adopted \(id)")
        } catch let error as GodwitError {
            if error.code != .refused || error.summary != "Migration \(migrations[1].id) was applied by \(tool.rawValue), not by Godwit" {
                problems.append("rollback of an adopted migration: \(error.description)")
            }
        }
        if tool == .sqitch {
            let reverts = try await DatabaseConnector.withDriver(url) { driver in
                try await attachSqitchRegistry(on: driver)
                return try await driver.query(unsafeSQL: "SELECT count(*) FROM sqitch.events WHERE event = 'revert' AND change_id = '\(migrations[2].sqitch!.change.id)'").first?[0].integerValue
            }
            if reverts != 1 { problems.append("sqitch revert events: \(reverts ?? -1)") }
        }
        return problems
    }

    /// Prisma writes no down. Godwit writes one from the scratch run: the plan shows it, marked
    /// for review, with what it would lose; lint warns (GW316); and the rollback runs it and
    /// gives the schema back. Returns what failed, in words.
    public static func generatedDown(on url: DatabaseURL) async throws -> [String] {
        var problems: [String] = []
        let directory = directory(.prisma)
        let planned = try await MigrationPlanning.planAll(directory: directory, database: url)
        guard planned.count == 3, let third = planned.last else { return ["planned \(planned.count) migrations"] }
        let markdown = PlanMarkdownRenderer(source: url.description).render(third.plan, against: third.schemaBefore)
        for expected in ["**Down generated by Godwit — review it**", "DROP VIEW", "Undoing with it loses data: drops ",
                         "**Down, tried on a scratch copy of the schema**: down restores the schema"] where !markdown.contains(expected) {
            problems.append("the plan lacks \(expected)")
        }
        let findings = planned.flatMap { Linter().lint($0.plan.migration, plan: $0.plan, against: $0.schemaBefore) }
        let lossy = findings.filter { $0.code == "GW316" }
        if lossy.map(\.file) != [directory + "/20240101120000_authors/migration.sql", directory + "/20240102120000_books/migration.sql",
                                  directory + "/20240103120000_country/migration.sql"] {
            problems.append("GW316 findings: \(lossy.map { "\($0.file): \($0.message)" })")
        }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        _ = try await MigrationApplier(url: url, settings: settings).apply(directory: directory)
        for _ in 0..<3 {
            let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            if !report.passed { problems.append("rollback of \(id): \(report.failures)") }
        }
        let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let left = after.removingStatistics().differences(from: before.removingStatistics())
        if !left.isEmpty { problems.append("after three rollbacks: \(left)") }
        return problems
    }

    /// An application that guards the tool's history table with a trigger refusing every
    /// write its own runner does not make (as a real diesel project does once its runner takes
    /// over): the migration that adds the guard is refused its own row. Apply stops there with
    /// the table's word and `--no-legacy-history`, the migration's record not applied and the
    /// next one not run; with the flag the run finishes it and goes on, what diesel applied
    /// still adopted and its table untouched. A rollback the guard refuses stops the same way,
    /// and finishes with the flag. Returns what failed, in words.
    public static func refusedHistory(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("diesel-guarded")
        let engine = url.engine
        let guardSQL = engine == .sqlite
            ? """
              CREATE TRIGGER history_guard_insert BEFORE INSERT ON __diesel_schema_migrations BEGIN SELECT RAISE(ABORT, 'the history is kept by the application'); END;
              CREATE TRIGGER history_guard_delete BEFORE DELETE ON __diesel_schema_migrations BEGIN SELECT RAISE(ABORT, 'the history is kept by the application'); END;
              """
            : """
              CREATE FUNCTION history_guard() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN
                RAISE 'the history is kept by the application';
              END;
              $$;
              CREATE TRIGGER history_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON __diesel_schema_migrations EXECUTE FUNCTION history_guard();
              """
        let unguardSQL = engine == .sqlite
            ? "DROP TRIGGER history_guard_insert;\nDROP TRIGGER history_guard_delete;\n"
            : "DROP FUNCTION history_guard() CASCADE;\n"
        let files: [(String, String, String)] = [
            ("2024-01-01-000001_authors", "CREATE TABLE authors (id integer PRIMARY KEY, name text NOT NULL);\n", "DROP TABLE authors;\n"),
            ("2024-01-02-000001_guard_history", guardSQL, unguardSQL),
            ("2024-01-03-000001_books", "CREATE TABLE books (id integer PRIMARY KEY, title text NOT NULL);\n", "DROP TABLE books;\n"),
        ]
        for (name, up, down) in files {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
            try up.write(toFile: folder + "/\(name)/up.sql", atomically: true, encoding: .utf8)
            try down.write(toFile: folder + "/\(name)/down.sql", atomically: true, encoding: .utf8)
        }
        // diesel ran the first folder.
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: historyTable(.diesel, engine: engine))
            try await driver.executeScript(unsafeSQL: files[0].1)
            _ = try await driver.execute(unsafeSQL: "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000001')")
        }
        let versions = { try await DatabaseConnector.withDriver(url) { driver in
            try await driver.query(unsafeSQL: "SELECT version FROM __diesel_schema_migrations ORDER BY version").compactMap { $0[0].textValue }
        } }
        let records = { try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).records() } }
        let state = { (id: String) in try await records().first { $0.id == id }.map { "\($0.state.rawValue) \($0.completedSteps)/\($0.totalSteps)" } ?? "none" }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        do {
            _ = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
            problems.append("apply did not stop at the refused row")
        } catch let error as GodwitError {
            let text = error.description
            for expected in ["diesel's history table __diesel_schema_migrations refused the row of migration 2024-01-02-000001",
                             "the history is kept by the application", "--no-legacy-history"] where !text.contains(expected) {
                problems.append("the apply error lacks \"\(expected)\": \(text)")
            }
            if error.code != .refused { problems.append("apply's error code: \(error.code)") }
        }
        if try await state("2024-01-02-000001") != "failed 1/1" { problems.append("the guarded migration after the refusal: \(try await state("2024-01-02-000001"))") }
        if try await state("2024-01-03-000001") != "none" { problems.append("the next migration ran after the refusal") }
        var unwritten = settings
        unwritten.keepsLegacyHistory = false
        let outcome = try await MigrationApplier(url: url, settings: unwritten).apply(directory: folder)
        if outcome.ran != ["2024-01-02-000001", "2024-01-03-000001"] { problems.append("apply --no-legacy-history ran \(outcome.ran)") }
        let after = try await records()
        if after.map({ "\($0.id) \($0.state.rawValue)" }).sorted() != ["2024-01-01-000001 applied", "2024-01-02-000001 applied", "2024-01-03-000001 applied"] {
            problems.append("records after apply --no-legacy-history: \(after.map { "\($0.id) \($0.state.rawValue)" })")
        }
        if after.first(where: { $0.id == "2024-01-01-000001" })?.operatorName != "adopted from diesel" { problems.append("diesel's migration was not adopted") }
        if try await versions() != ["20240101000001"] { problems.append("diesel's table after apply --no-legacy-history: \(try await versions())") }
        // The application's own runner writes the rows it guards.
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: unguardSQL)
            _ = try await driver.execute(unsafeSQL: "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240102000001'), ('20240103000001')")
            try await driver.executeScript(unsafeSQL: guardSQL)
        }
        do {
            _ = try await MigrationRollback(url: url, settings: settings).rollback("2024-01-03-000001")
            problems.append("rollback did not stop at the refused row")
        } catch let error as GodwitError {
            for expected in ["refused to drop the row of migration 2024-01-03-000001", "godwit rollback 2024-01-03-000001 again with --no-legacy-history"]
                where !error.description.contains(expected) {
                problems.append("the rollback error lacks \"\(expected)\": \(error.description)")
            }
        }
        let (id, report) = try await MigrationRollback(url: url, settings: unwritten).rollback("2024-01-03-000001")
        if id != "2024-01-03-000001" || !report.passed { problems.append("rollback --no-legacy-history of \(id): \(report.failures)") }
        if !(try await state("2024-01-03-000001")).hasPrefix("rolled-back") {
            problems.append("after the rollback: \(try await state("2024-01-03-000001"))")
        }
        if try await versions() != ["20240101000001", "20240102000001", "20240103000001"] { problems.append("diesel's table after rollback --no-legacy-history: \(try await versions())") }
        return problems
    }

    /// golang-migrate's down files are optional: a directory of `.up.sql` files alone, as many
    /// projects keep them. Godwit writes each down itself (sequences, enums and domains included); the rehearsal rolls the three
    /// schema-changing files back to identical. A data-only `DO` block, whose down no diff can
    /// write, is a point of no return: the rehearsal stops its rollback there, says once that the
    /// older files stay applied, and says no-go. Returns what failed, in words.
    public static func upOnly(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("golang-migrate-up-only")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var files = [
            "1_create.up.sql": "CREATE TABLE settings (k text PRIMARY KEY, v text NOT NULL);\nCREATE TABLE events (id integer PRIMARY KEY, at text NOT NULL DEFAULT 'now');\n",
            "2_kind.up.sql": "ALTER TABLE events ADD COLUMN kind text;\n",
            "4_index.up.sql": "CREATE INDEX events_kind ON events (kind);\n",
        ]
        if url.engine == .postgresql {
            // A serial's sequence widened with its column (as Harbor's 2.16 schema does), and a
            // new sequence: the down Godwit writes gives both back.
            // And an enum a new table uses (Prisma's pattern), and a domain dropped: the down
            // drops the type after the table and puts the domain back first.
            files["1_create.up.sql"]! += "CREATE TABLE counters (id serial PRIMARY KEY, n integer);\nCREATE DOMAIN positive AS integer CHECK (VALUE > 0);\n"
            files["5_widen.up.sql"] = "ALTER TABLE counters ALTER COLUMN id TYPE bigint;\nALTER SEQUENCE counters_id_seq AS bigint MAXVALUE 9007199254740991;\n"
                + "CREATE SEQUENCE invoice_numbers AS integer START WITH 1000;\n"
                + "CREATE TYPE \"Transport\" AS ENUM ('smtp', 'api');\nCREATE TABLE transports (id integer PRIMARY KEY, kind \"Transport\" NOT NULL);\n"
                + "DROP DOMAIN positive;\n"
        }
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let migrations = try MigrationDirectory.load(folder)
        let generated = migrations.allSatisfy { migration in
            if case .rawSQL(let raw) = migration.operations.first { raw.generatesDown } else { false }
        }
        if migrations.map(\.id) != (url.engine == .postgresql ? ["1", "2", "4", "5"] : ["1", "2", "4"]) || !generated { problems.append("read \(migrations.map(\.id)), all with a generated down: \(generated)") }
        let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let reversible = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if !reversible.isGo || !reversible.rollbackIdentical { problems.append("rehearsal of the reversible files: \(reversible.problems)") }
        // A data fix with no down, between them (on PostgreSQL a DO block, as Harbor writes them):
        // nothing after the rollback of 4 can be undone.
        let seed = url.engine == .postgresql
            ? "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM settings WHERE k = 'mode') THEN\n    INSERT INTO settings VALUES ('mode', 'on');\n  END IF;\nEND $$;\n"
            : "INSERT INTO settings (k, v) SELECT 'mode', 'on' WHERE NOT EXISTS (SELECT 1 FROM settings WHERE k = 'mode');\n"
        try seed.write(toFile: folder + "/3_seed.up.sql", atomically: true, encoding: .utf8)
        let stuck = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if stuck.isGo { problems.append("a rehearsal with an irreversible file said go") }
        let rollbackProblems = stuck.problems.filter { $0.hasPrefix("Rollback of") || $0.hasPrefix("Not rolled back") }
        if rollbackProblems.count != 2 || !rollbackProblems[0].hasPrefix("Rollback of 3 failed: Migration 3 is past its point of no return")
            || rollbackProblems[1] != "Not rolled back, as they were applied before 3: 1, 2" {
            problems.append("rollback problems: \(rollbackProblems)")
        }
        let advice = "Migration 3 cannot be undone, and so neither can the 2 applied before it: write its down in \(folder)/3_seed.down.sql (what undoes its change, rows included), then rehearse again."
        if !stuck.suggestions.contains(advice) { problems.append("suggestions: \(stuck.suggestions)") }
        if stuck.problems.contains(where: { $0.contains("was applied after") }) { problems.append("a refusal for each older file: \(stuck.problems)") }
        // What stays applied differs from the original by design: the report says where the
        // rollback stopped instead of listing what 1, 2 and 3 made as differences.
        let newer = url.engine == .postgresql ? "2" : "1"
        let stopped = "| **Rollback** | stopped at 3, after rolling back the \(newer) newer (each checked against the state before it); 3 and the 2 before it stay applied, so the database was not compared with the original |"
        if stuck.rollbackStoppedAt != "3" || !stuck.differences.isEmpty || !stuck.markdown().contains(stopped) {
            problems.append("no word on where the rollback stopped: \(stuck.rollbackStoppedAt ?? "nil"), \(stuck.differences.count) differences, \(stuck.markdown())")
        }
        // A down that fails leaves its rollback unfinished: the rehearsal reports it, does not
        // apply again over it, and does not fail itself.
        try FileManager.default.removeItem(atPath: folder + "/3_seed.up.sql")
        try "ALTER TABLE settings ADD COLUMN note text;\n".write(toFile: folder + "/6_note.up.sql", atomically: true, encoding: .utf8)
        try "ALTER TABLE settings DROP COLUMN no_such_column;\n".write(toFile: folder + "/6_note.down.sql", atomically: true, encoding: .utf8)
        do {
            let failing = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
            let expected = ["Rollback of 6 failed", "Not rolled back, as they were applied before 6: 1, 2, 4",
                            "Not applied again: the rollback of 6 did not finish"]
            for prefix in expected where !failing.problems.contains(where: { $0.hasPrefix(prefix) }) {
                problems.append("no problem starting \(prefix): \(failing.problems)")
            }
            if failing.isGo { problems.append("a rehearsal whose rollback failed said go") }
            if failing.problems.contains(where: { $0.contains("godwit_rehearsal") }) { problems.append("a problem names the dropped clone: \(failing.problems)") }
        } catch {
            problems.append("the rehearsal with a failing down threw: \(error)")
        }
        // The rehearsals ran on clones: the database itself is as it was.
        let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        if !after.removingStatistics().differences(from: before.removingStatistics()).isEmpty { problems.append("the rehearsals changed the database") }
        return problems
    }

    /// A down that drops more than its up made: the rollback takes a table the database had
    /// before, with its rows. The rehearsal rolls back all the way, finds the table gone (in
    /// the schema and in the data, rows counted), and says no-go instead of failing itself on
    /// a table it cannot bisect. Returns what failed, in words.
    public static func downDroppingATable(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("down-drops-a-table")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: "CREATE TABLE ledger (id integer PRIMARY KEY, amount integer NOT NULL);\nINSERT INTO ledger VALUES (1, 10), (2, 20);\n")
        }
        try "CREATE TABLE notes (id integer PRIMARY KEY);\n".write(toFile: folder + "/1_notes.up.sql", atomically: true, encoding: .utf8)
        try "DROP TABLE notes;\nDROP TABLE ledger;\n".write(toFile: folder + "/1_notes.down.sql", atomically: true, encoding: .utf8)
        let report = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if report.isGo || report.rollbackStoppedAt != nil { problems.append("verdict \(report.isGo), stopped at \(report.rollbackStoppedAt ?? "nil")") }
        let ledger = report.differences.filter { $0.table.hasSuffix("ledger") }.map(\.detail)
        if ledger != ["gone after the rollback, with its 2 rows"] { problems.append("ledger: \(report.differences.map { "\($0.table): \($0.detail)" })") }
        if !report.differences.contains(where: { $0.table == "(schema)" && $0.detail.contains("ledger") }) {
            problems.append("no schema difference names ledger: \(report.differences.map(\.detail))")
        }
        let rows = try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT count(*) FROM ledger").first?[0].integerValue }
        if rows != 2 { problems.append("the database itself lost ledger's rows: \(rows ?? -1)") }
        return problems
    }

    /// Up files without downs that replace a function and a trigger in place (`CREATE OR
    /// REPLACE`, as a counting trigger gets fixed release after release): the downs Godwit
    /// writes put the earlier bodies back, so the rehearsal rolls every file back to identical
    /// and a rollback gives each one's start back; a function dropped comes back too.
    /// PostgreSQL. Returns what failed, in words.
    public static func replacedFunctions(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("replaced-functions")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func counter(_ body: String) -> String {
            "CREATE OR REPLACE FUNCTION count_entries() RETURNS trigger AS $body$\nBEGIN\n\(body)\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n"
        }
        let files = [
            "1_entries.up.sql": "CREATE TABLE entries (id integer PRIMARY KEY, owner integer NOT NULL);\nCREATE TABLE totals (owner integer PRIMARY KEY, n integer NOT NULL);\n"
                + counter("  IF TG_OP = 'INSERT' THEN UPDATE totals SET n = n + 1 WHERE owner = NEW.owner; END IF;")
                + "CREATE TRIGGER entries_count AFTER INSERT OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION count_entries();\n"
                + "CREATE FUNCTION owner_total(who integer) RETURNS integer LANGUAGE sql AS 'SELECT n FROM totals WHERE owner = who';\n",
            "2_fix_delete.up.sql": counter("  IF TG_OP = 'INSERT' THEN UPDATE totals SET n = n + 1 WHERE owner = NEW.owner;\n  ELSIF TG_OP = 'DELETE' THEN UPDATE totals SET n = n - 1 WHERE owner = OLD.owner; END IF;"),
            "3_insert_only.up.sql": counter("  UPDATE totals SET n = n + 1 WHERE owner = NEW.owner;")
                + "CREATE OR REPLACE TRIGGER entries_count AFTER INSERT ON entries FOR EACH ROW EXECUTE FUNCTION count_entries();\n",
            "4_drop_total.up.sql": "DROP FUNCTION owner_total(integer);\n",
        ]
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if !rehearsal.isGo || !rehearsal.rollbackIdentical || rehearsal.migrations != ["1", "2", "3", "4"] {
            problems.append("rehearsal: \(rehearsal.migrations), \(rehearsal.problems)")
        }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        _ = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
        for expected in ["4", "3", "2", "1"] {
            let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            if id != expected || !report.passed { problems.append("rollback of \(id): \(report.failures)") }
            if id == "3" {
                // 2's body is back: a delete counts down again.
                let source = try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT prosrc FROM pg_proc WHERE proname = 'count_entries'").first?[0].textValue }
                if source?.contains("ELSIF TG_OP = 'DELETE'") != true { problems.append("after rolling back 3, count_entries is \(source ?? "missing")") }
            }
        }
        let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let left = after.removingGodwitHelpers().removingStatistics().differences(from: before.removingGodwitHelpers().removingStatistics())
        if !left.isEmpty { problems.append("after rolling back all four: \(left)") }
        return problems
    }

    /// Up files that create an extension with their tables, rename (columns of a table, one of
    /// them its key, and a table), and move a table's primary key to a new column, dropping the
    /// old: the downs Godwit writes drop the extension after the tables, rename back, keeping
    /// every value, and put the old key back before its column comes back (the shape of Prisma's
    /// migrations, which have no downs). Rehearsed to go; applied with
    /// rows in the renamed tables; each rollback proven and the start given back. Returns what
    /// failed, in words.
    public static func renamesInGeneratedDowns(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("renames")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files = [
            "1_events.up.sql": """
                CREATE EXTENSION IF NOT EXISTS "pgcrypto";
                CREATE TABLE "event_data" ("event_id" integer NOT NULL, "event_string_value" varchar(500), "event_data_type" integer NOT NULL,
                    CONSTRAINT "event_data_pkey" PRIMARY KEY ("event_id"));
                CREATE TABLE logs (id integer PRIMARY KEY, body text);
                CREATE TABLE tokens (token text NOT NULL, CONSTRAINT tokens_pkey PRIMARY KEY (token));
                INSERT INTO "event_data" VALUES (1, 'a', 1), (2, NULL, 2), (3, 'c', 4);
                INSERT INTO logs VALUES (1, 'started'), (2, NULL);

                """,
            "2_rename.up.sql": """
                ALTER TABLE "event_data" RENAME COLUMN "event_id" TO "event_data_id";
                ALTER TABLE "event_data" RENAME COLUMN "event_string_value" TO "string_value";
                ALTER TABLE "event_data" RENAME COLUMN "event_data_type" TO "data_type";
                ALTER TABLE logs RENAME TO log_entries;

                """,
            "3_token_key.up.sql": """
                ALTER TABLE tokens ADD COLUMN id integer NOT NULL;
                ALTER TABLE tokens DROP CONSTRAINT tokens_pkey;
                ALTER TABLE tokens ADD CONSTRAINT tokens_pkey PRIMARY KEY (id);
                ALTER TABLE tokens DROP COLUMN token;

                """,
        ]
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let planned = try await MigrationPlanning.planAll(directory: folder, database: url)
        let downs = planned.map { planned in
            planned.plan.migration.operations.compactMap { operation -> SQLEffect.GeneratedDown? in
                if case .rawSQL(let raw) = operation { raw.effect?.generatedDown } else { nil }
            }.first
        }
        guard downs.count == 3, let createDown = downs[0], let renameDown = downs[1], let keyDown = downs[2] else { return ["generated downs: \(downs)"] }
        if !createDown.sql.hasSuffix("DROP EXTENSION IF EXISTS pgcrypto;") { problems.append("the down of 1 leaves the extension: \(createDown.sql)") }
        if let reversal = planned[0].plan.migration.operations.compactMap({ operation -> SQLEffect.Reversal? in
            if case .rawSQL(let raw) = operation { raw.effect?.reversal } else { nil }
        }).first, reversal != .identical { problems.append("the down of 1 on the scratch: \(reversal)") }
        for expected in ["RENAME COLUMN event_data_id TO event_id", "RENAME COLUMN string_value TO event_string_value",
                         "RENAME COLUMN data_type TO event_data_type", "RENAME TO logs"] where !renameDown.sql.contains(expected) {
            problems.append("the down of 2 does not \(expected): \(renameDown.sql)")
        }
        if renameDown.sql.contains("DROP COLUMN") || !renameDown.losses.isEmpty { problems.append("the down of 2 drops values: \(renameDown.sql)") }
        let dropKey = keyDown.sql.range(of: "DROP CONSTRAINT tokens_pkey"), addToken = keyDown.sql.range(of: "ADD COLUMN token")
        if dropKey == nil || addToken == nil || dropKey!.lowerBound > addToken!.lowerBound {
            problems.append("the down of 3 does not drop the new key before the old column comes back: \(keyDown.sql)")
        }
        let before = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if !rehearsal.isGo || !rehearsal.rollbackIdentical || rehearsal.migrations != ["1", "2", "3"] {
            problems.append("rehearsal: \(rehearsal.migrations), \(rehearsal.problems)")
        }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        _ = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
        for expected in ["3", "2"] {
            let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            if id != expected || !report.passed { problems.append("rollback of \(id): \(report.failures)") }
        }
        let rows = try await DatabaseConnector.withDriver(url) { driver in
            try await driver.query(unsafeSQL: "SELECT string_agg(event_id || ':' || coalesce(event_string_value, '-'), ',' ORDER BY event_id) FROM event_data").first?[0].textValue
        }
        if rows != "1:a,2:-,3:c" { problems.append("event_data after rolling back the renames: \(rows ?? "nothing")") }
        _ = try await MigrationRollback(url: url, settings: settings).rollback(nil)
        let after = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
        let left = after.removingGodwitHelpers().removingStatistics().differences(from: before.removingGodwitHelpers().removingStatistics())
        if !left.isEmpty { problems.append("after rolling back all three: \(left)") }
        return problems
    }

    /// Flyway's repeatables, in a copy of the Flyway sample with `R__author_count.sql` added.
    /// Flyway applied V1.1, V1.2 and the repeatable; Godwit adopts all three and applies V1.3
    /// alone; a rollback takes V1.3, passing over the repeatable; once the script changes, it is
    /// pending again, runs after V1.3, and Flyway's row is written (version NULL, the new
    /// checksum). Returns what failed, in words.
    public static func repeatable(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        let folder = directory.path("flyway")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for source in [Self.directory(.flyway), Fixtures.url("layouts/flyway-repeatable").path] {
            for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".sql") {
                try FileManager.default.copyItem(atPath: source + "/" + name, toPath: folder + "/" + name)
            }
        }
        let migrations = try MigrationDirectory.load(folder)
        guard migrations.map(\.id).prefix(3) == ["1.1", "1.2", "1.3"], let repeatable = migrations.last,
              ToolLayouts.isRepeatable(repeatable.id), migrations.count == 4 else { return ["read \(migrations.map(\.id))"] }
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: historyTable(.flyway, engine: driver.engine))
            for (number, migration) in [migrations[0], migrations[1], repeatable].enumerated() {
                guard case .rawSQL(let raw) = migration.operations[0] else { continue }
                try await driver.executeScript(unsafeSQL: raw.up)
                let script = (migration.source!.path as NSString).lastPathComponent
                let version = ToolLayouts.isRepeatable(migration.id) ? "NULL" : "'\(migration.id)'"
                _ = try await driver.execute(unsafeSQL: """
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                    VALUES (\(number + 1), \(version), '\(migration.name)', 'SQL', '\(script)', \(FlywayChecksum.of(raw.up)), 'flyway', 3, true)
                    """)
            }
        }
        var pending = try await MigrationPlanning.planAll(directory: folder, database: url).map(\.plan.migration.id)
        if pending != ["1.3"] { problems.append("pending at first: \(pending)") }
        var settings = SQLCorpus.settings
        settings.approveGates = true
        var outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
        if outcome.ran != ["1.3"] { problems.append("the first apply ran \(outcome.ran)") }
        let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
        if id != "1.3" || !report.passed { problems.append("rollback took \(id): \(report.failures)") }
        // The script changes: a new repeatable, pending until it runs.
        let newText = "DROP VIEW IF EXISTS author_count;\nCREATE VIEW author_count AS SELECT count(*) AS authors, count(name) AS named FROM authors;\n"
        try newText.write(toFile: folder + "/R__author_count.sql", atomically: true, encoding: .utf8)
        let changed = try MigrationDirectory.load(folder).last!
        pending = try await MigrationPlanning.planAll(directory: folder, database: url).map(\.plan.migration.id)
        if pending != ["1.3", changed.id] || changed.id == repeatable.id { problems.append("pending after the change: \(pending)") }
        outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
        if outcome.ran != ["1.3", changed.id] { problems.append("the second apply ran \(outcome.ran)") }
        let rows = try await DatabaseConnector.withDriver(url) { driver in
            try await driver.query(unsafeSQL: "SELECT script, checksum FROM flyway_schema_history WHERE version IS NULL ORDER BY installed_rank")
                .map { "\($0[0].textValue ?? ""):\($0[1].integerValue ?? 0)" }
        }
        guard case .rawSQL(let first) = repeatable.operations[0] else { return problems + ["not SQL"] }
        let expected = ["R__author_count.sql:\(FlywayChecksum.of(first.up))", "R__author_count.sql:\(FlywayChecksum.of(newText))"]
        if rows != expected { problems.append("Flyway's repeatable rows: \(rows), not \(expected)") }
        return problems
    }
}
