public import Foundation

/// `verify --baseline`: the application's queries on the live database against the baseline
/// captured before the migration — "performance meets or exceeds baseline", yes or no, per query.
public struct BaselineReport: Codable, Sendable, Equatable {
    public var database: String
    public var capturedAt: Date
    public var measuredAt: Date
    public var threshold: PerformanceThreshold
    public var queries: [QueryComparison]

    public init(database: String, capturedAt: Date, measuredAt: Date, threshold: PerformanceThreshold, queries: [QueryComparison]) {
        self.database = database
        self.capturedAt = capturedAt
        self.measuredAt = measuredAt
        self.threshold = threshold
        self.queries = queries
    }

    /// Every query meets the baseline, or its regression is accepted by a migration file.
    public var passed: Bool { !queries.contains(where: \.blocks) }

    public func markdown() -> String {
        let stamp = ISO8601DateFormatter()
        var out = ["# Performance against the baseline", "", "| | |", "|---|---|",
                   "| **Database** | `\(database)` |",
                   "| **Baseline captured** | \(stamp.string(from: capturedAt)) |",
                   "| **Measured** | \(stamp.string(from: measuredAt)) |",
                   "| **Threshold** | slower than \(String(format: "%g", threshold.ratio))× and by more than \(String(format: "%g", threshold.slackMilliseconds)) ms |",
                   "| **Meets or exceeds the baseline** | \(passed ? "**yes**" : "**no**") |", "",
                   "Times are the fastest of the timed runs; the ratio is adjusted for how busy the machine was, by a fixed calibration workload timed between the runs.", "",
                   "| Query | Baseline | Now | Ratio | Plan change | Meets the baseline |", "|---|---:|---:|---:|---|---|"]
        for query in queries {
            let verdict = query.failure.map { "no: fails (\($0))" }
                ?? (query.blocks ? "no" : query.regressed ? "no, accepted: \(query.acceptedBecause ?? "")" : "yes")
            out.append("| \(query.name) | \(query.before.map { String(format: "%.2f ms", $0) } ?? "—") | \(query.after.map { String(format: "%.2f ms", $0) } ?? "—") | "
                       + "\(query.ratio.map { String(format: "%.2f×", $0) } ?? "—") | \(query.planChange) | \(verdict) |")
        }
        return out.joined(separator: "\n") + "\n"
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
