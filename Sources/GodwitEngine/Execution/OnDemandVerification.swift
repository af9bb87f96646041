import Foundation
public import GodwitCore

/// `godwit verify`: verifies every migration recorded in the database (or one) as it stands
/// now, read-only: the checks of the phase it is in, its validations and the structure once its
/// work is done, row counts and checksums of the tables it touches.
public enum OnDemandVerification {
    /// One report per migration not rolled back; validations need the migration files.
    public static func run(url: DatabaseURL, migrations: [Migration] = [], only id: String? = nil) async throws -> [IntegrityReport] {
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let store = StateStore(driver: driver)
            var reports: [IntegrityReport] = []
            let live = try await store.records().filter { $0.state != .rolledBack }
            for record in live where id == nil || record.id == id {
                guard let stored = try await store.plan(migration: record.id) else { continue }
                let workDone = !stored.steps[record.completedSteps...].contains { $0.phase != .cleanup }
                let migration = migrations.first { $0.id == record.id }
                var report = try await IntegrityVerifier(driver: driver).verify(.init(
                    migrationID: record.id, migration: migration, stored: stored, completed: record.completedSteps,
                    // Only the latest migration's target describes the schema as it is now.
                    validations: workDone && record.id == live.last?.id, structure: workDone && record.id == live.last?.id,
                    label: "\(record.id) \(record.name), \(record.state.rawValue)" + (record.phase.map { " after \($0.rawValue)" } ?? "")
                ))
                if workDone, migration == nil, record.id == live.last?.id {
                    report.checks.append(.init(level: .validations, name: "validations of \(record.id)", passed: true,
                                               detail: "not run: give the migrations directory to run them"))
                }
                reports.append(report)
            }
            if let id, reports.isEmpty {
                throw GodwitError(.refused, "Migration \(id) is not applied here", location: url.description,
                                  remedy: "Run godwit status to see what is applied.")
            }
            return reports
        }
    }
}
