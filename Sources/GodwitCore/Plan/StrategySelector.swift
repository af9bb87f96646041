/// The migration strategies of the migration-planning guide that apply to a database change.
public enum Strategy: String, Hashable, Codable, Sendable {
    /// Backward-compatible only: apply the migration first, then deploy the new code.
    case expandOnly = "expand-only"
    /// New and old structures side by side, data kept in step, old parts removed after a gate.
    case expandContract = "expand-contract"
    /// Expand-contract with batched, throttled data movement for very large tables.
    case batchedExpandContract = "batched-expand-contract"
    /// Everything in one window, the application stopped.
    case bigBang = "big-bang"

    /// The name people use.
    public var title: String {
        switch self {
        case .expandOnly: "Expand only (apply first, then deploy code)"
        case .expandContract: "Expand-contract"
        case .batchedExpandContract: "Expand-contract with batched data movement"
        case .bigBang: "Big bang in a maintenance window"
        }
    }
}

/// The chosen strategy and the decision-criteria rows (the migration-planning guide) that chose it: the ADR's
/// content.
public struct StrategyDecision: Hashable, Codable, Sendable {
    public var strategy: Strategy
    /// `Situation → Action`, one per matched criterion, in Godwit's words.
    public var criteria: [String]
    /// Facts the criteria were matched against.
    public var facts: [String]
    public var alternatives: [String]
    public var consequences: [String]
}

/// Chooses a strategy by the migration-planning guide's "Decision Criteria" table, from the migration's downtime
/// allowance and the facts the assessment measured.
public enum StrategySelector {
    public static let largeDatasetRows: Int64 = 100_000_000
    public static let smallDatasetRows: Int64 = 1_000_000

    public static func decide(_ migration: Migration, _ assessment: MigrationAssessment) -> StrategyDecision {
        let largestRows = assessment.items.compactMap(\.classification.rowsAffected).max() ?? 0
        let heavy = assessment.items.filter { $0.classification.duration != .instant }
        let unknown = !heavy.isEmpty && heavy.allSatisfy { $0.classification.rowsAffected == nil } && heavy.contains(where: \.rowsUnknown)
        var facts = [
            "Downtime allowed: \(migration.downtime.rawValue).",
            "Change level: \(assessment.level.rawValue); risk \(assessment.risk.rawValue).",
            unknown ? "Largest table touched by a scan or rewrite: its rows are not known (no statistics yet: run ANALYZE, then plan again)."
                : "Largest table touched by a scan or rewrite: about \(QuantityFormat.count(largestRows)) rows.",
            "Estimated duration: \(DurationFormat.text(assessment.estimatedSeconds)).",
        ]
        if !assessment.isZeroDowntimePossible { facts.append("At least one operation cannot run without downtime.") }
        var criteria: [String] = []
        let strategy: Strategy
        if assessment.level == .additive {
            criteria.append("Old code keeps working on the new schema → change the database first, ship the code that uses it after.")
            strategy = .expandOnly
        } else if migration.downtime == .zero || largestRows >= smallDatasetRows {
            if migration.downtime == .zero {
                criteria.append("No downtime allowed, and the data must carry over → expand, move the data while both versions run, contract later.")
            }
            criteria.append("Old code breaks on the new schema → split the change into expand and contract; where that cannot be done, plan a window.")
            if largestRows > largeDatasetRows {
                criteria.append("More than 100M rows → move them in batches, with writes mirrored to both shapes, so no lock is held for long.")
                strategy = .batchedExpandContract
            } else {
                strategy = .expandContract
            }
        } else {
            criteria.append("Under 1M rows and a quiet window to use → one pass inside the window is fine.")
            strategy = .bigBang
        }
        let alternatives = [Strategy.expandOnly, .expandContract, .batchedExpandContract, .bigBang]
            .filter { $0 != strategy }
            .map { alternative in
                switch alternative {
                case .expandOnly: "\(alternative.title): rejected, the change is not backward-compatible."
                case .bigBang: "\(alternative.title): rejected, " + (migration.downtime == .zero ? "no downtime is allowed." : "the data is too large for one window.")
                case .expandContract, .batchedExpandContract: "\(alternative.title): not needed for this change."
                }
            }
        var consequences = [
            "Every step has a reverse; the plan is rehearsed on a clone before it runs.",
            "Destructive steps run only in contract, after a gate that needs approval.",
            "Dropped tables, columns and overwritten values stay restorable until cleanup.",
        ]
        if strategy == .expandContract || strategy == .batchedExpandContract {
            consequences.append("Old and new application versions must both work between expand and contract.")
        }
        if strategy == .bigBang { consequences.append("The application is stopped for about \(DurationFormat.text(assessment.estimatedSeconds)).") }
        return StrategyDecision(strategy: strategy, criteria: criteria, facts: facts, alternatives: alternatives, consequences: consequences)
    }
}

/// Formats durations for people: `0.4 s`, `12 s`, `3 min 20 s`, `2 h 5 min`.
public enum DurationFormat {
    public static func text(_ seconds: Double) -> String {
        if seconds < 10 { return "\((seconds * 10).rounded() / 10) s" }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min" + (whole % 60 == 0 ? "" : " \(whole % 60) s") }
        return "\(whole / 3600) h" + ((whole % 3600) / 60 == 0 ? "" : " \((whole % 3600) / 60) min")
    }

    /// Like ``text(_:)``, with milliseconds under a second: `12 ms`, `0.4 s` becomes `400 ms`.
    public static func precise(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : text(seconds)
    }

    /// The migration plan template's buckets: `< 1 min`, `1-5 min`, `5+ min`.
    public static func bucket(_ seconds: Double) -> String {
        seconds < 60 ? "< 1 min" : (seconds < 300 ? "1-5 min" : "5+ min")
    }
}
