import GodwitCore
import GodwitTesting
import Testing

@Suite("Diff and migration writer")
struct DiffTests {
    @Test("A written migration parses back to the same operations")
    func writerRoundTrip() throws {
        let original = try MigrationFileParser().parse(completeMigration, file: "m.yaml")
        let written = MigrationWriter().yaml(original)
        let reread = try MigrationFileParser().parse(written, file: "w.yaml", defaultID: "1")
        #expect(reread.operations == original.operations)
        #expect(reread.name == original.name)
        #expect(reread.downtime == original.downtime)
    }

    @Test("Without a hint a drop and an add stay so, with a warning naming the likely rename")
    func likelyRename() {
        let current = LiveSchemas.make(.postgresql)
        var desired = current
        desired.tables[0].columns[1].name = "full_name"  // users.name → users.full_name
        let diff = SchemaDiffer().diff(from: current, to: desired)
        #expect(diff.operations.map(\.kind) == [.addColumn, .dropColumn])
        #expect(diff.warnings == ["public.users.name is dropped and public.users.full_name added with the same type: if it is a rename, pass --rename users.name=full_name to keep its data."])
        let hinted = SchemaDiffer().diff(from: current, to: desired, renames: [.column(table: "users", from: "name", to: "full_name")])
        #expect(hinted.operations == [.renameColumn(table: QualifiedName(schema: "public", "users"), from: "name", to: "full_name")])
        #expect(hinted.warnings.isEmpty)
    }

    @Test("Type, nullability, default, index and table changes become their operations")
    func changes() {
        let current = LiveSchemas.make(.postgresql)
        var desired = current
        desired.tables[0].columns[2].type = "character varying(320)"
        desired.tables[0].columns[3].isNullable = false
        desired.tables[0].columns[4].defaultExpression = "0"
        desired.tables[0].indexes = [Index(name: "users_email", elements: [.column("email")])]
        desired.tables.removeAll { $0.name.name == "legacy" }
        desired.tables.append(Table(name: QualifiedName(schema: "public", "audit"), columns: [Column(name: "id", type: "bigint", isNullable: false)]))
        let diff = SchemaDiffer().diff(from: current, to: desired)
        #expect(diff.operations.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.alterColumn, .alterColumn, .alterColumn, .createIndex, .createTable, .dropTable])
        #expect(SchemaDiffer().diff(from: current, to: current).operations.isEmpty)
    }

    @Test("Rename hints parse from options and file annotations")
    func hints() throws {
        #expect(try RenameHint(parsing: "users.name=full_name") == .column(table: "users", from: "name", to: "full_name"))
        #expect(try RenameHint(parsing: "people=persons") == .table(from: "people", to: "persons"))
        #expect(try RenameHint.annotations(in: "-- godwit:rename a.b=c\nCREATE TABLE a (c int);") == [.column(table: "a", from: "b", to: "c")])
        let error = #expect(throws: GodwitError.self) { try RenameHint(parsing: "users.name") }
        #expect(error?.description == "Malformed rename 'users.name'. Write --rename old_table=new_table or --rename table.old_column=new_column.")
    }
}
