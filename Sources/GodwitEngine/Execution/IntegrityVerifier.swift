import Foundation
import GodwitCore

/// Verifies a migration's data and structure against the database (the strategy template's levels) and
/// writes the integrity report: the checks of the steps done in the current phase (backfilled
/// values equal `up(old)`; no NULLs, orphans or duplicates before a constraint is validated),
/// the migration's validations, the structure against the plan's target, and row counts and
/// checksums of the tables it touches.
struct IntegrityVerifier {
    let driver: any DatabaseDriver

    /// What to include.
    struct Scope {
        var migrationID: String
        var migration: Migration?
        var stored: StoredPlan
        /// Steps done, in plan order.
        var completed: Int
        var validations: Bool
        var structure: Bool
        var label: String
        /// The step (1-based) whose checks passed in its own transaction as it finished, just
        /// before this verification: they are reported as passed then, not scanned for again.
        var justChecked: Int?
        /// Checksums that step took in its checks' scan: used for the tables whose columns
        /// and types they were taken with are the live ones.
        var digestsTaken: [TableDigest] = []
        /// The reading taken just before the migration's first step, when every step has run
        /// since in this process: only `changed` is read again.
        var readingBefore: SchemaReading?
        /// What the migration can have changed (``MigrationApplier/changedObjects(by:stored:)``).
        var changed: Set<QualifiedName>?
    }

    func verify(_ scope: Scope) async throws -> IntegrityReport {
        try await verifyReading(scope).report
    }

    /// The report, and the schema as the verification read it.
    func verifyReading(_ scope: Scope) async throws -> (report: IntegrityReport, reading: SchemaReading) {
        var report = IntegrityReport(database: driver.url.description, generatedAt: Date(), scope: scope.label)
        let done = scope.stored.steps.prefix(scope.completed)
        if let phase = done.last?.phase {
            let phases: Set<Phase> = phase == .backfill || phase == .verify ? [.backfill, .verify] : [phase]
            for (offset, step) in done.enumerated() where phases.contains(step.phase) {
                let level: IntegrityReport.Level = step.backfill != nil ? .backfill : .constraints
                for check in step.checks where !check.isPrecondition {
                    if offset + 1 == scope.justChecked {
                        report.checks.append(.init(level: level, name: check.name, passed: true, detail: "0 rows (step \(offset + 1), as it finished)"))
                    } else {
                        report.checks.append(await run(check, level: level, step: offset + 1))
                    }
                }
            }
        }
        if scope.validations, let migration = scope.migration {
            for validation in migration.validations {
                do {
                    let (passed, found) = validation.judge(try await driver.query(unsafeSQL: validation.sql))
                    report.checks.append(.init(level: .validations, name: validation.name, passed: passed,
                                               detail: "expected \(validation.expected), found \(found)"))
                } catch {
                    report.checks.append(.init(level: .validations, name: validation.name, passed: false, detail: "could not run: \(error)"))
                }
            }
        }
        let reading = try await driver.inspect(InspectionOptions(), after: scope.changed == nil ? nil : scope.readingBefore, changed: scope.changed)
        let live = reading.schema
        if scope.structure {
            let differences = live.removingGodwitHelpers().differences(from: scope.stored.target.removingGodwitHelpers(), againstPlan: true)
            report.checks.append(.init(level: .structure, name: "schema equals the plan's target", passed: differences.isEmpty,
                                       detail: differences.isEmpty ? "equal" : differences.prefix(10).joined(separator: "; ")))
        }
        let tables = scope.stored.digests.map(\.table).filter { live.table(named: $0) != nil }
        // Checksums where they prove something — the migration's end, kept for its report —
        // and row counts (a scan without hashing every row) after the phases before it.
        if scope.structure {
            let reused = scope.digestsTaken.filter { taken in
                guard tables.contains(taken.table), let now = live.table(named: taken.table),
                      let planned = scope.stored.target.table(named: taken.table) else { return false }
                return now.columns.map(\.name) == taken.columns && now.columns.map(\.type) == taken.columns.map { planned.column(named: $0)?.type }
            }
            let read = try await TableDigester.digests(of: tables.filter { table in !reused.contains { $0.table == table } }, in: live, on: driver)
            report.tables = (reused + read).sorted { $0.table < $1.table }
        } else if let phase = done.last?.phase, Self.changesOnlyTheCatalog(done.filter { $0.phase == phase }, of: scope.migration) {
            // A count of every row after a phase that wrote none would cost a table scan (minutes
            // on a big table) to say what the next count says anyway.
            for table in tables {
                report.checks.append(.init(level: .counts, name: "rows of \(table)", passed: true,
                                           detail: "not counted after \(phase.rawValue): its steps change only the catalog"))
            }
        } else {
            report.tables = try await TableDigester.counts(of: tables, on: driver)
        }
        for digest in report.tables {
            let before = scope.stored.digests.first { $0.table == digest.table }?.rows
            report.checks.append(.init(level: .counts, name: "rows of \(digest.table)", passed: true,
                                       detail: "\(digest.rows) now" + (before.map { ", \($0) before the run" } ?? "")))
        }
        return (report, reading)
    }

