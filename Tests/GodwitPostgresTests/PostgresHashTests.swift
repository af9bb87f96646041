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

/// A row digest hashes a point in time as the server prints it: godwit writes that text itself.
@Suite("PostgreSQL's text of points in time")
struct PostgresTimestampTextTests {
    @Test("Every point from 4713 BC to 294276 AD, with and without a fraction or a zone, is written as the server writes it under UTC and ISO dates")
    func sameAsServer() async throws {
        let perDay: Int64 = 86_400_000_000
        var points: [Int64] = [0, -1, 1, 500_000, 123_450, 999_999, -86_400_000_000, 253_402_300_799_999_999,  // 9999-12-31 23:59:59.999999
                              
                               -62_135_596_800_000_000,  // 0001-01-01: the first year AD
                               -62_135_596_800_000_001,  // the last microsecond of 1 BC
                               -62_167_219_200_000_000,  // 0001-01-01 BC
                               253_402_300_800_000_000,  // 10000-01-01: five year digits
                               -210_866_803_200_000_000, // 4714-11-24 BC, the first day the server holds
                               9_224_318_015_999_999]    // 294276-12-31 23:59:59.999999, the last
        var generator = SplitMix(seed: 20261207)
        for _ in 0..<400 { points.append(Int64(generator.next() % 220_091_121_216_000_000) - 210_866_803_200_000_000) }
        for _ in 0..<100 { points.append(Int64(generator.next() % 4_000_000_000_000_000)) }  // 1970–2096, whole seconds and not
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            try await driver.execute(unsafeSQL: "SET TimeZone = 'UTC'")
            try await driver.execute(unsafeSQL: "SET DateStyle = 'ISO, YMD'")
            let rows = points.map { point -> String in
                var days = point / perDay, rest = point % perDay
                if rest < 0 { rest += perDay; days -= 1 }
                return "(\(days), \(rest)::int8)"
            }
            let printed = try await driver.query(unsafeSQL: """
                SELECT t::text, t::timestamptz::text
                FROM (SELECT (date '1970-01-01' + d)::timestamp + r * interval '1 microsecond' AS t FROM (VALUES \(rows.joined(separator: ", "))) AS v(d, r)) AS points
                """)
            #expect(printed.count == points.count)
            for (point, row) in zip(points, printed) {
                var plain: [UInt8] = [], zoned: [UInt8] = []
                TemporalValue.appendPostgresText(microseconds: point, withZone: false, to: &plain)
                TemporalValue.appendPostgresText(microseconds: point, withZone: true, to: &zoned)
                #expect(String(decoding: plain, as: UTF8.self) == row[0].textValue, "\(point)")
                #expect(String(decoding: zoned, as: UTF8.self) == row[1].textValue, "\(point)")
            }
        }
    }
}

/// A small deterministic generator, so a failure names a reproducible point.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A row digest hashes a double as the server prints it: godwit writes that text itself.
@Suite("PostgreSQL's text of doubles")
struct PostgresFloat8TextTests {
    @Test("Doubles of every magnitude, subnormals, integers past 2^53 and the special values are written as float8out writes them")
    func sameAsServer() async throws {
        var numbers: [Double] = [0, -0.0, 1, -1, 0.1, 0.1 + 0.2, 1e-7, 1e-5, 0.0001, 0.00012345, 123.5, 100, 1e14, 1e15, 123456789012345.6,
                                 1234567890123456.0, 9_007_199_254_740_993, 1e300, -1.5e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                                 .leastNormalMagnitude, 2.5e-8, 5e22, .nan, .infinity, -.infinity]
        var generator = SplitMix(seed: 8)
        for _ in 0..<1500 {
            let number = Double(bitPattern: generator.next())
            if number.isFinite { numbers.append(number) }
        }
        for _ in 0..<500 { numbers.append(Double(generator.next() % 10_000_000) / 100) }  // prices
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            try await driver.execute(unsafeSQL: "SET extra_float_digits = 1")
            let literals = numbers.map { number -> String in
                number.isNaN ? "'NaN'" : number.isInfinite ? (number < 0 ? "'-Infinity'" : "'Infinity'") : "'\(number)'"
            }
            let printed = try await driver.query(unsafeSQL: "SELECT v::float8::text FROM (VALUES \(literals.map { "(\($0))" }.joined(separator: ", "))) AS t(v)")
            #expect(printed.count == numbers.count)
            for (number, row) in zip(numbers, printed) {
                #expect(NumberText.postgresFloat8(number) == row[0].textValue, "\(number)")
            }
        }
    }
}
