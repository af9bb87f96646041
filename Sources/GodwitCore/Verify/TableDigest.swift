/// A table's row count and order-independent checksum over named columns: equal digests mean
/// equal multisets of rows, whatever order the engine returns them in.
///
/// Each row is written as text (PostgreSQL's row literal; SQLite's `quote()` of each value),
/// hashed to 64 bits (md5's first 16 hex digits; FNV-1a on SQLite), and the two 32-bit halves
/// are summed separately, so the sums cannot overflow and a changed row changes them.
public struct TableDigest: Hashable, Codable, Sendable {
    public var table: QualifiedName
    public var columns: [String]
    public var rows: Int64
    /// `sum1:sum2` of the row hashes' halves.
    public var checksum: String

    public init(table: QualifiedName, columns: [String], rows: Int64, checksum: String) {
        self.table = table
        self.columns = columns
        self.rows = rows
        self.checksum = checksum
    }

    /// The query returning `rows`, `sum1`, `sum2` (as text) for a table's columns, over the rows
    /// `filter` (a SQL condition) keeps.
    public static func query(table: QualifiedName, columns: [String], engine: Engine, filter: String? = nil) -> String {
        let quoter = engine.quoter
        let name = quoter.quote(table)
        let condition = filter.map { " WHERE \($0)" } ?? ""
        switch engine {
        case .postgresql:
            return """
                SELECT count(*), coalesce(sum(('x' || substr(h, 1, 8))::bit(32)::bigint), 0)::text,
                       coalesce(sum(('x' || substr(h, 9, 8))::bit(32)::bigint), 0)::text
                FROM (SELECT \(rowHash(columns, engine: engine)) AS h FROM \(name)\(condition)) AS hashed
                """
        case .sqlite:
            return """
                SELECT count(*), CAST(coalesce(sum(h & 4294967295), 0) AS TEXT), CAST(coalesce(sum((h >> 32) & 4294967295), 0) AS TEXT)
                FROM (SELECT \(rowHash(columns, engine: engine)) AS h FROM \(name)\(condition))
                """
        }
    }

    /// The SQL expression hashing one row's canonical text (md5 hex on PostgreSQL, a 64-bit
    /// integer on SQLite).
    public static func rowHash(_ columns: [String], engine: Engine) -> String {
        let quoter = engine.quoter
        switch engine {
        case .postgresql: return "md5(ROW(\(columns.map(quoter.quote).joined(separator: ", ")))::text)"
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
