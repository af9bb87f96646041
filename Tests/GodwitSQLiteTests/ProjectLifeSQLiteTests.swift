import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("A project's life on SQLite")
struct ProjectLifeSQLiteTests {
    @Test("001, then 002 alone, a failing 003 fixed, drift refused, 003 and 002 rolled back and applied again: plan, lint, status and rehearse agree at every step")
    func life() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: OperationMatrix.seed(.sqlite)) }
            let problems = try await ProjectLife.run(on: url)
            #expect(problems == [])
        }
    }
}
