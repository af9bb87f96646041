/// Flyway's checksum of a SQL script: CRC32 over each line without its line ending (a leading
/// byte-order mark dropped), read as a signed 32-bit integer — what `flyway validate` compares.
public enum FlywayChecksum {
    public static func of(_ text: String) -> Int32 {
        var crc: UInt32 = 0xFFFF_FFFF
        var body = Substring(text)
        if body.hasPrefix("\u{FEFF}") { body = body.dropFirst() }
        for line in body.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            for byte in line.utf8 {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
        }
        return Int32(bitPattern: ~crc)
    }
}
