import Foundation
public import GodwitCore

/// A throwaway database of the same engine as a URL, for reading a desired schema: SQLite in
/// memory; PostgreSQL a temporary database on the same server, dropped afterwards even when the
/// work fails.
public enum ScratchDatabase {
    /// Runs a schema script in one transaction (one commit instead of one per statement: 1,000
    /// tables load a third faster), or statement by statement when the script holds something a
    /// transaction cannot (SQLSTATE 25001, such as CREATE INDEX CONCURRENTLY).
    ///
    /// A schema of thousands of tables takes more locks than one transaction may hold (SQLSTATE
    /// 53200, "out of shared memory": `max_locks_per_transaction` × connections); it then loads
    /// in transactions of ``chunkStatements`` statements each.
    public static func load(_ script: String, into driver: any DatabaseDriver) async throws {
        do {
            try await driver.withTransaction { try await driver.executeScript(unsafeSQL: script) }
        } catch let error as GodwitError where error.engineCode == "25001" || error.reason?.contains("SQLSTATE 25001") == true {
            try await driver.executeScript(unsafeSQL: script)
        } catch let error as GodwitError where error.engineCode == "53200" {
            let statements = SQLScript.statements(in: script, engine: driver.engine).map(\.text)
            for start in stride(from: 0, to: statements.count, by: chunkStatements) {
                let chunk = statements[start..<min(start + chunkStatements, statements.count)].joined(separator: ";\n") + ";"
                try await driver.withTransaction { try await driver.executeScript(unsafeSQL: chunk) }
            }
        }
    }

    /// Statements per transaction when a script is too big for one.
    static let chunkStatements = 500

    /// Runs `body` on a new empty database of `url`'s engine (``DatabaseCloning/withScratch(like:_:)``),
    /// removed afterwards.
    public static func with<Result: Sendable>(
        like url: DatabaseURL,
        _ body: (any DatabaseDriver) async throws -> Result
    ) async throws -> Result {
        try await DatabaseConnector.support(for: url.engine).cloning.withScratch(like: url) { scratch in
            try await DatabaseConnector.withDriver(scratch, access: .create, body)
        }
    }
}
