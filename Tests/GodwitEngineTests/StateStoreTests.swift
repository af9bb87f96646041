import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The state store on both engines, against real databases.
@Suite("State store")
struct StateStoreTests {
    static func withDatabase<T: Sendable>(_ engine: Engine, _ body: @Sendable (DatabaseURL) async throws -> T) async throws -> T {
        switch engine {
        case .sqlite:
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let url = DatabaseURL.sqlite(.init(path: directory.path("state.db")))
            _ = try await DatabaseConnector.withDriver(url, access: .create) { try await $0.execute(unsafeSQL: "CREATE TABLE app (id INTEGER PRIMARY KEY)") }
            return try await body(url)
        case .postgresql:
            return try await TestPostgres.withTemporaryDatabase { endpoint in
                try await TestPostgres.execute(endpoint, "CREATE TABLE app (id integer PRIMARY KEY)")
                return try await body(.postgres(endpoint))
            }
        }
    }

    @Test("Records, steps and audit events round-trip; inspection leaves the state out", arguments: Engine.allCases)
    func roundTrip(engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                #expect(try await store.records().isEmpty)
                #expect(try await !store.isInstalled())
                try await store.install()
                try await store.install()  // idempotent
                let started = Date(timeIntervalSince1970: 1_790_000_000.25)
                var record = MigrationRecord(id: "002", name: "second", checksum: String(repeating: "b", count: 64), state: .running,
                                             phase: .expand, completedSteps: 1, startedAt: started, operatorName: "ana@host")
                try await store.save(record)
                try await store.save(MigrationRecord(id: "001", name: "first", checksum: String(repeating: "a", count: 64), state: .applied,
                                                     phase: .cleanup, completedSteps: 7, startedAt: started, finishedAt: started.addingTimeInterval(3),
                                                     operatorName: "ana@host"))
                record.state = .waitingAtGate
                record.phase = .verify
                record.completedSteps = 4
                record.totalSteps = 9
                record.waitingFor = "approval of the gate before contract"
                record.approvedGates = [.backfill]
                record.phaseFinishedAt = started.addingTimeInterval(1)
                try await store.save(record)
                let records = try await store.records()
                #expect(records.map(\.id) == ["001", "002"])
                #expect(records[1] == record)
                #expect(records[0].finishedAt == started.addingTimeInterval(3))

                var progress = StepProgress(step: 3, title: "Backfill", phase: .backfill, startedAt: started,
                                            updatedAt: started.addingTimeInterval(2), batchesDone: 10, rowsDone: 10000, rowsTotal: 40000, lastKey: "(10000)")
                try await store.recordStep(migration: "002", progress)
                progress.batchesDone = 11
                progress.rowsDone = 11000
                progress.lastKey = "(11000)"
                try await store.recordStep(migration: "002", progress)
                #expect(try await store.stepProgress(migration: "002") == [progress])
                #expect(progress.rowsPerSecond == 5500)

                let events = [
                    AuditEvent(at: started, kind: .phaseStarted, migration: "002", fields: [.init("phase", "expand"), .init("operator", "ana@host")]),
                    AuditEvent(at: started.addingTimeInterval(1), kind: .integrityCheck, migration: "002",
                               fields: [.init("phase", "expand"), .init("rows_expected", "3"), .init("rows_actual", "3"), .init("checksum", "pass")]),
                ]
                for event in events { try await store.append(event) }
                #expect(try await store.events(migration: "002") == events)
                #expect(events[1].line == "[2026-09-21T14:13:21Z] integrity-check: migration=002, phase=expand, rows_expected=3, rows_actual=3, checksum=pass")
                #expect(try events[0].jsonLine().hasPrefix("{\"at\":\"2026-09-21T14:13:20Z\",\"fields\":[{\"name\":\"phase\",\"value\":\"expand\"}"))

                let schema = try await driver.inspect(InspectionOptions())
                #expect(schema.tables.map(\.name.name) == ["app"])
                #expect(!schema.namespaces.contains { $0.name == "godwit" })
            }
        }
    }

    @Test("A plan saved with its record reads back equal (its schemas are written on two tasks); saving the record alone keeps it", arguments: Engine.allCases)
    func planRoundTrip(engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                let before = try await driver.inspect(InspectionOptions())
                try await driver.execute(unsafeSQL: "ALTER TABLE app ADD COLUMN note text DEFAULT 'é \\\" quoted'")
                try await driver.execute(unsafeSQL: "CREATE INDEX app_note ON app (note)")
                let target = try await driver.inspect(InspectionOptions())
                let plan = StoredPlan(steps: [], before: before, target: target, digests: [])
                var record = MigrationRecord(id: "001", name: "first", checksum: "c", state: .running, startedAt: Date(), operatorName: "ana")
                try await store.save(record, plan: plan)
                #expect(try await store.plan(migration: "001") == plan)
                // Saving the record alone later keeps its plan.
                record.state = .applied
                try await store.save(record)
                #expect(try await store.plan(migration: "001") == plan)
                #expect(try await store.records().first?.state == .applied)
                #expect(before != target)
            }
        }
    }

    @Test("A record saved with audit events writes both (one statement where the engine combines writes), the events in order", arguments: Engine.allCases)
    func recordWithEvents(engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                let at = Date(timeIntervalSince1970: 1_790_000_000)
                let record = MigrationRecord(id: "001", name: "first", checksum: "c", state: .running, startedAt: at, operatorName: "ana")
                let events = (0..<5).map { AuditEvent(at: at.addingTimeInterval(Double($0)), kind: $0.isMultiple(of: 2) ? .phaseStarted : .phaseCompleted,
                                                      migration: "001", fields: [.init("phase", "p\($0)"), .init("note", "it's \"quoted\"")]) }
                try await store.save(record, events: Array(events.prefix(3)))
                try await store.append(Array(events.suffix(2)))
                try await store.append([])
                #expect(try await store.events(migration: "001") == events)
                #expect(try await store.record("001") == record)
                // Where the writes are one statement, a record the database refuses takes its events with it.
                try await driver.execute(unsafeSQL: "CREATE UNIQUE INDEX one_name ON \(driver.dialect.godwitTable("migrations")) (name)")
                var clash = record
                clash.id = "002"
                await #expect(throws: (any Error).self) { try await store.save(clash, events: [events[0]]) }
                #expect(try await store.events(migration: "001").count == (driver.dialect.combinesWrites ? 5 : 6))
            }
        }
    }

    @Test("A finished step keeps when it started and what it counted, and marks the steps before it done", arguments: Engine.allCases)
    func stepDone(engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                let started = Date(timeIntervalSince1970: 1_790_000_000)
                try await store.save(MigrationRecord(id: "001", name: "first", checksum: "c", state: .running, startedAt: started, operatorName: "ana", totalSteps: 3))
                let backfill = StepProgress(step: 2, title: "Backfill", phase: .backfill, startedAt: started, updatedAt: started.addingTimeInterval(1),
                                            batchesDone: 7, rowsDone: 7000, rowsTotal: 7000, lastKey: "(7000)")
                try await store.recordStep(migration: "001", backfill)
                let finished = started.addingTimeInterval(5)
                try await store.markStepDone(migration: "001", step: 2, title: "Backfill", phase: .backfill, startedAt: finished, finishedAt: finished)
                try await store.markStepDone(migration: "001", step: 3, title: "Check", phase: .verify, startedAt: started.addingTimeInterval(6),
                                             finishedAt: started.addingTimeInterval(7))
                let progress = try await store.stepProgress(migration: "001")
                #expect(progress.map(\.step) == [2, 3])
                #expect(progress[0].startedAt == started)
                #expect(progress[0].finishedAt == finished && progress[0].updatedAt == finished)
                #expect(progress[0].batchesDone == 7 && progress[0].rowsDone == 7000 && progress[0].lastKey == "(7000)")
                #expect(progress[1].startedAt == started.addingTimeInterval(6) && progress[1].finishedAt == started.addingTimeInterval(7))
                #expect(progress[1].batchesDone == 0)
                let record = try #require(try await store.record("001"))
                #expect(record.completedSteps == 3 && record.phase == .verify)
            }
        }
    }

    @Test("Plans written through the run's schema cache read back equal: objects the last plan wrote are copied, changed ones encoded again, a schema of another shape too", arguments: Engine.allCases)
    func planThroughSchemaCache(engine: Engine) async throws {
        try await Self.withDatabase(engine) { url in
            try await DatabaseConnector.withDriver(url) { driver in
                let store = StateStore(driver: driver)
                try await store.install()
                let first = try await driver.inspect(InspectionOptions())
                try await driver.execute(unsafeSQL: "ALTER TABLE app ADD COLUMN note text")
                let second = try await driver.inspect(InspectionOptions())
                try await driver.execute(unsafeSQL: "CREATE INDEX app_note ON app (note)")
                try await driver.execute(unsafeSQL: "CREATE TABLE extra (id integer PRIMARY KEY)")
                let third = try await driver.inspect(InspectionOptions())
                let record = { (id: String) in MigrationRecord(id: id, name: id, checksum: "c", state: .running, startedAt: Date(), operatorName: "ana") }
                let cache = SchemaJSONCache()
                let plans = [
                    StoredPlan(steps: [], before: first, target: second, digests: []),
                    StoredPlan(steps: [], before: second, target: third, digests: []),
                    // Back to a schema whose table the cache last saw changed.
                    StoredPlan(steps: [], before: third, target: first, digests: []),
                ]
                for (index, plan) in plans.enumerated() { try await store.save(record("00\(index)"), plan: plan, cache: cache) }
                for (index, plan) in plans.enumerated() { #expect(try await store.plan(migration: "00\(index)") == plan) }
                // What the cache writes decodes as JSONEncoder's does, for every kind of object.
                #expect(try JSONDecoder().decode(Schema.self, from: Data(cache.json(of: third).utf8)) == third)
            }
        }
    }

    @Test("A changed file of an applied migration is drift, refused with both checksums")
    func drift() throws {
        var migration = try MigrationFileParser().parse("name: x\noperations:\n  - drop_table: {table: t}\n", file: "m/001_x.yaml", defaultID: "001")
        let applied = MigrationRecord(id: "001", name: "x", checksum: String(repeating: "0", count: 64), state: .applied,
                                      startedAt: Date(), operatorName: "me")
        let error = #expect(throws: GodwitError.self) { try DriftCheck.check([migration], against: [applied]) }
        #expect(error?.description == "Migration 001 changed after it was applied at m/001_x.yaml: its checksum is now \(migration.source!.checksum.prefix(12))…, it was 000000000000… when applied. Restore the file as it was applied, and put new changes in a new migration.")
        migration.source?.checksum = String(repeating: "0", count: 64)
        #expect(throws: Never.self) { try DriftCheck.check([migration], against: [applied]) }
    }
}
