import Foundation
import GodwitCore

/// One side of a ``RangeChecksums`` comparison: a table with one integer key whose database
/// computes, per bucket of a key range, the aggregates the bisection compares.
protocol BucketReader: Sendable {
    /// Session settings the aggregates depend on.
    func prepare() async throws
    /// The key's smallest value and one past its largest, or nil for an empty table.
    func bounds() async throws -> Range<Int64>?
    /// Per bucket `(key - range.lowerBound) / width` of `range`: its aggregates.
    func buckets(in range: Range<Int64>, width: Int64) async throws -> [Int64: RangeChecksums.Bucket]
}

/// What every reader shares: the table, its key, an optional row filter, and the SQL that
/// bounds and buckets it.
struct KeyedTable: Sendable {
    let driver: any DatabaseDriver
    let table: QualifiedName
    let key: String
    /// The copy file's `where:` (the source side only).
    let condition: String?

    var quoter: SQLIdentifierQuoter { driver.engine.quoter }

    func bounds() async throws -> Range<Int64>? {
        try await driver.keyBounds(of: table, key: key).map { $0.lowerBound..<($0.upperBound + 1) }
    }

    /// `bucket` expression and `WHERE` clause for `range`.
    func bucketing(_ range: Range<Int64>, width: Int64) -> (bucket: String, filter: String) {
        let key = quoter.quote(key)
        var conditions = ["\(key) >= \(range.lowerBound)", "\(key) < \(range.upperBound)"]
        if let condition { conditions.append("(\(condition))") }
        return ("(\(key) - \(range.lowerBound)) / \(width)", conditions.joined(separator: " AND "))
    }

    /// Reads `rows sum nulls invalid earliest latest` result rows into buckets.
    func read(_ sql: String) async throws -> [Int64: RangeChecksums.Bucket] {
        var buckets: [Int64: RangeChecksums.Bucket] = [:]
        for row in try await driver.query(unsafeSQL: sql) {
            guard let index = row[0].integerValue else { continue }
            buckets[index] = RangeChecksums.Bucket(rows: row[1].integerValue ?? 0, sum: row[2].textValue ?? "0", nulls: row[3].integerValue ?? 0,
                                                   invalid: row[4].integerValue ?? 0, earliest: row[5].integerValue, latest: row[6].integerValue)
        }
        return buckets
    }
}

/// The database's spelling of canonical values and time ranges, which the server-side readers need.
private func spelling(_ driver: any DatabaseDriver) throws -> any CanonicalSpelling {
    guard let spelling = driver.dialect as? any CanonicalSpelling else {
        throw GodwitError(.internalError, "\(driver.engine) cannot checksum rows in SQL")
    }
    return spelling
}

/// Session settings the server's text of values depends on.
private func prepareDigestSession(_ driver: any DatabaseDriver) async throws {
    for setting in try spelling(driver).digestSessionSetup { try await driver.execute(unsafeSQL: setting) }
}

/// PostgreSQL on both sides with the same column types: each row hashed by its values
/// (``CanonicalSpelling/rowValueHash(of:declaredTypes:)``), or, on a server without that hash,
/// by the server's own text of the row, which is the same on both sides once both sessions use
/// UTC and ISO dates.
struct PostgresRowHashBuckets: BucketReader {
    let keyed: KeyedTable
    /// The compared columns' select expressions, declared types and kinds.
    let columns: [String]
    let types: [String]
    let kinds: [ValueKind]
    /// Hash values (PostgreSQL 14 and later) rather than the row's text.
    let byValue: Bool

    func prepare() async throws { try await prepareDigestSession(keyed.driver) }

    func bounds() async throws -> Range<Int64>? { try await keyed.bounds() }

    func buckets(in range: Range<Int64>, width: Int64) async throws -> [Int64: RangeChecksums.Bucket] {
        let (bucket, filter) = keyed.bucketing(range, width: width)
        let times = zip(columns, kinds).filter { [.date, .timestamp, .timestamptz].contains($0.1) }.map(\.0)
        let list = columns.joined(separator: ", ")
        let spelling = try spelling(keyed.driver)
        let hash = (byValue ? spelling.rowValueHash(of: columns, declaredTypes: types) : nil) ?? spelling.rowTextHash(of: columns)
        return try await keyed.read("""
            SELECT \(bucket) AS b, count(*), sum(\(hash))::text, sum(num_nulls(\(list))), 0,
                   \(spelling.timeRange(times))
            FROM \(keyed.quoter.quote(keyed.table)) WHERE \(filter) GROUP BY 1
            """)
    }
}

/// The PostgreSQL side of a cross-engine comparison: each value spelled by SQL as
/// ``CanonicalForm/digestText(_:column:)`` writes it, each row's ``CanonicalDigest`` chained
/// through nested `hashtextextended` calls, summed modulo 2^64.
struct PostgresCanonicalBuckets: BucketReader {
    let keyed: KeyedTable
    /// Per compared column: the SQL of its digest text, and whether it can be NULL.
    let canonical: [String]
    let nullable: [Bool]
    /// The time columns.
    let times: [String]

