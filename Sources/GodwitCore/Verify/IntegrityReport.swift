public import Foundation

/// What verification found (the strategy template's validation levels): every check with its verdict, and
/// the row count and checksum of each table it read.
public struct IntegrityReport: Hashable, Codable, Sendable {
    /// The strategy template's levels of validation.
    public enum Level: String, Hashable, Codable, Sendable, CaseIterable {
        /// The schema equals the plan's target (or, after a rollback, the schema before).
        case structure
        /// Row counts.
        case counts
        /// Order-independent checksums.
        case checksums
        /// Every backfilled value equals `up(old)`.
        case backfill
        /// NOT NULL violations, foreign-key orphans, duplicates, CHECK violations.
        case constraints
        /// The migration's own validations.
        case validations
    }

    public struct Check: Hashable, Codable, Sendable {
        public var level: Level
        public var name: String
        public var passed: Bool
        /// Safe facts: counts, names, never row values.
        public var detail: String

        public init(level: Level, name: String, passed: Bool, detail: String) {
            self.level = level
            self.name = name
            self.passed = passed
            self.detail = detail
        }
    }

    /// The database, redacted.
    public var database: String
    public var generatedAt: Date
    /// What was verified: `001 Users v2 after backfill`.
    public var scope: String
    public var checks: [Check]
    public var tables: [TableDigest]

    public init(database: String, generatedAt: Date, scope: String, checks: [Check] = [], tables: [TableDigest] = []) {
        self.database = database
        self.generatedAt = generatedAt
        self.scope = scope
        self.checks = checks
        self.tables = tables
    }

    public var passed: Bool { checks.allSatisfy { $0.passed } }
    public var failures: [Check] { checks.filter { !$0.passed } }

    /// The report as one JSON document.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(JSONForm(self)), as: UTF8.self) + "\n"
    }

    private struct JSONForm: Encodable {
        var report: IntegrityReport
        init(_ report: IntegrityReport) { self.report = report }
        enum Keys: String, CodingKey { case database, generatedAt, scope, result, checks, tables }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(report.database, forKey: .database)
            try container.encode(report.generatedAt, forKey: .generatedAt)
            try container.encode(report.scope, forKey: .scope)
            try container.encode(report.passed ? "pass" : "fail", forKey: .result)
            try container.encode(report.checks, forKey: .checks)
            try container.encode(report.tables, forKey: .tables)
        }
    }

    /// The report as Markdown, in the strategy template's "Data Validation" shape.
    public func markdown() -> String {
        var out = ["# Integrity Report", "", "| | |", "|---|---|",
                   "| **Database** | `\(database)` |",
                   "| **Scope** | \(scope) |",
                   "| **Generated** | \(ISO8601DateFormatter().string(from: generatedAt)) |",
                   "| **Result** | \(passed ? "PASS" : "FAIL — \(failures.count) of \(checks.count) checks failed") |", ""]
        for level in Level.allCases {
            let checks = self.checks.filter { $0.level == level }
            guard !checks.isEmpty else { continue }
            out += ["## \(level.rawValue.prefix(1).uppercased() + level.rawValue.dropFirst())", "",
                    "| Check | Result | Detail |", "|---|---|---|"]
            out += checks.map { "| \(cell($0.name)) | \($0.passed ? "pass" : "**FAIL**") | \(cell($0.detail)) |" }
            out.append("")
        }
        if !tables.isEmpty {
            out += ["## Tables", "", "| Table | Rows | Checksum | Columns |", "|---|---:|---|---|"]
            out += tables.map { "| `\($0.table)` | \($0.rows) | " + ($0.checksum.isEmpty ? "— (counted only)" : "`\($0.checksum)`") + " | \($0.columns.joined(separator: ", ")) |" }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
