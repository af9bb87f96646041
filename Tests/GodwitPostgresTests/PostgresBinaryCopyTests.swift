import Foundation
import GodwitCore
@testable import GodwitPostgres
import GodwitTesting
import Testing

/// The binary COPY writer, held against PostgreSQL's own reading of the same values as text.
@Suite("PostgreSQL binary COPY")
struct PostgresBinaryCopyTests {
    static let columns: [(name: String, type: String)] = [
        ("i8", "bigint"), ("i4", "integer"), ("i2", "smallint"), ("n", "numeric"), ("n2", "numeric(12,2)"), ("f", "double precision"),
        ("b", "boolean"), ("t", "text"), ("v", "varchar(20)"), ("j", "json"), ("jb", "jsonb"), ("by", "bytea"), ("d", "date"),
        ("ts", "timestamp"), ("tz", "timestamptz"), ("u", "uuid"),
    ]

    /// Rows of converted values; each column's values follow its type.
    static let rows: [[PostgresValue?]] = [
        [.integer(0), .integer(0), .integer(0), .decimal("0"), .decimal("0"), .float(0), .boolean(false), .text(""), .text(""),
         .text("null"), .text("{}"), .bytes([]), .date(0), .timestamp(0), .timestamptz(0), .uuid("00000000-0000-0000-0000-000000000000")],
        [.integer(Int64.max), .integer(Int64(Int32.max)), .integer(Int64(Int16.max)), .decimal("123456789012345678901234567890.000000001"),
         .decimal("54330.12"), .float(0.1), .boolean(true), .text("tab\there\nnew line \\ back\\slash é 𝄞"), .text("x"),
         .text("{\"a\": [1, 2.50]}"), .text("{\"b\": {\"c\": null}}"), .bytes([0, 1, 0xff, 92, 9]), .date(10_957), .timestamp(946_684_800_000_001),
         .timestamptz(1_700_000_000_123_456), .uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")],
        [.integer(Int64.min), .integer(Int64(Int32.min)), .integer(Int64(Int16.min)), .decimal("-0.00001"), .decimal("-12.345"),
         .float(-2.5e300), nil, nil, .text("  padded  "), nil, .text("[1, \"two\", 3.0]"), nil, .date(-25_000), .timestamp(-1_000_000),
         .timestamptz(-2_208_988_800_000_000), nil],
        [.integer(-1), .integer(10_000), .integer(9_999), .decimal("1.5e+20"), .decimal("0.005"), .float(.infinity), .boolean(false),
         .text("ünïcödé"), .text("y"), .text("3"), .text("\"s\""), .bytes(Array("text".utf8)), .date(20_000), .timestamp(1_577_836_817_000_000),
         .timestamptz(1_577_836_817_500_000), .uuid("ffffffff-ffff-ffff-ffff-ffffffffffff")],
        [.integer(10_000_000_000), .integer(-10_000), .integer(-1), .decimal("NaN"), .decimal("99999.995"), .float(-0.0), .boolean(true),
         .text("x"), .text("z"), .text("true"), .text("false"), .bytes([1]), .date(-1), .timestamp(86_399_999_999), .timestamptz(1), nil],
        [.integer(42), .integer(42), .integer(42), .decimal("1e-05"), .decimal("100000"), .float(123_456.789), .boolean(true),
         .text("a"), .text("b"), .text("1.0"), .text("[]"), .bytes([0]), .date(1), .timestamp(-1), .timestamptz(-1), nil],
    ]

    @Test("Every binary type loads the same values PostgreSQL reads from their text: integers, numeric (exponents, NaN, typmod rounding), floats, booleans, text, json, jsonb, bytea, dates and times either side of 1970 and 2000, uuid, NULLs")
    func sameAsText() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            try await driver.execute(unsafeSQL: "SET TIME ZONE 'UTC'")
            let definition = Self.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
            try await driver.execute(unsafeSQL: "CREATE TABLE as_text (row_number int, \(definition))")
            try await driver.execute(unsafeSQL: "CREATE TABLE as_binary (LIKE as_text)")
            let types = try Self.columns.map { try #require(PostgresBinaryType(declaredType: $0.type), "\($0.type)") }
            let names = ["row_number"] + Self.columns.map(\.name)

            var text: [UInt8] = [], binary: [UInt8] = []
            for (number, row) in Self.rows.enumerated() {
                CopyTextFormat.appendRow([String(number)] + row.map { $0?.copyText }, to: &text)
                PostgresBinaryCopy.appendRowStart(fields: names.count, to: &binary)
                try PostgresBinaryCopy.append(.integer(Int64(number)), as: .int4, to: &binary)
                for (value, type) in zip(row, types) {
                    if let value { try PostgresBinaryCopy.append(value, as: type, to: &binary) } else { PostgresBinaryCopy.appendNull(to: &binary) }
                }
            }
            try await driver.copyIn(table: QualifiedName(schema: "public", "as_text"), columns: names) { try await $0.write(text) }
            try await driver.copyIn(table: QualifiedName(schema: "public", "as_binary"), columns: names, format: .binary) { try await $0.write(binary) }

            let select = names.map { "\($0)::text" }.joined(separator: ", ")
            let fromText = try await driver.query(unsafeSQL: "SELECT \(select) FROM as_text ORDER BY row_number")
            let fromBinary = try await driver.query(unsafeSQL: "SELECT \(select) FROM as_binary ORDER BY row_number")
            #expect(fromBinary.count == Self.rows.count)
            for (binaryRow, textRow) in zip(fromBinary, fromText) {
                for (index, name) in names.enumerated() {
                    #expect(binaryRow[index] == textRow[index], "row \(textRow[0].textValue ?? "?"), column \(name)")
                }
            }
            // Values as PostgreSQL prints them, independently of the text path.
            let second = try #require(fromBinary.dropFirst().first)
            #expect(second[4].textValue == "123456789012345678901234567890.000000001")
            #expect(second[5].textValue == "54330.12")
            #expect(second[13].textValue == "2000-01-01")
            #expect(second[14].textValue == "2000-01-01 00:00:00.000001")
            #expect(second[15].textValue == "2023-11-14 22:13:20.123456+00")
            let third = try #require(fromBinary.dropFirst(2).first)
            #expect(third[4].textValue == "-0.00001")
            #expect(third[5].textValue == "-12.35")  // numeric(12,2) rounds as for text
            #expect(third[13].textValue == "1901-07-22")
        }
    }

