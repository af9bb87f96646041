import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("A project's life on PostgreSQL")
struct ProjectLifePostgresTests {
    @Test("001, then 002 alone, a failing 003 fixed, drift refused, 003 and 002 rolled back and applied again: plan, lint, status and rehearse agree at every step")
    func life() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: OperationMatrix.seed(.postgresql)) }
            let problems = try await ProjectLife.run(on: url)
            #expect(problems == [])
        }
    }
}
