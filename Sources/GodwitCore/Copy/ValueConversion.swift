public import Foundation

/// Why a value cannot go into its target column. Never holds the value itself: reasons are
/// printed, and row values are not.
public struct ConversionFailure: Error, Hashable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// How the values of one column move from the source to the target: read as `sourceKind`,
/// written as `targetKind`. Zone-less times are read in `zone`; integer epochs in `epochUnit`.
/// Anything that cannot be converted exactly is a ``ConversionFailure`` (the row is rejected):
/// nothing is truncated or coerced silently.
public struct ColumnConversion: Hashable, Sendable {
    public var sourceKind: ValueKind
    public var targetKind: ValueKind
    public var zone: TimeZone
    public var epochUnit: TemporalValue.EpochUnit
    /// Integer keys of this table (or references to them) become ``KeyUUID``s.
    public var uuidOfKeysIn: String?
    /// A JSON array held as text (how a PostgreSQL array arrives in SQLite) becomes a
    /// PostgreSQL array literal: set when the copy file declares the target an array type.
    public var jsonArrayToArray = false

    public init(sourceKind: ValueKind, targetKind: ValueKind, zone: TimeZone = TimeZone(identifier: "UTC")!,
                epochUnit: TemporalValue.EpochUnit = .automatic) {
        self.sourceKind = sourceKind
        self.targetKind = targetKind
        self.zone = zone
        self.epochUnit = epochUnit
    }

    /// The field of PostgreSQL's COPY text format for `value`, unescaped; nil for NULL.
    /// `found` receives the format of a point in time read from text or a number.
    public func postgresText(_ value: DatabaseValue, found: inout TemporalValue.Format?) throws -> String? {
        try postgresValue(value, found: &found)?.copyText
    }

