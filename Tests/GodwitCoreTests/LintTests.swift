import Foundation
import GodwitCore
import GodwitTesting
import Testing

/// A plan built directly from the staged builder, as a planner would: one step per operation,
/// online unless the test says otherwise.
func lintFindings(_ yaml: String, engine: Engine = .postgresql, offline: Set<Int> = []) throws -> [LintFinding] {
    let migration = try MigrationFileParser().parse(yaml, file: "m.yaml", defaultID: "1")
    let schema = LiveSchemas.make(engine)
    var counter = 0
    let plan = try StagedPlanBuilder(engine: engine).build(migration, against: schema) { operation, _, _ in
        defer { counter += 1 }
        let destructive = [.dropTable, .dropColumn].contains(operation.kind)
        return [PlanStep(phase: destructive ? .contract : .expand, title: "step", forward: [], reverse: [], lock: .none, duration: .instant,
                         isOnline: !offline.contains(counter))]
    }
    return Linter().lint(migration, plan: plan, against: schema)
}

@Suite("Lint")
struct LintTests {
    @Test("Each rule fires on its case, with its code, at the operation's line")
    func rules() throws {
        let findings = try lintFindings("""
            name: risky
            downtime: zero
            operations:
              - add_column: {table: users, column: {name: tier, type: text, nullable: false}}
              - add_column: {table: users, column: {name: token, type: uuid, default: gen_random_uuid()}}
              - alter_column: {table: users, column: balance, type: "numeric(10,4)"}
              - rename_column: {table: users, from: name, to: display_name}
              - rename_table: {table: people, to: persons}
              - drop_column: {table: users, column: email}
              - drop_table: {table: legacy}
              - alter_column: {table: users, column: created_at, nullable: true}
              - create_table: {table: events, columns: [{name: id, type: integer, nullable: false}, {name: at, type: timestamp}, {name: tag, type: varchar(20)}], primary_key: [id]}
              - sql: {up: "BEGIN; CREATE INDEX orders_user ON orders (user_id); COMMIT", down: "DROP INDEX orders_user"}
              - sql: {up: "CREATE INDEX CONCURRENTLY o2 ON orders (id)", down: "DROP INDEX o2"}
              - sql: {up: "ALTER TABLE orders ADD CONSTRAINT o_fk FOREIGN KEY (user_id) REFERENCES users (id)", down: "ALTER TABLE orders DROP CONSTRAINT o_fk"}
              - sql: {up: "DELETE FROM orders WHERE id < 0", down: "SELECT 1"}
              - sql: {up: "DROP INDEX users_old", down: "SELECT 1"}
              - add_constraint: {table: orders, name: orders_users, foreign_key: {columns: [user_id], references: {table: users, columns: [id]}}}
              - alter_column: {table: teams, column: id, nullable: false}
              - add_constraint: {table: teams, name: teams_id_key, unique: [id]}
            """, offline: [3])
        let codes = Set(findings.map(\.code))
        #expect(codes == ["GW100", "GW101", "GW102", "GW110", "GW111", "GW112", "GW113", "GW114", "GW115", "GW116", "GW117",
                          "GW119", "GW120", "GW121", "GW200", "GW201", "GW202", "GW302", "GW303", "GW315"])
        #expect(findings.first { $0.code == "GW102" }?.location == "m.yaml:13:23")
        #expect(findings.first { $0.code == "GW102" }?.statement == "CREATE INDEX orders_user ON orders (user_id)")
        #expect(findings.first { $0.code == "GW110" }?.location == "m.yaml:4:5")
        #expect(findings.first { $0.code == "GW113" }?.location == "m.yaml:7:5")
        #expect(findings.first { $0.code == "GW101" }?.operationIndex == 3)
        #expect(findings.first { $0.code == "GW110" }?.message == "users.tier is NOT NULL with no default and no `up`: adding it fails on a table that has rows")
    }

    @Test("A blocking index build or constraint check in SQL is an error under zero downtime and on a large table under minutes; on a small one under minutes, or in a window, a warning that says why", arguments: Migration.Downtime.allCases)
    func blockingScanFollowsDowntime(_ downtime: Migration.Downtime) throws {
        let findings = try lintFindings("""
            name: indexes
            downtime: \(downtime.rawValue)
            operations:
              - sql: {up: "CREATE INDEX teams_id ON teams (id)", down: "DROP INDEX teams_id"}
              - sql: {up: "CREATE INDEX orders_user ON orders (user_id)", down: "DROP INDEX orders_user"}
              - sql: {up: "ALTER TABLE teams ADD CONSTRAINT teams_positive CHECK (id > 0)", down: "ALTER TABLE teams DROP CONSTRAINT teams_positive"}
              - sql: {up: "ALTER TABLE orders ADD CONSTRAINT orders_declared CHECK (id > 0) NOT ENFORCED", down: "ALTER TABLE orders DROP CONSTRAINT orders_declared"}
            """)
        let severity = { (code: String, table: String) in
            findings.first { $0.code == code && $0.message.contains("public.\(table) (") }?.severity
        }
        let small: LintSeverity = downtime == .zero ? .error : .warning
        let large: LintSeverity = downtime == .window ? .warning : .error
        #expect(severity("GW102", "teams") == small)
        #expect(severity("GW102", "orders") == large)
        #expect(severity("GW302", "teams") == small)
        // Declared NOT ENFORCED, the check reads no row.
        #expect(severity("GW302", "orders") == nil)
        let allowed = findings.filter { $0.message.contains("(allowed: the migration's downtime is \(downtime.rawValue)") }
        #expect(allowed.count == [Migration.Downtime.zero: 0, .minutes: 2, .window: 3][downtime])
    }

    @Test("Under minutes, a table whose rows were never counted is small by its size on disk; with neither known, large")
    func uncountedTableBySize() throws {
        let migration = try MigrationFileParser().parse("""
            name: index
            downtime: minutes
            operations:
              - sql: {up: "CREATE INDEX t_a ON t (a)", down: "DROP INDEX t_a"}
            """, file: "m.yaml", defaultID: "1")
        for (bytes, expected) in [(Int64(65_536), LintSeverity.warning), (1 << 30, .error), (nil, .error)] as [(Int64?, LintSeverity)] {
            let table = Table(name: QualifiedName(schema: "public", "t"), columns: [Column(name: "a", type: "integer")],
                              statistics: TableStatistics(sizeInBytes: bytes))
            let schema = Schema(engine: .postgresql, tables: [table])
            let plan = try StagedPlanBuilder(engine: .postgresql).build(migration, against: schema) { _, _, _ in
                [PlanStep(phase: .expand, title: "step", forward: [], reverse: [], lock: .none, duration: .instant)]
            }
            let finding = Linter().lint(migration, plan: plan, against: schema).first { $0.code == "GW102" }
            #expect(finding?.severity == expected, "\(String(describing: bytes))")
        }
    }

    @Test("Remedies name what each engine does: NOT NULL and UNIQUE are a CHECK proof and a concurrent index on PostgreSQL, a table rebuild on SQLite")
    func engineRemedies() throws {
        let yaml = """
            name: tighten
            operations:
              - alter_column: {table: teams, column: id, nullable: false}
              - add_constraint: {table: teams, name: teams_id_key, unique: [id]}
            """
        let postgres = try lintFindings(yaml, engine: .postgresql), sqlite = try lintFindings(yaml, engine: .sqlite)
        #expect(postgres.first { $0.code == "GW120" }?.remedy.contains("validated CHECK") == true)
        #expect(postgres.first { $0.code == "GW121" }?.remedy.contains("concurrently") == true)
        let notNull = try #require(sqlite.first { $0.code == "GW120" })
        #expect(notNull.remedy.contains("SQLite sets NOT NULL by rebuilding teams") && !notNull.remedy.contains("CHECK"), "\(notNull.remedy)")
        let unique = try #require(sqlite.first { $0.code == "GW121" })
        #expect(unique.remedy.contains("rebuilding teams") && !unique.remedy.contains("concurrently"), "\(unique.remedy)")
    }

    @Test("A table created earlier in the migration is not large; a live one is")
    func context() throws {
        let created = try lintFindings("""
            name: x
            operations:
              - create_table: {table: big, columns: [{name: id, type: bigint, nullable: false}], primary_key: [id]}
              - add_column: {table: big, column: {name: must, type: text, nullable: false}}
            """)
        #expect(!created.contains { $0.code == "GW110" })
        let live = try lintFindings("name: x\noperations:\n  - add_column: {table: users, column: {name: must, type: text, nullable: false}}\n")
        #expect(live.contains { $0.code == "GW110" })
    }

    @Test("A suppression with a reason silences one finding; one without a reason is an error itself")
    func suppression() throws {
        let findings = try lintFindings("""
            name: x
            operations:
              # godwit-lint-ignore GW113: the new app version ships with this migration
              - rename_column: {table: users, from: name, to: display_name}
              # godwit-lint-ignore GW116
              - drop_table: {table: legacy}
            """)
        #expect(findings.first { $0.code == "GW113" }?.suppressedBecause == "the new app version ships with this migration")
        #expect(findings.first { $0.code == "GW116" }?.suppressedBecause == nil)
        #expect(findings.first { $0.code == "GW001" }?.location == "m.yaml:5:1")
        #expect(LintReportRenderer.fails(findings))
    }

    @Test("Text, JSON and GitHub annotations")
    func formats() throws {
        let findings = try lintFindings("name: x\noperations:\n  - drop_table: {table: legacy}\n")
        #expect(try LintReportRenderer.render(findings, as: .text) == """
            m.yaml:3:5: warning GW116 ban-drop-table: dropping legacy loses its rows once cleanup runs. Make sure no deployed code reads it; Godwit archives it until cleanup.
            0 errors, 1 warning, 0 infos; 0 ignored

            """)
        #expect(try LintReportRenderer.render(findings, as: .github) == "::warning file=m.yaml,line=3,col=5,title=GW116 ban-drop-table::dropping legacy loses its rows once cleanup runs. Make sure no deployed code reads it; Godwit archives it until cleanup.\n")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(LintReportRenderer.render(findings, as: .json).utf8)) as? [[String: Any]])
        #expect(json.first?["code"] as? String == "GW116")
        #expect((json.first?["position"] as? [String: Int])?["line"] == 3)
    }

    @Test("Risk also follows size on disk")
    func riskBySize() {
        var schema = LiveSchemas.make(.postgresql)
        let index = schema.tables.firstIndex { $0.name.name == "teams" }!
        schema.tables[index].statistics = TableStatistics(estimatedRowCount: 100, sizeInBytes: 20 << 30)
        let verdict = ChangeClassifier().classify(
            .createIndex(table: QualifiedName("teams"), index: Index(name: "i", elements: [.column("id")])),
            in: ClassificationContext(engine: .postgresql, schema: schema)
        )
        #expect(verdict.risk == .high)
        #expect(verdict.reasons.contains("teams takes 20.0 GiB on disk."))
    }

    @Test("Codes are unique and stable in form")
    func codes() {
        let codes = LintRules.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { $0.hasPrefix("GW") && $0.count == 5 })
    }
}
