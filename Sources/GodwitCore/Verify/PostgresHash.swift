/// PostgreSQL's `hash_bytes_extended` (`src/common/hashfn.c`: Bob Jenkins' lookup3, 64-bit
/// result), as `hashtextextended(text, seed)` computes it on little-endian servers — so SQLite's
/// side of a cross-engine checksum hashes exactly as PostgreSQL's does. A big-endian server
/// hashes differently; its checksums then disagree everywhere and the comparison goes row by row.
public enum PostgresHash {
    public static func bytesExtended(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        var a: UInt32 = 0x9e37_79b9 &+ UInt32(truncatingIfNeeded: bytes.count) &+ 3_923_095
        var b = a, c = a
        if seed != 0 {
            a &+= UInt32(truncatingIfNeeded: seed >> 32)
            b &+= UInt32(truncatingIfNeeded: seed)
            mix(&a, &b, &c)
        }
        var offset = 0, remaining = bytes.count
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while remaining >= 12 {
            a &+= word(offset)
            b &+= word(offset + 4)
            c &+= word(offset + 8)
            mix(&a, &b, &c)
            offset += 12
            remaining -= 12
        }
        // The last 0–11 bytes, little-endian within each word; c's lowest byte stays free.
        let tail = bytes[offset...]
        for (index, byte) in tail.enumerated() {
            let value = UInt32(byte)
            switch index {
            case 0..<4: a &+= value << (8 * UInt32(index))
            case 4..<8: b &+= value << (8 * UInt32(index - 4))
            default: c &+= value << (8 * UInt32(index - 7))
            }
        }
        final(&a, &b, &c)
        return UInt64(b) << 32 | UInt64(c)
    }

    public static func bytesExtended(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBufferPointer { bytesExtended($0, seed: seed) }
    }

    private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 { value << count | value >> (32 - count) }

    private static func mix(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        a &-= c; a ^= rotate(c, 4); c &+= b
        b &-= a; b ^= rotate(a, 6); a &+= c
        c &-= b; c ^= rotate(b, 8); b &+= a
        a &-= c; a ^= rotate(c, 16); c &+= b
        b &-= a; b ^= rotate(a, 19); a &+= c
        c &-= b; c ^= rotate(b, 4); b &+= a
    }

    private static func final(_ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32) {
        c ^= b; c &-= rotate(b, 14)
        a ^= c; a &-= rotate(c, 11)
        b ^= a; b &-= rotate(a, 25)
        c ^= b; c &-= rotate(b, 16)
        a ^= c; a &-= rotate(c, 4)
        b ^= a; b &-= rotate(a, 14)
        c ^= b; c &-= rotate(b, 24)
    }
}
