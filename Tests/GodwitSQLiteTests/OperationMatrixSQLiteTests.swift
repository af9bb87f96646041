import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Every operation kind under `downtime: zero` and `window` on a real SQLite file: plan, lint,
/// rehearse, apply through its gates, verify, roll back to identical, apply again.
@Suite("Operation matrix on SQLite")
struct OperationMatrixSQLiteTests {
    /// What SQLite cannot do while old code writes: changing a column or constraint rebuilds the
    /// table, a unique index rejects old code's duplicates as it is built, and a rename has no
    /// view to cover the old name. Under `downtime: zero` lint, rehearse and apply refuse these
    /// alike; under `window` they run.
    static let blockWrites: Set<String> = [
        "add_constraint check", "add_constraint foreign_key", "add_constraint unique", "alter_column check", "alter_column default",
        "alter_column nullable", "alter_column references", "alter_column type", "alter_column unique", "drop_column", "drop_constraint",
        "rename_column", "rename_table",
    ]

    @Test("Each operation holds the plan's word through the whole path", arguments: OperationMatrix.cases(.sqlite))
    func matrix(_ matrixCase: OperationMatrix.Case) async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("shop.db")))
            try await DatabaseConnector.withDriver(url, access: .create) { try await $0.executeScript(unsafeSQL: OperationMatrix.seed(.sqlite)) }
            let outcome = try await OperationMatrix.run(matrixCase, on: url)
            #expect(outcome.problems == [], "\(matrixCase)")
            let refused = matrixCase.downtime == .zero && Self.blockWrites.contains(matrixCase.operation)
            #expect(outcome.refusedFor == (refused ? ["GW101"] : []), "\(matrixCase)")
        }
    }
}
