public import GodwitCore

/// A migration that uses every operation and section of the format.
public let completeMigration = """
    id: "20261121_001"
    name: Users get verified emails
    goal: Let users verify their email without downtime
    context: Support needs to know which addresses work.
    type: mixed
    downtime: zero
    owner: alice@example.com
    stakeholders: [support, billing]
    notes: Coordinate with the mobile release.
    operations:
      - create_table:
          table: public.audit
          columns:
            - {name: id, type: bigint, nullable: false}
            - {name: happened_at, type: timestamptz, nullable: false, default: now()}
            - {name: user_id, type: bigint}
          primary_key: [id]
          unique: [[user_id, happened_at]]
          checks: ["id > 0", {name: audit_user_positive, expression: "user_id > 0"}]
          foreign_keys:
            - {columns: [user_id], references: {table: users, columns: [id]}, on_delete: cascade}
      - drop_table: {table: legacy}
      - rename_table: {table: people, to: persons}
      - add_column:
          table: users
          column: {name: email_verified, type: boolean, nullable: false, default: "false"}
      - add_column:
          table: users
          column: {name: full_name, type: text}
          up: "first_name || ' ' || last_name"
      - drop_column: {table: users, column: fax}
      - rename_column: {table: users, from: name, to: display_name}
      - alter_column:
          table: users
          column: created_at
          type: timestamptz
          up: "created_at AT TIME ZONE 'UTC'"
          down: "created_at AT TIME ZONE 'UTC'"
      - alter_column: {table: users, column: email, nullable: false, unique: true, default: null}
      - alter_column:
          table: users
          column: team_id
          references: {references: {table: teams, columns: [id]}, on_delete: set_null}
          check: "team_id > 0"
      - create_index:
          table: users
          name: users_recent
          columns: [team_id, {column: created_at, order: desc}, {expression: lower(email)}]
          include: [id]
          where: deleted_at IS NULL
          method: btree
      - drop_index: {table: users, name: users_old}
      - add_constraint: {table: users, name: users_email_format, check: "email LIKE '%@%'"}
      - add_constraint:
          table: orders
          name: orders_user_fk
          foreign_key: {columns: [user_id], references: {table: users, columns: [id]}}
      - drop_constraint: {table: users, name: users_old_check}
      - update_rows:
          table: users
          set: "status = 'active'"
          where: status IS NULL
          down: "status = NULL"
          batch_size: 500
      - sql:
          up: CREATE INDEX CONCURRENTLY users_email ON users (email)
          down: DROP INDEX CONCURRENTLY users_email
          transactional: false
    validations:
      - {name: no null emails, sql: SELECT count(*) FROM users WHERE email IS NULL, expect: 0}
      - {name: few orphans, sql: SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL, expect: {at_most: 5}}
      - {name: no duplicates, sql: SELECT email FROM users GROUP BY email HAVING count(*) > 1, expect: no_rows}
    rollback_triggers:
      - {when: integrity_failure}
      - {when: latency, percent: 50, action: pause}
      - {when: failed_batches, percent: 2}
      - {when: validation, validation: no null emails}
    gates:
      - {before: contract, soak: 24h, checks: [no null emails]}
      - {before: backfill, approval: false}
    checklist:
      stakeholders_notified: "support and billing, #db-changes, 2026-11-19"
      window_agreed: none needed (zero downtime)
    """


/// A live schema with real-sized tables, as inspection would give it.
public enum LiveSchemas {
    public static func make(_ engine: Engine) -> Schema {
        let schemaName: String? = engine == .postgresql ? "public" : nil
        func table(_ name: String, rows: Int64, _ columns: [Column]) -> Table {
            Table(name: QualifiedName(schema: schemaName, name), columns: columns, primaryKey: PrimaryKey(columns: ["id"]),
                  statistics: TableStatistics(estimatedRowCount: rows, sizeInBytes: rows * 120))
        }
        return Schema(engine: engine, tables: [
            table("users", rows: 2_000_000, [
                Column(name: "id", type: "bigint", isNullable: false), Column(name: "name", type: "character varying(50)"),
                Column(name: "email", type: "text"), Column(name: "created_at", type: "timestamp without time zone"),
                Column(name: "team_id", type: "bigint"), Column(name: "balance", type: "numeric(10,2)"),
            ]),
            table("teams", rows: 100, [Column(name: "id", type: "bigint", isNullable: false)]),
            table("orders", rows: 50_000, [Column(name: "id", type: "bigint", isNullable: false), Column(name: "user_id", type: "bigint")]),
            table("legacy", rows: 0, [Column(name: "id", type: "bigint", isNullable: false)]),
            table("people", rows: 300, [Column(name: "id", type: "bigint", isNullable: false)]),
        ])
    }
}

