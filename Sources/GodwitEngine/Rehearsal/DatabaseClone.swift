import Foundation
public import GodwitCore
import GodwitPostgres
import GodwitSQLite

/// A throwaway copy of a database to rehearse on: SQLite through the online backup API into a
/// temporary file; PostgreSQL with `CREATE DATABASE … TEMPLATE` when nobody else is connected to
/// the source, otherwise `pg_dump --format=custom` restored with `pg_restore` into a new database.
/// ``drop()`` removes it; callers drop it on every path, failure and interruption included.
public struct DatabaseClone: Sendable {
    public let url: DatabaseURL
    /// How it was made: `backup API`, `CREATE DATABASE … TEMPLATE`, `pg_dump | pg_restore`.
    public let method: String
    /// Tables holding only a sample (`--sample`); empty for a full copy.
    public var sampledTables: [RehearsalReport.SampledTable] = []
    private let remove: @Sendable () async -> Void

    private init(url: DatabaseURL, method: String, remove: @escaping @Sendable () async -> Void) {
        self.url = url
        self.method = method
        self.remove = remove
    }

    /// Makes the copy; with `sample`, PostgreSQL tables of more rows than that hold a sample of
    /// about that many (see ``SampledCopy``), and the others are copied whole.
    /// - Parameter target: where to put the copy when Godwit may not create databases on the
    ///   source's server (`--clone-on`): an empty PostgreSQL database the user may fill, emptied
    ///   again afterwards, or a SQLite file path that does not exist yet, removed afterwards.
    public static func make(of source: DatabaseURL, sample: Int64? = nil, on target: DatabaseURL? = nil) async throws -> DatabaseClone {
        if let target { return try await make(of: source, into: target) }
        if let sample, case .postgres(let endpoint) = source {
            let schema = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
            if !SampledCopy.largeTables(in: schema, over: sample).isEmpty {
                return try await sampled(endpoint, schema: schema, rowLimit: sample)
            }
        }
        if sample != nil, case .sqlite = source {
            throw GodwitError(.invalidArgument, "--sample applies to PostgreSQL databases", location: source.description,
                              reason: "a SQLite clone is a page-by-page copy made by the online backup API",
                              remedy: "Rehearse without --sample.")
        }
        switch source {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-rehearsal-\(UUID().uuidString.prefix(8).lowercased()).db").path
            try await DatabaseConnector.withDriver(source, access: .readOnly) { driver in
                guard let sqlite = driver as? SQLiteDriver else { return }
                try await sqlite.backup(toPath: path)
            }
            return DatabaseClone(url: .sqlite(.init(path: path)), method: "SQLite online backup API") {
                for file in [path, path + "-wal", path + "-shm", path + "-godwit.lock"] { try? FileManager.default.removeItem(atPath: file) }
            }
        case .postgres(let endpoint):
            let maintenance = endpoint.selectingDatabase("postgres")
            do {
                let clone = try await TemporaryPostgresDatabase.create(prefix: "godwit_rehearsal", via: maintenance, template: endpoint.database)
                return DatabaseClone(url: .postgres(clone.endpoint), method: "CREATE DATABASE … TEMPLATE") { try? await clone.drop() }
            } catch let error as GodwitError where error.code == .permissionDenied || error.engineCode == "42501" {
                throw GodwitError(
                    .permissionDenied, "Cannot create the rehearsal's copy of the database", location: endpoint.serverDescription,
                    reason: "user '\(endpoint.user)' may not create databases (no CREATEDB), as on many managed services",
                    remedy: "Name an empty database you may fill with --clone-on URL (Godwit restores the copy into it and empties it afterwards), or ask for CREATEDB."
                )
            } catch let error as GodwitError where error.engineCode == "55006" {
                // Others are connected to the source: copy it through pg_dump and pg_restore.
                let clone = try await TemporaryPostgresDatabase.create(prefix: "godwit_rehearsal", via: maintenance)
                do {
                    try dumpAndRestore(from: endpoint, to: clone.endpoint)
                } catch {
                    try? await clone.drop()
                    throw error
                }
                return DatabaseClone(url: .postgres(clone.endpoint), method: "pg_dump | pg_restore") { try? await clone.drop() }
            }
        }
    }

