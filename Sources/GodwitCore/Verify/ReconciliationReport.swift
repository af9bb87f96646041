public import Foundation

/// The strategy template's Migration Reconciliation Report, for two databases: per table the records on each
/// side, missing / extra / modified records with their keys, nulls, duplicates and values that
/// are not what their column holds, the key ranges whose checksums differ, and Pass / Fail. It
/// names keys and columns, never other values.
public struct ReconciliationReport: Hashable, Codable, Sendable {
    public struct Side: Hashable, Codable, Sendable {
        public var rows: Int64 = 0
        /// Order-independent checksum of the canonical rows (16 hex digits).
        public var checksum: String = ""
        public var nulls: Int64 = 0
        public var duplicateKeys: Int64 = 0
        public var invalidValues: Int64 = 0
        /// Earliest and latest point in time in the table's date and time columns.
        public var dateRange: [String]?

        public init() {}
    }

    /// A row present on both sides whose values differ, with the columns that differ.
    public struct Modified: Hashable, Codable, Sendable {
        public var key: String
        public var columns: [String]

        public init(key: String, columns: [String]) {
            self.key = key
            self.columns = columns
        }
    }

    /// A key range whose count or checksum differs (ranges of about `rangeRows` source rows).
    public struct RangeDifference: Hashable, Codable, Sendable {
        public var from: String
        public var through: String
        public var source: Side
        public var target: Side

        public init(from: String, through: String, source: Side, target: Side) {
            self.from = from
            self.through = through
            self.source = source
            self.target = target
        }
    }

    public struct TableResult: Hashable, Codable, Sendable {
        public var source: String
        public var target: String
        /// The key compared on, by source column name; empty for a table without one.
        public var key: [String]
        public var sourceSide: Side
        public var targetSide: Side
        public var missing: Int64 = 0
        public var extra: Int64 = 0
        public var modified: Int64 = 0
        /// Up to a few keys of each kind, as SQL literals.
        public var missingKeys: [String] = []
        public var extraKeys: [String] = []
        public var modifiedRows: [Modified] = []
        public var ranges: Int = 0
        public var differingRanges: [RangeDifference] = []
        /// Why the table could not be compared (a missing table or column).
        public var problem: String?
        public var comparison: Comparison = .rows
        /// Keys and constraints the source's table has and the target's lacks (or holds
        /// unvalidated), in words: rows that agree are not enough for a cutover.
        public var missingConstraints: [String] = []

        /// How a table was compared.
        public enum Comparison: String, Hashable, Codable, Sendable {
            /// Both sides read in key order and merged, row by row.
            case rows = "row by row"
            /// Each database checksummed its own key ranges; only ranges that differ are read.
            case checksums = "checksums in each database"
        }

        public init(source: String, target: String, key: [String], sourceSide: Side = Side(), targetSide: Side = Side()) {
            self.source = source
            self.target = target
            self.key = key
            self.sourceSide = sourceSide
            self.targetSide = targetSide
        }

        public var isEqual: Bool {
            problem == nil && missing == 0 && extra == 0 && modified == 0 && sourceSide.rows == targetSide.rows
                && sourceSide.checksum == targetSide.checksum && targetSide.duplicateKeys == 0 && missingConstraints.isEmpty
        }
    }

    public var source: String
    public var target: String
    public var date: Date
    public var seconds: Double
    public var tables: [TableResult]

    public init(source: String, target: String, date: Date, seconds: Double, tables: [TableResult]) {
        self.source = source
        self.target = target
        self.date = date
        self.seconds = seconds
        self.tables = tables
    }

    public var passes: Bool { tables.allSatisfy(\.isEqual) }
    public var status: String { passes ? "Pass" : "Fail" }

