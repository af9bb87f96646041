import Foundation

/// What one side of a cross-engine comparison holds in a key range, computed inside that side's
/// database: rows, the sum of their digests modulo 2^64, NULLs, invalid values, and the earliest
/// and latest point in time.
///
/// A row's digest is PostgreSQL's `hashtextextended(…, 0)` (``PostgresHash``) of its values in
/// ``CanonicalForm``, each written `<UTF-8 length>:<text>` and NULL as `-`. PostgreSQL computes
/// it over SQL that spells the canonical form (`PostgresCanonicalBuckets` in GodwitEngine);
/// SQLite through the `godwit_digest` aggregate, which runs this type. Equal sums mean equal
/// rows up to a 2^-64 collision; any difference is then confirmed row by row.
public struct CanonicalDigest: Sendable {
    public let form: CanonicalForm
    public private(set) var rows: Int64 = 0
    public private(set) var sum: UInt64 = 0
    public private(set) var nulls: Int64 = 0
    public private(set) var invalid: Int64 = 0
    /// UTC microseconds.
    public private(set) var earliest: Int64?
    public private(set) var latest: Int64?
    /// The row being encoded (kept to reuse its storage).
    private var encoded: [UInt8] = []

    public init(form: CanonicalForm) { self.form = form }

    /// Adds one row (its values in the form's column order).
    public mutating func add(_ values: [DatabaseValue]) {
        encoded.removeAll(keepingCapacity: true)
        for (column, value) in values.enumerated() {
            let text = form.text(value, column: column)
            switch form.classify(text, column: column) {
            case .null:
                nulls += 1
                encoded.append(45)  // -
                continue
            case .invalid: invalid += 1
            case .time(let micros):
                earliest = min(earliest ?? micros, micros)
                latest = max(latest ?? micros, micros)
            case .value: break
            }
            CopyTextFormat.appendInteger(Int64(text.utf8.count), to: &encoded)
            encoded.append(58)  // :
            encoded.append(contentsOf: text.utf8)
        }
        rows += 1
        sum &+= UInt64(bitPattern: Self.digest(encoded))
    }

    /// `hashtextextended` of `bytes` with seed 0, as PostgreSQL returns it (a signed bigint).
    public static func digest(_ bytes: [UInt8]) -> Int64 {
        Int64(bitPattern: PostgresHash.bytesExtended(bytes))
    }

    /// `rows sum nulls invalid earliest latest`, the absent times as `-`: what the SQLite
    /// aggregate returns.
    public var payload: String {
        [String(rows), String(sum), String(nulls), String(invalid), earliest.map(String.init) ?? "-", latest.map(String.init) ?? "-"]
            .joined(separator: " ")
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
}
