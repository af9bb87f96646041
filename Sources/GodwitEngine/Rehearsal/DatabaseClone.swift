public import Foundation
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
    private let remove: @Sendable () async -> Void

    /// Makes the copy.
    public static func make(of source: DatabaseURL) async throws -> DatabaseClone {
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
