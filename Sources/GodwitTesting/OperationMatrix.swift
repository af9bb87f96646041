import Foundation
public import GodwitCore
import GodwitEngine

/// Every operation kind under every downtime mode, generated rather than listed: each case is one
/// migration on a seeded shop whose rows hold NULLs, duplicates, edge values and a referencing
/// table, taken through Godwit's whole path — plan, lint, rehearse, apply (stopping at each gate
/// the plan lists, approved, on to the end), verify, roll back to identical, apply again.
///
/// Where the plan says an operation cannot run under the downtime asked for, lint must say so
/// with an error, the rehearsal must say no-go, and apply must refuse before changing anything.
public enum OperationMatrix {
    /// One migration of the matrix.
    public struct Case: Sendable, CustomStringConvertible {
        /// What the case exercises, e.g. `alter_column nullable`.
        public var operation: String
        public var downtime: Migration.Downtime
        public var engine: Engine
        /// The migration's `operations:` entries, one YAML line each.
        public var lines: [String]
        /// A query whose single number must be `expected` once the migration is applied.
        public var probe: (sql: String, expected: Int64)?

        public var description: String { "\(operation) · \(downtime.rawValue) · \(engine.rawValue)" }

        /// The migration file.
        public var yaml: String {
            "name: \(operation)\ndowntime: \(downtime.rawValue)\noperations:\n" + lines.map { "  - \($0)\n" }.joined()
        }
    }

    /// Every case on `engine`: each operation under `downtime: zero` and under `window`.
    public static func cases(_ engine: Engine) -> [Case] {
        operations(engine).flatMap { operation, lines, probe in
            [Migration.Downtime.zero, .window].map { Case(operation: operation, downtime: $0, engine: engine, lines: lines, probe: probe) }
        }
    }

    private static func operations(_ engine: Engine) -> [(String, [String], (sql: String, expected: Int64)?)] {
        let wide = engine == .postgresql ? "bigint" : "INTEGER"
        return [
            ("create_table", ["""
                create_table: {table: invoices, columns: [{name: id, type: integer, nullable: false}, {name: customer_id, type: integer}, {name: number, type: text, nullable: false}, {name: amount, type: integer, nullable: false}], primary_key: [id], unique: [[number]], checks: [{name: invoices_amount_nonnegative, expression: "amount >= 0"}], foreign_keys: [{name: invoices_customer_fk, columns: [customer_id], references: {table: customers, columns: [id]}}]}
                """], ("SELECT count(*) FROM invoices", 0)),
            ("drop_table", ["drop_table: {table: legacy}"], nil),
            ("rename_table", ["rename_table: {table: legacy, to: legacy_archive}"], ("SELECT count(*) FROM legacy_archive", 30)),
            ("add_column", ["add_column: {table: customers, column: {name: nickname, type: text}}"], ("SELECT count(*) FROM customers WHERE nickname IS NOT NULL", 0)),
            ("add_column default", ["add_column: {table: customers, column: {name: visits, type: integer, nullable: false, default: 0}}"],
             ("SELECT count(*) FROM customers WHERE visits <> 0", 0)),
            ("add_column up", ["add_column: {table: customers, column: {name: name_upper, type: text}, up: \"upper(name)\"}"],
             ("SELECT count(*) FROM customers WHERE name IS NOT NULL AND name_upper IS NULL", 0)),
            ("drop_column", ["drop_column: {table: customers, column: note}"], nil),
            ("rename_column", ["rename_column: {table: customers, from: name, to: full_name}"], ("SELECT count(*) FROM customers WHERE full_name IS NULL", 26)),
            ("alter_column type", ["alter_column: {table: customers, column: score, type: \(wide)}"], ("SELECT count(*) FROM customers WHERE score = 2147483647", 1)),
            ("alter_column nullable", [
                "update_rows: {table: orders, set: \"status = 'new'\", where: status IS NULL}",
                "alter_column: {table: orders, column: status, nullable: false}",
            ], ("SELECT count(*) FROM orders WHERE status = 'new'", 75)),
            ("alter_column default", ["alter_column: {table: customers, column: tier, default: \"'basic'\"}"], nil),
            ("alter_column check", ["alter_column: {table: orders, column: total, check: {name: orders_total_nonnegative, expression: \"total >= 0\"}}"], nil),
            ("alter_column unique", ["alter_column: {table: customers, column: email, unique: true}"], nil),
            ("alter_column references", ["alter_column: {table: orders, column: referrer_id, references: {name: orders_referrer_fk, references: {table: customers, columns: [id]}}}"], nil),
            ("create_index", ["create_index: {table: customers, name: customers_tier_created, columns: [tier, created_at]}"], nil),
            ("create_index unique", ["create_index: {table: customers, name: customers_email_unique, columns: [email], unique: true}"], nil),
            ("drop_index", ["drop_index: {table: customers, name: customers_email}"], nil),
            ("add_constraint check", ["add_constraint: {table: orders, name: orders_total_positive, check: \"total >= 0\"}"], nil),
            ("add_constraint unique", ["add_constraint: {table: customers, name: customers_email_key, unique: [email]}"], nil),
            ("add_constraint foreign_key", ["add_constraint: {table: orders, name: orders_referrer_fk, foreign_key: {columns: [referrer_id], references: {table: customers, columns: [id]}}}"], nil),
            ("drop_constraint", ["drop_constraint: {table: orders, name: orders_status_known}"], nil),
            ("update_rows", ["update_rows: {table: customers, set: \"tier = 'gold'\", where: score > 90, batch_size: 50}"], ("SELECT count(*) FROM customers WHERE score > 90 AND tier <> 'gold'", 0)),
            ("update_rows down", ["update_rows: {table: customers, set: \"score = score + 1\", where: score < 1000, down: \"score = score - 1\", batch_size: 64}"], nil),
            ("sql", ["""
                sql: {up: "CREATE VIEW gold_customers AS SELECT id, name FROM customers WHERE tier = 'gold'; INSERT INTO legacy (id, payload) VALUES (1000, 'from sql');", down: "DROP VIEW gold_customers; DELETE FROM legacy WHERE id = 1000;"}
                """], ("SELECT count(*) FROM legacy WHERE id = 1000", 1)),
        ]
    }

