import Foundation
import GodwitCore

/// Decides whether a migration may enter a phase (never proceed to the next phase without
/// confirmation): the approvals, soak times and checks of the migration's gates — the ones the
/// plan document lists (``MigrationGates``) — and before cleanup the archive retention window.
struct GateKeeper {
    let settings: ExecutionSettings

    /// What blocks the phase.
    struct Block {
        var reason: String
        /// Whether later migrations may still run (only the retention window before cleanup).
        var letsOthersRun: Bool
        /// The command that approves the gate, when a person's approval is what it waits for.
        var approveCommand: String? = nil
    }

    /// Nil when the phase may start; approvals given by `--yes` are added to `record`.
    func block(before phase: Phase, migration: Migration, stored: StoredPlan, record: inout MigrationRecord, on driver: any DatabaseDriver,
               now: Date = Date()) async throws -> Block? {
        for gate in MigrationGates.gates(for: migration, steps: stored.steps, before: stored.before) where gate.before.rawValue == phase.rawValue {
            if gate.requiresApproval && !record.approvedGates.contains(phase) {
                guard settings.approveGates else {
                    return Block(reason: "approval of the gate before \(phase.rawValue): run godwit approve \(migration.id)", letsOthersRun: false,
                                 approveCommand: "godwit approve \(migration.id)")
                }
                record.approvedGates.append(phase)
            }
            if gate.soakSeconds > 0, !settings.waiveSoak, let finished = record.phaseFinishedAt {
                let until = finished.addingTimeInterval(Double(gate.soakSeconds))
                if now < until {
                    return Block(reason: "the soak time before \(phase.rawValue) (\(DurationText.text(Double(gate.soakSeconds)))) to end at \(ISO8601DateFormatter().string(from: until))",
                                 letsOthersRun: false)
                }
            }
            for name in gate.checks {
                guard let validation = migration.validations.first(where: { $0.name == name }) else { continue }
                let (passed, found) = validation.judge(try await driver.query(unsafeSQL: validation.sql))
                if !passed {
                    return Block(reason: "the check '\(name)' to pass before \(phase.rawValue) (expected \(validation.expected), found \(found))",
                                 letsOthersRun: false)
                }
            }
        }
        if phase == .cleanup, let finished = record.phaseFinishedAt, settings.retention > 0 {
            let until = finished.addingTimeInterval(settings.retention)
            if now < until {
                return Block(reason: "the archive retention window (\(DurationText.text(settings.retention))) to end at \(ISO8601DateFormatter().string(from: until)) before cleanup drops the archives",
                             letsOthersRun: true)
            }
        }
        return nil
    }

}