    /// Nil when a column's kind and type have no SQL spelling of the canonical form on this
    /// database (see ``CanonicalSpelling``).
    init?(keyed: KeyedTable, columns: [String], types: [String], nullable: [Bool], form: CanonicalForm) {
        guard let spelling = keyed.driver.dialect as? any CanonicalSpelling else { return nil }
        var canonical: [String] = [], times: [String] = []
        for (index, (column, type)) in zip(columns, types).enumerated() {
            let isUTC = form.zones[index].isUTC
            guard let spelled = spelling.canonicalText(of: column, declaredType: type, kind: form.kinds[index], zoneIsUTC: isUTC) else { return nil }
            canonical.append(spelled.expression)
            if spelled.isTime { times.append(column) }
        }
        self.keyed = keyed
        self.canonical = canonical
        self.nullable = nullable.count == columns.count ? nullable : Array(repeating: true, count: columns.count)
        self.times = times
    }

    func prepare() async throws { try await prepareDigestSession(keyed.driver) }

    func bounds() async throws -> Range<Int64>? { try await keyed.bounds() }

    func buckets(in range: Range<Int64>, width: Int64) async throws -> [Int64: RangeChecksums.Bucket] {
        let (bucket, filter) = keyed.bucketing(range, width: width)
        let modulus = "18446744073709551616"
        let table = keyed.quoter.quote(keyed.table)
        let timeRange = try spelling(keyed.driver).timeRange
        // Each value hashed with the hash of the values before it as its seed; a NULL hashes ''
        // with the seed's lowest bit flipped (CanonicalDigest.add).
        func chain(_ values: [String]) -> String {
            zip(values, nullable).reduce("0::int8") { seed, column in
                column.1 ? "hashtextextended(coalesce(\(column.0), ''), \(seed) # (\(column.0) IS NULL)::int::int8)"
                         : "hashtextextended(\(column.0), \(seed))"
            }
        }
        guard nullable.contains(true) else {
            // No NULLs: each value's text appears once in the chain, computed in place.
            return try await keyed.read("""
                SELECT \(bucket) AS b, count(*), (((sum(\(chain(canonical))) % \(modulus)) + \(modulus)) % \(modulus))::text, 0, 0,
                       \(timeRange(times))
                FROM \(table) WHERE \(filter) GROUP BY 1
                """)
        }
        let values = canonical.indices.map { "v\($0)" }
        let timeColumns = times.indices.map { "t\($0)" }
        // OFFSET 0 keeps the inner query apart, so each canonical text is computed once.
        return try await keyed.read("""
            SELECT b, count(*), (((sum(\(chain(values))) % \(modulus)) + \(modulus)) % \(modulus))::text,
                   sum(num_nulls(\(zip(values, nullable).filter(\.1).map(\.0).joined(separator: ", ")))), 0,
                   \(timeRange(timeColumns))
            FROM (SELECT \(bucket) AS b, \((zip(canonical, values).map { "\($0) AS \($1)" } + zip(times, timeColumns).map { "\($0) AS \($1)" }).joined(separator: ", "))
                  FROM \(table) WHERE \(filter) OFFSET 0) AS canonical
            GROUP BY 1
            """)
    }
}

/// The SQLite side of a cross-engine comparison: one scan of the range, each row read in place
/// and folded into its bucket's ``CanonicalDigest``.
struct SQLiteCanonicalBuckets: BucketReader {
    let keyed: KeyedTable
    /// The compared columns' select expressions.
    let columns: [String]
    let form: CanonicalForm

    func prepare() async throws {}

    func bounds() async throws -> Range<Int64>? { try await keyed.bounds() }

    func buckets(in range: Range<Int64>, width: Int64) async throws -> [Int64: RangeChecksums.Bucket] {
        guard let reader = keyed.driver as? any InPlaceRowReading else {
            throw GodwitError(.internalError, "\(keyed.driver.engine) cannot read rows in place")
        }
        let (bucket, filter) = keyed.bucketing(range, width: width)
        let count = columns.count
        let digests = try await reader.fold(
            unsafeSQL: "SELECT \(bucket), \(columns.joined(separator: ", ")) FROM \(keyed.quoter.quote(keyed.table)) WHERE \(filter)",
            into: BucketDigests(form: form)
        ) { digests, row in
            digests.add(bucket: row.integer(0), columns: count) { row.borrowed($0 + 1) }
        }.digests
        return digests.mapValues { digest in
            RangeChecksums.Bucket(rows: digest.rows, sum: String(digest.sum), nulls: digest.nulls, invalid: digest.invalid,
                                  earliest: digest.earliest, latest: digest.latest)
        }
    }
}
