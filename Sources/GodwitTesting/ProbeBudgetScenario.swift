public import GodwitCore
import GodwitEngine

/// How `plan` and `lint` count the live rows a change would trip on, at the edges of their
/// budget, on either engine: 40,000 events, every tenth `kind` NULL (4,000) and every `code`
/// twice; a migration makes `kind` NOT NULL and `code` unique.
public enum ProbeBudgetScenario {
    public static let rows = 40_000, nullKinds: Int64 = 4_000

    static let migration = """
        id: "001"
        name: events tightened
        downtime: window
        operations:
          - alter_column: {table: events, column: kind, nullable: false}
          - create_index: {table: events, name: events_code_unique, columns: [code], unique: true}
        """

    /// Loads the table into the (empty) database at `url`.
    public static func load(_ url: DatabaseURL) async throws {
        let series = url.engine == .postgresql
            ? "SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'click' END, g % 20000 FROM generate_series(1, \(rows)) AS g"
            : "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < \(rows)) SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'click' END, g % 20000 FROM s"
        try await DatabaseConnector.withDriver(url, access: .create) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE events (id integer PRIMARY KEY, kind text, code integer);
                INSERT INTO events \(series);
                ANALYZE events;
                """)
        }
    }

    /// The counts the probe takes under `budget`, by check name.
    public static func counts(_ url: DatabaseURL, budget: ProbeBudget) async throws -> (counts: [String: DataCount], lint: [LintFinding]) {
        let schema = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
        let migration = try MigrationFileParser().parse(migration, file: "001_events.yaml")
        let plan = try DatabaseConnector.planner(for: url.engine).plan(migration, against: schema)
        let found = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await DataProbe.counts(for: [(plan, schema)], on: $0, budget: budget) }
        let counts = found.first ?? []
        let lint = Linter().lint(migration, plan: plan, against: schema, dataCounts: counts)
        return (Dictionary(counts.map { ($0.check, $0) }, uniquingKeysWith: { first, _ in first }), lint)
    }

    /// The NULL check's count, whatever the engine names it.
    public static func nulls(_ counts: [String: DataCount]) -> DataCount? {
        counts.first { $0.key.contains("NULL") }?.value
    }

    /// The duplicates check's count.
    public static func duplicates(_ counts: [String: DataCount]) -> DataCount? {
        counts.first { $0.key.contains("duplicate") }?.value
    }
}
