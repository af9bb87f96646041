import GodwitCore

/// `numeric` in PostgreSQL's binary form (`numeric_send` in
/// https://github.com/postgres/postgres/blob/master/src/backend/utils/adt/numeric.c): 16-bit
/// digit count, weight (the power of 10000 of the first digit), sign and display scale, then
/// the digits in base 10000. The server applies the column's precision and scale on receipt,
/// exactly as for text.
enum PostgresNumeric {
    private static let positive: Int16 = 0x0000, negative: Int16 = 0x4000, notANumber = Int16(bitPattern: 0xC000)
    private static let plusInfinity = Int16(bitPattern: 0xD000), minusInfinity = Int16(bitPattern: 0xF000)

    /// `magnitude / 10^scale`, negated when `isNegative`.
    static func append(magnitude: UInt64, scale: Int, isNegative: Bool, to buffer: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            // Decimal digits, left-padded with zeros so at least one precedes the fraction.
            var count = 0, rest = magnitude
            repeat {
                digits[39 - count] = UInt8(48 + rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count <= scale { digits[39 - count] = 48; count += 1 }
            let start = 40 - count
            let all = UnsafeBufferPointer(rebasing: digits[start..<40])
            appendDigits(isNegative: isNegative && magnitude != 0,
                         integer: UnsafeBufferPointer(rebasing: all[..<(count - scale)]),
                         fraction: UnsafeBufferPointer(rebasing: all[(count - scale)...]), to: &buffer)
        }
    }

    /// Decimal text: `[+-]digits[.digits][e[+-]digits]`, `NaN` or `[+-]Infinity`.
    static func append(text: String, to buffer: inout [UInt8]) throws {
        let trimmed = text.trimmingWhitespace()
        switch trimmed.lowercased() {
        case "nan": return appendSpecial(notANumber, to: &buffer)
        case "infinity", "+infinity", "inf", "+inf": return appendSpecial(plusInfinity, to: &buffer)
        case "-infinity", "-inf": return appendSpecial(minusInfinity, to: &buffer)
        default: break
        }
        var bytes = Array(trimmed.utf8)[...]
        var isNegative = false
        if let sign = bytes.first, sign == 43 || sign == 45 { isNegative = sign == 45; bytes = bytes.dropFirst() }
        var exponent = 0
        if let mark = bytes.firstIndex(where: { $0 == 101 || $0 == 69 }) {
            guard let value = Int(String(decoding: bytes[(mark + 1)...], as: UTF8.self)), value.magnitude < 100_000 else {
                throw ConversionFailure("text that is not a number in a numeric column")
            }
            exponent = value
            bytes = bytes[..<mark]
        }
        let point = bytes.firstIndex(of: 46)
        let integerPart = point.map { bytes[..<$0] } ?? bytes
        let fractionPart = point.map { bytes[($0 + 1)...] } ?? []
        guard integerPart.count + fractionPart.count > 0, (integerPart + fractionPart).allSatisfy({ (48...57).contains($0) }) else {
            throw ConversionFailure("text that is not a number in a numeric column")
        }
        // Move the point by the exponent: all digits, and where the point falls among them.
        var digits = Array(integerPart) + Array(fractionPart)
        var pointAt = integerPart.count + exponent
        if pointAt < 0 { digits.insert(contentsOf: repeatElement(48, count: -pointAt), at: 0); pointAt = 0 }
        if pointAt > digits.count { digits.append(contentsOf: repeatElement(48, count: pointAt - digits.count)) }
        guard digits.count - pointAt <= 16_383, pointAt <= 131_072 else { throw ConversionFailure("a number beyond the range of numeric") }
        digits.withUnsafeBufferPointer { all in
            appendDigits(isNegative: isNegative, integer: UnsafeBufferPointer(rebasing: all[..<pointAt]),
                         fraction: UnsafeBufferPointer(rebasing: all[pointAt...]), to: &buffer)
        }
    }

    /// The binary form of ASCII digits before and after the point.
    private static func appendDigits(isNegative: Bool, integer: UnsafeBufferPointer<UInt8>, fraction: UnsafeBufferPointer<UInt8>,
                                     to buffer: inout [UInt8]) {
        var integer = integer[...]
        while integer.first == 48 { integer = integer.dropFirst() }
        let scale = fraction.count
        let integerGroups = (integer.count + 3) / 4
        let fractionGroups = (scale + 3) / 4
        // Base-10000 digit `index` (0 = the first integer group, or the first fraction group
        // when there is no integer part).
        func group(_ index: Int) -> Int16 {
            var value: Int16 = 0
            if index < integerGroups {
                // Integer groups are aligned on the point: the first may be short.
                let end = integer.endIndex - (integerGroups - 1 - index) * 4
                for position in max(integer.startIndex, end - 4)..<end { value = value * 10 + Int16(integer[position] - 48) }
            } else {
                let start = (index - integerGroups) * 4
                for position in start..<(start + 4) { value = value * 10 + (position < scale ? Int16(fraction[position] - 48) : 0) }
            }
            return value
        }
        var first = 0, last = integerGroups + fractionGroups
        while first < last, group(first) == 0 { first += 1 }
        while last > first, group(last - 1) == 0 { last -= 1 }
        let count = last - first
        PostgresBinaryCopy.appendBigEndian(Int32(8 + 2 * count), to: &buffer)
        PostgresBinaryCopy.appendBigEndian(Int16(count), to: &buffer)
        PostgresBinaryCopy.appendBigEndian(count == 0 ? 0 : Int16(truncatingIfNeeded: integerGroups - 1 - first), to: &buffer)
        PostgresBinaryCopy.appendBigEndian(count > 0 && isNegative ? negative : positive, to: &buffer)
        PostgresBinaryCopy.appendBigEndian(Int16(truncatingIfNeeded: scale), to: &buffer)
        for index in first..<last { PostgresBinaryCopy.appendBigEndian(group(index), to: &buffer) }
    }

    private static func appendSpecial(_ sign: Int16, to buffer: inout [UInt8]) {
        PostgresBinaryCopy.appendBigEndian(Int32(8), to: &buffer)
        for field in [0, 0, sign, 0] as [Int16] { PostgresBinaryCopy.appendBigEndian(field, to: &buffer) }
    }
}
