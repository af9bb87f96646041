import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// The staged forward and reverse SQL for every operation on both engines, against a live schema
/// with real sizes; `GODWIT_UPDATE_GOLDEN=1` rewrites the files, whose diffs are then reviewed.
@Suite("Plan SQL golden files")
struct PlanGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// Every operation kind, in an order that can be staged.
    static let migration = """
        name: every operation
        downtime: zero
        operations:
          - create_table:
              table: audit
              columns: [{name: id, type: bigint, nullable: false}, {name: user_id, type: bigint}]
              primary_key: [id]
              foreign_keys: [{columns: [user_id], references: {table: users, columns: [id]}}]
          - rename_table: {table: people, to: persons}
          - rename_column: {table: users, from: name, to: display_name}
          - add_constraint: {table: users, name: users_balance_positive, check: "balance >= 0"}
          - add_constraint: {table: orders, name: orders_user_fk, foreign_key: {columns: [user_id], references: {table: users, columns: [id]}}}
          - update_rows: {table: users, set: "status = 'active'", where: status IS NULL}
          - add_column: {table: users, column: {name: email_verified, type: boolean, nullable: false, default: "false"}}
          - add_column: {table: users, column: {name: full_name, type: text}, up: "first_name || ' ' || last_name"}
          - create_index: {table: users, name: users_recent, columns: [team_id, {column: created_at, order: desc}]}
          - alter_column: {table: users, column: created_at, type: timestamptz, up: "created_at AT TIME ZONE 'UTC'", down: "created_at AT TIME ZONE 'UTC'"}
          - alter_column: {table: users, column: team_id, references: {references: {table: teams, columns: [id]}, on_delete: set_null}}
          - alter_column: {table: users, column: email, nullable: false, default: "''"}
          - drop_index: {table: users, name: users_old}
          - drop_constraint: {table: users, name: users_old_check}
          - drop_column: {table: users, column: fax}
          - drop_table: {table: legacy}
          - sql: {up: "CREATE TABLE side (x int)", down: "DROP TABLE side"}
        """

    @Test("Every operation stages and reverses as the golden file says", arguments: Engine.allCases)
    func golden(engine: Engine) throws {
        let migration = try MigrationFileParser().parse(Self.migration, file: "every.yaml", defaultID: "9")
        #expect(Set(migration.operations.map(\.kind)) == Set(OperationKind.allCases))
        var schema = LiveSchemas.make(engine)
        let users = schema.tables.firstIndex { $0.name.name == "users" }!
        schema.tables[users].columns += [Column(name: "fax", type: "text"), Column(name: "first_name", type: "text"), Column(name: "last_name", type: "text"),
                                         Column(name: "status", type: "text")]
        schema.tables[users].checkConstraints.append(CheckConstraint(name: "users_old_check", expression: "id > 0"))
        schema.tables[users].indexes.append(Index(name: "users_old", method: engine == .postgresql ? "btree" : nil, elements: [.column("name")]))
        let plan = try DatabaseConnector.planner(for: engine).plan(migration, against: schema.canonicalized())
        let text = "-- FORWARD\n" + PlanScripts.forward([plan]) + "\n-- REVERSE\n" + PlanScripts.reverse([plan])
        let file = Self.directory.appendingPathComponent("plan-\(engine.rawValue).sql")
        if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: file, encoding: .utf8)))
        #expect(plan.steps.allSatisfy { $0.phase == .cleanup || $0.isReversible })
        #expect(plan.steps.map(\.phase) == plan.steps.map(\.phase).sorted())
    }
}