    /// `value` as its PostgreSQL column takes it; nil for NULL. `found` receives the format of a
    /// point in time read from text or a number.
    public func postgresValue(_ value: DatabaseValue, found: inout TemporalValue.Format?) throws -> PostgresValue? {
        if value.isNull { return nil }
        if let table = uuidOfKeysIn { return .uuid(KeyUUID.make(table: table, id: try integer(value))) }
        switch targetKind {
        case .integer: return .integer(try integer(value))
        case .boolean: return .boolean(try boolean(value))
        case .decimal: return .decimal(try NumberText.decimal(value))
        case .float: return .float(try NumberText.float(value))
        case .blob:
            switch value {
            case .blob(let bytes): return .bytes(bytes)
            case .text(let text): return .bytes(Array(text.utf8))
            default: throw ConversionFailure("a number in a binary column")
            }
        case .date, .timestamp, .timestamptz:
            let instant = try temporal(value)
            found = instant.format
            switch targetKind {
            case .date: return .date(instant.days)
            case .timestamptz: return .timestamptz(instant.utcMicroseconds(zone: zone))
            default:
                // A zoned source value becomes wall-clock time in the stated zone.
                return .timestamp(instant.isZoned
                    ? instant.microseconds + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.microseconds) / 1e6))) * 1_000_000
                    : instant.microseconds)
            }
        case .uuid: return .uuid(try uuid(value))
        case .other where jsonArrayToArray: return .text(try PostgresArrayLiteral.fromJSON(try text(value)))
        case .text, .time, .json, .other: return .text(try text(value))
        }
    }

    /// The value to bind into a SQLite column.
    public func sqliteValue(_ value: DatabaseValue, found: inout TemporalValue.Format?) throws -> DatabaseValue {
        if value.isNull { return .null }
        if let table = uuidOfKeysIn { return .text(KeyUUID.make(table: table, id: try integer(value))) }
        switch targetKind {
        case .integer: return .integer(try integer(value))
        case .boolean: return .integer(try boolean(value) ? 1 : 0)
        case .float:
            switch value {
            case .integer(let number): return .real(Double(number))
            case .real: return value
            case .text(let text):
                guard let number = Double(text.trimmingWhitespace()) else { throw ConversionFailure("text that is not a number in a floating-point column") }
                return .real(number)
            default: throw ConversionFailure("binary data in a floating-point column")
            }
        case .decimal:
            let text = try NumberText.decimal(value)
            if let integer = Int64(text) { return .integer(integer) }
            return .text(text)  // NUMERIC affinity keeps it as exact as SQLite can
        case .blob:
            if case .blob = value { return value }
            return .blob(Array((value.textValue ?? "").utf8))
        case .date, .timestamp, .timestamptz:
            let instant = try temporal(value)
            found = instant.format
            if targetKind == .date { return .text(TemporalValue.text(microseconds: instant.days * 86_400_000_000, dateOnly: true)) }
            // SQLite's own date functions read this form as UTC.
            return .text(TemporalValue.text(microseconds: targetKind == .timestamptz ? instant.utcMicroseconds(zone: zone) : instant.microseconds))
        case .uuid: return .text(try uuid(value))
        case .text, .time, .json, .other: return .text(try text(value))
        }
    }

    private func integer(_ value: DatabaseValue) throws -> Int64 {
        switch value {
        case .integer(let number): return number
        case .real(let number):
            guard number.rounded() == number, let exact = Int64(exactly: number) else { throw ConversionFailure("a fraction in an integer column") }
            return exact
        case .text(let text):
            if let number = Int64(text.trimmingWhitespace()) { return number }
            if sourceKind == .boolean, let flag = Self.flag(text) { return flag ? 1 : 0 }
            throw ConversionFailure("text that is not an integer in an integer column")
        default: throw ConversionFailure("binary data in an integer column")
        }
    }

    private func boolean(_ value: DatabaseValue) throws -> Bool {
        switch value {
        case .integer(let number) where number == 0 || number == 1: return number == 1
        case .text(let text): if let flag = Self.flag(text) { return flag }
        default: break
        }
        throw ConversionFailure("a value that is not true or false in a boolean column")
    }

    static func flag(_ text: String) -> Bool? {
        switch text.trimmingWhitespace().lowercased() {
        case "1", "t", "true", "y", "yes", "on": true
        case "0", "f", "false", "n", "no", "off": false
        default: nil
        }
    }

    private func temporal(_ value: DatabaseValue) throws -> TemporalValue {
        guard let instant = TemporalValue(value, epochUnit: epochUnit) else {
            throw ConversionFailure("a value that is not a date or time in a known form (ISO 8601 text, epoch seconds or milliseconds, Julian day)")
        }
        return instant
    }

    private func uuid(_ value: DatabaseValue) throws -> String {
        switch value {
        case .blob(let bytes) where bytes.count == 16:
            let hex = Hex.encode(bytes)
            return [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)].joined(separator: "-")
        case .text(let text) where UUID(uuidString: text.trimmingWhitespace()) != nil:
            return text.trimmingWhitespace().lowercased()
        default: throw ConversionFailure("a value that is not a UUID in a uuid column")
        }
    }

    private func text(_ value: DatabaseValue) throws -> String {
        switch value {
        case .text(let text):
            if text.utf8.contains(0) { throw ConversionFailure("a NUL character, which PostgreSQL text cannot hold") }
            return text
        case .integer(let number): return String(number)
        case .real(let number): return NumberText.plain(number)
        case .blob(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
                throw ConversionFailure("binary data that is not UTF-8 text in a text column")
            }
            return text
        case .null: return ""
        }
    }
}

/// Numbers written as exact decimal text, the same way whichever engine they came from.
public enum NumberText {
    /// `12.5`, `-0.001`, `100`: no exponent, no trailing zeros after the point.
    public static func plain(_ number: Double) -> String {
        guard number.isFinite else { return number.isNaN ? "NaN" : (number < 0 ? "-Infinity" : "Infinity") }
        if let decimal = ScaledDecimal(number) { return decimal.text }
        let shortest = "\(number)"
        if !shortest.utf8.contains(101) { return normalized(shortest) }  // no exponent: already plain
        return normalized(Decimal(string: shortest).map { "\($0)" } ?? shortest)
    }

