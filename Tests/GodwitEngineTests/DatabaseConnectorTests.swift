import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("Database connector")
struct DatabaseConnectorTests {
    @Test("A SQLite URL opens the SQLite driver; read-only access cannot write")
    func sqlite() async throws {
        try await TemporaryDirectory.with { directory in
            let path = try directory.copy(Fixtures.chinookSQLite)
            let url = try DatabaseURL(parsing: "sqlite:\(path)")
            let count = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                #expect(driver.engine == .sqlite)
                #expect(driver.url == url)
                await #expect(throws: GodwitError.self) { try await driver.execute(unsafeSQL: "DELETE FROM Genre") }
                return try await driver.query(unsafeSQL: "SELECT count(*) FROM Genre").first?[0]
            }
            #expect(count == .integer(25))
        }
    }

    @Test("Create access makes a missing SQLite file; read-write access does not")
    func create() async throws {
        try await TemporaryDirectory.with { directory in
            let url = DatabaseURL.sqlite(.init(path: directory.path("new.db")))
            await #expect(throws: GodwitError.self) { try await DatabaseConnector.open(url, access: .readWrite) }
            let driver = try await DatabaseConnector.open(url, access: .create)
            try await driver.execute(unsafeSQL: "CREATE TABLE t (id INTEGER)")
            try await driver.close()
            #expect(try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).tables.count } == 1)
        }
    }

    @Test("A PostgreSQL URL opens the PostgreSQL driver")
    func postgres() async throws {
        let url = DatabaseURL.postgres(try TestPostgres.endpoint())
        let version = try await DatabaseConnector.withDriver(url) { driver in
            #expect(driver.engine == .postgresql)
            return try await driver.query(unsafeSQL: "SELECT current_setting('server_version_num')::int").first?[0].integerValue
        }
        #expect((version ?? 0) >= 130000)
    }

    @Test("Each engine has its own DDL writer")
    func writers() {
        let table = Table(name: QualifiedName(schema: "s", "T"), columns: [Column(name: "Id", type: "integer")])
        let sqlite = DatabaseConnector.schemaWriter(for: .sqlite).createScript(for: Schema(engine: .sqlite, tables: [table]))
        let postgres = DatabaseConnector.schemaWriter(for: .postgresql).createScript(for: Schema(engine: .postgresql, tables: [table]))
        #expect(sqlite.contains("CREATE TABLE s.T (\n    Id integer\n)"))
        #expect(postgres.contains("CREATE TABLE s.\"T\" (\n    \"Id\" integer\n)"))
        #expect(postgres.hasPrefix("SET check_function_bodies = false;"))
    }
}
