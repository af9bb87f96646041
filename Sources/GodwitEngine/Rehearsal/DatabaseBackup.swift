public import Foundation
public import GodwitCore

/// `godwit backup`: a backup proven restorable (the migration-planning guide asks for backups
/// verified as restorable before the migration begins), written and read back by the engine's
/// ``DatabaseCloning``: SQLite's online backup API and `PRAGMA integrity_check` on the copy;
/// PostgreSQL's `pg_dump --format=custom` and `pg_restore --list`. With `deep`, the backup is
/// restored (PostgreSQL: into a scratch database) and every table's row count and checksum are
/// compared with the source's.
public enum DatabaseBackup {
    public struct Result: Sendable {
        public var path: String
        public var bytes: Int64
        /// What proved it: `integrity_check: ok`, `pg_restore --list read 42 entries`, …
        public var checks: [String]
    }

    public static func make(of url: DatabaseURL, to destination: String?, deep: Bool, now: Date = Date()) async throws -> Result {
        let stamp = Self.stamp(now)
        let cloning = DatabaseConnector.support(for: url.engine).cloning
        let path = try destination ?? cloning.defaultBackupPath(for: url, stamp: stamp)
        try refuseExisting(path)
        var checks = try await cloning.writeBackup(of: url, to: path)
        if deep {
            let restored = try await cloning.withRestoredBackup(at: path, of: url) { copy in try await compare(url, copy) }
            checks += restored.proof + [restored.result]
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
