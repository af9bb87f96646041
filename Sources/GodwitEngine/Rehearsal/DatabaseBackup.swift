public import Foundation
public import GodwitCore
import GodwitSQLite

/// `godwit backup`: a backup proven restorable (the migration-planning guide: "backups verified as restorable
/// before the migration begins"). SQLite: the online backup API, then `PRAGMA integrity_check`
/// on the copy. PostgreSQL: `pg_dump --format=custom`, then `pg_restore --list` must read it;
/// with `deep`, it is restored into a scratch database. `deep` also compares every table's
/// checksum between the source and the restored copy.
public enum DatabaseBackup {
    public struct Result: Sendable {
        public var path: String
        public var bytes: Int64
        /// What proved it: `integrity_check: ok`, `pg_restore --list read 42 entries`, …
        public var checks: [String]
    }

    public static func make(of url: DatabaseURL, to destination: String?, deep: Bool, now: Date = Date()) async throws -> Result {
        let stamp = Self.stamp(now)
        var checks: [String] = []
        let path: String
        switch url {
        case .sqlite(let location):
            guard !location.isInMemory else {
                throw GodwitError(.invalidArgument, "An in-memory database cannot be backed up", remedy: "Back up a database file.")
            }
            path = destination ?? location.path + ".backup-\(stamp).db"
            try refuseExisting(path)
            try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                try await (driver as? SQLiteDriver)?.backup(toPath: path)
            }
            let copy = DatabaseURL.sqlite(.init(path: path))
            let verdict = try await DatabaseConnector.withDriver(copy, access: .readOnly) { driver in
                try await driver.query(unsafeSQL: "PRAGMA integrity_check").compactMap { $0[0].textValue }
            }
            guard verdict == ["ok"] else {
                throw GodwitError(.integrityFailure, "The backup is damaged", location: path, reason: verdict.prefix(3).joined(separator: "; "),
                                  remedy: "Check the disk, and back up again.")
            }
            checks.append("PRAGMA integrity_check on the copy: ok")
            if deep { checks.append(try await compare(url, copy)) }
        case .postgres(let endpoint):
            path = destination ?? "\(endpoint.database)-\(stamp).dump"
            try refuseExisting(path)
            try PostgresTools.run("pg_dump", ["--format=custom", "--file", path, "--dbname", PostgresTools.connectionString(endpoint)],
                                  endpoint: endpoint, purpose: "backing up")
            let listing = try PostgresTools.run("pg_restore", ["--list", path], endpoint: endpoint, purpose: "reading the backup back")
            let entries = listing.split(separator: "\n").filter { !$0.hasPrefix(";") && !$0.isEmpty }.count
            checks.append("pg_restore --list read the archive: \(entries) entries")
            if deep {
                checks += try await TemporaryPostgresDatabase.with(prefix: "godwit_backup_check", via: endpoint) { scratch in
                    try PostgresTools.run("pg_restore", ["--exit-on-error", "--no-owner", "--no-privileges", "--dbname",
                                                         PostgresTools.connectionString(scratch), path], endpoint: scratch, purpose: "restoring the backup")
                    return ["restored into a scratch database without error", try await compare(url, .postgres(scratch))]
                }
            }
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        try await DatabaseConnector.withDriver(url) { driver in
            let store = StateStore(driver: driver)
            try await store.install()
            try await store.append(AuditEvent(at: Date(), kind: .backupVerified, migration: "-", fields: [
                .init("path", path), .init("bytes", "\(bytes)"), .init("checks", checks.joined(separator: "; ")),
            ]))
        }
        return Result(path: path, bytes: bytes, checks: checks)
    }

    /// Every table's count and checksum in the source and in the restored copy.
    private static func compare(_ source: DatabaseURL, _ copy: DatabaseURL) async throws -> String {
        let original = try await DatabaseDigests.all(source), restored = try await DatabaseDigests.all(copy)
        let differences = DigestComparison(before: original, after: restored).differences
        guard differences.isEmpty else {
            throw GodwitError(.integrityFailure, "The restored backup differs from the database", location: copy.description,
                              reason: "tables " + differences.map(\.table.description).joined(separator: ", ") + " differ (the database may have changed meanwhile)",
                              remedy: "Back up again while writes are paused, or without --deep.")
        }
        return "every table's row count and checksum equal the database's (\(original.count) tables)"
    }

    private static func refuseExisting(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw GodwitError(.refused, "The backup file already exists", location: path, remedy: "Choose another --output, or remove it.")
        }
    }

    private static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
