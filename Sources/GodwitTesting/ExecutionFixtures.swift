import Foundation
public import GodwitCore
import GodwitEngine

/// A deterministic database and migration that exercise every phase, for the apply, crash,
/// rollback and concurrency tests: the same rows on every run, so checksums compare.
public enum ExecutionFixtures {
    /// `accounts` (with a nullable column to drop and one to make NOT NULL) and `payments`
    /// referencing it, on PostgreSQL.
    public static func postgresSchema(accounts: Int, payments: Int) -> String {
        """
        CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamp NOT NULL,
                               balance integer, note text);
        INSERT INTO accounts (name, created_at, balance, note)
            SELECT 'user ' || g, timestamp '2024-01-01' + g * interval '1 minute', g % 100, CASE WHEN g % 7 = 0 THEN 'n' || g END
            FROM generate_series(1, \(accounts)) AS g;
        CREATE TABLE payments (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), amount integer NOT NULL);
        INSERT INTO payments (account_id, amount) SELECT 1 + (g % \(accounts)), g FROM generate_series(1, \(payments)) AS g;
        """
    }

    /// The same tables on SQLite.
    public static func sqliteSchema(accounts: Int, payments: Int) -> String {
        """
        CREATE TABLE accounts (id INTEGER PRIMARY KEY, name text NOT NULL, created_at text NOT NULL, balance integer, note text);
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(accounts))
        INSERT INTO accounts (name, created_at, balance, note)
            SELECT 'user ' || n, datetime('2024-01-01', '+' || n || ' minutes'), n % 100, CASE WHEN n % 7 = 0 THEN 'n' || n END FROM g;
        CREATE TABLE payments (id INTEGER PRIMARY KEY, account_id integer NOT NULL REFERENCES accounts (id), amount integer NOT NULL);
        WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(payments))
        INSERT INTO payments (account_id, amount) SELECT 1 + (n % \(accounts)), n FROM g;
        """
    }

    /// A zero-downtime migration through every phase: a backfilled column, a concurrent index,
    /// an online rename and type change, NOT NULL, a dropped column, a CHECK; a gate before
    /// contract.
    public static let postgresMigration = """
        name: Accounts v2
        downtime: zero
        operations:
          - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
          - create_index: {table: accounts, name: idx_accounts_created, columns: [created_at]}
          - rename_column: {table: accounts, from: name, to: full_name}
          - alter_column: {table: accounts, column: created_at, type: timestamptz, up: "created_at AT TIME ZONE 'UTC'", down: "created_at AT TIME ZONE 'UTC'"}
          - alter_column: {table: accounts, column: balance, nullable: false}
          - drop_column: {table: accounts, column: note}
          - add_constraint: {table: payments, name: payments_amount_positive, check: "amount > 0"}
        validations:
          - {name: every account has name_upper, sql: "SELECT count(*) FROM accounts WHERE name_upper IS NULL", expect: 0}
        gates:
          - {before: contract}

        """

    /// A SQLite migration through expand, backfill and contract.
    public static let sqliteMigration = """
        name: Accounts v2
        downtime: zero
        operations:
          - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
          - create_index: {table: accounts, name: idx_accounts_created, columns: [created_at]}
          - update_rows: {table: accounts, set: "balance = balance + 1", batch_size: 100}
          # godwit-lint-ignore GW101: a test table of a few thousand rows; its rewrite blocks writers for milliseconds
          - drop_column: {table: accounts, column: note}
        validations:
          - {name: every account has name_upper, sql: "SELECT count(*) FROM accounts WHERE name_upper IS NULL", expect: 0}
        gates:
          - {before: contract}

        """

    /// Writes `migration` as `001_accounts_v2.yaml` in a new directory.
    /// `people.name_upper` added with `up: upper(name)` under zero downtime: a fill trigger,
    /// a batched backfill, its check, and cleanup (a table `people (id, name)` is assumed).
    public static let nameUpperMigration = """
        name: name_upper
        downtime: zero
        operations:
          - add_column: {table: people, column: {name: name_upper, type: text}, up: "upper(name)"}
        """

    public static func directory(with migration: String, name: String = "001_accounts_v2.yaml") throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        try migration.write(toFile: directory.path(name), atomically: true, encoding: .utf8)
        return directory
    }
}

