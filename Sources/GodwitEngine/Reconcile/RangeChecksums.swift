import Foundation
import GodwitCore

/// Two tables keyed by one integer, compared by per-range aggregates that each database computes
/// itself (a ``BucketReader`` per side: count, checksum, NULLs, times) — one aggregate scan per
/// side, both at once, nothing downloaded. Ranges that differ are split again (by 32) until they
/// hold few enough rows (16,384) to be streamed and compared row by row, which names the keys
/// (the bisection of data-diff).
struct RangeChecksums: Sendable {
    let pair: TablePair
    let source: any BucketReader
    let target: any BucketReader
    let listedKeys: Int
    /// Compares one key range row by row.
    let streamRange: @Sendable (Range<Int64>) async throws -> ReconciliationReport.TableResult
    var factor = 32
    var threshold: Int64 = 16_384

    init(pair: TablePair, source: any BucketReader, target: any BucketReader, listedKeys: Int,
         streamRange: @escaping @Sendable (Range<Int64>) async throws -> ReconciliationReport.TableResult) {
        self.pair = pair
        self.source = source
        self.target = target
        self.listedKeys = listedKeys
        self.streamRange = streamRange
    }

    /// One bucket's aggregates on one side.
    struct Bucket: Sendable, Equatable {
        var rows: Int64 = 0
        /// The sum of the rows' hashes, as decimal text (exact, or modulo 2^64 on both sides).
        var sum = "0"
        var nulls: Int64 = 0
        var invalid: Int64 = 0
        /// UTC microseconds.
        var earliest: Int64?
        var latest: Int64?
    }

    func run() async throws -> ReconciliationReport.TableResult {
        try await source.prepare()
        try await target.prepare()
        var result = ReconciliationReport.TableResult(source: pair.copy.source.name.description, target: pair.targetName.description, key: pair.sourceKey)
        let sourceBounds = try await source.bounds()
        let targetBounds = try await target.bounds()
        let all = [sourceBounds, targetBounds].compactMap { $0 }
        guard let lower = all.map(\.lowerBound).min(), let upper = all.map(\.upperBound).max() else {
            return result  // both empty: equal
        }
        var sourceTotal = Bucket(), targetTotal = Bucket()
        var pending = [lower..<upper]
        var first = true
        while let range = pending.popLast() {
            async let left = source.buckets(in: range, width: width(range))
            async let right = target.buckets(in: range, width: width(range))
            let (mine, theirs) = try await (left, right)
            if first {
                for bucket in mine.values { sourceTotal.add(bucket) }
                for bucket in theirs.values { targetTotal.add(bucket) }
                result.ranges = Set(mine.keys).union(theirs.keys).count
                first = false
            }
            for index in Set(mine.keys).union(theirs.keys).sorted() {
                let a = mine[index] ?? Bucket(), b = theirs[index] ?? Bucket()
                guard a.rows != b.rows || a.sum != b.sum || a.nulls != b.nulls else { continue }
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
        if !result.differingRanges.isEmpty, result.missing + result.extra + result.modified == 0 {
            // Checksums disagree where the rows agree: the two sides spell some value differently.
            // The row-by-row comparison is the authority; the caller reads the whole table that way.
            throw ChecksumsDisagree()
        }
        result.sourceSide = sourceTotal.side
        result.targetSide = targetTotal.side
        result.comparison = .checksums
        return result
    }

    /// Ranges whose checksums differ held no differing rows.
    struct ChecksumsDisagree: Error {}

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
}

extension RangeChecksums.Bucket {
    mutating func add(_ other: Self) {
        rows += other.rows
        sum = DecimalSum.add(sum, other.sum)
        nulls += other.nulls
        invalid += other.invalid
        if let time = other.earliest { earliest = min(earliest ?? time, time) }
        if let time = other.latest { latest = max(latest ?? time, time) }
    }

    var side: ReconciliationReport.Side {
        var side = ReconciliationReport.Side()
        side.rows = rows
        side.checksum = DecimalSum.hex(sum)
        side.nulls = nulls
        side.invalidValues = invalid
        if let earliest, let latest { side.dateRange = [TemporalValue.text(microseconds: earliest), TemporalValue.text(microseconds: latest)] }
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
