import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit status")
struct StatusCommandTests {
    @Test("Pending, applied and drifted migrations; exit code 2 on drift; JSON too")
    func status() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            try "name: first\noperations:\n  - drop_table: {table: Genre}\n".write(toFile: directory.path("m/001_first.yaml"), atomically: true, encoding: .utf8)
            try "name: second\noperations:\n  - drop_table: {table: Playlist}\n".write(toFile: directory.path("m/002_second.yaml"), atomically: true, encoding: .utf8)
            let pending = try await GodwitBinary.run(["status", directory.path("m"), "--db", database])
            #expect(pending.status == 0)
            #expect(pending.standardOutput == "001  first   pending\n002  second  pending\n")
            // The read-only status did not create the state tables.
            let url = DatabaseURL.sqlite(.init(path: database))
            #expect(try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).isInstalled() } == false)

            let migrations = try MigrationDirectory.load(directory.path("m"))
            let started = Date(timeIntervalSince1970: 1_790_000_000)
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                try await store.save(MigrationRecord(id: "001", name: "first", checksum: migrations[0].source!.checksum, state: .applied,
                                                     phase: .cleanup, completedSteps: 2, startedAt: started, operatorName: "ana@host"))
            }
            let applied = try await GodwitBinary.run(["status", directory.path("m"), "--db", database])
            #expect(applied.status == 0)
            #expect(applied.standardOutput == "001  first   applied, phase cleanup, 2 steps done, started 2026-09-21T14:13:20Z by ana@host\n002  second  pending\n")

            try "name: first\noperations:\n  - drop_table: {table: MediaType}\n".write(toFile: directory.path("m/001_first.yaml"), atomically: true, encoding: .utf8)
            let drifted = try await GodwitBinary.run(["status", directory.path("m"), "--db", database, "--format", "json"])
            #expect(drifted.status == 2)
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(drifted.standardOutput.utf8)) as? [[String: Any]])
            #expect(entries.map { $0["drift"] as? Bool } == [true, false])
            #expect(entries.map { $0["state"] as? String } == ["applied", "pending"])
        }
    }
}