    /// Whether `steps` only change the catalog: each takes an instant, writes no rows in batches,
    /// and comes from an operation whose effect on rows the plan knows (not hand-written SQL, not
    /// `update_rows`).
    static func changesOnlyTheCatalog(_ steps: [PlanStep], of migration: Migration?) -> Bool {
        guard let migration, !steps.isEmpty else { return false }
        return steps.allSatisfy { step in
            guard step.duration == .instant, step.backfill == nil, let index = step.operationIndex,
                  index < migration.operations.count else { return false }
            switch migration.operations[index] {
            case .rawSQL, .updateRows: return false
            default: return true
            }
        }
    }

    /// After a rollback: the schema equals the one before the run, and every table's checksum
    /// equals the one taken before it.
    func verifyRestored(_ stored: StoredPlan, label: String) async throws -> IntegrityReport {
        var report = IntegrityReport(database: driver.url.description, generatedAt: Date(), scope: label)
        let live = try await driver.inspect(InspectionOptions())
        // A down that adds a dropped column again puts it last: every column and row is back,
        // in another order, which restores the migration (the plan says so beforehand).
        let detail: (passed: Bool, text: String) = switch SQLEffect.reversal(from: stored.before, to: live) {
        case .identical, .notChecked: (true, "equal")
        case .columnOrderOnly(let tables): (true, "equal up to column order (\(tables.joined(separator: ", ")))")
        case .differs(let objects): (false, objects.prefix(10).joined(separator: "; ") + (objects.count > 10 ? "; and \(objects.count - 10) more" : ""))
        case .failed(let reason): (false, reason)
        }
        report.checks.append(.init(level: .structure, name: "schema equals the schema before the run", passed: detail.passed, detail: detail.text))
        let present = stored.digests.filter { live.table(named: $0.table) != nil }
        let current = try await TableDigester.digests(like: present, in: live, on: driver)
        for before in stored.digests {
            guard let now = current.first(where: { $0.table == before.table }) else {
                report.checks.append(.init(level: .checksums, name: "checksum of \(before.table)", passed: false, detail: "the table is missing"))
                continue
            }
            report.tables.append(now)
            report.checks.append(.init(level: .counts, name: "rows of \(before.table)", passed: now.rows == before.rows,
                                       detail: "\(now.rows) now, \(before.rows) before the run"))
            report.checks.append(.init(level: .checksums, name: "checksum of \(before.table)", passed: now.checksum == before.checksum,
                                       detail: now.checksum == before.checksum ? "equal to before the run" : "differs from before the run"))
        }
        return report
    }

    private func run(_ check: StepCheck, level: IntegrityReport.Level, step: Int) async -> IntegrityReport.Check {
        do {
            let found = try await driver.query(unsafeSQL: check.sql).first?[0].integerValue ?? 0
            return .init(level: level, name: check.name, passed: found == 0, detail: "\(found) rows (step \(step))")
        } catch {
            return .init(level: level, name: check.name, passed: false, detail: "could not run (step \(step)): \(error)")
        }
    }
}
