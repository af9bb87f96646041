import Foundation
import GodwitCore
@testable import GodwitEngine
import GodwitTesting
import Testing

/// PostgreSQL → PostgreSQL, a table whose columns keep their built-in types is copied as the
/// source server's binary cells, undecoded; anything else goes the general way.
@Suite("Copy PostgreSQL → PostgreSQL as the server's bytes")
struct VerbatimCopyTests {
    static let schema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE kinds (id bigint PRIMARY KEY, small smallint, whole integer, amount numeric(14,4), big numeric, ratio double precision,
                            flag boolean, name text, code varchar(12), letter char(3), body json, doc jsonb, raw bytea, day date,
                            at timestamp, at_zone timestamptz, uid uuid);
        INSERT INTO kinds
        SELECT g, (g % 30000)::smallint, g * 7, g / 7.0, 10::numeric ^ (g % 40) + 0.5, CASE g % 4 WHEN 0 THEN 'NaN' WHEN 1 THEN '-Infinity' ELSE g / 3.0 END,
               CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END, CASE g % 5 WHEN 0 THEN '' WHEN 1 THEN NULL ELSE 'naïve ' || g || E'\\ttab' END,
               'c' || g, 'x', json_build_object('g', g, 'list', json_build_array(g, NULL)), jsonb_build_object('k', g % 7),
               CASE WHEN g % 2 = 0 THEN decode('00ff' || md5(g::text), 'hex') END, DATE '2000-01-01' + g,
               CASE g % 10 WHEN 0 THEN 'infinity'::timestamp ELSE TIMESTAMP '1999-12-31 23:59:59.999999' + g * interval '1 second' END,
               TIMESTAMPTZ '2024-03-31 01:30:00+00' + g * interval '1 minute', md5(g::text)::uuid
        FROM generate_series(1, 3500) g;
        CREATE TABLE moods (id int PRIMARY KEY, feeling mood, tags text[]);
        INSERT INTO moods SELECT g, (ARRAY['sad', 'ok', 'happy']::mood[])[1 + g % 3], ARRAY['t' || g] FROM generate_series(1, 50) g;
        """

    @Test("Built-in types pass as bytes, enums and arrays do not")
    func eligibility() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let source = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(source) { try await $0.executeScript(unsafeSQL: Self.schema) }
            let schema = try await DatabaseConnector.withDriver(source) { try await $0.inspect(InspectionOptions()) }
            let plan = try CopyPlan(source: schema, target: .postgresql, spec: CopySpec(), targetSchema: nil)
            #expect(plan.tables.first { $0.source.name.name == "kinds" }?.passesVerbatim == true)
            #expect(plan.tables.first { $0.source.name.name == "moods" }?.passesVerbatim == false)
        }
    }

    @Test("Every value arrives as it was (NaN, infinities, empty strings, NULLs, bytes, json); kill -9 inside and after chunks, then the same command again: no row twice, verify equal")
    func crashAndResume() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                let directory = try TemporaryDirectory()
                defer { directory.remove() }
                let source = DatabaseURL.postgres(sourceEndpoint)
                try await DatabaseConnector.withDriver(source) { try await $0.executeScript(unsafeSQL: Self.schema) }
                let spec = directory.path("copy.yaml")
                try "chunk_rows: 1000\nparallel: 1\n".write(toFile: spec, atomically: true, encoding: .utf8)
                let copy = ["copy", "--from", source.unredactedString, "--to", DatabaseURL.postgres(targetEndpoint).unredactedString, "--with", spec, "--quiet"]
                for point in ["copy-kinds-chunk-2-before-commit", "copy-kinds-chunk-3-after-commit"] {
                    let crashed = try await GodwitBinary.run(copy, extraEnvironment: ["GODWIT_CRASH_AT": point])
                    #expect(crashed.wasSignalled, "\(point): \(crashed.standardError)")
                }
                let finished = try await GodwitBinary.run(copy)
                #expect(finished.status == 0, "\(finished.standardError)")
                let fingerprint = "SELECT count(*), md5(string_agg(k::text, '|' ORDER BY id)) FROM kinds k"
                let before = try await DatabaseConnector.withDriver(source) { try await $0.query(unsafeSQL: fingerprint).first }
                let after = try await DatabaseConnector.withDriver(.postgres(targetEndpoint)) { try await $0.query(unsafeSQL: fingerprint).first }
                #expect(after?[0].integerValue == 3500)
                #expect(after?[1].textValue == before?[1].textValue)
                let moods = try await DatabaseConnector.withDriver(.postgres(targetEndpoint)) {
                    try await $0.query(unsafeSQL: "SELECT count(*), string_agg(feeling::text || tags::text, ',' ORDER BY id) FROM moods").first
                }
                #expect(moods?[0].integerValue == 50)
                #expect(moods?[1].textValue?.hasPrefix("ok{t1},happy{t2},sad{t3}") == true)
                let verify = try await GodwitBinary.run(["verify", "--source", source.unredactedString, "--target", DatabaseURL.postgres(targetEndpoint).unredactedString])
                #expect(verify.status == 0, "\(verify.standardOutput)")
            }
        }
    }
}
