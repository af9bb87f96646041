import Crypto
public import Foundation

/// The checksum recorded for a migration file, so that a file changed after it was applied is
/// noticed (drift).
public enum MigrationChecksum {
    /// SHA-384 of the bytes, as bytes: sqlx's checksum of a migration's SQL.
    public static func sha384(_ data: Data) -> [UInt8] {
        Array(SHA384.hash(data: data))
    }

    /// SHA-256 of the bytes, as lowercase hex.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
