import GodwitCore
import Testing

@Suite("Database URLs")
struct DatabaseURLTests {
    @Test("SQLite URLs and plain paths", arguments: [
        ("sqlite:app.db", "app.db"),
        ("sqlite://app.db", "app.db"),
        ("sqlite:///var/data/app.db", "/var/data/app.db"),
        ("sqlite::memory:", ":memory:"),
        ("data/app.sqlite", "data/app.sqlite"),
        ("./no-extension", "./no-extension"),
        ("/abs/file.sqlite3", "/abs/file.sqlite3"),
    ])
    func sqlite(text: String, path: String) throws {
        #expect(try DatabaseURL(parsing: text) == .sqlite(.init(path: path)))
    }

    @Test("A full PostgreSQL URL with an encoded password, port and sslmode")
    func postgresFull() throws {
        let url = try DatabaseURL(parsing: "postgres://alice:p%40ss%3Aword@db.example.com:6543/shop?sslmode=require")
        guard case .postgres(let endpoint) = url else { Issue.record("not postgres"); return }
        #expect(endpoint.user == "alice")
        #expect(endpoint.password == "p@ss:word")
        #expect(endpoint.host == "db.example.com")
        #expect(endpoint.port == 6543)
        #expect(endpoint.database == "shop")
        #expect(endpoint.sslMode == .require)
        #expect(url.description == "postgres://alice:***@db.example.com:6543/shop?sslmode=require")
        #expect(!url.description.contains("p@ss"))
        #expect(url.unredactedString == "postgres://alice:p%40ss%3Aword@db.example.com:6543/shop?sslmode=require")
    }

