import Foundation
public import GodwitCore

/// Throwaway databases on a PostgreSQL server: scratch and restored databases made with
/// `CREATE DATABASE` beside the source; rehearsal clones with `CREATE DATABASE … TEMPLATE` when
/// nobody else is connected to the source, otherwise `pg_dump --format=custom` restored with
/// `pg_restore`; backups with `pg_dump`, proven by `pg_restore --list`.
public struct PostgresCloning: DatabaseCloning {
    public init() {}

    public func withScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        let endpoint = try Self.endpoint(url)
        // A database that does not exist yet (a runbook rehearsing a copy into a database a later
        // stage creates): its server's maintenance database makes the scratch instead.
        return try await TemporaryPostgresDatabase.with(prefix: "godwit_scratch", via: endpoint, orVia: endpoint.selectingDatabase("postgres")) {
            try await body(.postgres($0))
        }
    }

    public func withSharedScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        try await withScratch(like: url, body)
    }

    public func clone(_ source: DatabaseURL) async throws -> DatabaseCopy {
        let endpoint = try Self.endpoint(source)
        let maintenance = endpoint.selectingDatabase("postgres")
        do {
            let clone = try await TemporaryPostgresDatabase.create(prefix: "godwit_rehearsal", via: maintenance, template: endpoint.database)
            return DatabaseCopy(url: .postgres(clone.endpoint), method: "CREATE DATABASE … TEMPLATE") { try await clone.drop() }
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
                try await Self.dumpAndRestore(from: endpoint, to: clone.endpoint)
            } catch {
                try? await clone.drop()
                throw error
            }
            return DatabaseCopy(url: .postgres(clone.endpoint), method: "pg_dump | pg_restore") { try await clone.drop() }
        }
    }

    public func sampledClone(_ source: DatabaseURL, schema: Schema, rowLimit: Int64) async throws -> DatabaseCopy? {
        let endpoint = try Self.endpoint(source)
        guard !SampledCopy.largeTables(in: schema, over: rowLimit).isEmpty else { return nil }
        let clone = try await TemporaryPostgresDatabase.create(prefix: "godwit_rehearsal", via: endpoint.selectingDatabase("postgres"))
        do {
            let sampled = try await SampledCopy(source: endpoint, target: clone.endpoint, rowLimit: rowLimit).make(schema: schema)
            return DatabaseCopy(url: .postgres(clone.endpoint), method: "pg_dump | pg_restore with samples", sampledTables: sampled) {
                try await clone.drop()
            }
        } catch {
            try? await clone.drop()
            throw error
        }
    }

    public func clone(_ source: DatabaseURL, into target: DatabaseURL) async throws -> DatabaseCopy {
        let from = try Self.endpoint(source), into = try Self.endpoint(target)
        guard !(from.host == into.host && from.port == into.port && from.database == into.database) else {
            throw GodwitError(.invalidArgument, "The clone target is the database to rehearse on", location: target.description,
                              remedy: "Name another, empty database with --clone-on.")
        }
        let held = try await Self.ownObjects(in: into)
        guard held.isEmpty else {
            throw GodwitError(
                .refused, "The clone target is not empty", location: target.description,
                reason: "it holds \(held.prefix(3).joined(separator: ", "))\(held.count > 3 ? " and \(held.count - 3) more" : "")",
                remedy: "Name an empty database: Godwit restores the copy into it and empties it again afterwards."
            )
        }
        let before = try await PostgresDriver.with(into) { driver in
            (schemas: try await driver.query(unsafeSQL: "SELECT nspname FROM pg_namespace").compactMap { $0[0].textValue },
             extensions: try await driver.query(unsafeSQL: "SELECT extname FROM pg_extension").compactMap { $0[0].textValue })
        }
        let empty: @Sendable () async throws -> Void = {
            _ = try await PostgresDriver.with(into) { try await $0.execute(unsafeSQL: Self.emptying(keeping: before)) }
        }
        do {
            try await Self.dumpAndRestore(from: from, to: into)
        } catch {
            try? await empty()
            throw error
        }
        return DatabaseCopy(url: target, method: "pg_dump | pg_restore into \(into.database)", remove: empty)
    }

    public func defaultBackupPath(for url: DatabaseURL, stamp: String) throws -> String {
        "\(try Self.endpoint(url).database)-\(stamp).dump"
    }

    public func writeBackup(of url: DatabaseURL, to path: String) async throws -> [String] {
        let endpoint = try Self.endpoint(url)
        try await PostgresTools.run("pg_dump", ["--format=custom", "--file", path, "--dbname", PostgresTools.connectionString(endpoint)],
                              endpoint: endpoint, purpose: "backing up")
        let listing = try await PostgresTools.run("pg_restore", ["--list", path], endpoint: endpoint, purpose: "reading the backup back")
        let entries = listing.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }.count
        return ["pg_restore --list read the archive: \(entries) entries"]
    }

    public func withRestoredBackup<Result: Sendable>(at path: String, of url: DatabaseURL,
                                                     _ body: (DatabaseURL) async throws -> Result) async throws -> (proof: [String], result: Result) {
        let endpoint = try Self.endpoint(url)
        return try await TemporaryPostgresDatabase.with(prefix: "godwit_backup_check", via: endpoint) { scratch in
            try await PostgresTools.run("pg_restore", ["--exit-on-error", "--no-owner", "--no-privileges", "--dbname",
                                                 PostgresTools.connectionString(scratch), path], endpoint: scratch, purpose: "restoring the backup")
            return (["restored into a scratch database without error"], try await body(.postgres(scratch)))
        }
    }

    /// The statement that takes a `--clone-on` database back to empty: it held nothing of its own
    /// before the restore (``ownObjects(in:)``), so what the restore made goes — new extensions
    /// and schemas whole, and in the schemas it had (`public`) every table, view, sequence,
    /// function and type. The schemas themselves, their owners and grants stay.
    package static func emptying(keeping before: (schemas: [String], extensions: [String])) -> String {
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
        try await PostgresDriver.with(endpoint) { driver in
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

    private static func dumpAndRestore(from source: DatabaseURL.PostgresEndpoint, to target: DatabaseURL.PostgresEndpoint) async throws {
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-rehearsal-\(UUID().uuidString).dump").path
        defer { try? FileManager.default.removeItem(atPath: archive) }
        try await PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", archive,
                                          "--dbname", PostgresTools.connectionString(source)], endpoint: source, purpose: "cloning the database")
        try await PostgresTools.run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                             "--dbname", PostgresTools.connectionString(target), archive], endpoint: target, purpose: "cloning the database")
    }

    private static func endpoint(_ url: DatabaseURL) throws -> DatabaseURL.PostgresEndpoint {
        guard case .postgres(let endpoint) = url else { throw GodwitError.wrongEngine(url, for: .postgresql) }
        return endpoint
    }
}
