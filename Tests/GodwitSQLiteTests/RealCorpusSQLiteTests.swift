import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A real project's sqlx migrations on SQLite (atuin's client database), in place.
@Suite("A real project's sqlx migrations on SQLite")
struct RealCorpusSQLiteTests {
    @Test("atuin's client migrations (sqlx, no downs), taken over from sqlx after the first six with rows of NULLs, quotes, unicode and floats: rehearsed to go, applied with sqlx's rows and checksums, each rolled back proven")
    func atuinClient() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("history.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ in }
            let seed = """
                INSERT INTO history (id, timestamp, duration, exit, command, cwd, session, hostname, deleted_at, author, intent) VALUES
                  ('a', 1700000000, 12, 0, 'ls -la ''ünïcode'' "q"', '/home/u', 's1', 'host', NULL, NULL, NULL),
                  ('b', 1700000001, 1.5e9, 1, 'echo ; DROP TABLE x', '/tmp', 's1', 'hôst', 1700000500, 'ann', 'fix'),
                  ('c', 1700000002, -3, 127, '', '', 's2', '', NULL, '', NULL);
                """
            let problems = try await SQLxAdoption.run(directory: Fixtures.url("real/atuin/client").path, on: url, adopted: 6, seed: seed)
            #expect(problems == [])
        }
    }
}
