import GodwitCore
import Testing

@Suite("SQL scripts split as psql and sqlite3 split them")
struct SQLScriptTests {
    private func texts(_ sql: String, _ engine: Engine = .postgresql) -> [String] {
        SQLScript.statements(in: sql, engine: engine).map(\.text)
    }

    @Test("Semicolons inside strings, names, comments, dollar quotes and E'' strings do not end a statement")
    func quoting() {
        let sql = """
            -- a comment; with a semicolon
            INSERT INTO t VALUES ('a;b', E'it\\'s;', "we;ird"); /* block ; /* nested ; */ still ; */
            CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
            BEGIN
              RETURN 1; -- ; here too
            END $body$;
            SELECT $$x;y$$, $1;
            """
        #expect(texts(sql) == [
            "INSERT INTO t VALUES ('a;b', E'it\\'s;', \"we;ird\")",
            "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN 1; -- ; here too\nEND $body$",
            "SELECT $$x;y$$, $1",
        ])
    }

    @Test("BEGIN ATOMIC bodies, CASE inside them, and rule actions in parentheses stay whole")
    func blocks() {
        let sql = """
            CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END; SELECT 2; END;
            CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));
            SELECT 3
            """
        let statements = texts(sql)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("SELECT 2; END"))
        #expect(statements[1].hasSuffix("INSERT INTO log VALUES (2))"))
    }

    @Test("SQLite trigger bodies, bracket and backtick names stay whole; comments do not nest there")
    func sqlite() {
        let sql = """
            CREATE TRIGGER tr AFTER UPDATE ON [my;table] BEGIN UPDATE `x;y` SET a = CASE WHEN 1 THEN 2 END; DELETE FROM z; END;
            /* one /* two */ SELECT 1;
            """
        #expect(texts(sql, .sqlite) == [
            "CREATE TRIGGER tr AFTER UPDATE ON [my;table] BEGIN UPDATE `x;y` SET a = CASE WHEN 1 THEN 2 END; DELETE FROM z; END",
            "SELECT 1",
        ])
    }

    @Test("Each statement knows its line and column; a meta-command is its own statement")
    func positions() {
        let statements = SQLScript.statements(in: "SELECT 1;\n\n  \\i other.sql\n  CREATE TABLE é (a int);", engine: .postgresql)
        #expect(statements.map(\.position) == [FilePosition(line: 1, column: 1), FilePosition(line: 3, column: 3), FilePosition(line: 4, column: 3)])
        #expect(statements[1].isMetaCommand)
        let tokens = SQLLexer(engine: .postgresql).tokens("SELECT 'é', x")
        #expect(tokens.last?.position == FilePosition(line: 1, column: 13))
    }

    @Test("Transaction control and statements no transaction can hold are told apart")
    func kinds() {
        let statements = SQLScript.statements(in: """
            BEGIN; START TRANSACTION ISOLATION LEVEL SERIALIZABLE; COMMIT; END; ROLLBACK; ROLLBACK TO SAVEPOINT s;
            CREATE INDEX CONCURRENTLY i ON t (a); CREATE UNIQUE INDEX CONCURRENTLY j ON t (a); DROP INDEX CONCURRENTLY i;
            REINDEX INDEX CONCURRENTLY i; VACUUM t; ALTER SYSTEM SET x = 1; CREATE INDEX k ON t (a); ALTER TYPE e ADD VALUE 'z'
            """, engine: .postgresql)
        #expect(statements.map(\.transactionControl) == [.begin, .begin, .commit, .commit, .rollback, nil, nil, nil, nil, nil, nil, nil, nil, nil])
        #expect(statements.map { $0.mustRunOutsideTransaction(engine: .postgresql) }
            == [false, false, false, false, false, false, true, true, true, true, true, true, false, false])
        #expect(statements.last!.mustRunOutsideTransaction(engine: .postgresql, serverVersion: 110000))
        #expect(SQLScript.statements(in: "VACUUM; PRAGMA foreign_keys = OFF; PRAGMA user_version = 2", engine: .sqlite)
            .map { $0.mustRunOutsideTransaction(engine: .sqlite) } == [true, true, false])
    }

    @Test("Locks are read from the statement as written")
    func locks() {
        func analysis(_ sql: String) -> StatementAnalysis {
            StatementAnalysis(SQLScript.statements(in: sql, engine: .postgresql)[0], engine: .postgresql)
        }
        #expect(analysis("CREATE INDEX i ON public.orders (a)") == StatementAnalysis(table: QualifiedName(schema: "public", "orders"), lock: .share, duration: .scan))
        #expect(analysis("CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY orders (a)").lock == .shareUpdateExclusive)
        #expect(analysis("ALTER TABLE IF EXISTS ONLY orders ADD COLUMN x int").duration == .instant)
        #expect(analysis("ALTER TABLE orders ALTER COLUMN x TYPE bigint").duration == .rewrite)
        #expect(analysis("ALTER TABLE orders ADD CONSTRAINT c CHECK (x > 0) NOT VALID").duration == .instant)
        #expect(analysis("ALTER TABLE orders ADD CONSTRAINT c CHECK (x > 0)").duration == .scan)
        #expect(analysis("ALTER TABLE orders VALIDATE CONSTRAINT c").lock == .shareUpdateExclusive)
        #expect(analysis("CREATE VIEW v AS SELECT 1").lock == TableLock.none)
        #expect(analysis("UPDATE \"Orders\" SET a = 1").table == QualifiedName(schema: nil, "Orders"))
    }
}
