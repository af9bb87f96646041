import Foundation
import GodwitCore
import Testing

/// The row digest of a cross-engine comparison: values read in place must hash exactly as the
/// general path (a Swift value, its canonical text) hashes them, and the digest must tell apart
/// rows a weaker one would not.
@Suite("Cross-engine row digests")
struct CanonicalDigestTests {
    /// Values of every storage class, with the ones that take a fast path and the ones that do not.
    static let values: [DatabaseValue] = [
        .null, .integer(0), .integer(-42), .integer(Int64.max), .real(12.5), .real(-0.0), .real(1e300), .real(.nan), .real(0.1),
        .real(2_459_000.5), .real(1_700_000_000.25), .text(""), .text("12.50"), .text(" 7 "), .text("abc"), .text("héllo"),
        .text("?odd"), .text("\u{0}N"), .text("t"), .text("2020-01-01 00:00:17"), .text("2020-01-01T00:00:17.5Z"),
        .text("2020-06-01 12:00:00+02:00"), .text("2020-01-01"), .text("0001-01-01 00:00:00"), .text("1700000000"),
        .text("{\"b\": 1, \"a\": 2}"), .text("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), .blob([0xff, 0x00, 0x41]), .blob([]),
        .integer(1_700_000_000),
    ]

    static let kinds: [ValueKind] = [.integer, .decimal, .float, .boolean, .date, .timestamp, .timestamptz, .blob, .uuid, .json, .text, .time, .other]

    @Test("Every kind × every stored value: the in-place path digests as the general path does (sums, NULLs, invalid values, times)",
          arguments: [false, true])
    func inPlaceEqualsGeneral(awayFromUTC: Bool) {
        for kind in Self.kinds {
            for single in [false, true] where single == false || [.integer, .decimal, .float].contains(kind) {
                let zone = TimeZone(identifier: awayFromUTC ? "Europe/Paris" : "UTC")!
                let form = CanonicalForm(kinds: [kind], zones: [zone], singlePrecision: single ? [true] : nil)
                for value in Self.values {
                    var general = CanonicalDigest(form: form), inPlace = CanonicalDigest(form: form)
                    general.add([value])
                    Self.borrowing(value) { borrowed in inPlace.add(columns: 1) { _ in borrowed } }
                    let label = "\(kind) \(value) single \(single) zone \(zone.identifier)"
                    #expect(general.sum == inPlace.sum, "\(label)")
                    #expect(general.nulls == inPlace.nulls && general.invalid == inPlace.invalid, "\(label)")
                    #expect(general.earliest == inPlace.earliest && general.latest == inPlace.latest, "\(label)")
                }
            }
        }
    }

    @Test("A row digest tells NULL from '' and from the NULL mark's text, depends on column order, and values swapped between rows change the sum")
    func tellsApart() {
        let form = CanonicalForm(kinds: [.text, .text])
        func sum(_ rows: [[DatabaseValue]]) -> UInt64 {
            var digest = CanonicalDigest(form: form)
            for row in rows { digest.add(row) }
            return digest.sum
        }
        #expect(sum([[.null, .text("a")]]) != sum([[.text(""), .text("a")]]))
        #expect(sum([[.text("a"), .text("b")]]) != sum([[.text("b"), .text("a")]]))
        #expect(sum([[.text("ab"), .text("")]]) != sum([[.text("a"), .text("b")]]))
        // Two rows with their second values swapped: a sum of per-value hashes would not change.
        #expect(sum([[.text("1"), .text("x")], [.text("2"), .text("y")]]) != sum([[.text("1"), .text("y")], [.text("2"), .text("x")]]))
        // The order rows arrive in does not matter.
        #expect(sum([[.text("1"), .text("x")], [.text("2"), .text("y")]]) == sum([[.text("2"), .text("y")], [.text("1"), .text("x")]]))
    }

    @Test("A point in time is hashed as the server prints it: fraction without trailing zeros, +00 with a zone, BC before year 1")
    func timeText() {
        func text(_ micros: Int64, zone: Bool) -> String {
            var bytes: [UInt8] = []
            TemporalValue.appendPostgresText(microseconds: micros, withZone: zone, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(text(1_577_836_817_000_000, zone: false) == "2020-01-01 00:00:17")
        #expect(text(1_577_836_817_250_000, zone: true) == "2020-01-01 00:00:17.25+00")
        #expect(text(-1, zone: false) == "1969-12-31 23:59:59.999999")
        #expect(text(-62_135_596_800_000_001, zone: false) == "0001-12-31 23:59:59.999999 BC")
        #expect(text(253_402_300_800_000_000, zone: true) == "10000-01-01 00:00:00+00")
        let form = CanonicalForm(kinds: [.timestamptz])
        #expect(form.digestText(.text("2020-01-01 02:00:17+02:00"), column: 0).text == "2020-01-01 00:00:17+00")
        #expect(form.digestText(.text("not a time"), column: 0).classification == .invalid)
    }

    /// Runs `body` with `value` as a reader that reads in place would hand it over.
    static func borrowing(_ value: DatabaseValue, _ body: (BorrowedValue) -> Void) {
        switch value {
        case .null: body(.null)
        case .integer(let number): body(.integer(number))
        case .real(let number): body(.real(number))
        case .text(var text): text.withUTF8 { body(.text($0)) }
        case .blob(let bytes): bytes.withUnsafeBufferPointer { body(.blob($0)) }
        }
    }
}
