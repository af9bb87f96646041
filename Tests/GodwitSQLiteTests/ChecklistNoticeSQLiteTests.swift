import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("The checklist notice of a backlog")
struct ChecklistNoticeSQLiteTests {
    @Test("A backlog of files acknowledging nothing lists the open checklist once, then points back to it; a different list is spelled out again")
    func openChecklistOnce() async throws {
        try await TemporaryDirectory.with { directory in
            let folder = directory.path("migrations")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "CREATE TABLE a (id integer PRIMARY KEY);\n".write(toFile: folder + "/1_a.up.sql", atomically: true, encoding: .utf8)
            try "DROP TABLE a;\n".write(toFile: folder + "/1_a.down.sql", atomically: true, encoding: .utf8)
            try "CREATE TABLE b (id integer PRIMARY KEY);\n".write(toFile: folder + "/2_b.up.sql", atomically: true, encoding: .utf8)
            try "DROP TABLE b;\n".write(toFile: folder + "/2_b.down.sql", atomically: true, encoding: .utf8)
            try """
                name: c
                checklist:
                  stakeholders_notified: ana, in #releases
                operations:
                  - create_table: {table: c, columns: [{name: id, type: integer, nullable: false}], primary_key: [id]}

                """.write(toFile: folder + "/3_c.yaml", atomically: true, encoding: .utf8)
            let url = DatabaseURL.sqlite(.init(path: directory.path("app.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep (id INTEGER PRIMARY KEY)") }
            let log = EventLog()
            _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings, observer: log).apply(directory: folder)
            let notices = log.events(.notice).map(\.message).filter { $0.hasPrefix("checklist open: ") }
            #expect(notices.count == 3)
            #expect(notices.first?.contains("a backup verified in the last 24 h") == true)
            #expect(notices.first?.contains("`stakeholders_notified`") == true)
            let count = notices.first.map { $0.split(separator: ";").count } ?? 0
            #expect(notices.dropFirst().first == "checklist open: the same \(count) items as for 1")
            #expect(notices.last?.contains("`stakeholders_notified`") == false)
            #expect(notices.last?.contains("the same") == false)
        }
    }
}
