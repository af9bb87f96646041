import Foundation
@testable import GodwitCore
import Testing

@Suite("Copy names, conversions and canonical values")
struct CopyConversionTests {
    @Test("snake_case splits words at case changes and acronyms", arguments: [
        ("InvoiceLine", "invoice_line"), ("TrackId", "track_id"), ("MediaTypeId", "media_type_id"),
        ("HTTPServer", "http_server"), ("already_snake", "already_snake"), ("Address2", "address2"), ("Billing Address", "billing_address"),
    ])
    func snakeCase(name: String, expected: String) {
        #expect(NameRule.snakeCase.apply(name) == expected)
    }

    @Test("Points in time are read from ISO text, epochs by magnitude, and Julian days; nonsense is not a time")
    func temporal() throws {
        let seconds = try #require(TemporalValue(.integer(1_700_000_000)))
        #expect(seconds.format == .epochSeconds && TemporalValue.text(microseconds: seconds.microseconds) == "2023-11-14 22:13:20")
        let millis = try #require(TemporalValue(.integer(1_700_000_000_123)))
        #expect(millis.format == .epochMilliseconds && TemporalValue.text(microseconds: millis.microseconds) == "2023-11-14 22:13:20.123000")
        let zoned = try #require(TemporalValue(.text("2024-05-06T07:08:09+02:00")))
        #expect(zoned.isZoned && TemporalValue.text(microseconds: zoned.microseconds) == "2024-05-06 05:08:09")
        let julian = try #require(TemporalValue(.real(2_440_588.0)))
        #expect(julian.format == .julianDay && TemporalValue.text(microseconds: julian.microseconds) == "1970-01-01 12:00:00")
        let local = try #require(TemporalValue(.text("2024-07-01 12:00:00")))
        #expect(!local.isZoned && local.utcMicroseconds(zone: TimeZone(identifier: "Europe/Paris")!) == local.microseconds - 7_200_000_000)
        #expect(TemporalValue(.text("2024-13-01")) == nil)
        #expect(TemporalValue(.text("sometime")) == nil)
        #expect(TemporalValue.text(microseconds: TemporalValue.days(year: 1900, month: 3, day: 1) * 86_400_000_000, dateOnly: true) == "1900-03-01")
    }

    @Test("Beyond microseconds, times round to the nearest (ties to even); dates before 1970 fall on the right day")
    func temporalRounding() throws {
        let base = try #require(TemporalValue(.text("2024-01-01 00:00:00"))).microseconds
        #expect(TemporalValue(.text("2024-01-01 00:00:00.1234564"))?.microseconds == base + 123_456)
        #expect(TemporalValue(.text("2024-01-01 00:00:00.1234566"))?.microseconds == base + 123_457)
        #expect(TemporalValue(.text("2024-01-01 00:00:00.1234565"))?.microseconds == base + 123_456)
        #expect(TemporalValue(.text("2024-01-01 00:00:00.12345650001"))?.microseconds == base + 123_457)
        #expect(TemporalValue(.text("2024-01-01 00:00:00.9999995"))?.microseconds == base + 1_000_000)
        #expect(TemporalValue(.text("1969-12-31 23:59:59"))?.days == -1)
        #expect(TemporalValue(.text("1969-12-31"))?.days == -1 && TemporalValue(.text("1970-01-01 23:59:59"))?.days == 0)
    }

    @Test("A double's exact decimal: the fewest fraction digits that read back as the same double, in integer arithmetic")
    func scaledDecimals() throws {
        for number in [54_330.12, 0.1, 0.3, 2.675, -1e-7, 1, -0.5, 123_456.789, 9_007_199_254_740_991, 1e-15, 1234.5678] {
            let decimal = try #require(ScaledDecimal(number), "\(number)")
            #expect(Double(decimal.text) == number, "\(number) → \(decimal.text)")
            let shortest = "\(number)"
            if !shortest.contains("e") {
                // As few fraction digits as Swift's shortest round-trip form (which may end in ".0").
                let fraction = { (text: String) in text.contains(".") ? text.split(separator: ".")[1].count : 0 }
                #expect(fraction(decimal.text) <= fraction(shortest), "\(number) → \(decimal.text)")
            }
        }
        #expect(ScaledDecimal(54_330.12)?.text == "54330.12" && ScaledDecimal(-1e-7)?.text == "-0.0000001" && ScaledDecimal(-0.0)?.text == "0")
        #expect(ScaledDecimal(1e300) == nil && ScaledDecimal(.infinity) == nil && ScaledDecimal(1e-300) == nil)
        #expect(NumberText.shortest(1e-300) == "1e-300" && NumberText.shortest(12) == "12")
        var digits: [UInt8] = []
        CopyTextFormat.appendInteger(Int64.min, to: &digits)
        #expect(String(decoding: digits, as: UTF8.self) == "-9223372036854775808")
    }

    @Test("One value stored differently on each engine has one canonical form")
    func canonical() {
        let form = CanonicalForm(kinds: [.decimal, .timestamptz, .boolean, .json, .text])
        #expect(form.text(.text("12.50"), column: 0) == form.text(.real(12.5), column: 0))
        #expect(form.text(.integer(7), column: 0) == form.text(.text("7.00"), column: 0))
        #expect(form.text(.text("2023-11-14 22:13:20+00"), column: 1) == form.text(.integer(1_700_000_000), column: 1))
        #expect(form.text(.text("t"), column: 2) == form.text(.integer(1), column: 2))
        #expect(form.text(.text("{\"b\": 1, \"a\": [1, 2]}"), column: 3) == form.text(.text("{\"a\":[1,2],\"b\":1}"), column: 3))
        #expect(form.text(.null, column: 4) != form.text(.text(""), column: 4))
        #expect(CanonicalForm.hash(["1", "a"]) != CanonicalForm.hash(["1a", ""]))
        #expect(NumberText.normalized("-000.500") == "-0.5" && NumberText.normalized("-0.00") == "0")
        // A sign only leads: "1+2" and "1-2" are not numbers.
        #expect(NumberText.isDecimal("+1.5") && NumberText.isDecimal("-.5"))
        #expect(!NumberText.isDecimal("1+2") && !NumberText.isDecimal("1-2") && !NumberText.isDecimal("+"))
    }

