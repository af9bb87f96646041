/// An item of the migration-planning guide's pre-migration checklist that only people can tick. The migration file
/// acknowledges each under `checklist:` with who did it, when, or where it is written down;
/// `apply` records the acknowledgments in the audit log beside the items it checks itself
/// (backup verified, rehearsal passed, runner lock, free space).
public enum ChecklistItem: String, CaseIterable, Hashable, Codable, Sendable {
    case stakeholdersNotified = "stakeholders_notified"
    case windowAgreed = "window_agreed"
    case monitoringReady = "monitoring_ready"
    case featureFlagsReady = "feature_flags_ready"

    /// The item as the checklist words it.
    public var wording: String {
        switch self {
        case .stakeholdersNotified: "Stakeholders notified of the migration window"
        case .windowAgreed: "Migration window agreed"
        case .monitoringReady: "Monitoring dashboards open and alerting configured"
        case .featureFlagsReady: "Feature flags in place for traffic routing"
        }
    }
}

/// An item acknowledged in the migration file: `stakeholders_notified: "alice, #db-changes, 2026-11-19"`.
public struct ChecklistAcknowledgment: Hashable, Codable, Sendable {
    public var item: ChecklistItem
    /// Who, when, where: the file's words, recorded as written.
    public var note: String

    public init(item: ChecklistItem, note: String) {
        self.item = item
        self.note = note
    }
}
