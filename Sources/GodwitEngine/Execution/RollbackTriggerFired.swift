import GodwitCore

/// A rollback trigger of the migration fired (the migration-planning guide): the executor rolls back or pauses,
/// as the trigger says.
struct RollbackTriggerFired: Error, CustomStringConvertible {
    var trigger: RollbackTrigger
    /// What was seen: `probe latency 41 ms against a baseline of 2 ms`.
    var observation: String

    var description: String { "Rollback trigger fired: \(observation)" }

    /// The trigger of `migration` for an integrity failure, if it has one.
    static func integrityTrigger(of migration: Migration, failedValidation name: String? = nil) -> RollbackTrigger? {
        migration.rollbackTriggers.first { trigger in
            switch trigger.condition {
            case .integrityFailure: true
            case .validation(let validation): validation == name
            default: false
            }
        }
    }
}
