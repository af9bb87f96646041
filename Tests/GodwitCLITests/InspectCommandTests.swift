import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit inspect")
struct InspectCommandTests {
    let chinook = Fixtures.chinookSQLite.path

    @Test("Text output lists tables, columns, keys and row counts")
    func text() async throws {
        let result = try await GodwitBinary.run(["inspect", chinook, "--exact-counts"])
        #expect(result.status == 0)
        #expect(result.standardError.isEmpty)
        #expect(result.standardOutput.hasPrefix("SQLite database sqlite:\(chinook)\n11 tables, 0 views, 11 indexes, 0 triggers\n"))
        #expect(result.standardOutput.contains("TABLE Album  (347 rows, "))
        #expect(result.standardOutput.contains("  ArtistId  INTEGER        NOT NULL  FK → Artist(ArtistId)"))
    }

    @Test("--db names the database as for the other commands; naming two different ones is refused without echoing either")
    func dbOption() async throws {
        let byOption = try await GodwitBinary.run(["inspect", "--db", chinook, "--format", "json"])
        let byArgument = try await GodwitBinary.run(["inspect", chinook, "--format", "json"])
        #expect(byOption.status == 0)
        #expect(byOption.standardOutput == byArgument.standardOutput)
        let both = try await GodwitBinary.run(["inspect", chinook, "--db", "postgres://ana:s3cret@db.example/app"])
        #expect(both.status != 0)
        #expect(both.standardError.contains("Two databases to inspect"))
        #expect(!both.standardError.contains("s3cret"))
    }

    @Test("JSON output is the schema model the library reads")
    func json() async throws {
        let result = try await GodwitBinary.run(["inspect", "sqlite:\(chinook)", "--format", "json"])
        #expect(result.status == 0)
        let fromCLI = try SchemaJSON.decode(result.standardOutput)
        let direct = try await GodwitEngineFacade.inspect(chinook)
        #expect(fromCLI == direct)
    }

    @Test("SQL output recreates the schema")
    func sql() async throws {
        try await TemporaryDirectory.with { directory in
            let result = try await GodwitBinary.run(["inspect", chinook, "--format", "sql"])
            #expect(result.status == 0)
            #expect(result.standardOutput.hasPrefix("-- Schema of sqlite:\(chinook), written by godwit inspect --format sql\n"))
            let target = directory.path("recreated.db")
            try await GodwitEngineFacade.executeScript(result.standardOutput, on: target)
            #expect(try await GodwitEngineFacade.inspect(target).removingStatistics() == GodwitEngineFacade.inspect(chinook).removingStatistics())
        }
    }

    @Test("Markdown output is a data-architecture document with a Mermaid ER diagram")
    func markdown() async throws {
        let result = try await GodwitBinary.run(["inspect", chinook, "--format", "markdown"])
        #expect(result.status == 0)
        let document = result.standardOutput
        #expect(document.hasPrefix("# Data architecture: sqlite:\(chinook)\n"))
        #expect(document.contains("```mermaid\nerDiagram\n"))
        #expect(document.contains("    Artist ||--o{ Album : \"ArtistId\""))
        #expect(document.contains("| [Album](#album) | 3 | ~347 |"))
        #expect(document.contains("### InvoiceLine"))
    }

    @Test("DATABASE_URL is used when no URL is given")
    func databaseURLVariable() async throws {
        let result = try await GodwitBinary.run(["inspect"], databaseURL: "sqlite:\(chinook)")
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("SQLite database sqlite:\(chinook)\n"))
    }

    @Test("PostgreSQL through the binary, with the password kept out of the output")
    func postgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TestPostgres.load(Fixtures.chinookPostgres, into: endpoint)
            var withPassword = endpoint
            withPassword.password = "unused-secret"  // trust auth ignores it; it must still never be printed
            let url = DatabaseURL.postgres(withPassword)
            let result = try await GodwitBinary.run(["inspect", url.unredactedString, "--format", "markdown"])
            #expect(result.status == 0)
            #expect(result.standardOutput.hasPrefix("# Data architecture: postgres://\(endpoint.user):***@"))
            #expect(!result.standardOutput.contains("unused-secret"))
            #expect(result.standardOutput.contains("public_album") || result.standardOutput.contains("    album {"))
        }
    }
}

@Suite("godwit errors")
struct CLIErrorTests {
    @Test("Each error is one line with exit code 1 for failures and 64 for usage", arguments: [
        (["inspect", "sqlite:/nonexistent/dir/app.db"], Int32(1),
         "godwit: error: No SQLite database at /nonexistent/dir/app.db: the file does not exist. Check the path (relative paths start from /tmp); for a new database, create it as an empty file first (touch /nonexistent/dir/app.db)."),
        (["inspect", "postgres://me:topsecret@127.0.0.1:1/app"], Int32(1),
         "godwit: error: Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused. Check that the server is running and accepts connections on that host and port."),
        (["inspect", "postgres://me:topsecret@127.0.0.1:port/app"], Int32(64),
         "godwit: error: Malformed PostgreSQL URL at postgres://me:***@127.0.0.1:port/app: the port is not a number. Write the port as digits, for example :5432."),
        (["inspect", "oracle://me:topsecret@db/app"], Int32(64),
         "godwit: error: Unsupported database URL scheme 'oracle' at oracle://me:***@db/app. Godwit drives SQLite (sqlite:path.db) and PostgreSQL (postgres://user@host:port/db)."),
        (["inspect"], Int32(64),
         "godwit: error: No database given. Pass a URL (godwit inspect sqlite:app.db) or set DATABASE_URL."),
    ])
    func errors(arguments: [String], status: Int32, line: String) async throws {
        let result = try await GodwitBinary.run(arguments, in: URL(fileURLWithPath: "/tmp"))
        #expect(result.status == status)
        #expect(result.standardError == line + "\n")
        #expect(result.standardOutput.isEmpty)
        #expect(!result.standardError.contains("topsecret"))
    }

    @Test("A wrong password through the binary: one line, no password")
    func wrongPassword() async throws {
        let admin = try TestPostgres.endpoint()
        try await TestPostgres.execute(admin, """
            DO $$ BEGIN CREATE ROLE godwit_password_user LOGIN PASSWORD 'right-secret';
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
            """)
        var endpoint = admin
        endpoint.user = "godwit_password_user"
        endpoint.password = "wrong-secret"
        let result = try await GodwitBinary.run(["inspect", DatabaseURL.postgres(endpoint).unredactedString])
        #expect(result.status == 1)
        #expect(result.standardError == "godwit: error: Authentication failed for user 'godwit_password_user' at \(admin.serverDescription): wrong password or no such user. Check the user and password in the URL.\n")
    }

    @Test("An unknown format is a usage error")
    func badFormat() async throws {
        let result = try await GodwitBinary.run(["inspect", Fixtures.chinookSQLite.path, "--format", "yaml"])
        #expect(result.status == 64)
        #expect(result.standardError.hasPrefix("Error: The value 'yaml' is invalid for '--format <format>'. Please provide one of 'text', 'json', 'sql' or 'markdown'."))
    }

    @Test("A URL with its password as a parameter and a bad sslmode: the error names the URL without the password, exit 64")
    func passwordParameterNeverPrinted() async throws {
        let result = try await GodwitBinary.run(["inspect", "postgres://app@host:5432/db?password=S3cret&sslmode=bogus"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("sslmode 'bogus'"))
        #expect(result.standardError.contains("password=***"))
        #expect(!(result.standardError + result.standardOutput).contains("S3cret"))
    }
}
