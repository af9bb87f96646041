import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A PostgreSQL pair is checksummed in each database by hashing values (`hash_record_extended`),
/// except for types whose hash is not the same in two databases, which are hashed by their text.
@Suite("Verify: PostgreSQL pairs hash values")
struct ValueHashVerifyTests {
    static let table = """
        CREATE TABLE t (id int PRIMARY KEY, m mood, n numeric(10,2), j json, jb jsonb, tags text[], at timestamptz,
                        label varchar(20), code char(5), d date, f double precision, b bytea, u uuid)
        """
    static let rows = """
        INSERT INTO t SELECT g, (ARRAY['sad','ok','happy']::mood[])[1 + g % 3], g * 1.25, json_build_object('g', g),
               jsonb_build_object('k', g % 7), ARRAY['a' || g, NULL], '2024-01-01 00:00+00'::timestamptz + g * interval '1 hour',
               'label ' || g, 'c' || (g % 10), DATE '2024-01-01' + g, g / 3.0, decode(md5(g::text), 'hex'), md5(g::text)::uuid
        FROM generate_series(1, 500) g
        """

    @Test("Enums (whose hash is an OID of one database), json and arrays compare equal across two databases; a changed json value, enum label or number is found by key")
    func valueHashAcrossDatabases() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                // Another type first on one side, so the enum's labels get other OIDs there.
                try await TestPostgres.execute(sourceEndpoint, "CREATE TYPE pad AS ENUM ('x', 'y', 'z')")
                for endpoint in [sourceEndpoint, targetEndpoint] {
                    try await TestPostgres.execute(endpoint, "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')")
                    try await TestPostgres.execute(endpoint, Self.table)
                    try await TestPostgres.execute(endpoint, Self.rows)
                }
                let source = DatabaseURL.postgres(sourceEndpoint)
                let target = DatabaseURL.postgres(targetEndpoint)
                let equal = try await CrossVerification(source: source, target: target).run()
                #expect(equal.passes, "\(equal.markdown())")
                #expect(equal.tables.first?.comparison == .checksums)
                #expect(equal.tables.first?.sourceSide.rows == 500)

                try await TestPostgres.execute(targetEndpoint, "UPDATE t SET j = json_build_object('g', -1) WHERE id = 7")
                try await TestPostgres.execute(targetEndpoint, "UPDATE t SET m = 'happy' WHERE id = 300 AND m <> 'happy'")
                try await TestPostgres.execute(targetEndpoint, "UPDATE t SET n = n + 0.01 WHERE id = 451")
                let changed = try await CrossVerification(source: source, target: target).run()
                let result = try #require(changed.tables.first)
                #expect(!changed.passes)
                #expect(result.modified == 3, "\(changed.markdown())")
                #expect(Set(result.modifiedRows.map(\.key)) == ["(7)", "(300)", "(451)"], "\(changed.markdown())")
            }
        }
    }

    @Test("Equal numbers written at another scale are equal values: 1.5 and 1.50 in numeric columns")
    func numericScale() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                try await TestPostgres.execute(sourceEndpoint, "CREATE TABLE p (id int PRIMARY KEY, price numeric)")
                try await TestPostgres.execute(targetEndpoint, "CREATE TABLE p (id int PRIMARY KEY, price numeric)")
                try await TestPostgres.execute(sourceEndpoint, "INSERT INTO p VALUES (1, 1.5), (2, 2)")
                try await TestPostgres.execute(targetEndpoint, "INSERT INTO p VALUES (1, 1.50), (2, 2.000)")
                let report = try await CrossVerification(source: .postgres(sourceEndpoint), target: .postgres(targetEndpoint)).run()
                #expect(report.passes, "\(report.markdown())")
                #expect(report.tables.first?.comparison == .checksums)
                #expect(report.tables.first?.differingRanges.isEmpty == true, "the checksums themselves agree")
            }
        }
    }
}
