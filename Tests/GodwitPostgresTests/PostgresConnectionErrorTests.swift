import Foundation
import GodwitCore
import GodwitPostgres
import GodwitTesting
import Testing

/// The connection errors users meet, word for word. Serialized: they share one login role.
@Suite("PostgreSQL connection errors", .serialized)
struct PostgresConnectionErrorTests {
    /// A role that must log in with a password (scripts/test's pg_hba.conf asks scram for it).
    static let passwordRole = "godwit_password_user"

    static func ensurePasswordRole() async throws {
        try await TestPostgres.execute(try TestPostgres.endpoint(), """
            DO $$ BEGIN
                CREATE ROLE \(passwordRole) LOGIN PASSWORD 'right-secret';
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                ALTER ROLE \(passwordRole) LOGIN PASSWORD 'right-secret';
            END $$
            """)
    }

    @Test("Nothing listening on the port")
    func unreachable() async throws {
        var endpoint = try TestPostgres.endpoint()
        endpoint.host = "127.0.0.1"
        endpoint.port = 1
        endpoint.password = "never-shown"
        let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
        #expect(error?.code == .serverUnreachable)
        #expect(error?.description == "Cannot connect to PostgreSQL at 127.0.0.1:1: connection refused. Check that the server is running and accepts connections on that host and port.")
    }

    @Test("A server that takes the connection and never answers: the wait ends at connect_timeout, and the error says so")
    func silentServer() async throws {
        try await LoopbackSocket.withSilentListener { port in
            var endpoint = try TestPostgres.endpoint()
            endpoint.host = "127.0.0.1"
            endpoint.port = port
            endpoint.sslMode = .disable
            endpoint.connectTimeout = 2
            let started = ContinuousClock.now
            let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
            #expect(error?.code == .serverUnreachable)
            #expect(error?.description == "Cannot connect to PostgreSQL at 127.0.0.1:\(port): no answer within 2 seconds (connect_timeout in the URL sets the wait). "
                + "Check that the server is running and accepts connections on that host and port.")
            #expect(ContinuousClock.now - started >= .seconds(2))
        }
    }

    @Test("A wrong password")
    func wrongPassword() async throws {
        try await Self.ensurePasswordRole()
        var endpoint = try TestPostgres.endpoint()
        endpoint.user = Self.passwordRole
        endpoint.password = "wrong-secret"
        let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.description == "Authentication failed for user 'godwit_password_user' at \(endpoint.serverDescription): wrong password or no such user. Check the user and password in the URL.")
        #expect(error?.description.contains("wrong-secret") == false)
        endpoint.password = "right-secret"
        let driver = try await PostgresDriver.connect(endpoint)
        try await driver.close()
    }

    @Test("No password where the server asks for one")
    func missingPassword() async throws {
        try await Self.ensurePasswordRole()
        var endpoint = try TestPostgres.endpoint()
        endpoint.user = Self.passwordRole
        endpoint.password = nil
        let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
        #expect(error?.description == "Authentication failed for user 'godwit_password_user' at \(endpoint.serverDescription): the server asks for a password and the URL has none. Add it to the URL: postgres://godwit_password_user:PASSWORD@\(endpoint.host):\(endpoint.port)/\(endpoint.database).")
    }

    @Test("An unknown database")
    func unknownDatabase() async throws {
        let endpoint = try TestPostgres.endpoint().selectingDatabase("godwit_no_such_database")
        let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
        #expect(error?.code == .databaseNotFound)
        #expect(error?.description == "Database 'godwit_no_such_database' does not exist at \(endpoint.serverDescription). Create it (createdb godwit_no_such_database) or check the database name in the URL.")
    }

    @Test("A user without CONNECT on the database, which stays as it was")
    func permissionDenied() async throws {
        try await TestPostgres.withTemporaryDatabase { database in
            let admin = try TestPostgres.endpoint()
            try await TestPostgres.execute(admin, """
                DO $$ BEGIN CREATE ROLE godwit_no_connect LOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
                """)
            try await TestPostgres.execute(admin, "REVOKE CONNECT ON DATABASE \(database.database) FROM PUBLIC")
            var endpoint = database
            endpoint.user = "godwit_no_connect"
            let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
            #expect(error?.code == .permissionDenied)
            #expect(error?.description == "Permission denied for user 'godwit_no_connect' at \(endpoint.serverDescription): permission denied for database \"\(database.database)\". Ask the database owner to run GRANT CONNECT ON DATABASE \(database.database) TO godwit_no_connect.")
            let driver = try await PostgresDriver.connect(database)
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace").first?[0] == .integer(0))
            try await driver.close()
        }
    }

    @Test("sslmode=require against a server without TLS")
    func tlsRequired() async throws {
        var endpoint = try TestPostgres.endpoint()
        endpoint.sslMode = .require
        let error = await #expect(throws: GodwitError.self) { try await PostgresDriver.connect(endpoint) }
        #expect(error?.code == .tlsFailed)
        #expect(error?.description == "Cannot use TLS with PostgreSQL at \(endpoint.serverDescription): the server does not support TLS and sslmode=require requires it. Use sslmode=disable or sslmode=prefer for a server without TLS, or enable ssl on the server.")
    }
}
