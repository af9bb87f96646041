import Foundation

/// What one side of a cross-engine comparison holds in a key range, computed inside that side's
/// database: rows, the sum of their digests modulo 2^64, NULLs, invalid values, and the earliest
/// and latest point in time.
///
/// A row's digest chains PostgreSQL's `hashtextextended` (``PostgresHash``) through its values:
/// starting from seed 0, each value's ``digestText(_:column:)`` is hashed with the previous hash
/// as the seed, and a NULL hashes the empty text with the seed's lowest bit flipped. The chain
/// depends on every value and on their order, and, unlike a sum of per-value hashes, two values
/// swapped between rows do not cancel out. PostgreSQL computes it with nested `hashtextextended`
/// calls over SQL that spells the values (`PostgresCanonicalBuckets` in GodwitEngine); SQLite's
/// rows are read in place and hashed by this type. Equal sums mean equal rows up to a 2^-64
/// collision; any difference is then confirmed row by row.
public struct CanonicalDigest: Sendable {
    public let form: CanonicalForm
    public private(set) var rows: Int64 = 0
    public private(set) var sum: UInt64 = 0
    public private(set) var nulls: Int64 = 0
    public private(set) var invalid: Int64 = 0
    /// UTC microseconds.
    public private(set) var earliest: Int64?
    public private(set) var latest: Int64?
    /// The value being hashed (kept to reuse its storage).
    private var scratch: [UInt8] = []
    /// Per column, whether zone-less times are read in UTC (no zone arithmetic per value).
    private let readsUTC: [Bool]

    public init(form: CanonicalForm) {
        self.form = form
        readsUTC = form.zones.map(\.isUTC)
    }

    /// Adds one row (its values in the form's column order).
    public mutating func add(_ values: [DatabaseValue]) {
        add(columns: values.count) { column in
            switch values[column] {
            case .null: return .null
            case .integer(let number): return .integer(number)
            case .real(let number): return .real(number)
            case .text(let text): return .string(text)
            case .blob(let bytes): return .bytes(bytes)
            }
        }
    }

    /// Adds one row whose value in each of `columns` columns `value` reads in place (valid only
    /// during the call).
    public mutating func add(columns: Int, _ value: (Int) -> BorrowedValue) {
        var seed: UInt64 = 0
        // The row's texts go into one buffer, cleared once per row; each is hashed where it lies.
        scratch.removeAll(keepingCapacity: true)
        for column in 0..<columns {
            let start = scratch.count
            switch form.appendDigestText(value(column), column: column, readsUTC: readsUTC[column], to: &scratch) {
            case .null:
                nulls += 1
                seed = PostgresHash.bytesExtended(UnsafeBufferPointer(start: nil, count: 0), seed: seed ^ 1)
                continue
            case .invalid: invalid += 1
            case .time(let micros):
                if micros < earliest ?? .max { earliest = micros }
                if micros > latest ?? .min { latest = micros }
            case .value: break
            }
            seed = scratch.withUnsafeBufferPointer { PostgresHash.bytesExtended(UnsafeBufferPointer(rebasing: $0[start...]), seed: seed) }
        }
        rows += 1
        sum &+= seed
    }
}

/// One value as a database holds it, read in place where it can be: what ``CanonicalDigest``
/// hashes without making a Swift value of it.
public enum BorrowedValue {
    case null
    case integer(Int64)
    case real(Double)
    /// UTF-8 bytes, valid only while the reader's row is.
    case text(UnsafeBufferPointer<UInt8>)
    case blob(UnsafeBufferPointer<UInt8>)
    /// Values already made (the general path).
    case string(String)
    case bytes([UInt8])

    /// The value as a ``DatabaseValue``: the general path, which copies.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .text(let bytes): .text(String(decoding: bytes, as: UTF8.self))
        case .blob(let bytes): .blob(Array(bytes))
        case .string(let text): .text(text)
        case .bytes(let bytes): .blob(bytes)
        }
    }
}

extension CanonicalForm {
    /// What a canonical text says about its value.
    public enum Classification: Hashable, Sendable {
        case null, invalid, value
        /// A point in time, in UTC microseconds.
        case time(Int64)
    }

    public func classify(_ text: String, column: Int) -> Classification {
        if text == Self.nullMark { return .null }
        if text.utf8.first == 63 { return .invalid }  // "?": not what the column holds
        if kinds[column] == .timestamp || kinds[column] == .timestamptz, let micros = Int64(text) { return .time(micros) }
        if kinds[column] == .date, let day = TemporalValue.parse(text) { return .time(day.microseconds) }
        return .value
    }

