import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `copy` and `verify --source --target` between SQLite and PostgreSQL, on real databases.
@Suite("Copy between engines")
struct CopyPostgresTests {
    static func snakeCase() throws -> CopySpec { try CopySpecParser().parse("names: snake_case\nchunk_rows: 1000\n", file: "copy.yaml") }

    /// A copy of the bundled Chinook SQLite file in a temporary directory.
    static func chinook(in directory: TemporaryDirectory) throws -> DatabaseURL {
        try DatabaseURL(parsing: "sqlite:" + directory.copy(Fixtures.chinookSQLite, as: "chinook.db"))
    }

    @Test("Chinook copies SQLite → PostgreSQL with snake_case names, verifies equal, keeps keys and identities; a rerun adds nothing")
    func chinook() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try Self.chinook(in: directory), target = DatabaseURL.postgres(endpoint)
            var spec = try Self.snakeCase()
            spec.rejectFile = directory.path("rejects.jsonl")
            let summary = try await DataCopy(source: source, target: target, spec: spec).run()
            #expect(summary.rows == 15_607)
            #expect(summary.rejected == 0)
            #expect(summary.tables.map(\.target).contains("public.invoice_line"))
            #expect(summary.tables.first { $0.source == "Invoice" }?.formats["invoice_date"]?["date-time text without zone"] == 412)

            let report = try await CrossVerification(source: source, target: target, spec: spec).run()
            #expect(report.passes, "\(report.markdown())")
            #expect(report.tables.count == 11 && report.tables.allSatisfy { $0.sourceSide.rows == $0.targetSide.rows })
            // Every table with one integer key was checksummed inside both databases (SQLite's
            // rows read in place and hashed in Swift, PostgreSQL's nested hashtextextended over the same
            // texts), and every range agreed.
            let checksummed = report.tables.filter { $0.comparison == .checksums }.map(\.source).sorted()
            #expect(checksummed == ["Album", "Artist", "Customer", "Employee", "Genre", "Invoice", "InvoiceLine", "MediaType", "Playlist", "Track"])
            #expect(report.tables.allSatisfy { $0.differingRanges.isEmpty && $0.sourceSide.checksum == $0.targetSide.checksum }, "\(report.markdown())")
            #expect(report.tables.first { $0.source == "Invoice" }?.targetSide.dateRange == ["2021-01-01 00:00:00", "2025-12-22 00:00:00"])

