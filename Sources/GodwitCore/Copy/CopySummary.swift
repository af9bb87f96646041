import Foundation

/// What a copy did: per table the rows copied and rejected, the time, and the formats it found
/// where it read points in time from text or numbers; warnings about what did not carry over.
public struct CopySummary: Hashable, Codable, Sendable {
    public struct TableResult: Hashable, Codable, Sendable {
        public var source: String
        public var target: String
        public var rows: Int64
        public var rejected: Int64
        /// Per target column, how its times were written in the source and how many rows.
        public var formats: [String: [String: Int64]]

        public init(source: String, target: String, rows: Int64, rejected: Int64, formats: [String: [String: Int64]] = [:]) {
            self.source = source
            self.target = target
            self.rows = rows
            self.rejected = rejected
            self.formats = formats
        }
    }

    public var source: String
    public var target: String
    public var tables: [TableResult]
    public var seconds: Double
    public var warnings: [String]
    public var rejectFile: String?
    /// True when the target already held a finished copy and nothing was done.
    public var wasAlreadyDone: Bool
    /// Keys, constraints, foreign keys and indexes of the source the target could not take
    /// yet (recorded there: `godwit sync` and a rerun of the copy try them again).
    public var notAdded: [String] = []
    /// Whether change capture runs, so `godwit sync` will try ``notAdded`` again.
    public var captures = false

    public init(source: String, target: String, tables: [TableResult], seconds: Double, warnings: [String], rejectFile: String?,
                wasAlreadyDone: Bool = false) {
        self.source = source
        self.target = target
        self.tables = tables
        self.seconds = seconds
        self.warnings = warnings
        self.rejectFile = rejectFile
        self.wasAlreadyDone = wasAlreadyDone
    }

    public var rows: Int64 { tables.reduce(0) { $0 + $1.rows } }
    public var rejected: Int64 { tables.reduce(0) { $0 + $1.rejected } }

    public func text() -> String {
        var out = ["Copied \(source) → \(target): \(QuantityFormat.count(rows)) rows in \(tables.count) tables in \(DurationFormat.text(seconds))"
                   + (seconds > 0 ? " (\(QuantityFormat.count(Int64(Double(rows) / seconds))) rows/s)" : "")
                   + (wasAlreadyDone ? "; the target already held this copy, finished" : "") + ".", ""]
        let width = max(6, tables.map(\.source.count).max() ?? 0)
        for table in tables {
            out.append("  " + table.source.padding(toLength: width, withPad: " ", startingAt: 0) + "  → \(table.target): "
                       + "\(QuantityFormat.count(table.rows)) rows" + (table.rejected > 0 ? ", \(QuantityFormat.count(table.rejected)) rejected" : ""))
            for (column, found) in table.formats.sorted(by: { $0.key < $1.key }) {
                let described = found.sorted { $0.key < $1.key }.map { "\($0.key) (\(QuantityFormat.count($0.value)))" }.joined(separator: ", ")
                out.append("      \(column): read from \(described)")
            }
        }
        if rejected > 0 { out += ["", "\(QuantityFormat.count(rejected)) rows rejected; their keys and reasons are in \(rejectFile ?? "the reject file")."] }
        if !warnings.isEmpty { out += ["", "Warnings:"] + warnings.map { "  - \($0)" } }
        if !notAdded.isEmpty {
            out += ["", "Not in the target yet (\(notAdded.count)):"] + notAdded.map { "  - \($0)" }
            out.append(captures
                ? "Rows still arriving can break them until the target catches up: godwit sync tries each again after it applies changes, and cutover refuses while a constraint is missing."
                : "The source's rows break them as they are (orphans, duplicates, values the check refuses), or the target cannot read them. Fix the rows in the source, then copy into an empty database again (or copy with --capture: sync carries the fix over and adds them); or fix the same rows in the target too and run this copy again, which tries only these; or add them by hand. verify and cutover fail while a constraint is missing.")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
