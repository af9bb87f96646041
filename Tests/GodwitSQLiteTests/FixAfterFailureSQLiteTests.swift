import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A migration that failed before any step finished is fixed and applied: no drift is claimed.
@Suite("A failed migration, fixed")
struct FixAfterFailureSQLiteTests {
    @Test("Its first step failed and rolled back; the fixed file is planned afresh and applies, with no word of drift")
    func fixedFileApplies() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: "CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT); INSERT INTO orders VALUES (1, NULL), (2, 'paid');")
            }
            let folder = directory.path("migrations")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let file = folder + "/001_status.yaml"
            // The CHECK fails on the row whose status is NULL.
            let broken = "name: status required\ndowntime: window\noperations:\n  - add_constraint: {table: orders, name: status_present, check: \"status IS NOT NULL\"}\n"
            try broken.write(toFile: file, atomically: true, encoding: .utf8)
            var settings = SQLCorpus.settings
            settings.approveGates = true
            await #expect(throws: GodwitError.self) { try await MigrationApplier(url: url, settings: settings).apply(directory: folder) }
            let failed = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
            #expect(failed?.state == .failed && failed?.completedSteps == 0)

            // The fix fills the NULLs first.
            try ("name: status required\ndowntime: window\noperations:\n  - update_rows: {table: orders, set: \"status = 'new'\", where: \"status IS NULL\"}\n"
                 + "  - add_constraint: {table: orders, name: status_present, check: \"status IS NOT NULL\"}\n")
                .write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try await MigrationPlanning.planAll(directory: folder, database: url).map(\.plan.migration.id) == ["001"])
            let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: folder)
            #expect(outcome.ran == ["001"])
            let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
            #expect(record?.state == .applied)
            #expect(record?.checksum == (try MigrationDirectory.load(folder).first?.source?.checksum))
        }
    }

    @Test("A migration that ran a step before failing is not replanned when its file changes: that is drift")
    func partialRunIsDrift() throws {
        let record = MigrationRecord(id: "001", name: "x", checksum: "old", state: .failed, completedSteps: 1, startedAt: Date(), operatorName: "t", totalSteps: 2)
        var migration = Migration(id: "001", name: "x")
        migration.source = Migration.Source(path: "001_x.yaml", checksum: "new")
        #expect(throws: GodwitError.self) { try DriftCheck.check([migration], against: [record]) }
        var untouched = record
        untouched.completedSteps = 0
        #expect(throws: Never.self) { try DriftCheck.check([migration], against: [untouched]) }
    }

    @Test("Its first step failed on the data; the data is fixed by hand and the same file applies: rollback proves the database as it was just before that run")
    func fixedDataApplies() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: "CREATE TABLE orders (id INTEGER PRIMARY KEY, code TEXT); INSERT INTO orders VALUES (1, 'a'), (2, 'a');")
            }
            let folder = directory.path("migrations")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "CREATE UNIQUE INDEX orders_code ON orders (code);\n".write(toFile: folder + "/001_codes.up.sql", atomically: true, encoding: .utf8)
            try "DROP INDEX orders_code;\n".write(toFile: folder + "/001_codes.down.sql", atomically: true, encoding: .utf8)
            var settings = SQLCorpus.settings
            settings.retention = 86_400
            await #expect(throws: GodwitError.self) { try await MigrationApplier(url: url, settings: settings).apply(directory: folder) }
            _ = try await DatabaseConnector.withDriver(url) { try await $0.execute(unsafeSQL: "UPDATE orders SET code = 'b' WHERE id = 2") }
            let fixed = try await DatabaseState.of(url)
            #expect(try await MigrationApplier(url: url, settings: settings).apply(directory: folder).ran == ["001"])
            let (_, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
            #expect(report.passed, "\(report.failures.map(\.detail))")
            #expect(try await DatabaseState.of(url) == fixed)
        }
    }
}
