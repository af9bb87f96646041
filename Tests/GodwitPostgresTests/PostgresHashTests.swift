import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTesting
import Testing

/// godwit's port of PostgreSQL's `hash_bytes_extended`, held against the server's own
/// `hashtextextended`: both sides of a cross-engine checksum must hash alike.
@Suite("PostgreSQL's text hash")
struct PostgresHashTests {
    @Test("Every length from 0 to 40 bytes (each tail of the 12-byte blocks), multibyte text and seeds hash as the server hashes them")
    func sameAsServer() async throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        var texts: [String] = []
        for length in 0...40 {
            var text = ""
            for position in 0..<length { text.append(alphabet[(position * 7 + length) % 26]) }
            texts.append(text)
        }
        texts += ["ünïcödé 𝄞", "tab\there", "3:abc1:x-", String(repeating: "godwit ", count: 100)]
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            for seed: Int64 in [0, 42, -7] {
                let values = texts.map(DatabaseValue.text)
                let placeholders = texts.indices.map { "hashtextextended($\($0 + 1), \(seed))" }.joined(separator: ", ")
                let row = try #require(try await driver.query(unsafeSQL: "SELECT \(placeholders)", bindings: values).first)
                for (index, text) in texts.enumerated() {
                    let mine = Int64(bitPattern: PostgresHash.bytesExtended(Array(text.utf8), seed: UInt64(bitPattern: seed)))
                    #expect(row[index].integerValue == mine, "length \(text.utf8.count), seed \(seed)")
                }
            }
        }
    }
}
