import Foundation
import GodwitCore
import GodwitTesting
import Testing

@Suite("Migration files")
struct MigrationFileParserTests {
    @Test("A file using every operation and section reads into the model")
    func complete() throws {
        let migration = try MigrationFileParser().parse(completeMigration, file: "m.yaml")
        #expect(migration.id == "20261121_001")
        #expect(migration.name == "Users get verified emails")
        #expect(migration.kind == .mixed)
        #expect(migration.downtime == .zero)
        #expect(migration.stakeholders == ["support", "billing"])
        #expect(migration.checklist.map(\.item) == [.stakeholdersNotified, .windowAgreed])
        #expect(migration.operations.map(\.kind) == [
            .createTable, .dropTable, .renameTable, .addColumn, .addColumn, .dropColumn, .renameColumn, .alterColumn,
            .alterColumn, .alterColumn, .createIndex, .dropIndex, .addConstraint, .addConstraint, .dropConstraint, .updateRows, .sql,
        ])
        #expect(Set(migration.operations.map(\.kind)) == Set(OperationKind.allCases))
        guard case .createTable(let table) = migration.operations[0] else { Issue.record("not create_table"); return }
        #expect(table.name == QualifiedName(schema: "public", "audit"))
        #expect(table.columns.map(\.name) == ["id", "happened_at", "user_id"])
        #expect(table.column(named: "happened_at")?.defaultExpression == "now()")
        #expect(table.primaryKey?.columns == ["id"])
        #expect(table.checkConstraints == [CheckConstraint(expression: "id > 0"), CheckConstraint(name: "audit_user_positive", expression: "user_id > 0")])
        #expect(table.foreignKeys.first?.onDelete == .cascade)
        guard case .addColumn(let add) = migration.operations[4] else { Issue.record("not add_column"); return }
        #expect(add.up == "first_name || ' ' || last_name")
        guard case .alterColumn(let retype) = migration.operations[7] else { Issue.record("not alter_column"); return }
        #expect(retype.type == "timestamptz")
        #expect(retype.down == "created_at AT TIME ZONE 'UTC'")
        guard case .alterColumn(let tighten) = migration.operations[8] else { Issue.record("not alter_column"); return }
        #expect(tighten.isNullable == false)
        #expect(tighten.isUnique == true)
        #expect(tighten.defaultChange == .drop)
        guard case .alterColumn(let reference) = migration.operations[9] else { Issue.record("not alter_column"); return }
        #expect(reference.references?.columns == ["team_id"])
        #expect(reference.references?.onDelete == .setNull)
        guard case .createIndex(_, let index) = migration.operations[10] else { Issue.record("not create_index"); return }
        #expect(index.elements == [
            .column("team_id"), Index.Element(expression: "created_at", order: .descending),
            Index.Element(expression: "lower(email)", isExpression: true),
        ])
        #expect(index.predicate == "deleted_at IS NULL")
        guard case .updateRows(let update) = migration.operations[15] else { Issue.record("not update_rows"); return }
        #expect(update.batchSize == 500)
        guard case .rawSQL(let raw) = migration.operations[16] else { Issue.record("not sql"); return }
        #expect(!raw.isTransactional)
        #expect(migration.validations.map(\.expectation) == [.equals("0"), .atMost(5), .noRows])
        #expect(migration.rollbackTriggers == [
            RollbackTrigger(condition: .integrityFailure), RollbackTrigger(condition: .latency(aboveBaselinePercent: 50), action: .pause),
            RollbackTrigger(condition: .failedBatches(percent: 2)), RollbackTrigger(condition: .validation("no null emails")),
        ])
        #expect(migration.gates == [
            Gate(before: .contract, soakSeconds: 86400, checks: ["no null emails"]), Gate(before: .backfill, requiresApproval: false),
        ])
        #expect(migration.source?.checksum == MigrationChecksum.sha256(Data(completeMigration.utf8)))
        #expect(migration.source?.checksum.count == 64)
    }

    @Test("Errors name file:line:column, the field, and what is expected", arguments: [
        ("name: x\noperations:\n  - add_column:\n      table: users\n      column: {name: a, type: [text]}\n",
         "Invalid migration at m.yaml:5:31: operations[0].add_column.column.type: expected the column's SQL type, such as text or bigint, found a list."),
        ("name: x\noperations:\n  - add_colum: {table: users}\n",
         "Invalid migration at m.yaml:3:5: operations[0].add_colum: unknown field 'add_colum' (did you mean 'add_column'?); expected one of create_table, drop_table, rename_table, add_column, drop_column, rename_column, alter_column, create_index, drop_index, add_constraint, drop_constraint, update_rows, sql."),
        ("name: x\noperations:\n  - drop_table: {tabel: users}\n",
         "Invalid migration at m.yaml:3:18: operations[0].drop_table.tabel: unknown field 'tabel' (did you mean 'table'?); expected one of table."),
        ("name: x\noperations:\n  - sql: {up: DROP TABLE t}\n",
         "Invalid migration at m.yaml:3:10: operations[0].sql: missing field 'down': expected the SQL that undoes `up` (raw SQL must say how to roll back)."),
        ("name: x\ndowntime: sometimes\noperations:\n  - drop_table: {table: t}\n",
         "Invalid migration at m.yaml:2:11: downtime: expected one of zero, minutes, window, found 'sometimes'."),
        ("name: x\noperations: []\n",
         "Invalid migration at m.yaml:2:13: operations: expected at least one operation, found a list."),
        ("name: x\noperations:\n  - alter_column: {table: t, column: c}\n",
         "Invalid migration at m.yaml:3:19: operations[0].alter_column: nothing to change. Give at least one of type, nullable, default, check, unique, references."),
        ("name: x\noperations:\n  - update_rows: {table: t, set: a = 1, batch_size: 0}\n",
         "Invalid migration at m.yaml:3:53: operations[0].update_rows.batch_size: expected a batch size from 1 to 1000000, found '0'."),
        ("name: x\ngates:\n  - {before: contract, soak: forever}\noperations:\n  - drop_table: {table: t}\n",
         "Invalid migration at m.yaml:3:30: gates[0].soak: expected a duration such as 90s, 30m, 24h or 2d, found 'forever'."),
        ("name: x\noperations:\n  - drop_table: {table: t\n",
         "Invalid migration at m.yaml:4:1: this is not valid YAML (while parsing a flow mapping, did not find expected ',' or '}'). Check the indentation and quoting near that place."),
        ("name: x\noperations:\n  - alter_column: {table: t, column: c, type: numeric(14,2)}\n",
         "Invalid migration at m.yaml:3:58: operations[0].alter_column.2): unknown field '2)'; expected one of table, column, type, nullable, default, check, unique, references, up, down. A comma inside {…} ends the value: quote it, as in type: \"numeric(14,2)\"."),
        ("operations:\n  - drop_table: {table: t}\n",
         "Invalid migration at m.yaml:1:1: missing field 'name': expected a short name for the migration."),
    ])
    func errors(text: String, message: String) {
        #expect {
            try MigrationFileParser().parse(text, file: "m.yaml", defaultID: "001")
        } throws: { error in
            guard let error = error as? GodwitError, error.code == .invalidMigration else { return false }
            if error.description != message { Issue.record("got: \(error.description)") }
            return error.description == message
        }
    }

    @Test("The id in the file must match the version in its name")
    func idMismatch() {
        let error = #expect(throws: GodwitError.self) {
            try MigrationFileParser().parse("id: '002'\nname: x\noperations:\n  - drop_table: {table: t}\n", file: "001_x.yaml", defaultID: "001")
        }
        #expect(error?.description == "Invalid migration at 001_x.yaml:1:5: id: the id '002' differs from the version '001' in the file name. Make them equal, or drop `id:` and let the file name give it.")
    }

    @Test("Close spellings are recognised as typos, others are not")
    func spelling() {
        #expect(MigrationFileParserSpelling.close("tabel", "table"))
        #expect(MigrationFileParserSpelling.close("colum", "column"))
        #expect(!MigrationFileParserSpelling.close("index", "table"))
    }

    @Test("The checklist acknowledges human items; a misspelt item or an empty acknowledgment is an error at its line")
    func checklist() throws {
        let migration = try MigrationFileParser().parse("""
            name: x
            operations:
              - drop_index: {table: t, name: i}
            checklist:
              window_agreed: "Saturday 02:00 UTC"
              stakeholders_notified: alice on 2026-11-19
            """, file: "m.yaml", defaultID: "001")
        #expect(migration.checklist == [.init(item: .stakeholdersNotified, note: "alice on 2026-11-19"), .init(item: .windowAgreed, note: "Saturday 02:00 UTC")])
        #expect(migration.unacknowledgedChecklist == [.monitoringReady, .featureFlagsReady])
        let head = "name: x\noperations:\n  - drop_index: {table: t, name: i}\nchecklist:\n"
        do {
            _ = try MigrationFileParser().parse(head + "  window_agred: yes\n", file: "m.yaml", defaultID: "001")
            Issue.record("a misspelt item was accepted")
        } catch let error as GodwitError {
            #expect(error.description.contains("m.yaml:5"), "\(error)")
            #expect(error.description.contains("did you mean 'window_agreed'?"))
        }
        do {
            _ = try MigrationFileParser().parse(head + "  window_agreed: \"\"\n", file: "m.yaml", defaultID: "001")
            Issue.record("an empty acknowledgment was accepted")
        } catch let error as GodwitError {
            #expect(error.description.contains("checklist.window_agreed"), "\(error)")
        }
    }

    @Test("A default that is a bare word is refused on every engine: it would name a column; keywords, calls and literals pass",
          arguments: ["basic", "pending_review"])
    func bareWordDefault(_ word: String) throws {
        for operation in ["add_column: {table: t, column: {name: c, type: text, default: \(word)}}",
                          "alter_column: {table: t, column: c, default: \(word)}"] {
            let error = #expect(throws: GodwitError.self) {
                try MigrationFileParser().parse("name: d\noperations:\n  - \(operation)\n", file: "001_d.yaml", defaultID: "001")
            }
            #expect(error?.reason?.contains("the default \(word) is an SQL expression") == true)
            #expect(error?.remedy?.contains("default: \"'\(word)'\"") == true)
            #expect(error?.location?.hasPrefix("001_d.yaml:3:") == true)
        }
        for accepted in ["CURRENT_TIMESTAMP", "true", "0", "now()", "'basic'", "null"] {
            _ = try MigrationFileParser().parse("name: d\noperations:\n  - alter_column: {table: t, column: c, default: \"\(accepted)\"}\n", file: "001_d.yaml", defaultID: "001")
        }
    }
}