    @Test("connect_timeout is read as libpq reads it (0: no limit; under 2: 2), kept in the URL, and 30 s when absent")
    func connectTimeout() throws {
        func endpoint(_ text: String) throws -> DatabaseURL.PostgresEndpoint? {
            guard case .postgres(let endpoint) = try DatabaseURL(parsing: text) else { return nil }
            return endpoint
        }
        #expect(try endpoint("postgres://u@h/db")?.connectTimeoutSeconds == 30)
        #expect(try endpoint("postgres://u@h/db?connect_timeout=5")?.connectTimeoutSeconds == 5)
        #expect(try endpoint("postgres://u@h/db?connect_timeout=1")?.connectTimeoutSeconds == 2)
        #expect(try endpoint("postgres://u@h/db?connect_timeout=0")?.connectTimeoutSeconds == nil)
        let url = try DatabaseURL(parsing: "postgres://u:secret@h/db?sslmode=disable&connect_timeout=7")
        #expect(url.description == "postgres://u:***@h:5432/db?sslmode=disable&connect_timeout=7")
        #expect(try DatabaseURL(parsing: url.unredactedString) == url)
        let error = #expect(throws: GodwitError.self) { try DatabaseURL(parsing: "postgres://u:secret@h/db?connect_timeout=soon") }
        #expect(error?.description == "Malformed PostgreSQL URL at postgres://u:***@h/db?connect_timeout=soon: connect_timeout 'soon' is not a whole number of seconds. "
            + "Write the seconds to wait for the server as digits, for example connect_timeout=30 (0 waits as long as it takes).")
    }

    @Test("Defaults: port 5432, user from the environment, database named after the user")
    func postgresDefaults() throws {
        let url = try DatabaseURL(parsing: "postgresql://localhost", defaultUser: "bob")
        #expect(url == .postgres(.init(host: "localhost", port: 5432, user: "bob", database: "bob", sslMode: .prefer)))
    }

    @Test("A unix socket directory in the host parameter")
    func socket() throws {
        let url = try DatabaseURL(parsing: "postgres://carol@/app?host=/var/run/postgresql&port=5433")
        guard case .postgres(let endpoint) = url else { Issue.record("not postgres"); return }
        #expect(endpoint.socketDirectory == "/var/run/postgresql")
        #expect(endpoint.port == 5433)
        #expect(endpoint.serverDescription == "/var/run/postgresql/.s.PGSQL.5433")
    }

    @Test("Malformed URLs say what is wrong, where, and never show the password", arguments: [
        ("postgres://u:secret@host:notaport/db",
         "Malformed PostgreSQL URL at postgres://u:***@host:notaport/db: the port is not a number. Write the port as digits, for example :5432."),
        ("postgres://u:secret@host:70000/db",
         "Malformed PostgreSQL URL at postgres://u:***@host:70000/db: port 70000 is out of range. Use a port between 1 and 65535."),
        ("postgres://u:secret@host/db?sslmode=sometimes",
         "Malformed PostgreSQL URL at postgres://u:***@host/db?sslmode=sometimes: sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full. Use sslmode=disable for a local server or sslmode=require for a remote one."),
        ("postgres://u:secret@host/db?colour=blue",
         "Malformed PostgreSQL URL at postgres://u:***@host/db?colour=blue: unknown parameter 'colour'. Godwit understands sslmode, host, port, user, password, dbname, application_name and connect_timeout."),
        ("mysql://u:secret@host/db",
         "Unsupported database URL scheme 'mysql' at mysql://u:***@host/db. Godwit drives SQLite (sqlite:path.db) and PostgreSQL (postgres://user@host:port/db)."),
        ("banana",
         "Not a database URL at banana: expected sqlite:PATH, a path ending in .db or .sqlite, or postgres://…. Write sqlite:banana for a SQLite file, or a postgres:// URL."),
        ("",
         "No database URL given. Pass a URL such as sqlite:app.db or postgres://user@localhost:5432/app, or set DATABASE_URL."),
    ])
    func malformed(text: String, message: String) {
        #expect {
            try DatabaseURL(parsing: text)
        } throws: { error in
            guard let error = error as? GodwitError else { return false }
            return error.description == message && !error.description.contains("secret") && error.code.isUsageError
        }
    }

    @Test("Redacting removes only the password")
    func redacting() {
        #expect(DatabaseURL.redacting("postgres://u:pw@h/db") == "postgres://u:***@h/db")
        #expect(DatabaseURL.redacting("postgres://u@h/db") == "postgres://u@h/db")
        #expect(DatabaseURL.redacting("sqlite:a.db") == "sqlite:a.db")
        #expect(DatabaseURL.redacting("postgres://app@host:5432/db?password=S3cret&sslmode=bogus") == "postgres://app@host:5432/db?password=***&sslmode=bogus")
        #expect(DatabaseURL.redacting("postgres://h/db?sslmode=disable&PASSWORD=x%26y") == "postgres://h/db?sslmode=disable&PASSWORD=***")
        #expect(DatabaseURL.redacting("postgres://h/db?user=a@b&password=z") == "postgres://h/db?user=a@b&password=***")
    }

    @Test("A password given as a parameter never appears in an error about the URL",
          arguments: ["postgres://app@host:5432/db?password=S3cret&sslmode=bogus", "postgres://app@host:99999/db?password=S3cret",
                      "postgres://app@host/db?password=S3cret&colour=blue", "postgres://app:S3cret@host:port/db"])
    func parameterPassword(_ text: String) {
        #expect {
            try DatabaseURL(parsing: text)
        } throws: { error in
            guard let error = error as? GodwitError else { return false }
            return !error.description.contains("S3cret") && error.description.contains("***")
        }
    }
}

@Suite("Database URLs without a path")
struct DatabaseURLWithoutPathTests {
    @Test("A port followed directly by parameters parses")
    func portThenQuery() throws {
        let url = try DatabaseURL(parsing: "postgres://u@h:5433?sslmode=disable&dbname=shop")
        #expect(url == .postgres(.init(host: "h", port: 5433, user: "u", database: "shop", sslMode: .disable)))
    }
}