            try await DatabaseConnector.withDriver(target) { driver in
                let types = try await driver.query(unsafeSQL: """
                    SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'invoice' ORDER BY ordinal_position
                    """).map { "\($0[0].textValue ?? ""): \($0[1].textValue ?? "")" }
                #expect(types.contains("invoice_date: timestamp without time zone"))
                #expect(types.contains("total: numeric"))
                // The rowid key became an identity that continues after the copied rows.
                let next = try await driver.query(unsafeSQL: "INSERT INTO genre (name) VALUES ('Godwit') RETURNING genre_id").first?[0].integerValue
                #expect(next == 26)
                let keys = try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace").first?[0].integerValue
                #expect(keys == 11)
            }
            let again = try await DataCopy(source: source, target: target, spec: spec).run()
            #expect(again.wasAlreadyDone)
            #expect(again.rows == 15_607)
        }
    }

    @Test("A table or column name over PostgreSQL's 63 bytes is refused before anything is copied, naming the limit and where to rename it")
    func longNames() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let long = "customer_orders_with_their_lines_and_the_shipping_addresses_and_notes"  // 69 bytes
                let source = DatabaseURL.sqlite(.init(path: directory.path("long.db")))
                try await DatabaseConnector.withDriver(source, access: .create) { driver in
                    try await driver.executeScript(unsafeSQL: "CREATE TABLE \(long) (id INTEGER PRIMARY KEY, note TEXT); INSERT INTO \(long) VALUES (1, 'a');")
                }
                let target = DatabaseURL.postgres(endpoint)
                let error = await #expect(throws: GodwitError.self) { try await DataCopy(source: source, target: target, spec: CopySpec()).run() }
                #expect(error?.summary == "The target name \(long) is 69 bytes long")
                #expect(error?.location == "tables.\(long).to")
                #expect(error?.reason?.contains("at most 63 bytes") == true)
                let tables = try await DatabaseConnector.withDriver(target) { try await $0.inspect(InspectionOptions()) }.tables
                #expect(tables.isEmpty, "nothing copied: \(tables.map(\.name))")
            }
        }
    }

    @Test("SQLite checks written with [bracket] and `backtick` names arrive in PostgreSQL renamed and enforced")
    func bracketChecks() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let source = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
                try await DatabaseConnector.withDriver(source, access: .create) { driver in
                    try await driver.executeScript(unsafeSQL: """
                        CREATE TABLE Products (Id INTEGER PRIMARY KEY, [Unit Price] REAL CHECK ([Unit Price] >= 0), `Stock` INTEGER,
                            CONSTRAINT StockKnown CHECK (`Stock` IS NOT NULL AND `Stock` >= 0));
                        INSERT INTO Products VALUES (1, 9.5, 3), (2, 0, 0);
                        """)
                }
                let target = DatabaseURL.postgres(endpoint)
                let summary = try await DataCopy(source: source, target: target, spec: try Self.snakeCase()).run()
                #expect(summary.rows == 2)
                #expect(summary.warnings.isEmpty, "\(summary.warnings)")
                let checks = try await DatabaseConnector.withDriver(target) { try await $0.inspect(InspectionOptions()) }
                    .table(named: QualifiedName(schema: "public", "products"))?.checkConstraints.map(\.expression) ?? []
                #expect(checks.count == 2, "\(checks)")
                await #expect(throws: GodwitError.self) {
                    try await DatabaseConnector.withDriver(target) { _ = try await $0.execute(unsafeSQL: "INSERT INTO products VALUES (3, -1, 1)") }
                }
            }
        }
    }

    @Test("verify names a changed value, a missing row and an extra row by key, with the differing range and columns")
    func differences() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try Self.chinook(in: directory), target = DatabaseURL.postgres(endpoint)
            let spec = try Self.snakeCase()
            _ = try await DataCopy(source: source, target: target, spec: spec).run()
            try await DatabaseConnector.withDriver(target) { driver in
                try await driver.execute(unsafeSQL: "UPDATE track SET unit_price = 1.00 WHERE track_id = 1200")
                try await driver.execute(unsafeSQL: "DELETE FROM invoice_line WHERE invoice_line_id = 777")
                try await driver.execute(unsafeSQL: "INSERT INTO media_type (media_type_id, name) VALUES (99, 'Cassette')")
            }
            let report = try await CrossVerification(source: source, target: target, spec: spec).run()
            #expect(!report.passes)
            let track = try #require(report.tables.first { $0.source == "Track" })
            #expect(track.modified == 1 && track.modifiedRows == [.init(key: "(1200)", columns: ["unit_price"])])
            #expect(track.differingRanges.count == 1 && track.ranges >= 1)
            let lines = try #require(report.tables.first { $0.source == "InvoiceLine" })
            #expect(lines.missing == 1 && lines.missingKeys == ["(777)"] && lines.extra == 0)
            let media = try #require(report.tables.first { $0.source == "MediaType" })
            #expect(media.extra == 1 && media.extraKeys == ["(99)"])
            #expect(report.tables.filter { !$0.isEqual }.count == 3)
            let markdown = report.markdown()
            #expect(markdown.contains("- Missing records: 1\n- Extra records: 1\n- Modified records: 1"))
            #expect(markdown.contains("**Status: Fail**"))
            #expect(!markdown.contains("0.99") && !markdown.contains("Cassette"), "row values must not be printed")

        }
    }

    @Test("PostgreSQL pairs compare by per-range checksums in each database, bisect the ranges that differ, and name the keys")
    func postgresPair() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                let source = DatabaseURL.postgres(sourceEndpoint), target = DatabaseURL.postgres(targetEndpoint)
                try await DatabaseConnector.withDriver(source) {
                    try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 30_000, payments: 2_000))
                }
                _ = try await DataCopy(source: source, target: target).run()
                var verification = CrossVerification(source: source, target: target)
                verification.bisectionThreshold = 100
                let equal = try await verification.run()
                #expect(equal.passes, "\(equal.markdown())")
                #expect(equal.tables.first { $0.source == "public.accounts" }?.ranges == 32)
                try await DatabaseConnector.withDriver(target) { driver in
                    try await driver.execute(unsafeSQL: "UPDATE accounts SET balance = balance + 1 WHERE id = 12345")
                    try await driver.execute(unsafeSQL: "DELETE FROM payments WHERE id = 1500")
                    try await driver.execute(unsafeSQL: "INSERT INTO accounts (id, name, created_at, balance) VALUES (40000, 'extra', now(), 1)")
                }
                let report = try await verification.run()
                #expect(!report.passes)
                let accounts = try #require(report.tables.first { $0.source == "public.accounts" })
                #expect(accounts.modifiedRows == [.init(key: "(12345)", columns: ["balance"])])
                #expect(accounts.extraKeys == ["(40000)"] && accounts.missing == 0)
                // Bisected down to ranges of at most 100 rows.
                #expect(accounts.differingRanges.allSatisfy { $0.source.rows <= 100 && $0.target.rows <= 101 })
                #expect(report.tables.first { $0.source == "public.payments" }?.missingKeys == ["(1500)"])
            }
        }
    }

    @Test("uuid_key: integer keys become UUIDs with an old → new map, every referencing foreign key follows, verify and sync understand it")
    func uuidKeys() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try Self.chinook(in: directory), target = DatabaseURL.postgres(endpoint)
            let spec = try CopySpecParser().parse("names: snake_case\ntables:\n  Artist: {uuid_key: true}\n  Genre: {uuid_key: true}\n", file: "copy.yaml")
            var copy = DataCopy(source: source, target: target, spec: spec)
            copy.capture = true
            let summary = try await copy.run()
            #expect(summary.rows == 15_607 && summary.warnings.isEmpty, "\(summary.warnings)")
            let artistOne = KeyUUID.make(table: "Artist", id: 1)
            try await DatabaseConnector.withDriver(target) { driver in
                let types = try await driver.query(unsafeSQL: """
                    SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
                    WHERE column_name IN ('artist_id', 'genre_id') ORDER BY 1
                    """).compactMap { $0[0].textValue }
                #expect(types == ["album.artist_id uuid", "artist.artist_id uuid", "genre.genre_id uuid", "track.genre_id uuid"])
                let albums = try await driver.query(unsafeSQL: "SELECT count(*) FROM album WHERE artist_id = $1::uuid", bindings: [.text(artistOne)]).first?[0].integerValue
                #expect(albums == 2)  // AC/DC's two albums follow it
                let map = try await driver.query(unsafeSQL: "SELECT count(*), count(*) FILTER (WHERE old_id = 1 AND new_id = $1::uuid) FROM artist_id_map", bindings: [.text(artistOne)]).first
                #expect(map?[0].integerValue == 275 && map?[1].integerValue == 1)
                let keys = try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'artist'::regclass").first?[0].integerValue
                #expect(keys == 1)
            }
            #expect(try await CrossVerification(source: source, target: target, spec: spec).run().passes)
            try await DatabaseConnector.withDriver(source) { driver in
                try await driver.executeScript(unsafeSQL: "INSERT INTO Artist (ArtistId, Name) VALUES (500, 'Mariza'); INSERT INTO Album (Title, ArtistId) VALUES ('Fado em Mim', 500);")
            }
            let synced = try await DataSync(source: source, target: target, spec: spec).run()
            #expect(synced.upserted["Artist"] == 1 && synced.upserted["Album"] == 1)
            let report = try await CrossVerification(source: source, target: target, spec: spec).run()
            #expect(report.passes, "\(report.markdown())")
            let mapped = try await DatabaseConnector.withDriver(target) {
                try await $0.query(unsafeSQL: "SELECT new_id::text FROM artist_id_map WHERE old_id = 500").first?[0].textValue
            }
            #expect(mapped == KeyUUID.make(table: "Artist", id: 500))
        }
    }
    @Test("The binary and the text COPY path load the same values: a table with a TIME column (no binary form) against the same rows without it")
    func binaryAndTextAgree() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try DatabaseURL(parsing: "sqlite:" + directory.path("values.db"))
            let columns = "id INTEGER PRIMARY KEY, label TEXT, count INTEGER, ratio REAL, price NUMERIC(12,3), flag BOOLEAN, happened DATETIME, day DATE, stamp TIMESTAMPTZ, payload BLOB, doc JSON"
            let rows = [
                "1, 'plain', 0, 0.1, 54330.12, 1, '2024-01-02 03:04:05', '2024-01-02', '2024-01-02T03:04:05Z', x'00ff', '{\"a\": 1}'",
                "2, 'tab\there' || char(10) || 'line \\ back', -9223372036854775808, -1e-7, -0.0005, 0, 1700000000, '1969-12-31', 1700000000123, x'', '[1, 2.5]'",
                "3, NULL, 9223372036854775807, 1e300, 12, 'true', '2024-05-06T07:08:09+02:00', 2460000.5, '2024-05-06 07:08:09.1234567', NULL, 'null'",
                "4, 'ünïcödé 𝄞', 42, 123456.789, '99999.9995', 'f', '1999-12-31 23:59:59.999999', '2000-01-01', '1900-01-01 00:00:00+00', x'5c', NULL",
                "5, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '\"text\"'",
            ]
            try await DatabaseConnector.withDriver(source, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE as_binary (\(columns));
                    CREATE TABLE as_text (\(columns), clock TIME);
                    \(rows.map { "INSERT INTO as_binary VALUES (\($0));" }.joined(separator: "\n"))
                    \(rows.map { "INSERT INTO as_text VALUES (\($0), '12:34:56');" }.joined(separator: "\n"))
                    """)
            }
            var spec = CopySpec()
            spec.rejectFile = directory.path("rejects.jsonl")
            let summary = try await DataCopy(source: source, target: .postgres(endpoint), spec: spec).run()
            #expect(summary.rows == 10 && summary.rejected == 0)
            try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.execute(unsafeSQL: "SET TIME ZONE 'UTC'")
                let list = "id, label, count, ratio, price, flag, happened, day, stamp, payload, doc::text"
                let binary = try await driver.query(unsafeSQL: "SELECT \(list) FROM as_binary ORDER BY id").map { $0.values.map(\.textValue) }
                let text = try await driver.query(unsafeSQL: "SELECT \(list) FROM as_text ORDER BY id").map { $0.values.map(\.textValue) }
                #expect(binary.count == 5)
                for (binaryRow, textRow) in zip(binary, text) { #expect(binaryRow == textRow) }
                let second = try #require(try await driver.query(unsafeSQL: "SELECT label, ratio::text, price::text, happened::text, stamp::text FROM as_binary WHERE id = 2").first)
                #expect(second.values.map(\.textValue) == ["tab\there\nline \\ back", "-1e-07", "-0.001", "2023-11-14 22:13:20", "2023-11-14 22:13:20.123+00"])
            }
        }
    }
    @Test("SQLite ↔ PostgreSQL: each database checksums its own ranges over values stored in any form (epochs, numeric text, 'true', blobs, NULLs); one changed value is found by key, either direction")
    func crossEngineChecksums() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try DatabaseURL(parsing: "sqlite:" + directory.path("mixed.db"))
            var inserts = ["INSERT INTO mixed VALUES (1, 'a', 12, '12.50', 'true', 1700000000, '2024-02-29', '2024-01-02T03:04:05+01:00', x'00ff', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')",
                           "INSERT INTO mixed VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
                           "INSERT INTO mixed VALUES (3, 'tab\there', -7, 0.1, 0, '2024-01-02 03:04:05.123456', '1969-12-31', 1700000000123, x'', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12')"]
            for id in 4...3000 { inserts.append("INSERT INTO mixed VALUES (\(id), 'row \(id)', \(id), \(id).25, \(id % 2), \(1_600_000_000 + id * 3600), '2020-01-01', '2021-06-01 00:00:00', x'01', NULL)") }
            try await DatabaseConnector.withDriver(source, access: .create) { driver in
                try await driver.executeScript(unsafeSQL: """
                    CREATE TABLE mixed (id INTEGER PRIMARY KEY, label TEXT, count INTEGER, price NUMERIC(10,2), flag BOOLEAN, happened DATETIME,
                      day DATE, stamp TIMESTAMPTZ, payload BLOB, ref UUID);
                    \(inserts.joined(separator: ";\n"));
                    """)
            }
            let target = DatabaseURL.postgres(endpoint)
            var spec = CopySpec()
            spec.rejectFile = directory.path("rejects.jsonl")
            _ = try await DataCopy(source: source, target: target, spec: spec).run()
            var verification = CrossVerification(source: source, target: target, spec: spec)
            verification.bisectionThreshold = 100
            let equal = try await verification.run()
            #expect(equal.passes, "\(equal.markdown())")
            #expect(equal.tables.map(\.comparison) == [.checksums])
            #expect(equal.tables.first?.sourceSide.nulls == 3_006 && equal.tables.first?.targetSide.nulls == 3_006)

            _ = try await DatabaseConnector.withDriver(target) { try await $0.execute(unsafeSQL: "UPDATE mixed SET price = 1234.26 WHERE id = 1234") }
            let changed = try await verification.run()
            let table = try #require(changed.tables.first)
            #expect(!changed.passes && table.comparison == .checksums)
            #expect(table.modified == 1 && table.modifiedRows.first?.key == "(1234)" && table.modifiedRows.first?.columns == ["price"])
            #expect(table.differingRanges.count == 1)

            // The other way: PostgreSQL is the source, SQLite the target.
            let back = try DatabaseURL(parsing: "sqlite:" + directory.path("back.db"))
            _ = try await DataCopy(source: target, target: back, spec: spec).run()
            let reverse = try await CrossVerification(source: target, target: back, spec: spec).run()
            #expect(reverse.passes, "\(reverse.markdown())")
            #expect(reverse.tables.first { $0.source.hasSuffix("mixed") }?.comparison == .checksums)
        }
    }
}
