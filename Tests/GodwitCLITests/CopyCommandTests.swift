import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// `godwit copy` and `godwit verify --source --target` as a user runs them.
@Suite("godwit copy")
struct CopyCommandTests {
    @Test("kill -9 inside a chunk, after a commit and after a table's keys, then the same command again: verify equal, no row twice, every key once")
    func crashAndResume() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try directory.copy(Fixtures.chinookSQLite, as: "chinook.db")
            let spec = directory.path("copy.yaml")
            // One worker, so each run reaches the next crash point in table order.
            try "names: snake_case\nchunk_rows: 1000\nparallel: 1\n".write(toFile: spec, atomically: true, encoding: .utf8)
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let copy = ["copy", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--quiet"]
            for point in ["copy-Track-chunk-2-after-commit", "copy-InvoiceLine-chunk-2-before-commit", "copy-PlaylistTrack-chunk-3-before-commit",
                          "copy-finish-Track-after-commit"] {
                let crashed = try await GodwitBinary.run(copy, extraEnvironment: ["GODWIT_CRASH_AT": point])
                #expect(crashed.wasSignalled, "\(point): \(crashed.standardError)")
            }
            let finished = try await GodwitBinary.run(copy)
            #expect(finished.status == 0, "\(finished.standardError)")
            #expect(finished.standardOutput.contains("15,607 rows in 11 tables"))
            let verify = try await GodwitBinary.run(["verify", "--source", "sqlite:" + source, "--target", target, "--with", spec])
            #expect(verify.status == 0, "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("**Status: Pass**"))
            let counts = try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.query(unsafeSQL: "SELECT (SELECT count(*) FROM playlist_track), (SELECT count(DISTINCT (playlist_id, track_id)) FROM playlist_track)").first
            }
            #expect(counts?[0].integerValue == 8715 && counts?[1].integerValue == 8715)
            let constraints = try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.query(unsafeSQL: "SELECT contype::text, count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'f') GROUP BY 1 ORDER BY 1")
                    .map { "\($0[0].textValue ?? ""): \($0[1].integerValue ?? 0)" }
            }
            #expect(constraints == ["f: 11", "p: 11"])
        }
    }

    @Test("Bad rows go to the reject file with table, key, column and reason; the copy goes on and exits 3; by default it stops at the first")
    func rejects() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = directory.path("events.db")
            try await GodwitEngineFacade.executeScript("""
                CREATE TABLE events (id INTEGER PRIMARY KEY, happened_at DATETIME NOT NULL, amount NUMERIC(6,2), kind TEXT);
                INSERT INTO events VALUES (1, '2024-01-02 03:04:05', 12.5, 'a'), (2, 1700000000, 7, 'b'), (3, 1700000000123, '3.25', 'c'),
                  (4, 'sometime soon', 1, 'd'), (5, 2460000.5, 'many', 'e'), (6, '2024-05-06T07:08:09+02:00', 123456.78, 'f');
                """, on: source)
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let stopped = try await GodwitBinary.run(["copy", "--from", "sqlite:" + source, "--to", target, "--reject-file", directory.path("stop.jsonl"), "--quiet"])
            #expect(stopped.status == 1)
            #expect(stopped.standardError.contains("A row of events cannot be loaded into public.events"))
            #expect(!stopped.standardError.contains("sometime soon"), "values stay out of messages")

            try await DatabaseConnector.withDriver(.postgres(endpoint)) { try await $0.executeScript(unsafeSQL: "DROP SCHEMA godwit CASCADE; DROP TABLE events") }
            let rejectFile = directory.path("rejects.jsonl")
            let run = try await GodwitBinary.run(["copy", "--from", "sqlite:" + source, "--to", target, "--rejects", "continue", "--reject-file", rejectFile, "--quiet"])
            #expect(run.status == 3, "\(run.standardError)")
            #expect(run.standardOutput.contains("events  → public.events: 3 rows, 3 rejected"))
            #expect(run.standardOutput.contains("happened_at: read from date-time text with zone (1), date-time text without zone (1), epoch milliseconds (1), epoch seconds (1)"))
            let lines = try String(contentsOfFile: rejectFile, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.contains { $0.contains("\"column\":\"happened_at\"") && $0.contains("\"key\":\"(4)\"") && $0.contains("not a date or time") })
            #expect(lines.contains { $0.contains("\"key\":\"(5)\"") && $0.contains("\"column\":\"amount\"") })
            // 123456.78 fits no numeric(6,2): PostgreSQL refuses it, and halving finds the row.
            #expect(lines.contains { $0.contains("\"key\":\"(6)\"") && $0.contains("numeric field overflow") })
            let rows = try await DatabaseConnector.withDriver(.postgres(endpoint)) {
                try await $0.query(unsafeSQL: "SELECT id, happened_at::text, amount::text FROM events ORDER BY id").map { "\($0[0].integerValue ?? 0) \($0[1].textValue ?? "") \($0[2].textValue ?? "")" }
            }
            // Epoch seconds and milliseconds are read as epochs, never as a year.
            #expect(rows == ["1 2024-01-02 03:04:05 12.50", "2 2023-11-14 22:13:20 7.00", "3 2023-11-14 22:13:20.123 3.25"])
        }
    }

    @Test("PostgreSQL → SQLite: the accounts tables copy and verify equal; a second verify after a change exits 2")
    func postgresToSQLite() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            try await DatabaseConnector.withDriver(.postgres(endpoint)) {
                try await $0.executeScript(unsafeSQL: ExecutionFixtures.postgresSchema(accounts: 3000, payments: 5000))
            }
            let source = DatabaseURL.postgres(endpoint).unredactedString, target = "sqlite:" + directory.path("copy.db")
            let copy = try await GodwitBinary.run(["copy", "--from", source, "--to", target, "--quiet"])
            #expect(copy.status == 0, "\(copy.standardError)")
            #expect(copy.standardOutput.contains("8,000 rows in 2 tables"))
            let verify = try await GodwitBinary.run(["verify", "--source", source, "--target", target, "--format", "json"])
            #expect(verify.status == 0, "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("\"status\" : \"Pass\""))
            try await GodwitEngineFacade.executeScript("UPDATE accounts SET balance = balance + 1 WHERE id = 10", on: directory.path("copy.db"))
            let changed = try await GodwitBinary.run(["verify", "--source", source, "--target", target])
            #expect(changed.status == 2)
            #expect(changed.standardOutput.contains("- Modified: (10): balance differ"))
        }
    }

    @Test("sync carries over inserts, updates and deletes made during and after the copy, survives kill -9, and cutover verifies, records and syncs back")
    func syncAndCutover() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = try directory.copy(Fixtures.chinookSQLite, as: "chinook.db")
            let spec = directory.path("copy.yaml")
            try "names: snake_case\nchunk_rows: 1000\nparallel: 1\n".write(toFile: spec, atomically: true, encoding: .utf8)
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let copy = ["copy", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--capture", "--quiet"]
            let crashed = try await GodwitBinary.run(copy, extraEnvironment: ["GODWIT_CRASH_AT": "copy-Track-chunk-2-after-commit"])
            #expect(crashed.wasSignalled)
            // During the copy: in tables already copied, half copied and not yet copied.
            try await GodwitEngineFacade.executeScript("""
                INSERT INTO Genre (Name) VALUES ('Fado');
                UPDATE Artist SET Name = 'Renamed during' WHERE ArtistId = 3;
                UPDATE Track SET Name = 'Changed ahead of the copy' WHERE TrackId = 3000;
                UPDATE Track SET Name = 'Changed behind the copy' WHERE TrackId = 10;
                DELETE FROM PlaylistTrack WHERE PlaylistId = 1 AND TrackId = 3402;
                INSERT INTO InvoiceLine (InvoiceId, TrackId, UnitPrice, Quantity) VALUES (1, 1, 0.99, 2);
                """, on: source)
            #expect(try await GodwitBinary.run(copy).status == 0)
            // After the copy, a key moves too.
            try await GodwitEngineFacade.executeScript("""
                UPDATE Customer SET Email = 'new@example.com' WHERE CustomerId = 7;
                DELETE FROM InvoiceLine WHERE InvoiceLineId = 100;
                UPDATE Genre SET GenreId = 40 WHERE Name = 'Fado';
                """, on: source)
            let sync = ["sync", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--quiet"]
            let killed = try await GodwitBinary.run(sync, extraEnvironment: ["GODWIT_CRASH_AT": "sync-pass-1-before-commit"])
            #expect(killed.wasSignalled)
            let synced = try await GodwitBinary.run(sync)
            #expect(synced.status == 0, "\(synced.standardError)")
            #expect(synced.standardOutput.contains("lag now 0 changes"))
            let verify = ["verify", "--source", "sqlite:" + source, "--target", target, "--with", spec]
            let equal = try await GodwitBinary.run(verify)
            #expect(equal.status == 0, "\(equal.standardOutput)")

            let back = directory.path("back.yaml")
            let cutover = try await GodwitBinary.run(["cutover", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--reverse-sync", back])
            #expect(cutover.status == 0, "\(cutover.standardError)")
            #expect(cutover.standardOutput.contains("11 tables verified equal"))
            #expect(cutover.standardOutput.contains("godwit sync --from \(DatabaseURL.postgres(endpoint).description) --to sqlite:\(source) --with \(back)"))
            let marks = try await DatabaseConnector.withDriver(.postgres(endpoint)) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM godwit.copy_marks WHERE name LIKE 'cutover %'").first?[0].integerValue
            }
            #expect(marks == 1)
            #expect(cutover.standardOutput.contains("the source took writes again when cutover ended"))
            // A second cutover is refused, naming the first; nothing more is recorded.
            let again = try await GodwitBinary.run(["cutover", "--from", "sqlite:" + source, "--to", target, "--with", spec])
            #expect(again.status == 4)
            #expect(again.standardError.contains("This target was cut over already, at 20"), "\(again.standardError)")
            let marksAfter = try await DatabaseConnector.withDriver(.postgres(endpoint)) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM godwit.copy_marks WHERE name LIKE 'cutover %'").first?[0].integerValue
            }
            #expect(marksAfter == 1)
            // Writes now go to the target; the identity goes on past every synced key.
            let next = try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.query(unsafeSQL: "INSERT INTO genre (name) VALUES ('Morna') RETURNING genre_id").first?[0].integerValue
            }
            #expect(next == 41)
            _ = try await DatabaseConnector.withDriver(.postgres(endpoint)) { try await $0.execute(unsafeSQL: "UPDATE track SET name = 'Changed on the target' WHERE track_id = 11") }
            let reverse = try await GodwitBinary.run(["sync", "--from", target, "--to", "sqlite:" + source, "--with", back, "--quiet"])
            #expect(reverse.status == 0, "\(reverse.standardError)")
            let after = try await GodwitBinary.run(verify)
            #expect(after.status == 0, "\(reverse.standardOutput)\n\(after.standardOutput)")
        }
    }

    @Test("The copy file's filter, computed column, zone and watermark: only matching rows, computed values, times read in the zone; sync by watermark carries inserts and updates")
    func transformationsAndWatermark() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = directory.path("shop.db")
            try await GodwitEngineFacade.executeScript("""
                CREATE TABLE Orders (Id INTEGER PRIMARY KEY, PlacedAt DATETIME NOT NULL, Total NUMERIC(10,2) NOT NULL, Status TEXT, UpdatedAt INTEGER NOT NULL);
                INSERT INTO Orders VALUES (1, '2024-07-01 12:00:00', 10.50, 'paid', 100), (2, '2024-07-02 09:30:00', 3.25, 'void', 100),
                  (3, '2024-01-15 08:00:00', 7, 'paid', 100);
                """, on: source)
            let spec = directory.path("copy.yaml")
            try """
                names: snake_case
                tables:
                  Orders:
                    where: "Status <> 'void'"
                    watermark: UpdatedAt
                    columns:
                      PlacedAt: {type: timestamptz, zone: Europe/Paris}
                    add:
                      total_cents: {type: bigint, sql: "CAST(round(Total * 100) AS INTEGER)"}

                """.write(toFile: spec, atomically: true, encoding: .utf8)
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let copy = try await GodwitBinary.run(["copy", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--quiet"])
            #expect(copy.status == 0, "\(copy.standardError)")
            let rows = { try await DatabaseConnector.withDriver(.postgres(endpoint)) { driver in
                try await driver.query(unsafeSQL: "SELECT id, placed_at AT TIME ZONE 'UTC', total_cents, status FROM orders ORDER BY id")
                    .map { "\($0[0].integerValue ?? 0) \($0[1].textValue ?? "") \($0[2].integerValue ?? 0) \($0[3].textValue ?? "")" }
            } }
            // Summer time in Paris is UTC+2, winter UTC+1; the void order stays behind.
            #expect(try await rows() == ["1 2024-07-01 10:00:00 1050 paid", "3 2024-01-15 07:00:00 700 paid"])
            try await GodwitEngineFacade.executeScript("""
                INSERT INTO Orders VALUES (4, '2024-08-01 00:00:00', 1, 'paid', 200);
                UPDATE Orders SET Total = 8, UpdatedAt = 201 WHERE Id = 3;
                """, on: source)
            let sync = try await GodwitBinary.run(["sync", "--from", "sqlite:" + source, "--to", target, "--with", spec, "--quiet"])
            #expect(sync.status == 0, "\(sync.standardError)")
            #expect(sync.standardOutput.contains("Orders: 2 written, 0 deleted"))
            #expect(try await rows() == ["1 2024-07-01 10:00:00 1050 paid", "3 2024-01-15 07:00:00 800 paid", "4 2024-07-31 22:00:00 100 paid"])
            let verify = try await GodwitBinary.run(["verify", "--source", "sqlite:" + source, "--target", target, "--with", spec])
            #expect(verify.status == 0, "\(verify.standardOutput)")
        }
    }
}
