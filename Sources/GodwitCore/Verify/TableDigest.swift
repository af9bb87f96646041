/// A table's row count and order-independent checksum over named columns: equal digests mean
/// equal multisets of rows, whatever order the engine returns them in.
///
/// Each row is hashed to 64 bits — on PostgreSQL 14 and later from its values' binary forms
/// (``Algorithm/values``), otherwise from its text (PostgreSQL's row literal; SQLite's `quote()`
/// of each value) — and the hashes are summed, so a changed row changes the sum.
public struct TableDigest: Hashable, Codable, Sendable {
    public var table: QualifiedName
    public var columns: [String]
    public var rows: Int64
    /// `hv2:sum` of the value hashes (`hv:` as earlier builds recorded them); or `sum1:sum2` of
    /// the row text hashes' halves, on
    /// PostgreSQL prefixed `h64:` (the row hash since it replaced md5, which cost six times as
    /// much per row).
    public var checksum: String

    public init(table: QualifiedName, columns: [String], rows: Int64, checksum: String) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.checksum = checksum
    }

    /// How rows are hashed. Digests recorded with one are compared with digests taken with the
    /// same one: a migration applied by an earlier Godwit is still proven on rollback.
    public enum Algorithm: Hashable, Sendable {
        /// PostgreSQL's `hashtextextended` of the row literal; SQLite's FNV-1a of its values.
        case current
        /// PostgreSQL's md5 of the row literal, the first 64 bits (before `h64:`).
        case md5
        /// Each value hashed by its type's own hash (`hash_record_extended`, PostgreSQL 14),
        /// the hashes summed exactly: three times cheaper per row than hashing the row's text.
        /// The expression comes from the dialect (``CanonicalSpelling/rowValueHash(of:declaredTypes:)``).
        case values
        /// The value hashes earlier builds recorded (`hv:`): two formulas under one prefix, so
        /// both are summed in one scan and either may match
        /// (``CanonicalSpelling/legacyRowValueHashes(of:declaredTypes:)``).
        case legacyValues

        /// The algorithm that made `checksum` on `engine`.
        public static func of(_ checksum: String, engine: Engine) -> Algorithm {
            if checksum.hasPrefix(valuesPrefix) { return .values }
            if checksum.hasPrefix(legacyValuesPrefix) { return .legacyValues }
            return engine == .postgresql && !checksum.hasPrefix(prefix) ? .md5 : .current
        }

        static let prefix = "h64:"
        static let valuesPrefix = "hv2:"
        static let legacyValuesPrefix = "hv:"
    }

    /// The checksum text for the two sums the query returns.
    public static func checksum(_ first: String, _ second: String, engine: Engine, algorithm: Algorithm = .current) -> String {
        switch algorithm {
        case .values: return Algorithm.valuesPrefix + first
        case .legacyValues: return Algorithm.legacyValuesPrefix + first
        case .current where engine == .postgresql: return Algorithm.prefix + "\(first):\(second)"
        default: return "\(first):\(second)"
        }
    }

    /// The query returning `rows`, `sum1`, `sum2` (as text) for a table's columns, over the rows
    /// `filter` (a SQL condition) keeps.
    /// - Parameter valueHashes: for ``Algorithm/values``, the row's hash expression; for
    ///   ``Algorithm/legacyValues``, the two, summed as `sum1` and `sum2`.
    ///
    /// Each of `counting` adds a column after the three: the rows for which that condition
    /// holds, counted in the same scan (a step's checks and the checksum after it, one read).
    public static func query(table: QualifiedName, columns: [String], engine: Engine, filter: String? = nil,
                             algorithm: Algorithm = .current, valueHashes: [String] = [], counting conditions: [String] = []) -> String {
        let quoter = engine.quoter
        let name = quoter.quote(table)
        let condition = filter.map { " WHERE \($0)" } ?? ""
        let flags = conditions.enumerated().map { ", CASE WHEN \($0.element) THEN 1 ELSE 0 END AS godwit_flag_\($0.offset)" }.joined()
        let counts = conditions.indices.map { ", coalesce(sum(godwit_flag_\($0)), 0)" }.joined()
        if algorithm == .values, let valueHash = valueHashes.first {
            return "SELECT count(*), coalesce(sum(h), 0)::text, ''::text\(counts) FROM (SELECT \(valueHash) AS h\(flags) FROM \(name)\(condition)) AS hashed"
        }
        if algorithm == .legacyValues, valueHashes.count == 2 {
            return "SELECT count(*), coalesce(sum(h), 0)::text, coalesce(sum(h2), 0)::text\(counts) "
                + "FROM (SELECT \(valueHashes[0]) AS h, \(valueHashes[1]) AS h2\(flags) FROM \(name)\(condition)) AS hashed"
        }
        switch (engine, algorithm) {
        case (.postgresql, .md5):
            return """
                SELECT count(*), coalesce(sum(('x' || substr(h, 1, 8))::bit(32)::bigint), 0)::text,
                       coalesce(sum(('x' || substr(h, 9, 8))::bit(32)::bigint), 0)::text\(counts)
                FROM (SELECT md5(ROW(\(columns.map(quoter.quote).joined(separator: ", ")))::text) AS h\(flags) FROM \(name)\(condition)) AS hashed
                """
        case (.postgresql, .current), (.postgresql, .values), (.postgresql, .legacyValues):
            return """
                SELECT count(*), coalesce(sum(h & 4294967295), 0)::text, coalesce(sum((h >> 32) & 4294967295), 0)::text\(counts)
                FROM (SELECT \(rowHash(columns, engine: engine)) AS h\(flags) FROM \(name)\(condition)) AS hashed
                """
        case (.sqlite, _):
            return """
                SELECT count(*), CAST(coalesce(sum(h & 4294967295), 0) AS TEXT), CAST(coalesce(sum((h >> 32) & 4294967295), 0) AS TEXT)\(counts)
                FROM (SELECT \(rowHash(columns, engine: engine)) AS h\(flags) FROM \(name)\(condition))
                """
        }
    }

    /// The SQL expression hashing one row's canonical text to a 64-bit integer.
    public static func rowHash(_ columns: [String], engine: Engine) -> String {
        let quoter = engine.quoter
        switch engine {
        case .postgresql: return "hashtextextended(ROW(\(columns.map(quoter.quote).joined(separator: ", ")))::text, 0)"
        case .sqlite: return "godwit_hash(" + columns.map { "quote(\(quoter.quote($0)))" }.joined(separator: " || ',' || ") + ")"
        }
    }
}

/// Digests compared: the tables whose rows or checksums differ.
public struct DigestComparison: Hashable, Codable, Sendable {
    public struct Difference: Hashable, Codable, Sendable {
        public var table: QualifiedName
        public var before: TableDigest?
        public var after: TableDigest?
    }

    public var differences: [Difference]

    public init(before: [TableDigest], after: [TableDigest]) {
        var differences: [Difference] = []
        for digest in before {
            let other = after.first { $0.table == digest.table }
            if other?.rows != digest.rows || other?.checksum != digest.checksum {
                differences.append(Difference(table: digest.table, before: digest, after: other))
            }
        }
        for digest in after where !before.contains(where: { $0.table == digest.table }) {
            differences.append(Difference(table: digest.table, before: nil, after: digest))
        }
        self.differences = differences
    }

    public var isEqual: Bool { differences.isEmpty }
}
