import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A constraint the target cannot take when the copy ends — a foreign key broken by rows still
/// arriving — is never silently lost: copy says so (and exits 2 when nothing will add it later),
/// verify and cutover fail while it is missing, and sync adds it once the rows let it in.
@Suite("godwit copy: constraints the target could not take")
struct CopyConstraintCommandTests {
    /// A SQLite source whose child table holds a row pointing at a parent not there yet (SQLite
    /// enforces no foreign keys unless asked, as with rows written while a copy reads).
    static func source(in directory: TemporaryDirectory) async throws -> String {
        let path = directory.path("shop.db")
        try await GodwitEngineFacade.executeScript("""
            PRAGMA foreign_keys = OFF;
            CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id), qty INTEGER NOT NULL CHECK (qty >= 0));
            INSERT INTO parent VALUES (1, 'a'), (2, 'b');
            INSERT INTO child VALUES (1, 1, 5), (2, 2, 0), (3, 9, 1);
            """, on: path)
        return path
    }

    static func foreignKeys(_ endpoint: DatabaseURL.PostgresEndpoint) async throws -> Int64 {
        try await DatabaseConnector.withDriver(.postgres(endpoint)) {
            try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated AND connamespace = 'public'::regnamespace").first?[0].integerValue ?? -1
        }
    }

    @Test("With --capture: copy exits 0 naming the foreign key it could not add; verify exits 2 and cutover refuses naming it; once the parent arrives, sync adds it and cutover goes through")
    func withCapture() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let source = "sqlite:" + (try await Self.source(in: directory))
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let copy = try await GodwitBinary.run(["copy", "--from", source, "--to", target, "--capture", "--quiet"])
            #expect(copy.status == 0, "\(copy.standardError)")
            #expect(copy.standardOutput.contains("Not in the target yet (1):"), "\(copy.standardOutput)")
            #expect(copy.standardOutput.contains("public.child: foreign key (parent_id) → public.parent"), "\(copy.standardOutput)")
            #expect(copy.standardOutput.contains("godwit sync tries each again"))
            #expect(try await Self.foreignKeys(endpoint) == 0)

            let verify = try await GodwitBinary.run(["verify", "--source", source, "--target", target])
            #expect(verify.status == 2, "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("- Missing constraints: 1"), "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("- Not enforced in the target: foreign key (parent_id) → public.parent (id)"), "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("**Status: Fail**"))

            let refused = try await GodwitBinary.run(["cutover", "--from", source, "--to", target])
            #expect(refused.status != 0)
            #expect(refused.standardError.contains("the target does not enforce public.child: foreign key (parent_id)"), "\(refused.standardError)")
            // The source takes writes again: the parent arrives.
            try await GodwitEngineFacade.executeScript("INSERT INTO parent VALUES (9, 'late');", on: String(source.dropFirst("sqlite:".count)))

            let sync = try await GodwitBinary.run(["sync", "--from", source, "--to", target])
            #expect(sync.status == 0, "\(sync.standardError)")
            #expect(sync.standardOutput.contains("Added to the target now that its rows let them in:"), "\(sync.standardOutput)")
            #expect(try await Self.foreignKeys(endpoint) == 1)
            let verified = try await GodwitBinary.run(["verify", "--source", source, "--target", target])
            #expect(verified.status == 0, "\(verified.standardOutput)")
            #expect(verified.standardOutput.contains("- Missing constraints: 0"))
            let cutover = try await GodwitBinary.run(["cutover", "--from", source, "--to", target])
            #expect(cutover.status == 0, "\(cutover.standardError)")
        }
    }

    @Test("Without --capture: copy exits 2 naming the foreign key; a rerun still exits 2 until the row is fixed in the target too, then adds only it, and verify passes")
    func withoutCapture() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let path = try await Self.source(in: directory)
            let source = "sqlite:" + path
            let target = DatabaseURL.postgres(endpoint).unredactedString
            let copy = try await GodwitBinary.run(["copy", "--from", source, "--to", target, "--quiet"])
            #expect(copy.status == 2, "\(copy.standardError)")
            #expect(copy.standardOutput.contains("public.child: foreign key (parent_id) → public.parent"))
            #expect(copy.standardOutput.contains("or fix the same rows in the target too and run this copy again"))

            try await GodwitEngineFacade.executeScript("UPDATE child SET parent_id = 2 WHERE id = 3;", on: path)
            let unchanged = try await GodwitBinary.run(["copy", "--from", source, "--to", target, "--quiet"])
            #expect(unchanged.status == 2, "the target's row still points at no parent")
            try await DatabaseConnector.withDriver(.postgres(endpoint)) { _ = try await $0.execute(unsafeSQL: "UPDATE child SET parent_id = 2 WHERE id = 3") }
            let again = try await GodwitBinary.run(["copy", "--from", source, "--to", target, "--quiet"])
            #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
            #expect(!again.standardOutput.contains("Not in the target yet"))
            #expect(try await Self.foreignKeys(endpoint) == 1)
            let verify = try await GodwitBinary.run(["verify", "--source", source, "--target", target])
            #expect(verify.status == 0, "\(verify.standardOutput)")
            #expect(verify.standardOutput.contains("- Missing constraints: 0"), "\(verify.standardOutput)")
        }
    }
}
