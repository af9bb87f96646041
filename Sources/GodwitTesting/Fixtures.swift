public import Foundation

/// The sample databases under `Tests/Fixtures`, found from this source file's place so the
/// suite needs nothing outside the repository.
public enum Fixtures {
    /// `Tests/Fixtures` of this checkout.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // GodwitTesting
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Tests/Fixtures")

    /// A fixture file, by its path under `Tests/Fixtures`.
    public static func url(_ relativePath: String) -> URL {
        directory.appendingPathComponent(relativePath)
    }

    /// The text of a fixture file.
    public static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// Chinook on SQLite.
    public static let chinookSQLite = url("chinook/Chinook_Sqlite.sqlite")
    /// Chinook's PostgreSQL script (it creates its own database; ``TestPostgres`` strips that).
    public static let chinookPostgres = url("chinook/Chinook_PostgreSql.sql")
    /// Sakila's PostgreSQL schema (enums, a domain, views, functions, triggers, rules, inheritance).
    public static let sakilaSchema = url("sakila/postgres-sakila-schema.sql")
    /// Sakila's data, as COPY blocks.
    public static let sakilaData = url("sakila/postgres-sakila-insert-data-using-copy.sql")
    /// PostgreSQL features Chinook and Sakila lack.
    public static let postgresFeatures = url("features/postgres-features.sql")
    /// Named NOT NULL constraints and a virtual generated column (PostgreSQL 18).
    public static let postgres18Features = url("features/postgres-18-features.sql")
}
