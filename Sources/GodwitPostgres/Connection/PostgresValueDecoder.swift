import NIOCore
import PostgresNIO
import GodwitCore

/// Turns PostgreSQL's binary result cells into ``DatabaseValue``s without losing precision.
///
/// postgres-nio asks for every result column in binary format. Integers, floats, booleans,
/// text and bytea map directly; `numeric`, `date`, `time`, `timestamp` and `timestamptz` are
/// decoded here from their wire format into PostgreSQL's own text form, digit for digit
/// (https://github.com/postgres/postgres/blob/master/src/backend/utils/adt/numeric.c,
/// `numeric_send`); `uuid` and `json`/`jsonb` become text. Values of other types must be cast to
/// text in the query.
enum PostgresValueDecoder {
    static func decode(_ cell: PostgresCell, column: Int) throws -> DatabaseValue {
        guard var buffer = cell.bytes else { return .null }
        if cell.format == .text {
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        }
        switch cell.dataType {
        case .bool:
            return .integer(buffer.readInteger(as: UInt8.self) == 0 ? 0 : 1)
        case .int2:
            return .integer(Int64(buffer.readInteger(as: Int16.self) ?? 0))
        case .int4:
            return .integer(Int64(buffer.readInteger(as: Int32.self) ?? 0))
        case .int8:
            return .integer(buffer.readInteger(as: Int64.self) ?? 0)
        case .oid:
            return .integer(Int64(buffer.readInteger(as: UInt32.self) ?? 0))
        case .float4:
            return .real(Double(Float(bitPattern: buffer.readInteger(as: UInt32.self) ?? 0)))
        case .float8:
            return .real(Double(bitPattern: buffer.readInteger(as: UInt64.self) ?? 0))
        case .text, .varchar, .bpchar, .name, .json:
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        case .jsonb:
            _ = buffer.readInteger(as: UInt8.self)  // version byte
            return .text(buffer.readString(length: buffer.readableBytes) ?? "")
        case .bytea:
            return .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .uuid:
            let string = try String(from: &buffer, type: .uuid, format: .binary, context: .default)
            return .text(string.lowercased())
        case .numeric:
            return .text(numericText(&buffer))
        case .date:
            return .text(dateText(days: Int64(buffer.readInteger(as: Int32.self) ?? 0)))
        case .time:
            return .text(timeText(microseconds: buffer.readInteger(as: Int64.self) ?? 0))
        case .timestamp:
            return .text(timestampText(microseconds: buffer.readInteger(as: Int64.self) ?? 0, zone: ""))
        case .timestamptz:
            return .text(timestampText(microseconds: buffer.readInteger(as: Int64.self) ?? 0, zone: "+00"))
        default:
            if cell.dataType.rawValue >= 16384, let text = buffer.readString(length: buffer.readableBytes) {
                return .text(text)  // user-defined types sent as text (enums)
            }
            throw GodwitError(
                .queryFailed, "Cannot read result column \(column + 1)",
                reason: "PostgreSQL type oid \(cell.dataType.rawValue) (SELECT \(cell.dataType.rawValue)::regtype names it) has no binary decoder in Godwit, and this read does not cast it to text",
                remedy: "This is a gap in Godwit: please report the type. Meanwhile, in a copy, leave the column out (`skip: true` under its table in the copy file) or add it as a computed column that casts it to text."
            )
        }
    }

    /// `numeric_send`: ndigits, weight, sign, dscale, then base-10000 digits.
    static func numericText(_ buffer: inout ByteBuffer) -> String {
        guard let count = buffer.readInteger(as: Int16.self),
              let weight = buffer.readInteger(as: Int16.self),
              let sign = buffer.readInteger(as: UInt16.self),
              let scale = buffer.readInteger(as: Int16.self)
        else { return "NaN" }
        switch sign {
        case 0xC000: return "NaN"
        case 0xD000: return "Infinity"
        case 0xF000: return "-Infinity"
        default: break
        }
        var digits: [Int16] = []
        for _ in 0..<Int(count) { digits.append(buffer.readInteger(as: Int16.self) ?? 0) }
        var integerPart = ""
        if weight < 0 {
            integerPart = "0"
        } else {
            for index in 0...Int(weight) {
                let group = index < digits.count ? Int(digits[index]) : 0
                integerPart += index == 0 ? String(group) : pad(group, 4)
            }
        }
        var fraction = ""
        if scale > 0 {
            var index = Int(weight) + 1
            while fraction.count < Int(scale) {
                let group = index >= 0 && index < digits.count ? Int(digits[index]) : 0
                fraction += pad(group, 4)
                index += 1
            }
            fraction = String(fraction.prefix(Int(scale)))
        }
        let text = fraction.isEmpty ? integerPart : integerPart + "." + fraction
        return sign == 0x4000 ? "-" + text : text
    }

    /// `YYYY-MM-DD` from days since 2000-01-01 (proleptic Gregorian, as PostgreSQL prints it).
    static func dateText(days: Int64) -> String {
        if days == Int64(Int32.max) { return "infinity" }
        if days == Int64(Int32.min) { return "-infinity" }
        let (year, month, day) = civilDate(daysSince1970: days + 10957)
        return yearText(year) + "-" + pad(month, 2) + "-" + pad(day, 2) + (year <= 0 ? " BC" : "")
    }

    /// `HH:MM:SS[.ffffff]`.
    static func timeText(microseconds: Int64) -> String {
        let seconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        var text = pad(Int(seconds / 3600), 2) + ":" + pad(Int(seconds / 60 % 60), 2) + ":" + pad(Int(seconds % 60), 2)
        if fraction != 0 {
            var digits = pad(Int(fraction), 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` from microseconds since 2000-01-01 00:00, in UTC.
    static func timestampText(microseconds: Int64, zone: String) -> String {
        if microseconds == Int64.max { return "infinity" }
        if microseconds == Int64.min { return "-infinity" }
        let perDay: Int64 = 86_400_000_000
        var days = microseconds / perDay
        var rest = microseconds % perDay
        if rest < 0 {
            rest += perDay
            days -= 1
        }
        let (year, month, day) = civilDate(daysSince1970: days + 10957)
        let date = yearText(year) + "-" + pad(month, 2) + "-" + pad(day, 2)
        return date + " " + timeText(microseconds: rest) + zone + (year <= 0 ? " BC" : "")
    }

    /// The civil date of a day count (the algorithm lives with ``TemporalValue``).
    private static func civilDate(daysSince1970 days: Int64) -> (Int, Int, Int) {
        let (year, month, day) = TemporalValue.civil(days: days)
        return (Int(year), Int(month), Int(day))
    }

    private static func yearText(_ year: Int) -> String {
        pad(year <= 0 ? 1 - year : year, 4)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