    /// The copy made where the user says (`--clone-on`).
    private static func make(of source: DatabaseURL, into target: DatabaseURL) async throws -> DatabaseClone {
        switch (source, target) {
        case (.sqlite, .sqlite(let file)):
            guard !FileManager.default.fileExists(atPath: file.path) else {
                throw GodwitError(.refused, "The clone target already exists", location: file.path,
                                  remedy: "Name a path where nothing is yet: Godwit writes the copy there and removes it afterwards.")
            }
            try await DatabaseConnector.withDriver(source, access: .readOnly) { driver in
                guard let sqlite = driver as? SQLiteDriver else { return }
                try await sqlite.backup(toPath: file.path)
            }
            return DatabaseClone(url: target, method: "SQLite online backup API into \(file.path)") {
                for path in [file.path, file.path + "-wal", file.path + "-shm", file.path + "-godwit.lock"] { try? FileManager.default.removeItem(atPath: path) }
            }
        case (.postgres(let from), .postgres(let into)):
            guard !(from.host == into.host && from.port == into.port && from.database == into.database) else {
                throw GodwitError(.invalidArgument, "The clone target is the database to rehearse on", location: target.description,
                                  remedy: "Name another, empty database with --clone-on.")
            }
            let held = try await ownObjects(in: into)
            guard held.isEmpty else {
                throw GodwitError(
                    .refused, "The clone target is not empty", location: target.description,
                    reason: "it holds \(held.prefix(3).joined(separator: ", "))\(held.count > 3 ? " and \(held.count - 3) more" : "")",
                    remedy: "Name an empty database: Godwit restores the copy into it and empties it again afterwards."
                )
            }
            let before = try await DatabaseConnector.withDriver(target, access: .readOnly) { driver in
                (schemas: try await driver.query(unsafeSQL: "SELECT nspname FROM pg_namespace").compactMap { $0[0].textValue },
                 extensions: try await driver.query(unsafeSQL: "SELECT extname FROM pg_extension").compactMap { $0[0].textValue })
            }
            let empty: @Sendable () async -> Void = {
                _ = try? await DatabaseConnector.withDriver(target) { try await $0.execute(unsafeSQL: emptying(keeping: before)) }
            }
            do {
                try dumpAndRestore(from: from, to: into)
            } catch {
                await empty()
                throw error
            }
            return DatabaseClone(url: target, method: "pg_dump | pg_restore into \(into.database)", remove: empty)
        default:
            throw GodwitError(.invalidArgument, "The clone target is of another engine", location: target.description,
                              remedy: "Name a \(source.engine) database for --clone-on.")
        }
    }

    /// The statement that takes a `--clone-on` database back to empty: it held nothing of its own
    /// before the restore (``ownObjects(in:)``), so what the restore made goes — new extensions
    /// and schemas whole, and in the schemas it had (`public`) every table, view, sequence,
    /// function and type. The schemas themselves, their owners and grants stay.
    static func emptying(keeping before: (schemas: [String], extensions: [String])) -> String {
        let list = { (names: [String]) in names.map(SQLIdentifierQuoter.literal).joined(separator: ", ") }
        return """
            DO $godwit$ DECLARE r record; BEGIN
                FOR r IN SELECT extname FROM pg_extension WHERE extname NOT IN (\(list(before.extensions))) LOOP
                    EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
                END LOOP;
                FOR r IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN (\(list(before.schemas))) LOOP
                    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', r.nspname);
                END LOOP;
                FOR r IN SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                           AND n.nspname NOT LIKE 'pg\\_%' LOOP
                    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE',
                        CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                       WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.nspname, r.relname);
                END LOOP;
                FOR r IN SELECT p.oid::regprocedure AS signature, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' LOOP
                    EXECUTE format('DROP %s IF EXISTS %s CASCADE',
                        CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.signature);
                END LOOP;
                FOR r IN SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                         WHERE t.typtype IN ('e', 'd', 'r', 'c') AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
                           AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' LOOP
                    EXECUTE format('DROP TYPE IF EXISTS %I.%I CASCADE', r.nspname, r.typname);
                END LOOP;
            END $godwit$
            """
    }

    /// Tables, views, sequences, functions and types the target holds outside the system
    /// schemas: a database that has any is not one to fill and empty.
    private static func ownObjects(in endpoint: DatabaseURL.PostgresEndpoint) async throws -> [String] {
        try await DatabaseConnector.withDriver(.postgres(endpoint), access: .readOnly) { driver in
            try await driver.query(unsafeSQL: """
                SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                UNION ALL
                SELECT n.nspname || '.' || p.proname || '()' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
                ORDER BY 1
                """).compactMap { $0[0].textValue }
        }
    }

    private static func sampled(_ source: DatabaseURL.PostgresEndpoint, schema: Schema, rowLimit: Int64) async throws -> DatabaseClone {
        let clone = try await TemporaryPostgresDatabase.create(prefix: "godwit_rehearsal", via: source.selectingDatabase("postgres"))
        do {
            var made = DatabaseClone(url: .postgres(clone.endpoint), method: "pg_dump | pg_restore with samples") { try? await clone.drop() }
            made.sampledTables = try await SampledCopy(source: source, target: clone.endpoint, rowLimit: rowLimit).make(schema: schema)
            return made
        } catch {
            try? await clone.drop()
            throw error
        }
    }

    /// The clone's database name (PostgreSQL) or file (SQLite).
    public var name: String {
        switch url {
        case .postgres(let endpoint): endpoint.database
        case .sqlite(let file): file.path
        }
    }

    /// Removes the copy. Safe to call more than once.
    public func drop() async { await remove() }

    private static func dumpAndRestore(from source: DatabaseURL.PostgresEndpoint, to target: DatabaseURL.PostgresEndpoint) throws {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-rehearsal-\(UUID().uuidString).dump").path
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", archive,
                                          "--dbname", PostgresTools.connectionString(source)], endpoint: source, purpose: "cloning the database")
        try PostgresTools.run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                             "--dbname", PostgresTools.connectionString(target), archive], endpoint: target, purpose: "cloning the database")
    }
}
