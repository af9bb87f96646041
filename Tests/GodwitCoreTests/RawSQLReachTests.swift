import GodwitCore
import Testing

/// The tables hand-written SQL can write, for the checksums its rollback is proven with.
@Suite("Reach of hand-written SQL")
struct RawSQLReachTests {
    static let schema: Schema = {
        let name = { QualifiedName(schema: "public", $0) }
        var schema = Schema(engine: .postgresql)
        var customers = Table(name: name("customers"))
        customers.columns = [Column(name: "id", type: "integer")]
        var orders = Table(name: name("orders"))
        orders.columns = [Column(name: "id", type: "integer"), Column(name: "customer_id", type: "integer")]
        orders.foreignKeys = [ForeignKey(columns: ["customer_id"], referencedTable: name("customers"), referencedColumns: ["id"])]
        var lines = Table(name: name("lines"))
        lines.columns = [Column(name: "order_id", type: "integer")]
        lines.foreignKeys = [ForeignKey(columns: ["order_id"], referencedTable: name("orders"), referencedColumns: ["id"])]
        var audited = Table(name: name("audited"))
        audited.columns = [Column(name: "id", type: "integer")]
        schema.tables = [customers, orders, lines, audited]
        schema.triggers = [Trigger(name: "log", table: name("audited"), definition: "CREATE TRIGGER log AFTER UPDATE ON public.audited FOR EACH ROW EXECUTE FUNCTION public.log()")]
        return schema
    }()

    static func reach(_ sql: String) -> RawSQLReach { RawSQLReach.of(sql, engine: .postgresql, in: schema) }
    static func tables(_ names: String...) -> RawSQLReach { .tables(Set(names.map { QualifiedName(schema: "public", $0) })) }

    @Test("Schema statements reach the tables they alter or drop; new tables and other objects reach none")
    func schemaStatements() {
        #expect(Self.reach("ALTER TABLE orders ADD COLUMN note text") == Self.tables("orders"))
        #expect(Self.reach("CREATE TABLE t (id int); INSERT INTO t VALUES (1); ALTER TABLE t ADD COLUMN x int") == Self.tables())
        #expect(Self.reach("CREATE INDEX CONCURRENTLY orders_note ON orders (id); COMMENT ON TABLE orders IS 'DELETE FROM customers'") == Self.tables())
        #expect(Self.reach("CREATE VIEW v AS SELECT * FROM orders; CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ DELETE FROM customers RETURNING 1 $$") == Self.tables())
        #expect(Self.reach("-- DELETE FROM customers;\nBEGIN; DROP TABLE public.lines; COMMIT;") == Self.tables("lines"))
        #expect(Self.reach("ALTER TABLE IF EXISTS orders RENAME TO purchases") == Self.tables("orders"))
    }

    @Test("Row statements reach their table, and deletes and updates the tables that reference it")
    func rowStatements() {
        #expect(Self.reach("INSERT INTO customers (id) VALUES (1)") == Self.tables("customers"))
        #expect(Self.reach("DELETE FROM customers WHERE id = 1") == Self.tables("customers", "orders", "lines"))
        #expect(Self.reach("UPDATE orders SET id = id + 1") == Self.tables("orders", "lines"))
        #expect(Self.reach("TRUNCATE lines") == Self.tables("lines"))
        #expect(Self.reach("COPY customers (id) FROM STDIN") == Self.tables("customers"))
    }

    @Test("Whatever cannot be read from the words reaches every table")
    func unknown() {
        for sql in ["SELECT do_things()", "DO $$ BEGIN DELETE FROM customers; END $$", "CALL cleanup()",
                    "WITH gone AS (DELETE FROM customers RETURNING id) SELECT count(*) FROM gone", "UPDATE audited SET id = 2",
                    "DROP TABLE customers, orders", "TRUNCATE customers CASCADE", "TRUNCATE customers, orders",
                    "ALTER TABLE customers DROP COLUMN id CASCADE"] {
            #expect(Self.reach(sql) == .unknown, "\(sql)")
        }
    }
}
