import Foundation
import GodwitCore
import AsyncAlgorithms

/// Walks the two sides of a table pair and fills in its ``ReconciliationReport/TableResult``.
struct RowMerger {
    let pair: TablePair
    let rangeRows: Int
    let listedKeys: Int
    private(set) var result: ReconciliationReport.TableResult
    private var sourceStats = SideStats(), targetStats = SideStats()

    init(pair: TablePair, rangeRows: Int, listedKeys: Int) {
        self.pair = pair
        self.rangeRows = rangeRows
        self.listedKeys = listedKeys
        result = .init(source: pair.copy.source.name.description, target: pair.targetName.description, key: pair.sourceKey)
    }

    /// Both sides ordered by key: one pass names every difference by its key.
    mutating func compareOrdered(_ source: AsyncThrowingChannel<[CanonicalRow], any Error>,
                                 _ target: AsyncThrowingChannel<[CanonicalRow], any Error>) async throws {
        var left = PageCursor(source.makeAsyncIterator()), right = PageCursor(target.makeAsyncIterator())
        var range = RangeState()
        var previousSource: [String]?, previousTarget: [String]?
        while true {
            let a = try await left.peek(), b = try await right.peek()
            guard a != nil || b != nil else { break }
            let order: ComparisonResult
            switch (a, b) {
            case (let a?, let b?): order = KeyOrder.compare(a.key, b.key, kinds: pair.keyKinds)
            case (.some, nil): order = .orderedAscending
            default: order = .orderedDescending
            }
            let next = order == .orderedDescending ? b! : a!
            if range.sourceRows >= rangeRows, let boundary = range.last, KeyOrder.compare(next.key, boundary, kinds: pair.keyKinds) == .orderedDescending {
                close(&range)
            }
            switch order {
            case .orderedSame:
                left.advance()
                right.advance()
                let (row, other) = (a!, b!)
                countDuplicate(row.key, previous: &previousSource, stats: &sourceStats)
                countDuplicate(other.key, previous: &previousTarget, stats: &targetStats)
                sourceStats.add(row)
                targetStats.add(other)
                range.add(source: row)
                range.add(target: other)
                if row.hash != other.hash {
                    result.modified += 1
                    if result.modifiedRows.count < listedKeys {
                        let columns = zip(pair.columnNames, zip(row.values(form: pair.form), other.values(form: pair.form))).filter { $0.1.0 != $0.1.1 }.map(\.0)
                        result.modifiedRows.append(.init(key: literal(row.key), columns: columns))
                    }
                }
            case .orderedAscending:
                left.advance()
                let row = a!
                countDuplicate(row.key, previous: &previousSource, stats: &sourceStats)
                sourceStats.add(row)
                range.add(source: row)
                result.missing += 1
                if result.missingKeys.count < listedKeys { result.missingKeys.append(literal(row.key)) }
            case .orderedDescending:
                right.advance()
                let row = b!
                countDuplicate(row.key, previous: &previousTarget, stats: &targetStats)
                targetStats.add(row)
                range.add(target: row)
                result.extra += 1
                if result.extraKeys.count < listedKeys { result.extraKeys.append(literal(row.key)) }
            }
        }
        close(&range)
        finish()
    }

    /// A table without a key: whole-table digests, and when they differ, the rows each side
    /// has more of, found by counting row hashes (rows cannot be named without a key).
    mutating func compareUnordered(_ source: AsyncThrowingChannel<[CanonicalRow], any Error>,
                                   _ target: AsyncThrowingChannel<[CanonicalRow], any Error>) async throws {
        var counts: [UInt64: Int64] = [:]
        for try await page in source {
            for row in page {
                sourceStats.add(row)
                counts[row.hash, default: 0] += 1
            }
        }
        for try await page in target {
            for row in page {
                targetStats.add(row)
                counts[row.hash, default: 0] -= 1
            }
        }
        result.missing = counts.values.filter { $0 > 0 }.reduce(0, +)
        result.extra = -counts.values.filter { $0 < 0 }.reduce(0, +)
        result.ranges = 1
        finish()
    }

    private mutating func finish() {
        result.sourceSide = sourceStats.side
        result.targetSide = targetStats.side
    }

