import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

/// As on a managed PostgreSQL service: the user owns its tables but may not create databases.
@Suite("Least privilege on PostgreSQL")
struct LeastPrivilegeTests {
    @Test("A table owner without CREATEDB plans, applies and rolls back; rehearse says why it cannot copy and rehearses with --clone-on into an empty database it then empties; a non-empty one is refused")
    func ownerWithoutCreateDatabase() async throws {
        let admin = try TestPostgres.endpoint()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let role = "godwit_owner_\(suffix)", database = "godwit_app_\(suffix)", scratch = "godwit_clone_target_\(suffix)"
        try await TestPostgres.execute(admin, "CREATE ROLE \(role) LOGIN NOCREATEDB NOSUPERUSER")
        try await TestPostgres.execute(admin, "CREATE DATABASE \(database) OWNER \(role)")
        try await TestPostgres.execute(admin, "CREATE DATABASE \(scratch) OWNER \(role)")
        defer {
            Task {
                try? await TestPostgres.execute(admin, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
                try? await TestPostgres.execute(admin, "DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)")
                try? await TestPostgres.execute(admin, "DROP ROLE IF EXISTS \(role)")
            }
        }
        var app = admin.selectingDatabase(database)
        app.user = role
        var empty = admin.selectingDatabase(scratch)
        empty.user = role
        let url = DatabaseURL.postgres(app)
        try await DatabaseConnector.withDriver(url) { try await $0.executeScript(unsafeSQL: OperationMatrix.seed(.postgresql)) }
        let directory = try ExecutionFixtures.directory(with: """
            name: nicknames
            operations:
              - add_column: {table: customers, column: {name: nickname, type: text}, up: "lower(name)"}
              - create_index: {table: customers, name: customers_tier, columns: [tier]}
            """, name: "001_nicknames.yaml")
        defer { directory.remove() }
        let before = try await DatabaseState.of(url)

        // plan, apply, rollback: an owner may.
        #expect(try await MigrationPlanning.planAll(directory: directory.url.path, database: url).count == 1)
        var settings = SQLCorpus.settings
        settings.retention = 86_400
        _ = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
        let (_, report) = try await MigrationRollback(url: url, settings: settings).rollback(nil)
        #expect(report.passed)
        #expect(try await DatabaseState.of(url) == before)

        // rehearse: no CREATEDB, so it says what to do.
        await #expect { try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: directory.url.path) } throws: { error in
            let error = error as? GodwitError
            return error?.code == .permissionDenied && error?.reason?.contains("may not create databases") == true
                && error?.remedy?.contains("--clone-on") == true
        }
        var rehearsal = Rehearsal(url: url, settings: SQLCorpus.settings)
        rehearsal.cloneOn = .postgres(empty)
        let rehearsed = try await rehearsal.run(directory: directory.url.path)
        #expect(rehearsed.isGo, "\(rehearsed.problems)")
        #expect(rehearsed.cloneMethod == "pg_dump | pg_restore into \(scratch)")
        let left = try await DatabaseConnector.withDriver(.postgres(empty)) {
            try await $0.query(unsafeSQL: """
                SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                """).first?[0].integerValue
        }
        #expect(left == 0, "the clone target was not emptied")
        #expect(try await DatabaseState.of(url) == before)

        // Twice in a row works (the target is empty again); a database with tables is refused.
        #expect(try await rehearsal.run(directory: directory.url.path).isGo)
        rehearsal.cloneOn = .postgres(app)
        await #expect(throws: GodwitError.self) { try await rehearsal.run(directory: directory.url.path) }
        var other = app
        other.database = scratch
        try await DatabaseConnector.withDriver(.postgres(other)) { _ = try await $0.execute(unsafeSQL: "CREATE TABLE keep_me (id int)") }
        rehearsal.cloneOn = .postgres(other)
        await #expect { try await rehearsal.run(directory: directory.url.path) } throws: { error in
            let error = error as? GodwitError
            return error?.code == .refused && error?.reason?.contains("public.keep_me") == true
        }
        #expect(try await DatabaseConnector.withDriver(.postgres(other)) { try await $0.query(unsafeSQL: "SELECT count(*) FROM keep_me").first?[0].integerValue } == 0)
    }

    @Test("A role with CREATEDB but not pg_signal_backend drops its scratch database while a session it may not end (like an autovacuum worker) is still in it")
    func scratchDropWithoutSignalRights() async throws {
        let admin = try TestPostgres.endpoint()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let role = "godwit_maker_\(suffix)", other = "godwit_other_\(suffix)", home = "godwit_home_\(suffix)", scratch = "godwit_scratch_\(suffix)"
        try await TestPostgres.execute(admin, "CREATE ROLE \(role) LOGIN CREATEDB NOSUPERUSER")
        try await TestPostgres.execute(admin, "CREATE ROLE \(other) LOGIN NOSUPERUSER")
        try await TestPostgres.execute(admin, "CREATE DATABASE \(home) OWNER \(role)")
        defer {
            Task {
                try? await TestPostgres.execute(admin, "DROP DATABASE IF EXISTS \(home) WITH (FORCE)")
                try? await TestPostgres.execute(admin, "DROP DATABASE IF EXISTS \(scratch) WITH (FORCE)")
                try? await TestPostgres.execute(admin, "DROP ROLE IF EXISTS \(role)")
                try? await TestPostgres.execute(admin, "DROP ROLE IF EXISTS \(other)")
            }
        }
        var maker = admin.selectingDatabase(home)
        maker.user = role
        try await DatabaseConnector.withDriver(.postgres(maker)) { _ = try await $0.execute(unsafeSQL: "CREATE DATABASE \(scratch)") }
        var visitor = admin.selectingDatabase(scratch)
        visitor.user = other
        // The other role's session stays until it is ended (as an autovacuum worker would
        // leave), however slow the machine: the visit is ended from outside once FORCE was refused.
        let visit = Task {
            try? await DatabaseConnector.withDriver(.postgres(visitor)) { _ = try await $0.query(unsafeSQL: "SELECT pg_sleep(120)::text") }
        }
        var present: Int64 = 0
        try await Poll.until(every: .milliseconds(10)) {
            present = try await DatabaseConnector.withDriver(.postgres(admin)) {
                try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_stat_activity WHERE datname = '\(scratch)'").first?[0].integerValue ?? 0
            }
            return present > 0
        }
        try #require(present > 0, "the other role's session never arrived")
        await #expect(throws: GodwitError.self, "FORCE alone is refused for this role") {
            try await DatabaseConnector.withDriver(.postgres(maker)) { _ = try await $0.execute(unsafeSQL: "DROP DATABASE \(scratch) WITH (FORCE)") }
        }
        // The visitor leaves a moment after the drop begins; the plain DROP waits for it.
        let leave = Task {
            try await Task.sleep(for: .milliseconds(800))
            try await TestPostgres.execute(admin, "SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname = '\(scratch)'")
        }
        try await TemporaryPostgresDatabase.drop(named: scratch, via: maker)
        try await leave.value
        _ = await visit.value
        let left = try await DatabaseConnector.withDriver(.postgres(admin)) {
            try await $0.query(unsafeSQL: "SELECT count(*) FROM pg_database WHERE datname = '\(scratch)'").first?[0].integerValue
        }
        #expect(left == 0)
    }
}
