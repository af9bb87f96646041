import Foundation
import GodwitCore

/// Two PostgreSQL tables whose compared columns have the same types, keyed by one integer: each
/// side computes per key range a count and the sum of `hashtextextended` over its own text of the
/// row — one aggregate scan per side, both at once, nothing downloaded. Ranges that differ are
/// split again (by 32) until they hold few enough rows (16,384) to be streamed and compared row by
/// row, which names the keys (the bisection of data-diff). With equal column types, PostgreSQL's
/// text of a value is the same on both sides once both sessions use UTC and ISO dates.
struct RangeChecksums: Sendable {
    let pair: TablePair
    let source: any DatabaseDriver
    let target: any DatabaseDriver
    let listedKeys: Int
    /// Compares one key range row by row.
    let streamRange: @Sendable (Range<Int64>) async throws -> ReconciliationReport.TableResult
    var factor = 32
    var threshold: Int64 = 16_384

    init(pair: TablePair, source: any DatabaseDriver, target: any DatabaseDriver, listedKeys: Int,
         streamRange: @escaping @Sendable (Range<Int64>) async throws -> ReconciliationReport.TableResult) {
        self.pair = pair
        self.source = source
        self.target = target
        self.listedKeys = listedKeys
        self.streamRange = streamRange
    }

    /// One bucket's aggregates on one side.
    struct Bucket: Sendable {
        var rows: Int64 = 0
        var sum = ""
        var nulls: Int64 = 0
        var earliest: String?
        var latest: String?
    }

    func run() async throws -> ReconciliationReport.TableResult {
        for driver in [source, target] {
            try await driver.execute(unsafeSQL: "SET TimeZone = 'UTC'")
            try await driver.execute(unsafeSQL: "SET DateStyle = 'ISO, YMD'")
            try await driver.execute(unsafeSQL: "SET extra_float_digits = 1")
        }
        var result = ReconciliationReport.TableResult(source: pair.copy.source.name.description, target: pair.targetName.description, key: pair.sourceKey)
        let sourceBounds = try await bounds(on: source, table: pair.copy.source.name, key: pair.sourceKey[0])
        let targetBounds = try await bounds(on: target, table: pair.targetName, key: pair.targetKey[0])
        let all = [sourceBounds, targetBounds].compactMap { $0 }
        guard let lower = all.map(\.lowerBound).min(), let upper = all.map(\.upperBound).max() else {
            return result  // both empty: equal
        }
        var sourceTotal = Bucket(), targetTotal = Bucket()
        var pending = [lower..<upper]
        var first = true
        while let range = pending.popLast() {
            async let left = buckets(on: source, table: pair.copy.source.name, key: pair.sourceKey[0], columns: pair.sourceSelects, range: range)
            async let right = buckets(on: target, table: pair.targetName, key: pair.targetKey[0], columns: pair.targetColumns.map(quote), range: range)
            let (mine, theirs) = try await (left, right)
            if first {
                for bucket in mine.values { sourceTotal.add(bucket) }
                for bucket in theirs.values { targetTotal.add(bucket) }
                result.ranges = Set(mine.keys).union(theirs.keys).count
                first = false
            }
            for index in Set(mine.keys).union(theirs.keys).sorted() {
                let a = mine[index] ?? Bucket(), b = theirs[index] ?? Bucket()
                guard a.rows != b.rows || a.sum != b.sum else { continue }
                let sub = subrange(range, index)
                if max(a.rows, b.rows) <= threshold || sub.upperBound - sub.lowerBound <= Int64(factor) {
                    let found = try await streamRange(sub)
                    result.missing += found.missing
                    result.extra += found.extra
                    result.modified += found.modified
                    result.missingKeys = Array((result.missingKeys + found.missingKeys).prefix(listedKeys))
                    result.extraKeys = Array((result.extraKeys + found.extraKeys).prefix(listedKeys))
                    result.modifiedRows = Array((result.modifiedRows + found.modifiedRows).prefix(listedKeys))
                    if result.differingRanges.count < listedKeys {
                        result.differingRanges.append(.init(from: "(\(sub.lowerBound))", through: "(\(sub.upperBound - 1))",
                                                            source: a.side, target: b.side))
                    }
                } else {
                    pending.append(sub)
                }
            }
        }
        result.sourceSide = sourceTotal.side
        result.targetSide = targetTotal.side
        return result
    }

