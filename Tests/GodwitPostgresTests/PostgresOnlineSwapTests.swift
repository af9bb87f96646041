import Foundation
import GodwitCore
import GodwitEngine
import GodwitPostgres
import GodwitTesting
import Testing

@Suite("PostgreSQL online column changes")
struct PostgresOnlineSwapTests {
    static let setup = """
        CREATE TABLE public.account (
            id bigint PRIMARY KEY,
            name text NOT NULL,
            created timestamp NOT NULL DEFAULT now(),
            note varchar(20)
        );
        CREATE INDEX account_created ON public.account (created);
        INSERT INTO public.account VALUES (1, 'Ann', '2024-01-01 10:00', NULL), (2, 'Bo', '2024-02-01 11:30', 'vip');
        """

    static let migration = """
        name: online rename and retype
        downtime: zero
        operations:
          - rename_column: {table: account, from: name, to: full_name}
          - alter_column:
              table: account
              column: created
              type: timestamptz
              up: "created AT TIME ZONE 'UTC'"
              down: "created AT TIME ZONE 'UTC'"
        """

    @Test("Old and new code write at once through expand; contract switches; rollback returns to identical")
    func renameAndRetype() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.execute(unsafeSQL: "SET TIME ZONE 'UTC'")
            try await driver.executeScript(unsafeSQL: Self.setup)
            let start = try await driver.inspect(InspectionOptions()).removingStatistics()
            let startDump = try await TestPostgres.schemaDump(endpoint)
            let plan = try PostgresPlanner().plan(try MigrationFileParser().parse(Self.migration, file: "m.yaml", defaultID: "4"), against: start)
            #expect(plan.steps.filter { $0.phase == .expand }.allSatisfy { $0.isOnline })
            #expect(plan.steps.contains { $0.forward.contains { $0.hasPrefix("CREATE INDEX CONCURRENTLY IF NOT EXISTS _godwit_new_account_created") } })

            try await PlanStepRunner().forward(plan, through: .verify, on: driver)
            // Old code writes `name`, new code writes `full_name`; both write `created`.
            try await driver.executeScript(unsafeSQL: """
                INSERT INTO public.account (id, name, created) VALUES (10, 'old app', '2024-03-01 08:00');
                INSERT INTO public.account (id, full_name, created) VALUES (11, 'new app', '2024-03-02 09:00');
                UPDATE public.account SET name = 'Ann (old)' WHERE id = 1;
                UPDATE public.account SET full_name = 'Bo (new)' WHERE id = 2;
                UPDATE public.account SET created = '2024-04-01 12:00' WHERE id = 10;
                """)
            let mismatches = try await driver.query(unsafeSQL: """
                SELECT count(*) FROM public.account
                WHERE full_name IS DISTINCT FROM name OR _godwit_new_created IS DISTINCT FROM (created AT TIME ZONE 'UTC')
                """)
            #expect(mismatches.first?[0] == .integer(0))
            let beforeContract = try await driver.query(unsafeSQL: "SELECT id::text, name, created::text FROM public.account ORDER BY id")

            try await PlanStepRunner().forward(plan, from: .contract, through: .contract, on: driver)
            let after = try await driver.inspect(InspectionOptions()).removingStatistics()
            let account = try #require(after.table(named: QualifiedName(schema: "public", "account")))
            #expect(account.column(named: "full_name")?.isNullable == false)
            #expect(account.column(named: "created")?.type == "timestamp with time zone")
            #expect(account.column(named: "created")?.isNullable == false)
            #expect(account.column(named: "created")?.defaultExpression == "now()")
            #expect(account.indexes.first { $0.name == "account_created" }?.elements.first?.expression == "created")
            let switched = try await driver.query(unsafeSQL: "SELECT full_name, created::text FROM public.account WHERE id IN (2, 10) ORDER BY id")
            #expect(switched.map { $0.values.map(\.textValue) } == [["Bo (new)", "2024-02-01 11:30:00+00"], ["old app", "2024-04-01 12:00:00+00"]])

            try await PlanStepRunner().reverse(plan, through: .contract, on: driver)
            #expect(try await driver.inspect(InspectionOptions()).removingStatistics() == start)
            #expect(try await TestPostgres.schemaDump(endpoint) == startDump)
            #expect(try await driver.query(unsafeSQL: "SELECT id::text, name, created::text FROM public.account ORDER BY id") == beforeContract)
            try await driver.close()
        }
    }

    @Test("A key column cannot change online, and the refusal says why and what to do")
    func refusesKeys() async throws {
        let schema = LiveSchemas.make(.postgresql)
        let migration = try MigrationFileParser().parse("name: x\ndowntime: zero\noperations:\n  - rename_column: {table: users, from: id, to: user_id}\n",
                                                       file: "m.yaml", defaultID: "5")
        let error = #expect(throws: GodwitError.self) { try PostgresPlanner().plan(migration, against: schema) }
        #expect(error?.description == "Cannot change public.users.id online: it is part of the primary key. Allow downtime for this migration (`downtime: window`), or change the constraint in its own steps first.")
    }
}
