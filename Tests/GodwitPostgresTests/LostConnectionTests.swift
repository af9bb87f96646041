import Foundation
import GodwitCore
@testable import GodwitPostgres
import GodwitTesting
import NIOCore
import Testing

/// A session lost mid-work — a server restart, a reset socket — is an error `apply` retries on a
/// new session, named as a lost connection, never a bare "IOError".
@Suite("A lost PostgreSQL connection")
struct LostConnectionTests {
    @Test("A reset or closed socket during a statement is a transient lost connection that ends the session", arguments: [ECONNRESET, EPIPE])
    func socketErrors(_ errno: Int32) throws {
        let endpoint = try TestPostgres.endpoint()
        for error in [IOError(errnoCode: errno, reason: "read") as any Error, ChannelError.ioOnClosedChannel] {
            let translated = try #require(PostgresErrorTranslator.translateQuery(error, endpoint: endpoint, statement: "UPDATE t SET x = 1") as? GodwitError)
            #expect(translated.summary == "Lost the connection to PostgreSQL")
            #expect(translated.isTransient && translated.endsSession, "\(translated)")
            #expect(!translated.description.contains("IOError"))
        }
    }

    @Test("A backend terminated while the session is idle: the next statement fails at once as a lost connection, transient (it used to wait forever)")
    func terminatedWhileIdle() async throws {
        let endpoint = try TestPostgres.endpoint()
        let driver = try await PostgresDriver.connect(endpoint, applicationName: "godwit lost-connection test")
        defer { Task { try? await driver.close() } }
        let pid = try await driver.query(unsafeSQL: "SELECT pg_backend_pid()").first?[0].integerValue ?? 0
        try await TestPostgres.execute(endpoint, "SELECT pg_terminate_backend(\(pid))")
        try await Task.sleep(for: .milliseconds(200))
        await #expect { _ = try await driver.query(unsafeSQL: "SELECT 1") } throws: { error in
            guard let error = error as? GodwitError else { return false }
            return error.isTransient && error.endsSession
        }
    }
}