extension ExecutionFixtures {
    /// The gate the plan promises is the one apply holds: `operation` (on `table`, which has a
    /// `name` column) breaks old code or destroys data in contract under `downtime: zero`, so the
    /// plan lists an approval before contract and apply stops exactly there until `godwit
    /// approve`; then it runs to the end, leaving `name` gone. Returns what failed.
    public static func impliedGate(on url: DatabaseURL, table: String, operation: String) async throws -> [String] {
        var problems: [String] = []
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try """
            name: rename
            downtime: zero
            operations:
              - \(operation)
            """.write(toFile: directory.path("001_rename.yaml"), atomically: true, encoding: .utf8)
        guard let planned = try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first else { return ["nothing planned"] }
        let gates = MigrationGates.gates(of: planned.plan, before: planned.schemaBefore)
        if gates.map(\.before) != [.contract] || gates.first?.requiresApproval != true { problems.append("the plan's gates: \(gates)") }
        let markdown = PlanMarkdownRenderer(source: url.description).render(planned.plan, against: planned.schemaBefore)
        if !markdown.contains("- Before **contract**: approval (godwit approve) — added by Godwit") { problems.append("the plan document does not list the gate") }
        var settings = SQLCorpus.settings
        settings.approveGates = false
        var outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
        guard case .waiting(let id, let reason) = outcome.stop, id == "001", reason.contains("before contract") else {
            return problems + ["apply did not stop at the gate: \(outcome.stop)"]
        }
        let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
        if record?.phase == .contract || record?.state != .waitingAtGate { problems.append("the record: \(String(describing: record?.state)) in \(String(describing: record?.phase))") }
        _ = try await GateApproval.approve("001", url: url)
        outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: directory.url.path)
        let after = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
        if after?.state != .applied && after?.state != .waitingAtGate { problems.append("after approval: \(String(describing: after?.state))") }
        let columns = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }.tables
            .first { $0.name.name == table }?.columns.map(\.name) ?? []
        if columns.contains("name") { problems.append("columns after contract: \(columns)") }
        return problems
    }
}