    /// The text a row digest hashes for one value: its ``text(_:column:)``, except that a valid
    /// point in time is written as PostgreSQL writes it in UTC with ISO dates
    /// (`2024-01-31 12:00:00.25`, `…+00` with a zone), which the server prints far more cheaply
    /// than it computes microseconds, and a double-precision number as `float8out` prints it
    /// (``NumberText/postgresFloat8(_:)``).
    public func digestText(_ value: DatabaseValue, column: Int) -> (text: String, classification: Classification) {
        let text = text(value, column: column)
        let classification = classify(text, column: column)
        if kinds[column] == .float, !isSinglePrecision(column), classification == .value, let number = Self.double(value) ?? Double(text) {
            // A double as the server prints it: the shortest digits, an exponent past 10^15.
            return (NumberText.postgresFloat8(number), classification)
        }
        guard case .time(let micros) = classification, kinds[column] != .date else { return (text, classification) }
        var bytes: [UInt8] = []
        TemporalValue.appendPostgresText(microseconds: micros, withZone: kinds[column] == .timestamptz, to: &bytes)
        return (String(decoding: bytes, as: UTF8.self), classification)
    }

    /// Appends ``digestText(_:column:)`` of `value` to `buffer` and classifies it. The common
    /// values (integers, ASCII text, numbers, times in text) are written straight from the bytes
    /// they are read in; the rest take the general path.
    func appendDigestText(_ value: BorrowedValue, column: Int, readsUTC: Bool, to buffer: inout [UInt8]) -> Classification {
        let kind = kinds[column]
        switch (kind, value) {
        case (_, .null):
            return .null
        case (.integer, .integer(let number)), (.decimal, .integer(let number)),
             (.boolean, .integer(let number)), (.text, .integer(let number)), (.time, .integer(let number)), (.other, .integer(let number)):
            ScaledDecimal(integer: number).append(to: &buffer)
            return .value
        case (.integer, .real(let number)) where !isSinglePrecision(column), (.decimal, .real(let number)) where !isSinglePrecision(column):
            guard let decimal = ScaledDecimal(number) else { break }
            decimal.append(to: &buffer)
            return .value
        case (.float, .real(let number)) where !isSinglePrecision(column) && number.isFinite:
            NumberText.appendPostgresFloat8(number, to: &buffer)
            return .value
        case (.text, .text(let bytes)), (.time, .text(let bytes)), (.other, .text(let bytes)):
            // Text that is not ASCII takes the general path, which repairs invalid UTF-8 as the
            // text of a Swift string does.
            guard bytes.allSatisfy({ $0 < 0x80 }), !(bytes.count == 2 && bytes[0] == 0 && bytes[1] == 78) else { break }  // not the NULL mark
            buffer.append(contentsOf: bytes)
            return bytes.first == 63 ? .invalid : .value
        case (.timestamp, .text(let bytes)), (.timestamptz, .text(let bytes)):
            guard let instant = TemporalValue(utf8: bytes, epochUnit: epochUnits[column]), instant.isZoned || readsUTC else { break }
            TemporalValue.appendPostgresText(microseconds: instant.microseconds, withZone: kind == .timestamptz, to: &buffer)
            return .time(instant.microseconds)
        default:
            break
        }
        let (text, classification) = digestText(value.databaseValue, column: column)
        if classification != .null { buffer.append(contentsOf: text.utf8) }
        return classification
    }

    /// The double a stored value holds, read from the value itself (not from its canonical text).
    private static func double(_ value: DatabaseValue) -> Double? {
        switch value {
        case .real(let number): number
        case .integer(let number): Double(number)
        case .text(let text): Double(text.trimmingWhitespace())
        case .null, .blob: nil
        }
    }

    private func isSinglePrecision(_ column: Int) -> Bool {
        singlePrecision.map { column < $0.count && $0[column] } ?? false
    }
}

/// ``CanonicalDigest``s of rows sorted into buckets, for a scan that reads rows mostly in bucket
/// order: the bucket being filled stays at hand, and the others wait in a dictionary.
public struct BucketDigests: Sendable {
    public let form: CanonicalForm
    private var others: [Int64: CanonicalDigest] = [:]
    private var current: CanonicalDigest
    private var currentBucket: Int64?

    public init(form: CanonicalForm) {
        self.form = form
        current = CanonicalDigest(form: form)
    }

    /// Adds one row to `bucket` (see ``CanonicalDigest/add(columns:_:)``).
    public mutating func add(bucket: Int64, columns: Int, _ value: (Int) -> BorrowedValue) {
        if bucket != currentBucket {
            if let currentBucket { others[currentBucket] = current }
            current = others.removeValue(forKey: bucket) ?? CanonicalDigest(form: form)
            currentBucket = bucket
        }
        current.add(columns: columns, value)
    }

    /// Every bucket that holds a row.
    public var digests: [Int64: CanonicalDigest] {
        var all = others
        if let currentBucket { all[currentBucket] = current }
        return all
    }
}
