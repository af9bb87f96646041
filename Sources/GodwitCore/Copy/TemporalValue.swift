public import Foundation

/// A point in time read from whatever a database holds for it: ISO 8601 text (with or without
/// a zone, with `T` or a space), a date alone, epoch seconds, milliseconds or microseconds, or
/// a Julian day number (SQLite's `julianday()`). How it was written is kept, so a copy can report
/// the formats it found per column — and an integer like 1700000000 is read as epoch seconds,
/// never as the year 1700000000.
public struct TemporalValue: Hashable, Sendable {
    /// How the value was written.
    public enum Format: String, Hashable, Codable, Sendable, CaseIterable {
        case date = "date text"
        case localText = "date-time text without zone"
        case zonedText = "date-time text with zone"
        case epochSeconds = "epoch seconds"
        case epochMilliseconds = "epoch milliseconds"
        case epochMicroseconds = "epoch microseconds"
        case julianDay = "Julian day"
    }

    /// Microseconds since 1970-01-01 00:00:00, in UTC when `isZoned`, otherwise on the wall
    /// clock of an unstated zone.
    public var microseconds: Int64
    /// Whether the value named its zone (or is an epoch number, which is UTC by definition).
    public var isZoned: Bool
    public var format: Format

    /// How an integer epoch is scaled; `automatic` decides by magnitude.
    public enum EpochUnit: String, Codable, Sendable, CaseIterable {
        case automatic = "auto", seconds, milliseconds, microseconds
    }

    /// Reads a database value; nil when it is not a point in time in any known form.
    public init?(_ value: DatabaseValue, epochUnit: EpochUnit = .automatic) {
        switch value {
        case .integer(let number): self.init(epoch: number, unit: epochUnit)
        case .real(let number):
            guard number.isFinite else { return nil }
            if epochUnit == .automatic, number > 1_000_000, number < 10_000_000 {
                // julianday('1970-01-01') = 2440587.5
                self.init(microseconds: Int64(((number - 2_440_587.5) * 86_400_000_000).rounded()), isZoned: true, format: .julianDay)
            } else if number.rounded() == number, number.magnitude < 9e15 {
                self.init(epoch: Int64(number), unit: epochUnit)
            } else {
                let scale: Double = epochUnit == .milliseconds ? 1_000 : epochUnit == .microseconds ? 1 : 1_000_000
                guard (number * scale).magnitude < 9e18 else { return nil }
                self.init(microseconds: Int64((number * scale).rounded()), isZoned: true,
                          format: epochUnit == .milliseconds ? .epochMilliseconds : epochUnit == .microseconds ? .epochMicroseconds : .epochSeconds)
            }
        case .text(var text):
            guard let parsed = text.withUTF8({ Self.parse(bytes: $0, epochUnit: epochUnit) }) else { return nil }
            self = parsed
        case .null, .blob: return nil
        }
    }

    public init(microseconds: Int64, isZoned: Bool, format: Format) {
        self.microseconds = microseconds
        self.isZoned = isZoned
        self.format = format
    }

    private init(epoch number: Int64, unit: EpochUnit) {
        var unit = unit
        if unit == .automatic {
            let magnitude = number.magnitude
            // Seconds reach 1e11 only in the year 5138; milliseconds reach 1e14 in 5138 too.
            unit = magnitude < 100_000_000_000 ? .seconds : magnitude < 100_000_000_000_000 ? .milliseconds : .microseconds
        }
        switch unit {
        case .seconds, .automatic: self.init(microseconds: number &* 1_000_000, isZoned: true, format: .epochSeconds)
        case .milliseconds: self.init(microseconds: number &* 1_000, isZoned: true, format: .epochMilliseconds)
        case .microseconds: self.init(microseconds: number, isZoned: true, format: .epochMicroseconds)
        }
    }