extension ExecutionFixtures {
    /// Plans read the data first: in a shop whose `orders` has 3 NULL statuses, duplicate codes
    /// and an orphan, a migration making status NOT NULL, code UNIQUE and customer_id a foreign
    /// key is linted with GW130 naming each count, and its plan document lists them; with an
    /// `update_rows` filling the NULLs first, the NULLs are not counted. Returns what failed.
    public static func dataFirst(on url: DatabaseURL) async throws -> [String] {
        var problems: [String] = []
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE customers (id integer PRIMARY KEY);
                CREATE TABLE orders (id integer PRIMARY KEY, status text, code text, customer_id integer);
                INSERT INTO customers VALUES (1), (2);
                INSERT INTO orders VALUES (1, 'new', 'a', 1), (2, NULL, 'b', 2), (3, NULL, 'b', 1), (4, NULL, 'c', 9), (5, 'paid', 'd', 2);
                """)
        }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.path("001_tighten.yaml")
        try """
            name: tighten orders
            operations:
              - alter_column: {table: orders, column: status, nullable: false}
              - add_constraint: {table: orders, name: orders_code_key, unique: [code]}
              - add_constraint: {table: orders, name: orders_customer_fk, foreign_key: {columns: [customer_id], references: {table: customers, columns: [id]}}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        guard let planned = try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first else { return ["nothing planned"] }
        let findings = Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
            .filter { $0.code == "GW130" }
        let messages = findings.map(\.message).joined(separator: "\n")
        for expected in ["3 rows of", "1 row of", "fix: fill them first (`update_rows: {table: ", "where: \"status IS NULL\"}` before this operation)",
                         "fix: merge or delete the duplicates first (they are `SELECT code, count(*) FROM ", "fix: delete the orphans, point them at customers rows that exist"]
        where !messages.contains(expected) { problems.append("GW130 lacks '\(expected)': \(messages)") }
        if findings.count < 3 || !findings.allSatisfy({ $0.severity == .error }) { problems.append("GW130 findings: \(messages)") }
        let markdown = PlanMarkdownRenderer(source: url.description).render(planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
        if !markdown.contains("## Data the Plan Meets") { problems.append("the plan document lacks the data section") }

        // The fill first: the NULLs are no longer counted (the fill prepares the table).
        try """
            name: tighten orders
            operations:
              - update_rows: {table: orders, set: "status = 'new'", where: status IS NULL}
              - alter_column: {table: orders, column: status, nullable: false}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        guard let filled = try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first else { return problems + ["nothing planned"] }
        if !filled.dataCounts.isEmpty { problems.append("counted after a fill: \(filled.dataCounts)") }

        // The same changes written as a SQL file are counted from what the file does on the scratch.
        try FileManager.default.removeItem(atPath: file)
        try "CREATE UNIQUE INDEX orders_code_unique ON orders (code);\n".write(toFile: directory.path("001_unique.up.sql"), atomically: true, encoding: .utf8)
        try "DROP INDEX orders_code_unique;\n".write(toFile: directory.path("001_unique.down.sql"), atomically: true, encoding: .utf8)
        guard let sqlFile = try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first else { return problems + ["the SQL file was not planned"] }
        let sqlFindings = Linter().lint(sqlFile.plan.migration, plan: sqlFile.plan, against: sqlFile.schemaBefore, dataCounts: sqlFile.dataCounts)
            .filter { $0.code == "GW130" }
        if sqlFindings.count != 1 || sqlFindings.first?.message.hasPrefix("1 row of") != true {
            problems.append("the SQL file's unique index over duplicates: \(sqlFindings.map(\.message))")
        }
        // A file that fills the rows itself before the change is not counted.
        try "UPDATE orders SET code = code || id WHERE code = 'b';\nCREATE UNIQUE INDEX orders_code_unique ON orders (code);\n"
            .write(toFile: directory.path("001_unique.up.sql"), atomically: true, encoding: .utf8)
        if let fixed = try await MigrationPlanning.planAll(directory: directory.url.path, database: url).first, !fixed.dataCounts.isEmpty {
            problems.append("counted though the file fixes the rows first: \(fixed.dataCounts)")
        }
        problems += try await fixInEarlierMigration(directory, on: url)
        return problems
    }

    /// The fix in an earlier pending migration: the later file's check is not counted now, and
    /// lint (GW132) and the plan document name the migration that writes the rows first; once
    /// that migration is applied, the check is counted and finds nothing.
    private static func fixInEarlierMigration(_ directory: TemporaryDirectory, on url: DatabaseURL) async throws -> [String] {
        var problems: [String] = []
        for name in ["001_unique.up.sql", "001_unique.down.sql"] { try FileManager.default.removeItem(atPath: directory.path(name)) }
        let files = [
            "001_fix_codes.up.sql": "UPDATE orders SET code = code || id WHERE code = 'b';\n",
            "001_fix_codes.down.sql": "UPDATE orders SET code = 'b' WHERE code IN ('b2', 'b3');\n",
            "002_unique_codes.up.sql": "CREATE UNIQUE INDEX orders_code_unique ON orders (code);\n",
            "002_unique_codes.down.sql": "DROP INDEX orders_code_unique;\n",
        ]
        for (name, text) in files { try text.write(toFile: directory.path(name), atomically: true, encoding: .utf8) }
        let planned = try await MigrationPlanning.planAll(directory: directory.url.path, database: url)
        guard planned.count == 2 else { return ["planned \(planned.count) migrations, not 2"] }
        if !planned[0].dataCounts.isEmpty { problems.append("the fix itself was counted: \(planned[0].dataCounts)") }
        let unique = planned[1]
        if unique.dataCounts.map(\.basis) != [.afterEarlierMigration("001")] || unique.dataCounts.first?.table?.name != "orders" {
            problems.append("the unique index after the fix: \(unique.dataCounts)")
        }
        let findings = Linter().lint(unique.plan.migration, plan: unique.plan, against: unique.schemaBefore, dataCounts: unique.dataCounts)
        if findings.contains(where: { $0.code == "GW130" }) { problems.append("GW130 on rows the earlier migration fixes") }
        let note = findings.first { $0.code == "GW132" }
        if note?.severity != .info || note?.message.contains("migration 001, pending before this one, writes the rows of ") != true
            || note?.message.contains("orders first, so step 1") != true {
            problems.append("GW132: \(findings.map { "\($0.code) \($0.message)" })")
        }
        let markdown = PlanMarkdownRenderer(source: url.description).render(unique.plan, against: unique.schemaBefore, dataCounts: unique.dataCounts)
        if !markdown.contains("not counted (migration 001 writes these rows first)") || !markdown.contains("rehearse: the rehearsal runs 001 on a copy") {
            problems.append("the plan document does not send the reader to a rehearsal")
        }
        // 001 applied: 002 is the only pending one, counted now, and the duplicates are gone.
        let migrations = try MigrationDirectory.load(directory.url.path)
        _ = try await MigrationApplier(url: url, settings: ExecutionSettings()).apply(Array(migrations.prefix(1)))
        let after = try await MigrationPlanning.planAll(directory: directory.url.path, database: url)
        if after.map(\.plan.migration.id) != ["002"] || after.first?.dataCounts.isEmpty != true {
            problems.append("after 001 ran: \(after.map { ($0.plan.migration.id, $0.dataCounts) })")
        }
        return problems
    }
}
