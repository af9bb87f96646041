import GRDB

/// `godwit_hash(text)`: a 64-bit FNV-1a hash of a row's canonical text, for order-independent
/// table checksums (SQLite has no built-in hash). Pure, so SQLite may cache it.
enum RowHashFunction {
    static let function = DatabaseFunction("godwit_hash", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]) else { return nil }
        return Int64(bitPattern: fnv1a(text))
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
