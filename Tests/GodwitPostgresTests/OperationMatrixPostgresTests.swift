import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Every operation kind under `downtime: zero` and `window` on a real PostgreSQL server: plan,
/// lint, rehearse, apply through its gates, verify, roll back to identical, apply again. One case
/// at a time: each holds several sessions, and 48 at once exhaust the server's connections.
@Suite("Operation matrix on PostgreSQL", .serialized)
struct OperationMatrixPostgresTests {
    @Test("Each operation holds the plan's word through the whole path", arguments: OperationMatrix.cases(.postgresql))
    func matrix(_ matrixCase: OperationMatrix.Case) async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: OperationMatrix.seed(.postgresql)) }
            let outcome = try await OperationMatrix.run(matrixCase, on: url)
            #expect(outcome.problems == [], "\(matrixCase)")
            // PostgreSQL has an online technique for every operation: nothing is refused.
            #expect(outcome.refusedFor == [], "\(matrixCase)")
        }
    }
}