    @Test("Conversions refuse what they cannot carry exactly, with a reason that holds no value")
    func refusals() {
        let integer = ColumnConversion(sourceKind: .text, targetKind: .integer)
        var found: TemporalValue.Format?
        #expect(throws: ConversionFailure("text that is not an integer in an integer column")) { try integer.postgresText(.text("12abc"), found: &found) }
        #expect(throws: ConversionFailure("a fraction in an integer column")) { try integer.postgresText(.real(1.5), found: &found) }
        let text = ColumnConversion(sourceKind: .text, targetKind: .text)
        #expect(throws: ConversionFailure.self) { try text.postgresText(.text("a\u{0}b"), found: &found) }
        var buffer: [UInt8] = []
        CopyTextFormat.appendRow(["a\tb\\c\nd", nil], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "a\\tb\\\\c\\nd\t\\N\n")
    }

    @Test("The copy file reads names, zones, columns and computed columns; mistakes name their place")
    func copyFile() throws {
        let spec = try CopySpecParser().parse("""
            names: snake_case
            zone: Europe/Paris
            rejects: {action: continue, file: out.jsonl}
            tables:
              Invoice:
                to: invoices
                where: "Total > 0"
                columns:
                  InvoiceDate: {to: invoiced_at, type: timestamptz, epoch: seconds}
                add:
                  total_cents: {type: bigint, sql: "CAST(Total * 100 AS INTEGER)"}
            """, file: "copy.yaml")
        #expect(spec.names == .snakeCase && spec.zone.identifier == "Europe/Paris" && spec.rejectAction == .continue)
        let invoice = try #require(spec.rule(for: "invoice"))
        #expect(invoice.to == "invoices" && invoice.condition == "Total > 0")
        #expect(invoice.columns["InvoiceDate"] == .init(to: "invoiced_at", type: "timestamptz", epoch: .seconds))
        #expect(invoice.computed == [.init(name: "total_cents", type: "bigint", expression: "CAST(Total * 100 AS INTEGER)")])
        do {
            _ = try CopySpecParser().parse("zone: Mars/Olympus\n", file: "copy.yaml")
            Issue.record("an unknown zone was accepted")
        } catch let error as GodwitError {
            #expect(error.description.contains("copy.yaml:1") && error.description.contains("unknown time zone 'Mars/Olympus'"))
        }
        do {
            _ = try CopySpecParser().parse("names: snakecase\n", file: "copy.yaml")
            Issue.record("an unknown rule was accepted")
        } catch let error as GodwitError {
            #expect(error.description.contains("Invalid copy file"))
        }
    }

    @Test("The copy file defines enums and domains; a type that is both, or neither, or an enum with checks, is refused with its place")
    func copyFileTypes() throws {
        let spec = try CopySpecParser().parse("""
            types:
              mood: {enum: [sad, ok, happy]}
              app.year: {domain: integer, check: "VALUE >= 1901", not_null: true, default: "2000"}
            """, file: "copy.yaml")
        #expect(spec.types == [
            .enumeration(EnumType(name: QualifiedName(schema: nil, "mood"), labels: ["sad", "ok", "happy"])),
            .domain(Domain(name: QualifiedName(schema: "app", "year"), baseType: "integer", isNullable: false, defaultExpression: "2000",
                           checkConstraints: [CheckConstraint(expression: "VALUE >= 1901")])),
        ].sorted { $0.name.description < $1.name.description })
        for (text, words) in [("types:\n  t: {enum: [a], domain: integer}\n", "either an enum or a domain"),
                              ("types:\n  t: {check: \"VALUE > 0\"}\n", "either an enum or a domain"),
                              ("types:\n  t: {enum: [a], check: \"VALUE > 0\"}\n", "an enum takes only its labels"),
                              ("types:\n  t: {enum: []}\n", "at least one label")] {
            do {
                _ = try CopySpecParser().parse(text, file: "copy.yaml")
                Issue.record("accepted: \(text)")
            } catch let error as GodwitError {
                #expect(error.description.contains("copy.yaml:") && error.description.contains(words), "\(error)")
            }
        }
    }

    @Test("The type mapping follows SQLite's affinity rules and keeps numeric precision")
    func typeMapping() {
        #expect(TypeMapping.postgresType(forSQLite: "NVARCHAR(120)") == "text")
        #expect(TypeMapping.postgresType(forSQLite: "NUMERIC(10,2)") == "numeric(10,2)")
        #expect(TypeMapping.postgresType(forSQLite: "INTEGER") == "bigint")
        #expect(TypeMapping.postgresType(forSQLite: "DATETIME") == "timestamp")
        #expect(TypeMapping.postgresType(forSQLite: "") == "bytea")
        #expect(TypeMapping.postgresType(forSQLite: "DOUBLE") == "double precision")
        #expect(TypeMapping.sqliteType(forPostgres: "timestamp with time zone") == "TIMESTAMPTZ")
        #expect(TypeMapping.sqliteType(forPostgres: "character varying(40)") == "TEXT")
        #expect(ValueKind(declaredType: "TIMESTAMPTZ", engine: .sqlite) == .timestamptz)
    }
}
