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

    @Test("A column renamed in a renamed table is a rename whichever name the hint uses, the table's old or new: no drop and add, and the keys over it and to its renamed parent stay (both engines)",
          arguments: [Engine.sqlite, .postgresql])
    func columnRenameInRenamedTable(engine: Engine) {
        let schema = engine == .postgresql ? "public" : nil
        func name(_ table: String) -> QualifiedName { QualifiedName(schema: schema, table) }
        func parent(_ table: String) -> Table {
            Table(name: name(table), columns: [Column(name: "id", type: "integer", isNullable: false)],
                  primaryKey: PrimaryKey(name: engine == .postgresql ? "movies_pkey" : nil, columns: ["id"]))
        }
        func child(_ table: String, key: String, parent: String) -> Table {
            Table(name: name(table), columns: [
                Column(name: key, type: "integer", isNullable: false), Column(name: "position", type: "integer", isNullable: false),
                Column(name: "url", type: "text")],
                  primaryKey: PrimaryKey(name: engine == .postgresql ? "movie_urls_pkey" : nil, columns: [key, "position"]),
                  foreignKeys: [ForeignKey(name: engine == .postgresql ? "movie_urls_movie_id_fkey" : nil, columns: [key],
                                           referencedTable: name(parent), referencedColumns: ["id"], onDelete: .cascade)])
        }
        var current = Schema(engine: engine), desired = Schema(engine: engine)
        current.tables = [parent("movies"), child("movie_urls", key: "movie_id", parent: "movies")]
        desired.tables = [parent("groups"), child("group_urls", key: "group_id", parent: "groups")]
        // Up renamed the table first, then the column in it (named by its new name); or the other way round.
        for hintTable in ["group_urls", "movie_urls"] {
            let diff = SchemaDiffer().diff(from: current, to: desired, renames: [
                .table(from: "movies", to: "groups"), .table(from: "movie_urls", to: "group_urls"),
                .column(table: hintTable, from: "movie_id", to: "group_id")])
            #expect(diff.operations == [.renameTable(name("movies"), to: "groups"), .renameTable(name("movie_urls"), to: "group_urls"),
                                        .renameColumn(table: name("group_urls"), from: "movie_id", to: "group_id")],
                    "hint on \(hintTable): \(diff.operations)")
            // And back, as a written down reverses them.
            let back = SchemaDiffer().diff(from: desired, to: current, renames: [
                .table(from: "groups", to: "movies"), .table(from: "group_urls", to: "movie_urls"),
                .column(table: hintTable, from: "group_id", to: "movie_id")])
            #expect(back.operations == [.renameTable(name("groups"), to: "movies"), .renameTable(name("group_urls"), to: "movie_urls"),
                                        .renameColumn(table: name("movie_urls"), from: "group_id", to: "movie_id")],
                    "back, hint on \(hintTable): \(back.operations)")
        }
    }

    @Test("A rename hint that finds no table to rename (up rebuilt a table under a new name and renamed it back) leaves the foreign keys to that table alone")
    func unmatchedRenameHint() {
        var schema = Schema(engine: .sqlite)
        schema.tables = [
            Table(name: QualifiedName("performers"), columns: [Column(name: "id", type: "INTEGER", isNullable: false)], primaryKey: PrimaryKey(columns: ["id"])),
            Table(name: QualifiedName("performer_aliases"), columns: [Column(name: "performer_id", type: "INTEGER", isNullable: false)],
                  foreignKeys: [ForeignKey(columns: ["performer_id"], referencedTable: QualifiedName("performers"), referencedColumns: ["id"], onDelete: .cascade)])]
        // A written down reverses `ALTER TABLE performers_new RENAME TO performers`.
        let diff = SchemaDiffer().diff(from: schema, to: schema, renames: [.table(from: "performers", to: "performers_new")])
        #expect(diff.operations.isEmpty, "\(diff.operations)")
    }

    @Test("Constraints without a name (SQLite's) that go are dropped by their definition, and the operations turn one schema into the other")
    func unnamedConstraints() throws {
        var current = Schema(engine: .sqlite)
        current.tables = [
            Table(name: QualifiedName("studios"), columns: [Column(name: "id", type: "INTEGER", isNullable: false), Column(name: "parent_id", type: "INTEGER"),
                                                            Column(name: "code", type: "TEXT")],
                  primaryKey: PrimaryKey(columns: ["id"]), uniqueConstraints: [UniqueConstraint(columns: ["code"])],
                  checkConstraints: [CheckConstraint(expression: "id IS NOT parent_id")],
                  foreignKeys: [ForeignKey(columns: ["parent_id"], referencedTable: QualifiedName("studios"), referencedColumns: ["id"], onDelete: .setNull)])]
        var desired = current
        desired.tables[0].checkConstraints = []
        desired.tables[0].uniqueConstraints = []
        desired.tables[0].foreignKeys[0].onDelete = .cascade
        desired.tables[0].primaryKey = PrimaryKey(columns: ["id", "code"])
        let diff = SchemaDiffer().diff(from: current, to: desired)
        let studios = QualifiedName("studios")
        #expect(diff.operations.filter { $0.kind == .dropConstraint } == [
            .dropConstraint(table: studios, name: "UNIQUE (code)"), .dropConstraint(table: studios, name: "CHECK (id IS NOT parent_id)"),
            .dropConstraint(table: studios, name: "FOREIGN KEY (parent_id) REFERENCES studios (id)"), .dropConstraint(table: studios, name: "PRIMARY KEY (id)")])
        #expect(try SchemaTransformer().applying(diff.operations, to: current) == desired)
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

    @Test("Functions that go, come or change their body become raw SQL with their reverse; views, triggers and functions that go are dropped before the tables change, and what comes is made after")
    func functionsAndOrder() throws {
        let users = QualifiedName(schema: "public", "users")
        func counter(_ body: String) -> Function {
            Function(name: QualifiedName(schema: "public", "bump"), identityArguments: "", language: "plpgsql",
                     definition: "CREATE OR REPLACE FUNCTION public.bump() RETURNS trigger LANGUAGE plpgsql AS $f$BEGIN \(body) RETURN NEW; END $f$")
        }
        var current = LiveSchemas.make(.postgresql)
        current.functions = [counter("NULL;"), Function(name: QualifiedName(schema: "public", "old_total"), identityArguments: "who integer",
                                                         language: "sql", definition: "CREATE OR REPLACE FUNCTION public.old_total(who integer) RETURNS integer LANGUAGE sql AS 'SELECT 1'")]
        current.triggers = [Trigger(name: "users_bump", table: users, definition: "CREATE TRIGGER users_bump AFTER INSERT OR DELETE ON public.users FOR EACH ROW EXECUTE FUNCTION public.bump()")]
        current.views = [View(name: QualifiedName(schema: "public", "names"), definition: " SELECT name FROM public.users;", dependencies: [users])]
        var desired = current
        desired.functions = [counter("PERFORM 1;")]
        desired.triggers = [Trigger(name: "users_bump", table: users, definition: "CREATE TRIGGER users_bump AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.bump()")]
        desired.views = [View(name: QualifiedName(schema: "public", "names"), definition: " SELECT name, email FROM public.users;", dependencies: [users])]
        desired.tables[0].columns[2].type = "character varying(320)"
        let raw = SchemaDiffer().diff(from: current, to: desired).operations.map { operation -> String in
            if case .rawSQL(let sql) = operation { return sql.up } else { return "\(operation.kind)" }
        }
        #expect(raw == [
            "alterColumn",
            "DROP VIEW public.names",
            "DROP TRIGGER users_bump ON public.users",
            "DROP FUNCTION public.old_total(who integer)",
            counter("PERFORM 1;").definition,
            "CREATE VIEW public.names AS  SELECT name, email FROM public.users;",
            "CREATE TRIGGER users_bump AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.bump()",
        ])
        // Each replaced body's reverse is the body before.
        let replaced = SchemaDiffer().diff(from: current, to: desired).operations.compactMap { operation -> RawSQL? in
            if case .rawSQL(let sql) = operation, sql.up == counter("PERFORM 1;").definition { return sql } else { return nil }
        }
        #expect(replaced.map(\.down) == [counter("NULL;").definition])
        // A view and a trigger on a table that goes are dropped before it, while it has its name.
        var withoutUsers = current
        withoutUsers.tables.removeAll { $0.name == users }
        withoutUsers.views = []
        withoutUsers.triggers = []
        let dropping = SchemaDiffer().diff(from: current, to: withoutUsers).operations.map { operation -> String in
            if case .rawSQL(let sql) = operation { return sql.up } else { return "\(operation.kind)" }
        }
        #expect(Array(dropping.prefix(2)) == ["DROP VIEW public.names", "DROP TRIGGER users_bump ON public.users"])
        #expect(dropping.contains("dropTable"))
    }

    @Test("A constraint that keeps its name and columns but changes what it declares is dropped and added again; validating a NOT VALID key is no change")
    func constraintDefinitionChanges() {
        var current = LiveSchemas.make(.postgresql)
        let orders = current.tables.firstIndex { $0.name.name == "orders" }!
        current.tables[orders].foreignKeys = [ForeignKey(name: "orders_user_fk", columns: ["user_id"], referencedTable: QualifiedName(schema: "public", "users"),
                                                         referencedColumns: ["id"], onDelete: .restrict, isValidated: false)]
        current.tables[orders].uniqueConstraints = [UniqueConstraint(name: "orders_user_key", columns: ["user_id"])]
        current.tables[orders].primaryKey = PrimaryKey(name: "orders_pkey", columns: ["id"])
        var validated = current
        validated.tables[orders].foreignKeys[0].isValidated = true
        #expect(SchemaDiffer().diff(from: current, to: validated).operations.isEmpty)

        var desired = current
        desired.tables[orders].foreignKeys[0].onDelete = .cascade
        desired.tables[orders].uniqueConstraints[0].areNullsDistinct = false
        desired.tables[orders].primaryKey?.deferrability = .deferrableInitiallyDeferred
        let operations = SchemaDiffer().diff(from: current, to: desired).operations
        let dropped = operations.compactMap { if case .dropConstraint(_, let name) = $0 { name } else { nil } }
        let added = operations.compactMap { if case .addConstraint(_, let constraint) = $0 { constraint } else { nil } }
        #expect(Set(dropped) == ["orders_user_fk", "orders_user_key", "orders_pkey"])
        #expect(added.contains(.foreignKey(desired.tables[orders].foreignKeys[0])))
        #expect(added.contains(.unique(desired.tables[orders].uniqueConstraints[0])))
        #expect(added.contains(.primaryKey(desired.tables[orders].primaryKey!)))
        // And back: the undo puts the old definitions back.
        let back = SchemaDiffer().diff(from: desired, to: current).operations
        #expect(back.contains(.addConstraint(table: desired.tables[orders].name, constraint: .foreignKey(current.tables[orders].foreignKeys[0]))))
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
