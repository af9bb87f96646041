import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Synchronization
import Testing

/// The strategy template's example applied while application code writes the whole time: old code through
/// the old columns, new code through the new ones.
@Suite("The strategy template example under concurrent writers")
struct ConcurrentWriterTests {
    /// One application version writing in a loop on its own connection, remembering what it
    /// wrote so nothing can be lost unnoticed.
    final class Writer: Sendable {
        let isNewCode: Bool
        private let stopFlag = Mutex(false)
        private let state = Mutex<(names: [String: String], orders: Int, errors: [String], writes: Int)>(([:], 0, [], 0))

        init(isNewCode: Bool) { self.isNewCode = isNewCode }

        func stop() { stopFlag.withLock { $0 = true } }
        var expectedNames: [String: String] { state.withLock { $0.names } }
        var ordersWritten: Int { state.withLock { $0.orders } }
        var errors: [String] { state.withLock { $0.errors } }
        var writes: Int { state.withLock { $0.writes } }

        func run(_ url: DatabaseURL) async throws {
            let driver = try await DatabaseConnector.open(url)
            let prefix = isNewCode ? "new" : "old"
            let nameColumn = isNewCode ? "full_name" : "name"
            var ids: [(Int64, String)] = []
            var counter = 0
            while !stopFlag.withLock({ $0 }) {
                counter += 1
                do {
                    let email = "\(prefix)-\(counter)@example.com"
                    let name = "\(prefix) writer \(counter)"
                    let id = try await driver.query(unsafeSQL: "INSERT INTO users (\(nameColumn), email) VALUES ($1, $2) RETURNING id",
                                                    bindings: [.text(name), .text(email)]).first?[0].integerValue ?? 0
                    ids.append((id, email))
                    state.withLock { $0.names[email] = name; $0.writes += 1 }
                    if let (target, targetEmail) = ids.randomElement() {
                        let renamed = "\(prefix) renamed \(counter)"
                        try await driver.execute(unsafeSQL: "UPDATE users SET \(nameColumn) = $1 WHERE id = $2", bindings: [.text(renamed), .integer(target)])
                        state.withLock { $0.names[targetEmail] = renamed; $0.writes += 1 }
                    }
                    try await driver.execute(unsafeSQL: "INSERT INTO orders (user_id, total) VALUES ($1, 1.50)", bindings: [.integer(id)])
                    state.withLock { $0.orders += 1; $0.writes += 1 }
                } catch {
                    state.withLock { $0.errors.append("\(error)") }
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            try await driver.close()
        }
    }

    @Test("Old and new code write throughout; no error, no lost write, new columns equal up(old)")
    func concurrentWriters() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await TestPostgres.load(SeedExampleTests.example.appendingPathComponent("schema.sql"), into: endpoint)
            try await TestPostgres.load(SeedExampleTests.example.appendingPathComponent("data.sql"), into: endpoint)
            try await DatabaseConnector.withDriver(url) { driver in
                try await driver.executeScript(unsafeSQL: """
                    INSERT INTO users (name, email, created_at) SELECT 'bulk ' || g, 'bulk-' || g || '@example.com', timestamp '2023-01-01' + g * interval '1 hour'
                        FROM generate_series(1, 3000) AS g;
                    INSERT INTO orders (user_id, total) SELECT id, 9.99 FROM users WHERE email LIKE 'bulk-%';
                    """)
            }
            let ordersBefore = try await count(url, "SELECT count(*) FROM orders")
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // The example's operations, gates and integrity trigger as they are; its latency trigger
            // is left out, because this test loads a shared machine on purpose and must not depend
            // on how busy it is (a rise above the probe's baseline would roll the migration back).
            let example = try String(contentsOf: SeedExampleTests.example.appendingPathComponent("migrations/001_users_v2.yaml"), encoding: .utf8)
            try example.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("{when: latency") }
                .joined(separator: "\n").write(toFile: directory.path("001_users_v2.yaml"), atomically: true, encoding: .utf8)
            var settings = ExecutionSettings()
            settings.batchSize = 100
            settings.batchTarget = 0
            settings.batchPause = 0.005
            settings.retention = 86400

            let old = Writer(isNewCode: false), new = Writer(isNewCode: true)
            let oldTask = Task { try await old.run(url) }
            try await Task.sleep(for: .milliseconds(100))
            // Expand, backfill and verify while old code writes; apply stops at the gate.
            let first = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            guard case .waiting = first.stop else { Issue.record("no gate before contract: \(first.stop)"); old.stop(); return }
            // Old and new code side by side.
            let newTask = Task { try await new.run(url) }
            try await Task.sleep(for: .milliseconds(1500))
            old.stop()
            try await oldTask.value
            #expect(try await count(url, """
                SELECT count(*) FROM users WHERE full_name IS DISTINCT FROM name OR uuid IS NULL
                    OR _godwit_new_created_at IS DISTINCT FROM (created_at AT TIME ZONE 'UTC')
                """) == 0)
            #expect(try await count(url, "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.user_uuid IS DISTINCT FROM u.uuid") == 0)

            // Old code is retired; the gate is approved and contract runs while new code writes.
            _ = try await GateApproval.approve("001", url: url)
            settings.waiveSoak = true
            let second = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
            try await Task.sleep(for: .milliseconds(300))
            new.stop()
            try await newTask.value
            #expect(second.awaitingCleanup.map(\.migration) == ["001"])
            #expect(second.reports.allSatisfy { $0.passed })

            #expect(old.errors.isEmpty, "old code saw errors: \(old.errors.prefix(3))")
            #expect(new.errors.isEmpty, "new code saw errors: \(new.errors.prefix(3))")
            #expect(old.writes > 50 && new.writes > 50)
            for (email, name) in old.expectedNames.merging(new.expectedNames, uniquingKeysWith: { $1 }) {
                let stored = try await DatabaseConnector.withDriver(url) {
                    try await $0.query(unsafeSQL: "SELECT full_name FROM users WHERE email = $1", bindings: [.text(email)]).first?[0].textValue
                }
                #expect(stored == name, "lost write for \(email)")
            }
            #expect(try await count(url, "SELECT count(*) FROM orders") == ordersBefore + Int64(old.ordersWritten + new.ordersWritten))
            #expect(try await count(url, "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE o.user_uuid IS DISTINCT FROM u.uuid") == 0)
            #expect(try await count(url, "SELECT count(*) FROM users WHERE uuid IS NULL OR full_name IS NULL") == 0)
        }
    }

    private func count(_ url: DatabaseURL, _ sql: String) async throws -> Int64 {
        try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: sql).first?[0].integerValue ?? -1 }
    }
}