    private mutating func close(_ range: inout RangeState) {
        guard range.sourceRows > 0 || range.targetRows > 0 else { return }
        result.ranges += 1
        if range.source != range.target || range.sourceRows != range.targetRows {
            var sourceSide = ReconciliationReport.Side(), targetSide = ReconciliationReport.Side()
            sourceSide.rows = range.source.rows
            sourceSide.checksum = range.source.checksum
            targetSide.rows = range.target.rows
            targetSide.checksum = range.target.checksum
            if result.differingRanges.count < listedKeys {
                result.differingRanges.append(.init(from: literal(range.first ?? []), through: literal(range.last ?? []), source: sourceSide, target: targetSide))
            }
        }
        range = RangeState()
    }

    private func countDuplicate(_ key: [String], previous: inout [String]?, stats: inout SideStats) {
        if previous == key { stats.duplicateKeys += 1 }
        previous = key
    }

    private func literal(_ key: [String]) -> String {
        let parts = zip(key, pair.keyKinds).map { text, kind in
            [.integer, .decimal, .float, .boolean].contains(kind) ? text : SQLIdentifierQuoter.literal(text)
        }
        return "(" + parts.joined(separator: ", ") + ")"
    }
}

/// Key order as the databases sort: numbers and times by value, everything else by bytes.
enum KeyOrder {
    static func compare(_ a: [String], _ b: [String], kinds: [ValueKind]) -> ComparisonResult {
        for (index, kind) in kinds.enumerated() where index < a.count && index < b.count {
            let left = a[index], right = b[index]
            if left == right { continue }
            switch kind {
            case .integer, .decimal, .float, .boolean, .timestamp, .timestamptz:
                if let x = Int64(left), let y = Int64(right) { return x < y ? .orderedAscending : .orderedDescending }
                if let x = Double(left), let y = Double(right), x != y { return x < y ? .orderedAscending : .orderedDescending }
                fallthrough
            default:
                return left.utf8.lexicographicallyPrecedes(right.utf8) ? .orderedAscending : .orderedDescending
            }
        }
        return .orderedSame
    }
}

/// Pages from a channel, looked at one row at a time.
private struct PageCursor {
    var iterator: AsyncThrowingChannel<[CanonicalRow], any Error>.Iterator
    var page: [CanonicalRow] = []
    var index = 0
    var isFinished = false

    init(_ iterator: AsyncThrowingChannel<[CanonicalRow], any Error>.Iterator) { self.iterator = iterator }

    mutating func peek() async throws -> CanonicalRow? {
        while index >= page.count {
            guard !isFinished, let next = try await iterator.next() else {
                isFinished = true
                return nil
            }
            page = next
            index = 0
        }
        return page[index]
    }

    mutating func advance() { index += 1 }
}

/// One key range's rows and digests on both sides.
private struct RangeState {
    var source = RowDigest(), target = RowDigest()
    var sourceRows = 0, targetRows = 0
    var first: [String]?, last: [String]?

    mutating func add(source row: CanonicalRow) {
        source.add(row.hash)
        sourceRows += 1
        if first == nil { first = row.key }
        last = row.key
    }

    mutating func add(target row: CanonicalRow) {
        target.add(row.hash)
        targetRows += 1
        if first == nil { first = row.key }
        last = row.key  // rows come in key order: the range reaches at least this far
    }
}

/// Totals of one side of a table.
private struct SideStats {
    var digest = RowDigest()
    var nulls: Int64 = 0
    var invalid: Int64 = 0
    var duplicateKeys: Int64 = 0
    var earliest: Int64?, latest: Int64?

    mutating func add(_ row: CanonicalRow) {
        digest.add(row.hash)
        nulls += Int64(row.nulls)
        invalid += Int64(row.invalid)
        if let time = row.earliest { earliest = min(earliest ?? time, time) }
        if let time = row.latest { latest = max(latest ?? time, time) }
    }

    var side: ReconciliationReport.Side {
        var side = ReconciliationReport.Side()
        side.rows = digest.rows
        side.checksum = digest.checksum
        side.nulls = nulls
        side.invalidValues = invalid
        side.duplicateKeys = duplicateKeys
        if let earliest, let latest { side.dateRange = [TemporalValue.text(microseconds: earliest), TemporalValue.text(microseconds: latest)] }
        return side
    }
}