    /// The seeded shop: 240 customers (every 9th name NULL, every 5th email NULL, a handful of
    /// tiers, scores at the integer limits, odd text), 300 orders referencing them (every 4th
    /// status NULL, some without a customer), and a `legacy` table of 30 rows.
    public static func seed(_ engine: Engine) -> String {
        let postgres = engine == .postgresql
        let series = { (count: Int, select: String, table: String) in
            postgres
                ? "INSERT INTO \(table) SELECT \(select) FROM generate_series(1, \(count)) AS g(n);"
                : "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < \(count)) INSERT INTO \(table) SELECT \(select) FROM g;"
        }
        let timestamp = postgres ? "timestamp" : "text"
        let created = postgres ? "timestamp '2024-01-01' + n * interval '1 hour'" : "datetime('2024-01-01', '+' || n || ' hours')"
        let tiers = "CASE n % 4 WHEN 0 THEN 'basic' WHEN 1 THEN 'silver' WHEN 2 THEN 'basic' ELSE NULL END"
        return """
            CREATE TABLE customers (id integer PRIMARY KEY, name text, email text, tier text, score integer, balance real, note text,
                                    created_at \(timestamp) NOT NULL);
            CREATE INDEX customers_email ON customers (email);
            \(series(236, "n, CASE WHEN n % 9 = 0 THEN NULL ELSE 'customer ' || n END, CASE WHEN n % 5 = 0 THEN NULL ELSE 'c' || n || '@example.com' END, \(tiers), n % 120, n * 0.1, CASE WHEN n % 3 = 0 THEN 'note ' || n END, \(created)", "customers"))
            INSERT INTO customers VALUES (237, '', 'edge-empty@example.com', 'basic', 2147483647, 0.1, '', \(postgres ? "timestamp '1970-01-01'" : "'1970-01-01 00:00:00'")),
                                         (238, 'Zoë ✓ O''Brien', 'edge-odd@example.com', 'silver', -2147483648, -1.5e10, 'tab\there', \(postgres ? "timestamp '2099-12-31 23:59:59'" : "'2099-12-31 23:59:59'")),
                                         (239, 'customer 1', 'EDGE-CASE@example.com', NULL, 0, NULL, NULL, \(postgres ? "timestamp '2024-02-29'" : "'2024-02-29 00:00:00'")),
                                         (240, 'x', 'edge-case@example.com', 'gold', 91, 3.4028235e38, NULL, \(postgres ? "timestamp '2024-01-01'" : "'2024-01-01 00:00:00'"));
            CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), referrer_id integer,
                                 status text, total integer NOT NULL,
                                 CONSTRAINT orders_status_known CHECK (status IN ('new', 'paid', 'shipped')));
            \(series(300, "n, CASE WHEN n % 10 = 0 THEN NULL ELSE 1 + n % 240 END, CASE WHEN n % 2 = 0 THEN 1 + n % 200 END, CASE WHEN n % 4 = 0 THEN NULL WHEN n % 4 = 1 THEN 'paid' ELSE 'shipped' END, n * 7 % 1000", "orders"))
            CREATE TABLE legacy (id integer PRIMARY KEY, payload text);
            \(series(30, "n, 'payload ' || n", "legacy"))
            """
    }

