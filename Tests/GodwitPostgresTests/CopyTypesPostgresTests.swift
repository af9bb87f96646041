import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Every type PostgreSQL's common samples use moves and verifies: into SQLite, into another
/// PostgreSQL database, and back from SQLite where the copy file names the type again.
@Suite("Copy of PostgreSQL's common types", .serialized)
struct CopyTypesPostgresTests {
    static let schema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901 AND VALUE <= 2155);
        CREATE TABLE things (
            id integer PRIMARY KEY,
            tags text[], scores integer[], feeling mood, made year, doc tsvector, span interval, host inet, net cidr,
            price money, seats int4range, booked tstzrange, raw bytea, j json, jb jsonb, u uuid,
            at timestamptz, local_at timestamp, day date, note text
        );
        INSERT INTO things VALUES
          (1, ARRAY['a', 'b c', 'quote"d', 'comma,d', '{brace}', ''], ARRAY[1, -2, 3], 'happy', 2006, to_tsvector('simple', 'the quick fox'),
           '1 day 02:03:04', '192.168.0.1', '10.0.0.0/8', 12.5, '[1,10)', '[2024-01-01 10:00+00,2024-01-02 10:00+00)', '\\x00ff10',
           '{"a": [1, 2]}', '{"b": {"c": null}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-03-04 05:06:07.123456+02', '2024-03-04 05:06:07', '2024-03-04', 'x'),
          (2, '{}', NULL, 'sad', 1901, '', '-3 months', '::1', '2001:db8::/32', 0, 'empty', NULL, '', '[]', '{}', NULL, NULL, NULL, NULL, NULL),
          (3, NULL, ARRAY[NULL, 5]::integer[], NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'three');
        """

    @Test("PostgreSQL → SQLite → PostgreSQL and PostgreSQL → PostgreSQL: arrays, enums, domains, tsvector, interval, inet, cidr, money, ranges, bytea, json, jsonb, uuid, zones; verify passes each way and finds a tampered row")
    func everyType() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                try await TestPostgres.withTemporaryDatabase { backEndpoint in
                    let directory = try TemporaryDirectory()
                    defer { directory.remove() }
                    let source = DatabaseURL.postgres(sourceEndpoint)
                    try await DatabaseConnector.withDriver(source) { try await $0.executeScript(unsafeSQL: Self.schema) }
                    let sqlite = try DatabaseURL(parsing: "sqlite:" + directory.path("things.db"))

                    // PostgreSQL → SQLite: arrays as JSON text, the enum and the domain as checks.
                    let down = try await DataCopy(source: source, target: sqlite).run()
                    #expect(down.rows == 3 && down.notAdded.isEmpty, "\(down.text())")
                    let stored = try await DatabaseConnector.withDriver(sqlite) { driver in
                        try await driver.query(unsafeSQL: "SELECT tags, feeling, made, span, host, price FROM things WHERE id = 1").first
                    }
                    #expect(stored?[0] == .text(#"["a","b c","quote\"d","comma,d","{brace}",""]"#), "\(String(describing: stored))")
                    #expect(stored?[1] == .text("happy") && stored?[2] == .integer(2006) && stored?[3] == .text("1 day 02:03:04"))
                    let checks = try await DatabaseConnector.withDriver(sqlite) { try await $0.inspect(InspectionOptions()).table(named: QualifiedName("things"))?.checkConstraints.map(\.expression) }
                    #expect(checks?.contains("feeling IN ('sad', 'ok', 'happy')") == true, "\(checks ?? [])")
                    #expect(checks?.contains("((made >= 1901) AND (made <= 2155))") == true, "\(checks ?? [])")
                    var report = try await CrossVerification(source: source, target: sqlite).run()
                    #expect(report.passes, "\(report.markdown())")
                    try await DatabaseConnector.withDriver(sqlite) { _ = try await $0.execute(unsafeSQL: #"UPDATE things SET tags = '["a"]' WHERE id = 1"#) }
                    report = try await CrossVerification(source: source, target: sqlite).run()
                    #expect(report.tables.first?.modifiedRows.map(\.columns) == [["tags"]], "\(report.markdown())")
                    try await DatabaseConnector.withDriver(sqlite) { _ = try await $0.execute(unsafeSQL: #"UPDATE things SET tags = '["a","b c","quote\"d","comma,d","{brace}",""]' WHERE id = 1"#) }

                    // PostgreSQL → PostgreSQL: the enum and the domain are created, every type kept.
                    let target = DatabaseURL.postgres(targetEndpoint)
                    let across = try await DataCopy(source: source, target: target).run()
                    #expect(across.rows == 3 && across.notAdded.isEmpty, "\(across.text())")
                    let types = try await DatabaseConnector.withDriver(target) { driver in
                        try await driver.query(unsafeSQL: "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'things'::regclass AND attnum > 0 ORDER BY attnum")
                            .map { "\($0[0].textValue ?? ""): \($0[1].textValue ?? "")" }
                    }
                    #expect(types.contains("feeling: mood") && types.contains("made: year") && types.contains("tags: text[]") && types.contains("booked: tstzrange"), "\(types)")
                    report = try await CrossVerification(source: source, target: target).run()
                    #expect(report.passes, "\(report.markdown())")
                    try await DatabaseConnector.withDriver(target) { _ = try await $0.execute(unsafeSQL: "UPDATE things SET feeling = 'ok', span = '1 day' WHERE id = 1") }
                    report = try await CrossVerification(source: source, target: target).run()
                    #expect(report.tables.first?.modifiedRows.map(\.columns) == [["feeling", "span"]], "\(report.markdown())")

                    // SQLite → PostgreSQL: the copy file names the types and defines the enum and
                    // the domain SQLite could not keep; they are created, and the values come back.
                    let back = DatabaseURL.postgres(backEndpoint)
                    let spec = try CopySpecParser().parse("""
                        types:
                          mood: {enum: [sad, ok, happy]}
                          year: {domain: integer, check: "VALUE >= 1901 AND VALUE <= 2155"}
                        tables:
                          things:
                            columns:
                              tags: {type: "text[]"}
                              scores: {type: "integer[]"}
                              feeling: {type: mood}
                              made: {type: year}
                        """, file: "back.yaml")
                    let up = try await DataCopy(source: sqlite, target: back, spec: spec).run()
                    #expect(up.rows == 3, "\(up.text())")
                    let restored = try await DatabaseConnector.withDriver(back) { driver in
                        try await driver.query(unsafeSQL: "SELECT count(*) FROM things t WHERE id = 1 AND tags = ARRAY['a', 'b c', 'quote\"d', 'comma,d', '{brace}', '']")
                            .first?[0].integerValue
                    }
                    #expect(restored == 1)
                    let made = try await DatabaseConnector.withDriver(back) { driver in
                        try await driver.query(unsafeSQL: """
                            SELECT (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype),
                                   (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = 'year'::regtype),
                                   (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'things'::regclass AND attname = 'made')
                            """).first.map { $0.values.map { $0.textValue ?? "" } }
                    }
                    #expect(made == ["sad,ok,happy", "CHECK (((VALUE >= 1901) AND (VALUE <= 2155)))", "year"], "\(String(describing: made))")
                    report = try await CrossVerification(source: sqlite, target: back, spec: spec).run()
                    #expect(report.passes, "\(report.markdown())")
                }
            }
        }
    }
}