    /// A double as PostgreSQL's `float8out` prints it with `extra_float_digits` above 0: the
    /// shortest digits that read back as the same double, in fixed notation when the first
    /// digit's power of ten is from -4 to 14 (`0.0001`, `123.5`, `100`), else in scientific
    /// notation with at least two exponent digits (`1e-05`, `1.5e+300`); `NaN`, `Infinity`,
    /// `-Infinity`, `-0`.
    public static func postgresFloat8(_ number: Double) -> String {
        var bytes: [UInt8] = []
        appendPostgresFloat8(number, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``postgresFloat8(_:)``'s UTF-8 bytes.
    public static func appendPostgresFloat8(_ number: Double, to buffer: inout [UInt8]) {
        if number.isNaN { return buffer.append(contentsOf: "NaN".utf8) }
        if number.isInfinite { return buffer.append(contentsOf: (number < 0 ? "-Infinity" : "Infinity").utf8) }
        if number == 0 { return buffer.append(contentsOf: (number.sign == .minus ? "-0" : "0").utf8) }
        // Swift's description holds the shortest digits that read back as the same double. So
        // does the server's Ryu, with one difference: it does not take digits lying exactly
        // half-way to a neighbouring double (which read back by rounding to even), and takes
        // the nearest longer ones instead.
        var (digits, power) = decimalDigits(number.magnitude.description)
        if isHalfway(digits, power: power, of: number.magnitude) {
            for count in (digits.count + 1)...17 {
                let candidate = decimalDigits(String(format: "%.\(count - 1)e", number.magnitude))
                if Double(text(candidate.digits, power: candidate.power)) == number.magnitude,
                   !isHalfway(candidate.digits, power: candidate.power, of: number.magnitude) {
                    (digits, power) = candidate
                    break
                }
            }
        }
        if number < 0 { buffer.append(45) }
        if power >= -4 && power < 15 {
            if power < 0 {
                buffer.append(48); buffer.append(46)
                buffer.append(contentsOf: repeatElement(48, count: -power - 1))
                buffer.append(contentsOf: digits)
            } else if digits.count <= power + 1 {
                buffer.append(contentsOf: digits)
                buffer.append(contentsOf: repeatElement(48, count: power + 1 - digits.count))
            } else {
                buffer.append(contentsOf: digits[..<(power + 1)])
                buffer.append(46)
                buffer.append(contentsOf: digits[(power + 1)...])
            }
        } else {
            buffer.append(digits[0])
            if digits.count > 1 { buffer.append(46); buffer.append(contentsOf: digits[1...]) }
            buffer.append(101)
            buffer.append(power < 0 ? 45 : 43)
            let magnitude = abs(power)
            if magnitude < 10 { buffer.append(48) }
            ScaledDecimal(integer: Int64(magnitude)).append(to: &buffer)
        }
    }

    /// The significant digits of a positive number's text (`123.5`, `1e-07`, `1.25e+20`),
    /// without leading or trailing zeros, and the power of ten of the first.
    private static func decimalDigits(_ text: String) -> (digits: [UInt8], power: Int) {
        var text = text
        return text.withUTF8 { bytes in
            var digits: [UInt8] = []
            digits.reserveCapacity(20)
            var whole = 0, seenPoint = false, exponent = 0, index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 46 {
                    seenPoint = true
                } else if byte == 101 || byte == 69 {
                    var sign = 1, value = 0
                    index += 1
                    if index < bytes.count, bytes[index] == 45 || bytes[index] == 43 { sign = bytes[index] == 45 ? -1 : 1; index += 1 }
                    while index < bytes.count { value = value * 10 + Int(bytes[index] &- 48); index += 1 }
                    exponent = sign * value
                    break
                } else {
                    digits.append(byte)
                    if !seenPoint { whole += 1 }
                }
                index += 1
            }
            var power = whole - 1 + exponent
            var leading = 0
            while leading < digits.count - 1, digits[leading] == 48 { leading += 1; power -= 1 }
            if leading > 0 { digits.removeFirst(leading) }
            while digits.count > 1, digits.last == 48 { digits.removeLast() }
            return (digits, power)
        }
    }

    /// `d.ddd…e<power>`.
    private static func text(_ digits: [UInt8], power: Int) -> String {
        String(decoding: digits[..<1], as: UTF8.self) + "." + String(decoding: digits.dropFirst(), as: UTF8.self) + "e\(power)"
    }

    /// Whether the decimal `digits` × 10^`power`, which reads back as `number`, lies exactly
    /// half-way between it and a neighbour: nudged up or down by far less than any other gap,
    /// it then reads as the neighbour.
    private static func isHalfway(_ digits: [UInt8], power: Int, of number: Double) -> Bool {
        // A point half-way between two doubles is an integer only where doubles are 2 or more
        // apart, and otherwise a fraction whose denominator is a power of two: d / 10^k is one
        // only when 5^k divides d. Most numbers are neither, and need no reading back.
        let fractionDigits = digits.count - 1 - power
        if fractionDigits <= 0 {
            if number < 9_007_199_254_740_992 { return false }
        } else if fractionDigits <= 27, digits.count <= 19 {
            let value = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 &- 48) }
            var divisor: UInt64 = 1
            for _ in 0..<fractionDigits {
                let (product, overflow) = divisor.multipliedReportingOverflow(by: 5)
                if overflow || product > value { return false }
                divisor = product
            }
            if value % divisor != 0 { return false }
        }
        let tiny = String(repeating: "0", count: 24) + "1"
        let up = text(digits, power: power).replacingOccurrences(of: "e", with: tiny + "e")
        var lowered = digits
        lowered[lowered.count - 1] -= 1  // the last digit is not 0
        let down = text(lowered, power: power).replacingOccurrences(of: "e", with: String(repeating: "9", count: 25) + "e")
        return Double(up) != number || Double(down) != number
    }

    /// A decimal value from any stored number; text must be a plain decimal number.
    static func decimal(_ value: DatabaseValue) throws -> String {
        switch value {
        case .integer(let number): return String(number)
        case .real(let number): return shortest(number)
        case .text(let text):
            guard isDecimal(text) else {
                let trimmed = text.trimmingWhitespace()
                guard isDecimal(trimmed) else { throw ConversionFailure("text that is not a number in a numeric column") }
                return trimmed
            }
            return text
        default: throw ConversionFailure("binary data in a numeric column")
        }
    }

    static func float(_ value: DatabaseValue) throws -> Double {
        switch value {
        case .integer(let number): return Double(number)
        case .real(let number): return number
        case .text(let text):
            let trimmed = text.trimmingWhitespace()
            guard let number = Double(trimmed) else { throw ConversionFailure("text that is not a number in a floating-point column") }
            if !number.isFinite, !["nan", "inf", "infinity"].contains(String(trimmed.lowercased().trimmingPrefix(while: { $0 == "+" || $0 == "-" }))) {
                throw ConversionFailure("a number out of range for a floating-point column")
            }
            return number
        default: throw ConversionFailure("binary data in a floating-point column")
        }
    }

    /// The shortest exact decimal text of a double PostgreSQL reads back as the same double:
    /// `54330.12`, `1`, `0.00001`; an exponent only beyond 2^53.
    public static func shortest(_ number: Double) -> String {
        guard let scaled = ScaledDecimal(number) else { return number.isFinite ? "\(number)" : plain(number) }
        return scaled.text
    }

    /// `[+-]digits[.digits]` or `[+-].digits`.
    static func isDecimal(_ text: String) -> Bool {
        var digits = 0, points = 0, index = 0
        for byte in text.utf8 {
            defer { index += 1 }
            switch byte {
            case 48...57: digits += 1
            case 46: points += 1
            case 43 where index == 0, 45 where index == 0: continue
            default: return false
            }
        }
        return digits > 0 && points <= 1
    }

    /// Drops a leading `+`, leading zeros, trailing zeros after the point, and a bare point;
    /// `-0` becomes `0`.
    public static func normalized(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var negative = false
        if let first = bytes.first, first == 43 || first == 45 { negative = first == 45; bytes.removeFirst() }
        if bytes.contains(46) {
            while bytes.last == 48 { bytes.removeLast() }
            if bytes.last == 46 { bytes.removeLast() }
        }
        var start = 0
        while start < bytes.count - 1, bytes[start] == 48, bytes[start + 1] != 46 { start += 1 }
        var magnitude = String(decoding: bytes[start...], as: UTF8.self)
        if magnitude.isEmpty || magnitude.utf8.first == 46 { magnitude = "0" + magnitude }
        return negative && magnitude != "0" ? "-" + magnitude : magnitude
    }
}

