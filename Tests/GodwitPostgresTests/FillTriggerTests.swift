import Foundation
import GodwitCore
import GodwitEngine
@testable import GodwitPostgres
import GodwitTesting
import Testing

/// `add_column` with `up` under zero downtime: while old code writes, the new column follows
/// `up(row)` for every row it inserts or changes, before the backfill, during it and after it.
@Suite("The fill trigger of a new column")
struct FillTriggerTests {
    static let migration = ExecutionFixtures.nameUpperMigration

    @Test("Old code's inserts and updates keep the new column equal to up(row) — also a row changed after the backfill filled it; a value new code sets stays")
    func followsOldCodeWrites() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let url = DatabaseURL.postgres(endpoint)
            try await DatabaseConnector.withDriver(url) {
                try await $0.executeScript(unsafeSQL: """
                    CREATE TABLE people (id bigint PRIMARY KEY, name text);
                    INSERT INTO people SELECT g, 'person ' || g FROM generate_series(1, 200) g;
                    """)
            }
            let directory = try ExecutionFixtures.directory(with: Self.migration, name: "001_name_upper.yaml")
            defer { directory.remove() }
            let column = { (id: Int) async throws -> String? in
                try await DatabaseConnector.withDriver(url) { try await $0.query(unsafeSQL: "SELECT name_upper FROM people WHERE id = \(id)").first?[0].textValue }
            }
            let oldCode = { (sql: String) async throws in _ = try await DatabaseConnector.withDriver(url) { try await $0.execute(unsafeSQL: sql) } }

            _ = try await MigrationApplier(url: url, settings: ApplyPostgresTests.settings(through: .expand)).apply(directory: directory.url.path)
            try await oldCode("INSERT INTO people (id, name) VALUES (1000, 'late arrival')")
            try await oldCode("UPDATE people SET name = 'renamed early' WHERE id = 7")
            #expect(try await column(1000) == "LATE ARRIVAL")
            #expect(try await column(7) == "RENAMED EARLY")
            #expect(try await column(8) == nil, "not backfilled yet")

            _ = try await MigrationApplier(url: url, settings: ApplyPostgresTests.settings(through: .backfill)).apply(directory: directory.url.path)
            #expect(try await column(8) == "PERSON 8")
            try await oldCode("UPDATE people SET name = 'renamed after the backfill' WHERE id = 8")
            #expect(try await column(8) == "RENAMED AFTER THE BACKFILL", "a backfilled row that old code changes is filled again")
            try await oldCode("UPDATE people SET name = NULL WHERE id = 9")
            #expect(try await column(9) == nil)
            try await oldCode("UPDATE people SET name_upper = 'SET BY NEW CODE' WHERE id = 10")
            #expect(try await column(10) == "SET BY NEW CODE", "a write that sets the column keeps its value")
            try await oldCode("UPDATE people SET name_upper = upper(name) WHERE id = 10")

            let outcome = try await MigrationApplier(url: url, settings: ApplyPostgresTests.settings(through: .cleanup)).apply(directory: directory.url.path)
            guard case .completed = outcome.stop else { Issue.record("apply did not finish: \(outcome.stop)"); return }
            let failures = outcome.reports.flatMap { $0.failures.map(\.name) }
            #expect(failures.isEmpty, "\(failures)")
            let wrong = try await DatabaseConnector.withDriver(url) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM people WHERE name_upper IS DISTINCT FROM upper(name)").first?[0].integerValue
            }
            #expect(wrong == 0)
        }
    }
}

/// Which columns the UPDATE trigger listens to: those `up` names, or every column when it may
/// read the whole row.
@Suite("The columns up(row) reads")
struct FillTriggerColumnsTests {
    static let table = Table(name: QualifiedName(schema: "public", "orders"),
                             columns: [Column(name: "id", type: "bigint"), Column(name: "user_id", type: "bigint"), Column(name: "Note", type: "text")])

    @Test("Bare and quoted names in table order; other tables' names add nothing; the whole row or no column means every column")
    func columnsRead() {
        #expect(PostgresPlanner.columns(readBy: "(SELECT u.uuid FROM users AS u WHERE u.id = user_id)", in: Self.table) == ["id", "user_id"])
        #expect(PostgresPlanner.columns(readBy: "upper(\"Note\") || user_id::text", in: Self.table) == ["user_id", "Note"])
        #expect(PostgresPlanner.columns(readBy: "'-- user_id' || 'id'", in: Self.table) == nil, "strings and comments name nothing")
        #expect(PostgresPlanner.columns(readBy: "md5(row::text)", in: Self.table) == nil)
        #expect(PostgresPlanner.columns(readBy: "now()", in: Self.table) == nil)
    }
}
