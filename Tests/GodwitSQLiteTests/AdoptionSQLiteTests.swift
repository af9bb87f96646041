import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A project that ran diesel until now: its history table is read in place and kept current.
@Suite("Adopting diesel's history")
struct AdoptionSQLiteTests {
    static let dieselTable = "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"

    @Test("What diesel applied shows as adopted, apply runs only the next files and writes diesel's rows, rollback removes its row")
    func diesel() async throws {
        try await SQLCorpusSQLiteTests.withBase { url in
            let chain = SQLCorpus.chain(.sqlite)
            // diesel ran the first three folders, in its own way: each up.sql, then its row.
            try await DatabaseConnector.withDriver(url) { driver in
                try await driver.executeScript(unsafeSQL: Self.dieselTable)
                for name in ["001_phone", "002_index", "003_audit_trigger"] {
                    try await driver.executeScript(unsafeSQL: try String(contentsOfFile: chain + "/\(name)/up.sql", encoding: .utf8))
                    _ = try await driver.execute(unsafeSQL: "INSERT INTO __diesel_schema_migrations (version) VALUES (?)", bindings: [.text(String(name.prefix(3)))])
                }
            }
            let pending = try await MigrationPlanning.planAll(directory: chain, database: url).map(\.plan.migration.id)
            let next = (4...16).map { String(format: "%03d", $0) }
            #expect(pending == next)

            let outcome = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: chain)
            #expect(outcome.ran == next)
            let versions = { try await DatabaseConnector.withDriver(url) { driver in
                try await driver.query(unsafeSQL: "SELECT version FROM __diesel_schema_migrations ORDER BY version").compactMap { $0[0].textValue }
            } }
            #expect(try await versions() == (1...16).map { String(format: "%03d", $0) })
            let records = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).records() }
            #expect(records.first { $0.id == "001" }?.operatorName == "adopted from diesel")

            let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
            #expect(id == "016" && report.passed)
            #expect(try await versions() == (1...15).map { String(format: "%03d", $0) })
        }
    }

    @Test("--no-legacy-history leaves diesel's table unwritten by apply and rollback, and still adopts what diesel applied, as plan shows it")
    func noLegacyHistory() async throws {
        try await SQLCorpusSQLiteTests.withBase { url in
            let chain = SQLCorpus.chain(.sqlite)
            try await DatabaseConnector.withDriver(url) { driver in
                try await driver.executeScript(unsafeSQL: Self.dieselTable)
                for name in ["001_phone", "002_index"] {
                    try await driver.executeScript(unsafeSQL: try String(contentsOfFile: chain + "/\(name)/up.sql", encoding: .utf8))
                    _ = try await driver.execute(unsafeSQL: "INSERT INTO __diesel_schema_migrations (version) VALUES (?)", bindings: [.text(String(name.prefix(3)))])
                }
            }
            var settings = SQLCorpus.settings
            settings.keepsLegacyHistory = false
            let pending = try await MigrationPlanning.planAll(directory: chain, database: url).map(\.plan.migration.id)
            let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: chain)
            #expect(outcome.ran == pending)
            #expect(outcome.ran == (3...16).map { String(format: "%03d", $0) })
            let versions = { try await DatabaseConnector.withDriver(url) { driver in
                try await driver.query(unsafeSQL: "SELECT version FROM __diesel_schema_migrations ORDER BY version").compactMap { $0[0].textValue }
            } }
            #expect(try await versions() == ["001", "002"])
            let (id, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            #expect(id == "016" && report.passed)
            #expect(try await versions() == ["001", "002"])
        }
    }
}
