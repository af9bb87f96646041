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
    public static func make(of source: DatabaseURL, sample: Int64? = nil) async throws -> DatabaseClone {
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