    @Test("Exact decimals of doubles load as the double's shortest text would")
    func scaledDecimals() async throws {
        let numbers: [Double] = [54330.12, 0.1, -1e-7, 1, -0.5, 123_456.789, 9_007_199_254_740_991, 1e-15, 0.3, 2.675, 1e-300, 1e20]
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            try await driver.execute(unsafeSQL: "CREATE TABLE decimals (position int, value numeric, shortest numeric)")
            var binary: [UInt8] = []
            for (position, number) in numbers.enumerated() {
                PostgresBinaryCopy.appendRowStart(fields: 3, to: &binary)
                try PostgresBinaryCopy.append(.integer(Int64(position)), as: .int4, to: &binary)
                if let decimal = ScaledDecimal(number) {
                    PostgresBinaryCopy.appendNumeric(decimal, to: &binary)
                } else {
                    try PostgresBinaryCopy.append(.decimal(NumberText.shortest(number)), as: .numeric, to: &binary)
                }
                try PostgresBinaryCopy.append(.decimal("\(number)"), as: .numeric, to: &binary)
            }
            try await driver.copyIn(table: QualifiedName(schema: "public", "decimals"), columns: ["position", "value", "shortest"], format: .binary) {
                try await $0.write(binary)
            }
            let unequal = try await driver.query(unsafeSQL: "SELECT position FROM decimals WHERE value <> shortest OR value::float8 <> shortest::float8")
            #expect(unequal.isEmpty, "\(unequal.map { numbers[Int($0[0].integerValue ?? 0)] })")
            let count = try await driver.query(unsafeSQL: "SELECT count(*) FROM decimals").first?[0].integerValue
            #expect(count == Int64(numbers.count))
        }
        #expect(ScaledDecimal(54330.12)?.text == "54330.12")
        #expect(ScaledDecimal(-1e-7)?.text == "-0.0000001")
        #expect(ScaledDecimal(1)?.text == "1")
        #expect(ScaledDecimal(.nan) == nil && ScaledDecimal(1e300) == nil)
    }

    @Test("Names with quotes, spaces and line breaks, schema-qualified, in both formats; a value out of range is refused before the server sees it")
    func awkwardNames() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            defer { Task { try? await driver.close() } }
            try await driver.execute(unsafeSQL: "CREATE SCHEMA \"Odd \"\"schema\"\"\"")
            try await driver.execute(unsafeSQL: "CREATE TABLE \"Odd \"\"schema\"\"\".\"line\nbreak\" (\"a \"\"b\"\"\" int, \"c\nd\" text)")
            let table = QualifiedName(schema: "Odd \"schema\"", "line\nbreak")
            var binary: [UInt8] = []
            PostgresBinaryCopy.appendRowStart(fields: 2, to: &binary)
            try PostgresBinaryCopy.appendInteger(1, as: .int4, to: &binary)
            Array("binary".utf8).withUnsafeBufferPointer { PostgresBinaryCopy.appendBytes($0, to: &binary) }
            try await driver.copyIn(table: table, columns: ["a \"b\"", "c\nd"], format: .binary) { try await $0.write(binary) }
            try await driver.copyIn(table: table, columns: ["a \"b\"", "c\nd"]) { try await $0.write(Array("2\ttext\n".utf8)) }
            let rows = try await driver.query(unsafeSQL: "SELECT * FROM \"Odd \"\"schema\"\"\".\"line\nbreak\" ORDER BY 1")
            #expect(rows.map(\.values) == [[.integer(1), .text("binary")], [.integer(2), .text("text")]])
            // The session's search_path is left alone.
            #expect(try await driver.query(unsafeSQL: "SHOW search_path").first?[0].textValue == "\"$user\", public")
        }
        var buffer: [UInt8] = []
        #expect(throws: ConversionFailure("a value out of range for integer")) { try PostgresBinaryCopy.appendInteger(1 << 40, as: .int4, to: &buffer) }
        #expect(throws: ConversionFailure("a value out of range for smallint")) { try PostgresBinaryCopy.appendInteger(40_000, as: .int2, to: &buffer) }
        #expect(buffer.isEmpty)
        #expect(PostgresBinaryType(declaredType: "timestamp(3) with time zone") == .timestamptz)
        #expect(PostgresBinaryType(declaredType: "character varying(20)") == .text)
        #expect(PostgresBinaryType(declaredType: "integer[]") == nil)
        #expect(PostgresBinaryType(declaredType: "time") == nil)
        #expect(PostgresBinaryType(declaredType: "money") == nil)
    }
}