/// A double as an integer over a power of ten, `magnitude / 10^scale`, with the fewest
/// fraction digits that read back as the same double — found with integer arithmetic, no text.
public struct ScaledDecimal: Hashable, Sendable {
    public var isNegative: Bool
    public var magnitude: UInt64
    public var scale: Int

    public init(isNegative: Bool, magnitude: UInt64, scale: Int) {
        self.isNegative = isNegative
        self.magnitude = magnitude
        self.scale = scale
    }

    /// An integer, with no fraction digits.
    public init(integer: Int64) {
        self.init(isNegative: integer < 0, magnitude: integer.magnitude, scale: 0)
    }

    /// Nil for numbers that are not finite, not below 2^53, or need more than 15 fraction digits.
    public init?(_ number: Double) {
        let absolute = number.magnitude
        guard absolute < 9_007_199_254_740_992 else { return nil }
        var power = 1.0
        for scale in 0...15 {
            // power is exact (10^15 < 2^53), and so is a candidate below 2^53: their quotient is
            // correctly rounded, i.e. exactly the double the decimal text reads as.
            let candidate = (absolute * power).rounded()
            if candidate < 9_007_199_254_740_992, candidate / power == absolute {
                isNegative = number < 0 && candidate != 0
                magnitude = UInt64(candidate)
                self.scale = scale
                return
            }
            power *= 10
        }
        return nil
    }

