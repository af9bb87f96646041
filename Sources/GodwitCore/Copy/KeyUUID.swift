import Crypto
import Foundation

/// The UUID an integer key becomes when the copy file says `uuid_key: true`: a name-based
/// UUID (version 5, SHA-1) of the source table and the key. The same key always gives the same
/// UUID, so a resumed copy, `sync` and every foreign key that referenced the row compute it
/// without looking anything up; the old → new map table is written for people and programs.
public enum KeyUUID {
    /// A fixed namespace for Godwit's key UUIDs (itself a version-4 UUID).
    static let namespace: [UInt8] = [0x6f, 0x2b, 0x1d, 0x84, 0x3c, 0x5e, 0x4f, 0x1a, 0x9b, 0x7e, 0x21, 0x0d, 0x55, 0xc3, 0x8a, 0x47]

    /// `xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx` for key `id` of `table`.
    public static func make(table: String, id: Int64) -> String {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespace)
        hasher.update(data: Array("\(table):\(id)".utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x50
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Hex.encode(bytes)
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
