import Crypto
public import Foundation

/// The checksum recorded for a migration file, so that a file changed after it was applied is
/// noticed (drift).
public enum MigrationChecksum {
    /// SHA-256 of the bytes, as lowercase hex.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }
}
