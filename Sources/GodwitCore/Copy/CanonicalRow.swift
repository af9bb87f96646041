public import Foundation

/// The form in which `verify --source --target` compares values across engines: one text per
/// value that is equal exactly when the values mean the same, whichever engine stored them —
/// numbers as plain decimals (`12.50`, `12.5` and the real 12.5 are one value), booleans as 0/1,
/// points in time as UTC microseconds (zone-less ones read in the stated zone), dates as days,
/// bytes as hex, UUIDs in lower case, JSON with sorted keys, text as it is, NULL as a mark no
/// text can be. Rows hash with 64-bit FNV-1a; a table's or range's checksum is the sum of its rows'
/// hashes modulo 2^64, so it does not depend on row order.
public struct CanonicalForm: Hashable, Codable, Sendable {
    /// How each column's values are read, by the target's kind of the column.
    public var kinds: [ValueKind]
    /// Per column, the zone zone-less times are read in.
    public var zones: [TimeZone]
    public var epochUnits: [TemporalValue.EpochUnit]
    /// Per column, whether either side keeps it in single precision (PostgreSQL `real`): its
    /// values compare at that precision, so a double 9.8 equals the float4 9.8 (which reads back
    /// as 9.800000190734863). Nil: no column does.
    public var singlePrecision: [Bool]?

    public init(kinds: [ValueKind], zones: [TimeZone]? = nil, epochUnits: [TemporalValue.EpochUnit]? = nil, singlePrecision: [Bool]? = nil) {
        self.kinds = kinds
        self.zones = zones ?? Array(repeating: TimeZone(identifier: "UTC")!, count: kinds.count)
        self.epochUnits = epochUnits ?? Array(repeating: .automatic, count: kinds.count)
        self.singlePrecision = singlePrecision
    }

    /// A number as a single-precision value reads, written as its shortest decimal (`9.8`).
    static func single(_ number: Double) -> Double {
        let float = Float(number)
        return float.isFinite ? Double(String(float)) ?? number : number
    }

    /// What NULL becomes: no text value can start with a NUL character.
    public static let nullMark = "\u{0}N"

    /// The canonical text of one value of column `column`.
    public func text(_ value: DatabaseValue, column: Int) -> String {
        if value.isNull { return Self.nullMark }
        switch kinds[column] {
        case .integer, .decimal, .float:
            let single = singlePrecision.map { column < $0.count && $0[column] } ?? false
            switch value {
            case .integer(let number): return String(number)
            case .real(let number): return NumberText.plain(single ? Self.single(number) : number)
            case .text(let text):
                let trimmed = text.trimmingWhitespace()
                if single, let number = Double(trimmed) { return NumberText.plain(Self.single(number)) }
                if NumberText.isDecimal(trimmed) { return NumberText.normalized(trimmed) }
                if let number = Double(trimmed) { return NumberText.plain(number) }
                return "?" + text
            case .blob(let raw): return "?" + Hex.encode(raw)
            case .null: return Self.nullMark
            }
        case .boolean:
            if case .integer(let number) = value { return String(number) }
            if let text = value.textValue, let flag = ColumnConversion.flag(text) { return flag ? "1" : "0" }
            return "?" + (value.textValue ?? "")
        case .date, .timestamp, .timestamptz:
            guard let instant = TemporalValue(value, epochUnit: epochUnits[column]) else { return "?" + (value.textValue ?? "") }
            if kinds[column] == .date { return TemporalValue.text(microseconds: instant.microseconds, dateOnly: true) }
            return String(instant.utcMicroseconds(zone: zones[column]))
        case .blob:
            switch value {
            case .blob(let bytes): return Hex.encode(bytes)
            default: return Hex.encode(Array((value.textValue ?? "").utf8))
            }
        case .uuid:
            if case .blob(let raw) = value, raw.count == 16 { return (try? ColumnConversion(sourceKind: .blob, targetKind: .uuid).postgresTextIgnoringFormat(value)) ?? Hex.encode(raw) }
            return (value.textValue ?? "").trimmingWhitespace().lowercased()
        case .json:
            guard let text = value.textValue, let data = text.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                  let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else {
                return value.textValue ?? ""
            }
            return String(decoding: sorted, as: UTF8.self)
        case .text, .time, .other:
            switch value {
            case .text(let text): return text
            case .integer(let number): return String(number)
            case .real(let number): return NumberText.plain(number)
            case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .null: return Self.nullMark
            }
        }
    }

    /// The 64-bit FNV-1a hash of a row's canonical values, each followed by a unit separator.
    public static func hash(_ texts: [String]) -> UInt64 {
        var hasher = RowHasher()
        for text in texts { hasher.add(text) }
        return hasher.value
    }
}

/// 64-bit FNV-1a over canonical values, fed one at a time (no array of them is built).
public struct RowHasher: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func add(_ text: String) {
        var hash = value
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        hash ^= 0x1f
        hash &*= 0x0000_0100_0000_01b3
        value = hash
    }
}

extension ColumnConversion {
    /// ``postgresText(_:found:)`` without the format it found.
    func postgresTextIgnoringFormat(_ value: DatabaseValue) throws -> String? {
        var found: TemporalValue.Format?
        return try postgresText(value, found: &found)
    }
}

/// Rows counted and summed by their canonical hashes: equal exactly when the two sides hold the
/// same rows (up to a 2^-64 collision), whatever order they were read in.
public struct RowDigest: Hashable, Codable, Sendable {
    public var rows: Int64 = 0
    public var sum: UInt64 = 0

    public init() {}

    public mutating func add(_ hash: UInt64) {
        rows += 1
        sum &+= hash
    }

    /// `4F1C…` — the sum as 16 hex digits.
    public var checksum: String {
        let hex = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
