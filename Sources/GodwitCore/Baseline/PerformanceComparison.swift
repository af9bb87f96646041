import Foundation

/// When a query counts as slower: its time grew by more than `ratio` and by more than
/// `slackMilliseconds` (a rise in noise-level timings is not one). The defaults are 1.5× and
/// +5 ms.
public struct PerformanceThreshold: Sendable, Equatable, Codable {
    public var ratio: Double
    public var slackMilliseconds: Double

    public init(ratio: Double = 1.5, slackMilliseconds: Double = 5) {
        self.ratio = ratio
        self.slackMilliseconds = slackMilliseconds
    }
}

/// A regression a migration file accepts, with the reason (`accept_regressions:`).
public struct AcceptedRegression: Hashable, Sendable, Codable {
    public var query: String
    public var reason: String

    public init(query: String, reason: String) {
        self.query = query
        self.reason = reason
    }
}

/// One query before and after: the time ratio, what its plan lost, whether it now fails, and
/// whether that is a regression.
public struct QueryComparison: Codable, Sendable, Hashable {
    public var name: String
    /// Milliseconds before and after — the fastest of the timed runs, which other work on the
    /// machine can slow but never speed up — nil where it was not timed.
    public var before: Double?
    public var after: Double?
    /// After over before, divided by how much busier the machine was after (by the calibration
    /// work), so a busier machine does not read as a slower query. An idler machine after is
    /// not held against the query: the ratio is never raised.
    public var ratio: Double?
    /// How much busier (above 1) or idler the machine was after than before, by the
    /// calibration work; nil without calibration.
    public var machineLoad: Double?
    /// Indexes the plan used before and does not use after.
    public var lostIndexes: [String]
    /// Tables read whole after that were not before (an index scan turned sequential).
    public var newSequentialScans: [String]
    /// Why the query fails after, when it does.
    public var failure: String?
    /// Past the threshold, a new failure, an index scan turned sequential, or (not timed) any
    /// lost index or new sequential scan.
    public var regressed: Bool
    /// The migration file's reason for accepting it.
    public var acceptedBecause: String?

    /// A regression nobody accepted: the rehearsal is no-go, `verify --baseline` fails.
    public var blocks: Bool { regressed && acceptedBecause == nil }

    /// The plan lost an index and now reads a table whole: a regression whatever the clock
    /// says, since a clone (a sample, a busy machine) can hide what it costs on production's
    /// data.
    public var turnedSequential: Bool { !lostIndexes.isEmpty && !newSequentialScans.isEmpty }

    /// What changed, in words: "0.2 ms → 14.8 ms (74.0×); index idx_orders_customer no longer
    /// used; orders read whole".
    public var summary: String {
        var parts: [String] = []
        if let failure {
            parts.append("fails: \(failure)")
        } else if let before, let after {
            parts.append(String(format: "%.2f ms → %.2f ms (%.2f×", before, after, ratio ?? 0)
                         + (machineLoad.map { abs($0 - 1) >= 0.1 ? String(format: " with the machine %.2f× as busy", $0) : "" } ?? "") + ")")
        }
        parts += lostIndexes.map { "index \($0) no longer used" }
        parts += newSequentialScans.map { "\($0) read whole (sequential scan)" }
        return parts.isEmpty ? "no change" : parts.joined(separator: "; ")
    }

    /// The plan's change in a table cell: "index i no longer used; t read whole", or "none".
    public var planChange: String {
        let changes = lostIndexes.map { "index \($0) no longer used" } + newSequentialScans.map { "\($0) read whole" }
        return changes.isEmpty ? "none" : changes.joined(separator: "; ")
    }

    /// Compares two measurements of the same query.
    public init(before: QueryMeasurement, after: QueryMeasurement, threshold: PerformanceThreshold, accepted: [AcceptedRegression] = []) {
        name = after.name
        self.before = before.timing?.minimum
        self.after = after.failure == nil ? after.timing?.minimum : nil
        if let start = self.before, let end = self.after {
            if let calibrated = before.timing?.calibration, let now = after.timing?.calibration, calibrated > 0, now > 0 {
                machineLoad = now / calibrated
            }
            ratio = end / max(start, 0.001) / max(1, machineLoad ?? 1)
        }
        let beforeIndexes = Set(before.plan?.indexes ?? [])
        let afterIndexes = Set(after.plan?.indexes ?? [])
        lostIndexes = after.failure == nil ? beforeIndexes.subtracting(afterIndexes).sorted() : []
        newSequentialScans = after.failure == nil
            ? Set(after.plan?.sequentialScans ?? []).subtracting(before.plan?.sequentialScans ?? []).sorted() : []
        failure = before.failure == nil ? after.failure : nil
        if failure != nil || (!lostIndexes.isEmpty && !newSequentialScans.isEmpty) {
            regressed = true
        } else if let start = self.before, let ratio {
            // The slack is judged at the machine's speed before: after × ratio / (after / before).
            regressed = ratio > threshold.ratio && start * ratio - start > threshold.slackMilliseconds
        } else {
            // Not timed (a statement without sample parameters): judged by its plan alone.
            regressed = !lostIndexes.isEmpty || !newSequentialScans.isEmpty
        }
        acceptedBecause = accepted.first { $0.query == after.name }?.reason
    }
}