    private func quote(_ name: String) -> String { SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(name) }

    /// The key's smallest value and one past its largest, or nil for an empty table.
    private func bounds(on driver: any DatabaseDriver, table: QualifiedName, key: String) async throws -> Range<Int64>? {
        let row = try await driver.query(unsafeSQL: "SELECT min(\(quote(key)))::int8, max(\(quote(key)))::int8 FROM \(SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(table))").first
        guard let low = row?[0].integerValue, let high = row?[1].integerValue else { return nil }
        return low..<(high + 1)
    }

    /// The width of the buckets `range` splits into.
    private func width(_ range: Range<Int64>) -> Int64 {
        let span: Int64 = range.upperBound - range.lowerBound
        let buckets = Int64(factor)
        return max(1, (span + buckets - 1) / buckets)
    }

    private func subrange(_ range: Range<Int64>, _ index: Int64) -> Range<Int64> {
        let step = width(range)
        let low = range.lowerBound + index * step
        return low..<min(range.upperBound, low + step)
    }

    /// Per bucket of `range`: rows, hash sum, NULLs and the earliest and latest time.
    private func buckets(on driver: any DatabaseDriver, table: QualifiedName, key: String, columns: [String],
                         range: Range<Int64>) async throws -> [Int64: Bucket] {
        let k = quote(key)
        let kinds: [ValueKind] = Array(pair.form.kinds.suffix(columns.count))
        var temporal: [String] = []
        for (column, kind) in zip(columns, kinds) where kind == .timestamp || kind == .timestamptz { temporal.append(column) }
        let times = temporal.isEmpty ? "NULL::text, NULL::text"
            : "min(least(\(temporal.joined(separator: ", "))))::text, max(greatest(\(temporal.joined(separator: ", "))))::text"
        let sql = """
            SELECT (\(k)::int8 - \(range.lowerBound)) / \(width(range)) AS b, count(*), sum(hashtextextended(ROW(\(columns.joined(separator: ", ")))::text, 0))::text,
                   sum(num_nulls(\(columns.joined(separator: ", ")))), \(times)
            FROM \(SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(table))
            WHERE \(k) >= \(range.lowerBound) AND \(k) < \(range.upperBound) GROUP BY 1
            """
        var buckets: [Int64: Bucket] = [:]
        for row in try await driver.query(unsafeSQL: sql) {
            guard let index = row[0].integerValue else { continue }
            buckets[index] = Bucket(rows: row[1].integerValue ?? 0, sum: row[2].textValue ?? "0", nulls: row[3].integerValue ?? 0,
                                    earliest: row[4].textValue, latest: row[5].textValue)
        }
        return buckets
    }
}

extension RangeChecksums.Bucket {
    mutating func add(_ other: Self) {
        rows += other.rows
        sum = DecimalSum.add(sum, other.sum)
        nulls += other.nulls
        if let time = other.earliest, earliest.map({ time < $0 }) ?? true { earliest = time }
        if let time = other.latest, latest.map({ time > $0 }) ?? true { latest = time }
    }

    var side: ReconciliationReport.Side {
        var side = ReconciliationReport.Side()
        side.rows = rows
        side.checksum = DecimalSum.hex(sum)
        side.nulls = nulls
        if let earliest, let latest { side.dateRange = [earliest, latest] }
        return side
    }
}

/// Sums of 64-bit hashes as PostgreSQL returns them (numeric text), added exactly and shown as
/// 16 hex digits of the sum modulo 2^64.
enum DecimalSum {
    static func add(_ a: String, _ b: String) -> String {
        let x = Decimal(string: a) ?? 0, y = Decimal(string: b) ?? 0
        return "\(x + y)"
    }

    static func hex(_ sum: String) -> String {
        let modulus = Decimal(string: "18446744073709551616")!
        var value = Decimal(string: sum) ?? 0
        var quotient = value / modulus
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .down)
        value -= rounded * modulus
        if value < 0 { value += modulus }
        let text = "\(value)"
        let number = UInt64(text) ?? 0
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
