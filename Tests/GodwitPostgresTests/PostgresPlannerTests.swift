import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

@Suite("PostgreSQL planner")
struct PostgresPlannerTests {
    static let migration = """
        name: every operation on PostgreSQL
        downtime: zero
        operations:
          - create_table:
              table: public.note
              columns: [{name: id, type: bigint, nullable: false}, {name: body, type: text}]
              primary_key: [id]
          - add_column: {table: billing.customer, column: {name: nickname, type: text}, up: "'nick_' || id"}
          - add_column: {table: billing.customer, column: {name: token, type: uuid, default: gen_random_uuid()}}
          - update_rows: {table: billing.customer, set: "country = 'AU'", where: "name = 'Bo'"}
          - rename_column: {table: public.audit, from: note, to: remark}
          - alter_column: {table: billing.customer, column: country, type: character(3), down: "country::character(2)"}
          - alter_column: {table: billing.customer, column: email, nullable: true}
          - alter_column: {table: public.scratch, column: v, default: "'none'"}
          - alter_column: {table: public.scratch, column: v, nullable: false}
          - create_index: {table: billing.customer, name: customer_nickname, columns: [nickname]}
          - drop_index: {table: billing.invoice, name: invoice_open}
          - add_constraint: {table: billing.customer, name: customer_name_length, check: "length(name) < 100"}
          - add_constraint: {table: billing.customer, name: customer_nickname_key, unique: [nickname]}
          - drop_constraint: {table: billing.invoice, name: invoice_amount_sane}
          - drop_column: {table: billing.customer, column: tags}
          - add_column: {table: billing.customer, column: {name: tier, type: text, nullable: false, default: "'basic'"}}
          - drop_table: {table: public.audit_2024}
          - rename_table: {table: public.note, to: notes}
          - add_constraint: {table: public.notes, name: note_id_positive, check: "id > 0"}
          - sql: {up: "CREATE TABLE public.side (x int)", down: "DROP TABLE public.side"}
        """

    /// Every table's rows as one digest each, computed by the server from the row text.
    static func data(_ driver: any DatabaseDriver, _ schema: Schema) async throws -> [String: String] {
        let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
        var digests: [String: String] = [:]
        for table in schema.tables {
            let sql = "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ONLY \(quoter.quote(table.name)) AS t"
            digests[table.name.description] = try await driver.query(unsafeSQL: sql).first?[0].textValue
        }
        return digests
    }

    @Test("Forward reaches the plan; reverse returns schema, pg_dump and data to identical")
    func forwardAndBack() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TestPostgres.load(Fixtures.postgresFeatures, into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.executeScript(unsafeSQL: """
                INSERT INTO billing.customer (name, email) VALUES ('Ann', 'ann@example.com'), ('Bo', 'bo@example.com');
                INSERT INTO public.scratch VALUES ('a', 'x'), ('b', 'y');
                INSERT INTO public.audit_2024 (note) VALUES ('kept');
                """)
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startDump = try await TestPostgres.schemaDump(endpoint)
            let startData = try await Self.data(driver, start)
            let migration = try MigrationFileParser().parse(Self.migration, file: "m.yaml", defaultID: "5")
            let plan = try PostgresPlanner().plan(migration, against: start)
            #expect(plan.steps.contains { !$0.isTransactional && $0.forward.first?.contains("CONCURRENTLY") == true })
            #expect(plan.steps.filter { $0.phase == .contract }.allSatisfy { $0.isReversible })

            try await PlanStepRunner().forward(plan, through: .contract, on: driver)
            let after = try await driver.inspect(InspectionOptions()).removingStatistics()
            let customer = try #require(after.table(named: QualifiedName(schema: "billing", "customer")))
            #expect(customer.column(named: "tier")?.isNullable == false)
            #expect(customer.column(named: "email")?.isNullable == true)
            #expect(customer.column(named: "country")?.type == "character(3)")
            #expect(customer.uniqueConstraints.map(\.name) == ["customer_email_key", "customer_nickname_key"])
            #expect(customer.checkConstraints.first { $0.name == "customer_name_length" }?.isValidated == true)
            #expect(after.table(named: QualifiedName(schema: "public", "notes")) != nil)
            #expect(after.view(named: QualifiedName(schema: "public", "note")) == nil)
            #expect(after.table(named: QualifiedName(schema: "public", "_godwit_archive_5_audit_2024")) != nil)
            let rows = try await driver.query(unsafeSQL: "SELECT nickname, tier, token IS NOT NULL, country FROM billing.customer ORDER BY name")
            #expect(rows.map { $0.values.map(\.textValue) } == [["nick_10", "basic", "1", "NZ "], ["nick_12", "basic", "1", "AU "]])
            #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_index WHERE NOT indisvalid").first?[0] == .integer(0))

            try await PlanStepRunner().reverse(plan, through: .contract, on: driver)
            let back = try await driver.inspect(InspectionOptions()).removingStatistics()
            #expect(back == start)
            #expect(try await TestPostgres.schemaDump(endpoint) == startDump)
            #expect(try await Self.data(driver, back) == startData)
            try await driver.close()
        }
    }

    @Test("A NOT NULL the data breaks fails in verify and rolls its step back")
    func failingNotNull() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TestPostgres.load(Fixtures.postgresFeatures, into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.execute(unsafeSQL: "INSERT INTO public.scratch VALUES ('a', NULL)")
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let migration = try MigrationFileParser().parse("name: x\noperations:\n  - alter_column: {table: public.scratch, column: v, nullable: false}\n",
                                                           file: "m.yaml", defaultID: "6")
            let plan = try PostgresPlanner().plan(migration, against: start)
            #expect(plan.steps.map(\.phase) == [.verify, .contract])
            let error = await #expect(throws: GodwitError.self) { try await PlanStepRunner().forward(plan, on: driver) }
            // The precondition counts the violating row before VALIDATE would only say "violates".
            #expect(error?.code == .integrityFailure)
            #expect(error?.reason == "NULLs in v: 1 rows")
            #expect(try await driver.inspect(InspectionOptions()).removingStatistics() == start)
            try await driver.close()
        }
    }
}