    /// The value in UTC, a zone-less one read as wall-clock time in `zone`.
    public func utcMicroseconds(zone: TimeZone) -> Int64 {
        guard !isZoned else { return microseconds }
        let seconds = Double(microseconds) / 1_000_000
        let guess = seconds - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds)))
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: guess))
        return microseconds - Int64(offset) * 1_000_000
    }

    /// Days since 1970-01-01 of the value's date (on its own clock).
    public var days: Int64 { Self.dayAndTime(microseconds).days }

    /// The day since 1970-01-01 that microseconds since its start fall on, and the microseconds
    /// into that day (never negative: a moment before 1970 falls on an earlier day).
    static func dayAndTime(_ microseconds: Int64) -> (days: Int64, microsecondOfDay: Int64) {
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay, rest = microseconds % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        return (days, rest)
    }

    // MARK: Text

    /// `YYYY-MM-DD`, then optionally `T` or a space, `HH:MM`, `:SS`, `.fraction`, and a zone `Z`,
    /// `±HH`, `±HHMM` or `±HH:MM` (with or without a space before it).
    /// Reads UTF-8 text in place (a database's buffer).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>, epochUnit: EpochUnit = .automatic) {
        guard let parsed = Self.parse(bytes: bytes, epochUnit: epochUnit) else { return nil }
        self = parsed
    }

    static func parse(_ text: String) -> TemporalValue? {
        var text = text
        return text.withUTF8 { parse(bytes: $0, epochUnit: .automatic) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, epochUnit: EpochUnit) -> TemporalValue? {
        var lower = 0, upper = bytes.count
        while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 || bytes[upper - 1] == 10 { upper -= 1 }
        let trimmed = UnsafeBufferPointer(rebasing: bytes[lower..<upper])
        // An integer in text: an epoch.
        if !trimmed.isEmpty, trimmed.allSatisfy({ (48...57).contains($0) }) || (trimmed[0] == 45 && trimmed.count > 1 && trimmed.dropFirst().allSatisfy({ (48...57).contains($0) })) {
            guard let number = Int64(String(decoding: trimmed, as: UTF8.self)) else { return nil }
            return TemporalValue(epoch: number, unit: epochUnit)
        }
        var scanner = DigitScanner(trimmed)
        guard let year = scanner.number(digits: 4), scanner.take("-"), let month = scanner.number(digits: 2), scanner.take("-"),
              let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = Self.days(year: year, month: month, day: day)
        if scanner.isAtEnd { return TemporalValue(microseconds: days * 86_400_000_000, isZoned: false, format: .date) }
        guard scanner.take("T") || scanner.take(" "), let hour = scanner.number(digits: 2), scanner.take(":"),
              let minute = scanner.number(digits: 2), hour < 24, minute < 60 else { return nil }
        var second: Int64 = 0, fraction: Int64 = 0
        if scanner.take(":") {
            guard let value = scanner.number(digits: 2), value < 61 else { return nil }
            second = value
            if scanner.take(".") || scanner.take(",") {
                var digits = 0, seventh: Int64 = 0, beyond = false
                while let digit = scanner.digit() {
                    if digits < 6 { fraction = fraction * 10 + digit } else if digits == 6 { seventh = digit } else if digit != 0 { beyond = true }
                    digits += 1
                }
                guard digits > 0 else { return nil }
                for _ in digits..<max(digits, 6) { fraction *= 10 }
                // Beyond microseconds, round to the nearest (ties to even), as PostgreSQL does.
                if seventh > 5 || (seventh == 5 && (beyond || fraction % 2 == 1)) { fraction += 1 }
            }
        }
        var micros = ((days * 24 + hour) * 60 + minute) * 60_000_000 + second * 1_000_000 + fraction
        _ = scanner.take(" ")
        if scanner.isAtEnd { return TemporalValue(microseconds: micros, isZoned: false, format: .localText) }
        if scanner.take("Z") || scanner.take("z") {
            return scanner.isAtEnd ? TemporalValue(microseconds: micros, isZoned: true, format: .zonedText) : nil
        }
        let sign: Int64
        if scanner.take("+") { sign = 1 } else if scanner.take("-") { sign = -1 } else { return nil }
        guard let zoneHours = scanner.number(digits: 2) else { return nil }
        var zoneMinutes: Int64 = 0
        if !scanner.isAtEnd {
            _ = scanner.take(":")
            guard let value = scanner.number(digits: 2) else { return nil }
            zoneMinutes = value
        }
        guard scanner.isAtEnd else { return nil }
        micros -= sign * (zoneHours * 60 + zoneMinutes) * 60_000_000
        return TemporalValue(microseconds: micros, isZoned: true, format: .zonedText)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date
    /// (https://howardhinnant.github.io/date_algorithms.html, days_from_civil).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count (civil_from_days).
    public static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Appends PostgreSQL's text of a `timestamp` (or, `withZone`, a `timestamptz` read with
    /// `TimeZone = UTC`) under `DateStyle = ISO`: `2024-01-31 12:00:00.25`, at least four year
    /// digits, the fraction without trailing zeros, `+00`, and ` BC` for years before 1.
    public static func appendPostgresText(microseconds: Int64, withZone: Bool, to buffer: inout [UInt8]) {
        let (days, rest) = dayAndTime(microseconds)
        let (year, month, day) = civil(days: days)
        let printedYear = year > 0 ? year : 1 - year
        let seconds = rest / 1_000_000
        var fraction = rest % 1_000_000, fractionDigits = 6
        if fraction != 0 {
            while fraction % 10 == 0 { fraction /= 10; fractionDigits -= 1 }
        } else {
            fractionDigits = 0
        }
        // Written back to front into 48 bytes on the stack, appended once.
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &storage) { raw in
            var end = raw.count
            func put(_ byte: UInt8) { end -= 1; raw[end] = byte }
            func put(_ value: Int64, width: Int) {
                var rest = value, written = 0
                repeat {
                    put(UInt8(truncatingIfNeeded: 48 + rest % 10))
                    rest /= 10
                    written += 1
                } while rest > 0 || written < width
            }
            if year <= 0 { put(67); put(66); put(32) }  // " BC"
            if withZone { put(48); put(48); put(43) }  // "+00"
            if fractionDigits > 0 { put(fraction, width: fractionDigits); put(46) }
            put(seconds % 60, width: 2); put(58)
            put(seconds / 60 % 60, width: 2); put(58)
            put(seconds / 3600, width: 2); put(32)
            put(day, width: 2); put(45)
            put(month, width: 2); put(45)
            put(printedYear, width: 4)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[end...]))
        }
    }

    /// `2024-01-31 12:00:00.250000` for microseconds since the epoch (no zone suffix).
    public static func text(microseconds: Int64, dateOnly: Bool = false) -> String {
        let (days, rest) = dayAndTime(microseconds)
        let (year, month, day) = civil(days: days)
        guard (0...9999).contains(year) else {
            // Outside four-digit years: the general (slower) spelling.
            let date = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
            return dateOnly ? date : date + " " + text(microseconds: rest, dateOnly: false).dropFirst(11)
        }
        let seconds = rest / 1_000_000, fraction = rest % 1_000_000
        let length = dateOnly ? 10 : (fraction == 0 ? 19 : 26)
        return String(unsafeUninitializedCapacity: length) { buffer in
            func put(_ value: Int64, at position: Int, width: Int) {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(48 + rest % 10)
                    rest /= 10
                }
            }
            put(year, at: 0, width: 4); buffer[4] = 45; put(month, at: 5, width: 2); buffer[7] = 45; put(day, at: 8, width: 2)
            if !dateOnly {
                buffer[10] = 32; put(seconds / 3600, at: 11, width: 2); buffer[13] = 58
                put(seconds / 60 % 60, at: 14, width: 2); buffer[16] = 58; put(seconds % 60, at: 17, width: 2)
                if fraction != 0 { buffer[19] = 46; put(fraction, at: 20, width: 6) }
            }
            return length
        }
    }
}

/// Reads ASCII digits and marks from UTF-8 bytes.
private struct DigitScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func take(_ mark: Unicode.Scalar) -> Bool {
        guard position < bytes.count, bytes[position] == UInt8(truncatingIfNeeded: mark.value) else { return false }
        position += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard position < bytes.count, (48...57).contains(bytes[position]) else { return nil }
        defer { position += 1 }
        return Int64(bytes[position] - 48)
    }

    mutating func number(digits: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<digits {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}

extension TimeZone {
    /// Whether this is UTC under either of its names: zone-less times read in it need no
    /// offset arithmetic.
    public var isUTC: Bool { ["UTC", "GMT"].contains(identifier) }
}
