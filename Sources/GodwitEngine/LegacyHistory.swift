import Foundation
public import GodwitCore

/// The history another migration tool keeps in the database, read in place so a team can point
/// Godwit at its existing directory: what that tool applied counts as applied ("adopted"), and
/// Godwit keeps writing the tool's rows as it applies and rolls back, so the team can switch back.
///
/// diesel: `__diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL
/// DEFAULT CURRENT_TIMESTAMP)`, on PostgreSQL and SQLite alike; a version is the folder name
/// before its first `_`, dashes removed (`2026-07-30-140000-0000` → `202607301400000000`).
public struct LegacyHistory: Sendable {
    /// The tools whose history Godwit reads.
    public enum Tool: String, Sendable {
        case diesel

        var table: String {
            switch self {
            case .diesel: "__diesel_schema_migrations"
            }
        }
    }

    public let tool: Tool
    /// The versions the tool recorded, as it spells them.
    public let versions: Set<String>

    /// Whether a table is one of the history tables Godwit keeps current for another tool.
    public static func isHistoryTable(_ name: String) -> Bool {
        [Tool.diesel].contains { $0.table == name }
    }

    /// The tool's version of a migration.
    public func version(of migration: Migration) -> String {
        switch tool {
        case .diesel: migration.id.replacingOccurrences(of: "-", with: "")
        }
    }

    /// Whether the tool recorded the migration as applied.
    public func contains(_ migration: Migration) -> Bool { versions.contains(version(of: migration)) }

    /// The history in the database, or nil when no known tool left one.
    public static func read(on driver: any DatabaseDriver) async throws -> LegacyHistory? {
        for tool in [Tool.diesel] where try await exists(tool.table, on: driver) {
            let rows = try await driver.query(unsafeSQL: "SELECT version FROM \(tool.table)")
            return LegacyHistory(tool: tool, versions: Set(rows.compactMap { $0[0].textValue }))
        }
        return nil
    }

    /// Writes the tool's row for a migration Godwit applied (nothing when it is there already).
    public func recordApplied(_ migration: Migration, on driver: any DatabaseDriver) async throws {
        let placeholder = driver.engine == .postgresql ? "$1" : "?1"
        _ = try await driver.execute(unsafeSQL: "INSERT INTO \(tool.table) (version) SELECT \(placeholder) WHERE NOT EXISTS (SELECT 1 FROM \(tool.table) WHERE version = \(placeholder))",
                                     bindings: [.text(version(of: migration))])
    }

    /// Removes the tool's row for a migration Godwit rolled back.
    public func recordRolledBack(_ id: String, on driver: any DatabaseDriver) async throws {
        let placeholder = driver.engine == .postgresql ? "$1" : "?"
        _ = try await driver.execute(unsafeSQL: "DELETE FROM \(tool.table) WHERE version = \(placeholder)",
                                     bindings: [.text(id.replacingOccurrences(of: "-", with: ""))])
    }

    private static func exists(_ table: String, on driver: any DatabaseDriver) async throws -> Bool {
        let sql = driver.engine == .postgresql
            ? "SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE 1 END"
            : "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?"
        return try await driver.query(unsafeSQL: sql, bindings: [.text(table)]).first?[0].integerValue ?? 0 > 0
    }
}

extension MigrationRecord {
    /// The record of a migration another tool applied before Godwit took over.
    static func adopted(_ migration: Migration, from tool: LegacyHistory.Tool, at date: Date) -> MigrationRecord {
        MigrationRecord(id: migration.id, name: migration.name, checksum: migration.source?.checksum ?? "", state: .applied,
                        startedAt: date, finishedAt: date, operatorName: "adopted from \(tool.rawValue)")
    }
}