    /// `-12.05`.
    public var text: String {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``text``'s UTF-8 bytes.
    public func append(to buffer: inout [UInt8]) {
        if isNegative { buffer.append(45) }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes: room for 20 digits, padding and a point
        withUnsafeMutableBytes(of: &digits) { raw in
            var end = raw.count, rest = magnitude, written = 0
            repeat {
                if written == scale, scale > 0 { end -= 1; raw[end] = 46 }
                end -= 1
                raw[end] = UInt8(48 + rest % 10)
                rest /= 10
                written += 1
            } while rest > 0 || written <= scale
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[end...]))
        }
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// PostgreSQL's COPY text format: fields separated by tabs, rows by newlines, NULL as `\N`, and
/// backslash, tab, newline and carriage return escaped with a backslash.
public enum CopyTextFormat {
    /// Appends one row to `buffer`.
    public static func appendRow(_ fields: [String?], to buffer: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.append(9) }
            if var field {
                field.withUTF8 { appendField($0, to: &buffer) }
            } else {
                appendNull(to: &buffer)
            }
        }
        buffer.append(10)
    }

    /// An integer's digits.
    public static func appendInteger(_ number: Int64, to buffer: inout [UInt8]) {
        ScaledDecimal(integer: number).append(to: &buffer)
    }

    /// `\N`.
    public static func appendNull(to buffer: inout [UInt8]) {
        buffer.append(92)
        buffer.append(78)
    }

    /// One field's bytes, escaped.
    public static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        if !bytes.contains(where: { $0 == 92 || $0 == 9 || $0 == 10 || $0 == 13 }) {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case 92: buffer.append(92); buffer.append(92)
            case 9: buffer.append(92); buffer.append(116)
            case 10: buffer.append(92); buffer.append(110)
            case 13: buffer.append(92); buffer.append(114)
            default: buffer.append(byte)
            }
        }
    }
}
