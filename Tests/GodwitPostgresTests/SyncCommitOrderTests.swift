import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// Change capture on PostgreSQL numbers a change when it is written, not when it commits.
@Suite("Sync in commit order")
struct SyncCommitOrderTests {
    @Test("A change a long transaction commits after a later one was synced is still carried over: nothing is skipped, and the next sync finds it")
    func longTransaction() async throws {
        try await TestPostgres.withTemporaryDatabase { sourceEndpoint in
            try await TestPostgres.withTemporaryDatabase { targetEndpoint in
                let source = DatabaseURL.postgres(sourceEndpoint), target = DatabaseURL.postgres(targetEndpoint)
                try await DatabaseConnector.withDriver(source) { driver in
                    try await driver.executeScript(unsafeSQL: """
                        CREATE TABLE parent (id integer PRIMARY KEY, name text NOT NULL);
                        INSERT INTO parent SELECT g, 'parent ' || g FROM generate_series(1, 10) AS g;
                        """)
                }
                var copy = DataCopy(source: source, target: target)
                copy.capture = true
                _ = try await copy.run()

                // Session A changes parent 5 and holds its transaction open; B changes parent 6 and commits.
                let a = try await DatabaseConnector.open(source), b = try await DatabaseConnector.open(source)
                try await a.execute(unsafeSQL: "BEGIN")
                try await a.execute(unsafeSQL: "UPDATE parent SET name = 'changed by A' WHERE id = 5")
                try await b.execute(unsafeSQL: "UPDATE parent SET name = 'changed by B' WHERE id = 6")
                // A sync while A is open may carry B over later, but must not pass A's change by.
                let first = try await DataSync(source: source, target: target).run()
                try await a.execute(unsafeSQL: "COMMIT")
                try await a.close()
                try await b.close()
                let second = try await DataSync(source: source, target: target).run()
                #expect(first.changes + second.changes >= 2)
                let names = try await DatabaseConnector.withDriver(target) { driver in
                    try await driver.query(unsafeSQL: "SELECT id, name FROM parent WHERE id IN (5, 6) ORDER BY id").map { $0[1].textValue ?? "" }
                }
                #expect(names == ["changed by A", "changed by B"])
                let report = try await CrossVerification(source: source, target: target).run()
                #expect(report.passes, "\(report.markdown())")
                // Nothing left behind: a third sync carries nothing and reports no lag.
                let third = try await DataSync(source: source, target: target).run()
                #expect(third.changes == 0 && third.lag == 0)

                // A transaction left open in another database of the server cannot write here: it
                // does not hold the sync back.
                let elsewhere = try await DatabaseConnector.open(.postgres(targetEndpoint))
                try await elsewhere.execute(unsafeSQL: "BEGIN")
                _ = try await elsewhere.query(unsafeSQL: "SELECT pg_current_xact_id()::text")
                _ = try await DatabaseConnector.withDriver(source) { try await $0.execute(unsafeSQL: "UPDATE parent SET name = 'while another database waits' WHERE id = 7") }
                let fourth = try await DataSync(source: source, target: target).run()
                try await elsewhere.execute(unsafeSQL: "ROLLBACK")
                try await elsewhere.close()
                #expect(fourth.changes == 1 && fourth.lag == 0)
            }
        }
    }
}