    /// What a case came to.
    public struct Outcome: Sendable {
        /// What failed, in words; empty when the case holds.
        public var problems: [String] = []
        /// The lint codes that stopped it, when the plan says it cannot run as asked.
        public var refusedFor: [String] = []
    }

    /// Takes `matrixCase` through the whole path on `url`, which holds ``seed(_:)``.
    public static func run(_ matrixCase: Case, on url: DatabaseURL) async throws -> Outcome {
        var problems: [String] = []
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try matrixCase.yaml.write(toFile: directory.path("001_case.yaml"), atomically: true, encoding: .utf8)
        let path = directory.url.path
        let before = try await DatabaseState.of(url)

        // Plan and lint.
        guard let planned = try await MigrationPlanning.planAll(directory: path, database: url).first else { return Outcome(problems: ["nothing planned"]) }
        let findings = Linter().lint(planned.plan.migration, plan: planned.plan, against: planned.schemaBefore, dataCounts: planned.dataCounts)
        let errors = findings.filter { $0.severity == .error }
        let offline = matrixCase.downtime == .zero && planned.plan.steps.contains { !$0.isOnline }
        let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: path)
        if try await DatabaseState.of(url) != before { problems.append("planning or rehearsing changed the database") }

        if !errors.isEmpty {
            // The plan says it cannot run: every command must agree.
            if rehearsal.isGo { problems.append("lint says \(errors.map(\.code)) but the rehearsal says go") }
            do {
                _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: path)
                problems.append("lint says \(errors.map { "\($0.code) \($0.message)" }) but apply ran")
            } catch let error as GodwitError {
                if try await DatabaseState.of(url) != before { problems.append("the refused apply changed the database: \(error.summary)") }
                for finding in errors where !(error.reason ?? "").contains(finding.message) { problems.append("the refusal does not name \(finding.code)") }
            }
            return Outcome(problems: problems, refusedFor: Array(Set(errors.map(\.code))).sorted())
        }
        if offline { problems.append("a step runs offline under downtime: zero and lint is silent") }
        if !rehearsal.isGo { problems.append("rehearsal no-go: \(rehearsal.problems.joined(separator: "; "))") }

        // Apply, stopping at each gate the plan lists until approved.
        let gates = MigrationGates.gates(of: planned.plan, before: planned.schemaBefore).filter(\.requiresApproval).map(\.before)
        // Archives are kept (a retention window), so the rollback after a drop can restore them.
        var settings = SQLCorpus.settings
        settings.approveGates = false
        settings.retention = 86_400
        var stops: [Phase] = []
        while true {
            let outcome = try await MigrationApplier(url: url, settings: settings).apply(directory: path)
            guard case .waiting(_, let reason) = outcome.stop else {
                if case .rolledBack(_, let reason, _) = outcome.stop { problems.append("apply rolled back: \(reason)") }
                break
            }
            let phase = Phase.allCases.first { reason.contains("before \($0.rawValue)") }
            guard stops.count < 4, let phase else { problems.append("apply keeps waiting: \(reason)"); break }
            stops.append(phase)
            _ = try await GateApproval.approve("001", url: url)
        }
        if stops.map(\.rawValue) != gates.map(\.rawValue) { problems.append("apply stopped before \(stops), the plan lists gates before \(gates)") }
        let record = try await DatabaseConnector.withDriver(url) { try await StateStore(driver: $0).record("001") }
        if record?.state != .applied { problems.append("after apply: \(String(describing: record?.state))") }
        if let probe = matrixCase.probe {
            let value = try await count(probe.sql, on: url)
            if value != probe.expected { problems.append("\(probe.sql) = \(value), expected \(probe.expected)") }
        }
        let applied = try await DatabaseState.of(url)

        // Verify, roll back, apply again.
        for report in try await OnDemandVerification.run(url: url) where !report.passed {
            problems.append("verify: \(report.failures.map(\.detail))")
        }
        let (_, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
        if !report.passed { problems.append("rollback: \(report.failures.map(\.detail))") }
        let rolledBack = try await DatabaseState.of(url)
        if rolledBack.schema != before.schema { problems.append("schema after rollback differs: \(before.schema.differences(from: rolledBack.schema))") }
        if rolledBack.digests != before.digests { problems.append("rows after rollback differ in \(zip(before.digests, rolledBack.digests).filter { $0 != $1 }.map(\.0.table))") }
        _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: path)
        let again = try await DatabaseState.of(url).schema
        if again != applied.schema { problems.append("the second apply arrives elsewhere than the first: \(applied.schema.differences(from: again))") }
        return Outcome(problems: problems)
    }

    private static func count(_ sql: String, on url: DatabaseURL) async throws -> Int64 {
        try await DatabaseConnector.withDriver(url) { driver in
            let rows = try await driver.query(unsafeSQL: sql)
            return rows.first?.values.first?.integerValue ?? -1
        }
    }
}