    private func total(_ side: (TableResult) -> Side, _ value: (Side) -> Int64) -> Int64 { tables.reduce(0) { $0 + value(side($1)) } }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        struct Document: Encodable {
            var report: ReconciliationReport
            var status: String
        }
        return String(decoding: try encoder.encode(Document(report: self, status: status)), as: UTF8.self) + "\n"
    }

    /// A checksum as code, or a dash where none was taken (a table missing on one side).
    private static func code(_ checksum: String) -> String {
        checksum.isEmpty ? "—" : "`\(checksum)`"
    }

    public func markdown() -> String {
        let count = QuantityFormat.count
        let missing = tables.reduce(0) { $0 + $1.missing }, extra = tables.reduce(0) { $0 + $1.extra }, modified = tables.reduce(0) { $0 + $1.modified }
        let ranges = { (pick: (TableResult) -> Side) -> String in
            let all = tables.compactMap { pick($0).dateRange }.filter { $0.count == 2 }
            guard let first = all.map({ $0[0] }).min(), let last = all.map({ $0[1] }).max() else { return "no dates" }
            return "\(first) to \(last)"
        }
        var out = ["# Migration Reconciliation Report", "",
                   "Date: \(ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate]))",
                   "Compared in \(DurationFormat.text(seconds)), \(tables.count) tables.", "",
                   "**Source Database** (`\(source)`)", "- Total records: \(count(total(\.sourceSide, \.rows)))", "- Date range: \(ranges(\.sourceSide))", "",
                   "**Target Database** (`\(target)`)", "- Total records: \(count(total(\.targetSide, \.rows)))", "- Date range: \(ranges(\.targetSide))", "",
                   "**Discrepancies**", "- Missing records: \(count(missing))", "- Extra records: \(count(extra))", "- Modified records: \(count(modified))",
                   "- Missing constraints: \(count(Int64(tables.reduce(0) { $0 + $1.missingConstraints.count })))", "",
                   "**Data Quality**",
                   "- Null values: \(count(total(\.targetSide, \.nulls))) (acceptable: \(count(total(\.sourceSide, \.nulls))), as in the source)",
                   "- Duplicates: \(count(total(\.targetSide, \.duplicateKeys))) (acceptable: 0)",
                   "- Invalid data: \(count(total(\.targetSide, \.invalidValues))) (acceptable: \(count(total(\.sourceSide, \.invalidValues))), as in the source)", "",
                   "**Status: \(status)**", "",
                   "## Tables", "",
                   "| Source | Target | Rows (source / target) | Checksum (source / target) | Missing | Extra | Modified | Compared | Result |",
                   "|---|---|---:|---|---:|---:|---:|---|---|"]
        for table in tables {
            out.append("| `\(table.source)` | `\(table.target)` | \(count(table.sourceSide.rows)) / \(count(table.targetSide.rows)) | "
                       + "\(Self.code(table.sourceSide.checksum)) / \(Self.code(table.targetSide.checksum)) | \(table.missing) | \(table.extra) | \(table.modified) | \(table.comparison.rawValue) | "
                       + (table.problem.map { "**\($0)**" } ?? (table.isEqual ? "equal" : "**differs**")) + " |")
        }
        out.append("")
        for table in tables where !table.isEqual && table.problem == nil {
            out += ["## \(table.source) → \(table.target)", ""]
            if !table.missingKeys.isEmpty { out.append("- Missing in the target (key \(table.key.joined(separator: ", "))): " + table.missingKeys.joined(separator: ", ") + (table.missing > Int64(table.missingKeys.count) ? ", …" : "")) }
            if !table.extraKeys.isEmpty { out.append("- Extra in the target: " + table.extraKeys.joined(separator: ", ") + (table.extra > Int64(table.extraKeys.count) ? ", …" : "")) }
            for row in table.modifiedRows { out.append("- Modified: \(row.key): \(row.columns.joined(separator: ", ")) differ") }
            if table.targetSide.duplicateKeys > 0 { out.append("- Duplicate keys in the target: \(table.targetSide.duplicateKeys)") }
            for constraint in table.missingConstraints { out.append("- Not enforced in the target: \(constraint)") }
            if !table.differingRanges.isEmpty {
                out += ["", "Key ranges whose count or checksum differ (\(table.differingRanges.count) of \(table.ranges)):", "",
                        "| From | Through | Source rows | Target rows | Source checksum | Target checksum |", "|---|---|---:|---:|---|---|"]
                out += table.differingRanges.map { "| \($0.from) | \($0.through) | \($0.source.rows) | \($0.target.rows) | `\($0.source.checksum)` | `\($0.target.checksum)` |" }
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
