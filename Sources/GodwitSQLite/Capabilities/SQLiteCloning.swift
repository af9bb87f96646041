import Foundation
public import GodwitCore

/// Throwaway SQLite databases: scratch schemas in memory; rehearsal clones and backups made page
/// by page by the online backup API, a backup proven by `PRAGMA integrity_check` on the copy.
public struct SQLiteCloning: DatabaseCloning {
    public init() {}

    public func withScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        // Each connection to `:memory:` is a database of its own: the caller opens the one it uses.
        try await body(.sqlite(.init(path: ":memory:")))
    }

    public func withSharedScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-scratch-\(UUID().uuidString.prefix(8).lowercased()).db").path
        defer { Self.removeFiles(of: path) }
        return try await body(.sqlite(.init(path: path)))
    }

    public func clone(_ source: DatabaseURL) async throws -> DatabaseCopy {
        guard case .sqlite(let location) = source else { throw GodwitError.wrongEngine(source, for: .sqlite) }
        // A directory of its own, the file under the source's name: what tools keep beside a
        // database (sqitch's registry) then has a place beside the copy that no other copy shares.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-rehearsal-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = location.isInMemory ? "clone.db" : URL(fileURLWithPath: location.path).lastPathComponent
        let path = directory.appendingPathComponent(name).path
        do {
            try await Self.backup(source, toPath: path)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        return DatabaseCopy(url: .sqlite(.init(path: path)), method: "SQLite online backup API") { try? FileManager.default.removeItem(at: directory) }
    }

    public func sampledClone(_ source: DatabaseURL, schema: Schema, rowLimit: Int64) async throws -> DatabaseCopy? {
        throw GodwitError(.invalidArgument, "--sample applies to PostgreSQL databases", location: source.description,
                          reason: "a SQLite clone is a page-by-page copy made by the online backup API",
                          remedy: "Rehearse without --sample.")
    }

    public func clone(_ source: DatabaseURL, into target: DatabaseURL) async throws -> DatabaseCopy {
        guard case .sqlite(let file) = target else { throw GodwitError.wrongEngine(target, for: .sqlite) }
        guard !FileManager.default.fileExists(atPath: file.path) else {
            throw GodwitError(.refused, "The clone target already exists", location: file.path,
                              remedy: "Name a path where nothing is yet: Godwit writes the copy there and removes it afterwards.")
        }
        try await Self.backup(source, toPath: file.path)
        return DatabaseCopy(url: target, method: "SQLite online backup API into \(file.path)") { Self.removeFiles(of: file.path) }
    }

    public func defaultBackupPath(for url: DatabaseURL, stamp: String) throws -> String {
        guard case .sqlite(let location) = url else { throw GodwitError.wrongEngine(url, for: .sqlite) }
        guard !location.isInMemory else {
            throw GodwitError(.invalidArgument, "An in-memory database cannot be backed up", remedy: "Back up a database file.")
        }
        return location.path + ".backup-\(stamp).db"
    }

    public func writeBackup(of url: DatabaseURL, to path: String) async throws -> [String] {
        try await Self.backup(url, toPath: path)
        let verdict = try await SQLiteDriver.open(.init(path: path), mode: .readOnly).closing { copy in
            try await copy.query(unsafeSQL: "PRAGMA integrity_check").compactMap { $0[0].textValue }
        }
        guard verdict == ["ok"] else {
            throw GodwitError(.integrityFailure, "The backup is damaged", location: path, reason: verdict.prefix(3).joined(separator: "; "),
                              remedy: "Check the disk, and back up again.")
        }
        return ["PRAGMA integrity_check on the copy: ok"]
    }

    public func withRestoredBackup<Result: Sendable>(at path: String, of url: DatabaseURL,
                                                     _ body: (DatabaseURL) async throws -> Result) async throws -> (proof: [String], result: Result) {
        // A SQLite backup is a database file already: it is read where it is.
        ([], try await body(.sqlite(.init(path: path))))
    }

    private static func backup(_ source: DatabaseURL, toPath path: String) async throws {
        guard case .sqlite(let location) = source else { throw GodwitError.wrongEngine(source, for: .sqlite) }
        try await SQLiteDriver.open(location, mode: .readOnly).closing { try await $0.backup(toPath: path) }
    }

    private static func removeFiles(of path: String) {
        for file in [path, path + "-wal", path + "-shm", path + "-godwit.lock"] { try? FileManager.default.removeItem(atPath: file) }
    }
}
