import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

@Suite("godwit diff")
struct DiffCommandTests {
    /// Chinook's own DDL with a renamed column (annotated), a type change and a new NOT NULL column.
    static func desiredChinook() async throws -> String {
        let inspect = try await GodwitBinary.run(["inspect", Fixtures.chinookSQLite.path, "--format", "sql"])
        var sql = inspect.standardOutput
        sql = sql.replacingOccurrences(of: "CREATE TABLE Artist (\n    ArtistId INTEGER NOT NULL,\n    Name NVARCHAR(120),",
                                       with: "-- godwit:rename Artist.Name=ArtistName\nCREATE TABLE Artist (\n    ArtistId INTEGER NOT NULL,\n    ArtistName NVARCHAR(120),")
        sql = sql.replacingOccurrences(of: "    UnitPrice NUMERIC(10,2) NOT NULL,", with: "    UnitPrice REAL NOT NULL,")
        sql = sql.replacingOccurrences(of: "    SupportRepId INTEGER,\n    CONSTRAINT PK_Customer", with: "    SupportRepId INTEGER,\n    Loyalty INTEGER NOT NULL DEFAULT 0,\n    CONSTRAINT PK_Customer")
        return sql
    }

    @Test("Chinook → desired: the migration's plan reaches the desired schema, and its reverse the original, data included")
    func chinook() async throws {
        try await TemporaryDirectory.with { directory in
            let database = try directory.copy(Fixtures.chinookSQLite)
            let desiredSQL = try await Self.desiredChinook()
            try desiredSQL.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.path("migrations"), withIntermediateDirectories: true)
            let diff = try await GodwitBinary.run(["diff", "--from", database, "--to", directory.path("desired.sql"), "--output", directory.path("migrations/001_desired.yaml")])
            #expect(diff.status == 0)
            #expect(diff.standardError.isEmpty)
            let migration = try String(contentsOfFile: directory.path("migrations/001_desired.yaml"), encoding: .utf8)
            #expect(migration.contains("  - rename_column: {table: Artist, from: Name, to: ArtistName}\n"))
            #expect(migration.contains("  - alter_column: {table: Track, column: UnitPrice, type: REAL}\n"))

            let url = DatabaseURL.sqlite(.init(path: database))
            let desired = try await ScratchDatabase.with(like: url) { scratch in
                try await scratch.executeScript(unsafeSQL: desiredSQL)
                return try await scratch.inspect(InspectionOptions())
            }
            let planned = try await MigrationPlanning.planAll(directory: directory.path("migrations"), database: url)
            try await DatabaseConnector.withDriver(url) { driver in
                let original = try await driver.inspect(InspectionOptions(exactRowCounts: true))
                let prices = try await driver.query(unsafeSQL: "SELECT sum(UnitPrice) FROM Track").first?[0]
                try await PlanStepRunner().forward(planned[0].plan, through: .contract, on: driver)
                #expect(try await driver.inspect(InspectionOptions()).removingStatistics() == desired.removingStatistics())
                #expect(try await driver.query(unsafeSQL: "SELECT count(*) FROM Artist WHERE ArtistName IS NOT NULL").first?[0] == .integer(275))
                try await PlanStepRunner().reverse(planned[0].plan, through: .contract, on: driver)
                let back = try await driver.inspect(InspectionOptions(exactRowCounts: true))
                #expect(back.removingStatistics() == original.removingStatistics())
                #expect(back.tables.map(\.statistics?.exactRowCount) == original.tables.map(\.statistics?.exactRowCount))
                #expect(try await driver.query(unsafeSQL: "SELECT sum(UnitPrice) FROM Track").first?[0] == prices)
            }
        }
    }

    @Test("Without the hint, the likely rename is named in a warning and the drop is kept")
    func warning() async throws {
        try await TemporaryDirectory.with { directory in
            let sql = try await Self.desiredChinook().replacingOccurrences(of: "-- godwit:rename Artist.Name=ArtistName\n", with: "")
            try sql.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            let result = try await GodwitBinary.run(["diff", "--from", Fixtures.chinookSQLite.path, "--to", directory.path("desired.sql")])
            #expect(result.status == 0)
            #expect(result.standardError == "godwit: warning: Artist.Name is dropped and Artist.ArtistName added with the same type: if it is a rename, pass --rename Artist.Name=ArtistName to keep its data.\n")
            #expect(result.standardOutput.contains("  - drop_column: {table: Artist, column: Name}\n"))
        }
    }

    @Test("A desired file that does not load says where, and leaves no scratch database behind on PostgreSQL")
    func brokenDesiredOnPostgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                let admin = try TestPostgres.endpoint()
                let scratchNames = {
                    try await DatabaseConnector.withDriver(.postgres(admin)) {
                        Set(try await $0.query(unsafeSQL: """
                            SELECT d.datname FROM pg_database d WHERE d.datname LIKE 'godwit_scratch_%'
                              AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
                            """).compactMap { $0[0].textValue })
                    }
                }
                let before = try await scratchNames()
                try "CREATE TABLE a (id int);\nCREATE TABLE a (id int);\n".write(toFile: directory.path("bad.sql"), atomically: true, encoding: .utf8)
                let result = try await GodwitBinary.run(["diff", "--from", DatabaseURL.postgres(endpoint).unredactedString, "--to", directory.path("bad.sql")])
                #expect(result.status == 1)
                #expect(result.standardError == "godwit: error: The desired schema does not load: PostgreSQL rejected a statement at \(directory.path("bad.sql")), statement 2 of 2 (CREATE TABLE a (id int)): relation \"a\" already exists (SQLSTATE 42P07).\n")
                // Tests running in parallel make (and drop) scratch databases of their own all the
                // time, and one may keep its scratch for minutes (a corpus planned on one): a leak
                // is a new one nobody is connected to, seen so in every look over 20 seconds.
                var leftovers = try await scratchNames().subtracting(before)
                for _ in 0..<100 where !leftovers.isEmpty {
                    try await Task.sleep(for: .milliseconds(200))
                    leftovers.formIntersection(try await scratchNames())
                }
                #expect(leftovers.isEmpty)
            }
        }
    }

    @Test("PostgreSQL: a new column and index diff into a migration that plans")
    func postgres() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await TemporaryDirectory.with { directory in
                try await TestPostgres.load(Fixtures.chinookPostgres, into: endpoint)
                let url = DatabaseURL.postgres(endpoint)
                let dump = try await GodwitBinary.run(["inspect", url.unredactedString, "--format", "sql"]).standardOutput
                let desired = dump.replacingOccurrences(of: "CREATE TABLE public.genre (\n    genre_id integer NOT NULL,", with: "CREATE TABLE public.genre (\n    genre_id integer NOT NULL,\n    slug text,")
                    + "\nCREATE INDEX genre_slug ON public.genre (slug);\n"
                #expect(desired != dump)
                try desired.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
                try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
                let result = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--output", directory.path("m/001_slug.yaml")])
                #expect(result.status == 0)
                let planned = try await MigrationPlanning.planAll(directory: directory.path("m"), database: url)
                #expect(planned[0].plan.migration.operations.map(\.kind) == [.addColumn, .createIndex])
                #expect(planned[0].plan.steps.contains { $0.forward.first?.hasPrefix("CREATE INDEX CONCURRENTLY IF NOT EXISTS genre_slug") == true })
            }
        }
    }

    @Test("diff --plan writes the plan godwit plan writes for the directory, in each format, on both engines; without --output it is refused",
          arguments: [Engine.sqlite, .postgresql])
    func planAlong(_ engine: Engine) async throws {
        try await TemporaryDirectory.with { directory in
            try """
                CREATE TABLE parent (id integer PRIMARY KEY, name varchar(80) NOT NULL, slug text);
                CREATE INDEX parent_slug ON parent (slug);
                CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id));
                """.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            let check = { (url: DatabaseURL) async throws in
                try await DatabaseConnector.withDriver(url, access: .create) { driver in
                    try await driver.executeScript(unsafeSQL: "CREATE TABLE parent (id integer PRIMARY KEY, name varchar(80) NOT NULL);\n"
                                                   + "INSERT INTO parent VALUES (1, 'a'), (2, 'b');")
                }
                for format in ["markdown", "json", "sql"] {
                    try? FileManager.default.removeItem(atPath: directory.path("m/001_desired.yaml"))
                    let diffed = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"),
                                                             "--output", directory.path("m/001_desired.yaml"),
                                                             "--plan", directory.path("along.\(format)"), "--plan-format", format])
                    #expect(diffed.status == 0, "\(diffed.standardError)")
                    let planned = try await GodwitBinary.run(["plan", directory.path("m"), "--db", url.unredactedString, "--format", format,
                                                              "--output", directory.path("plan.\(format)")])
                    #expect(planned.status == 0, "\(planned.standardError)")
                    let along = try String(contentsOfFile: directory.path("along.\(format)"), encoding: .utf8)
                    let separate = try String(contentsOfFile: directory.path("plan.\(format)"), encoding: .utf8)
                    // The markdown says when it was generated; everything else is equal.
                    let stamp = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/
                    #expect(along.replacing(stamp, with: "T") == separate.replacing(stamp, with: "T"), "\(format)")
                    #expect(along.contains("parent_slug") && along.contains("child"), "\(format)")
                }
                let refused = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--plan", directory.path("p.md")])
                #expect(refused.status != 0)
                #expect(refused.standardError.contains("--plan plans the migrations directory the new file goes to: name that file with --output."))
            }
            switch engine {
            case .sqlite:
                try await check(try DatabaseURL(parsing: "sqlite:" + directory.path("app.db")))
            case .postgresql:
                try await TestPostgres.withTemporaryDatabase { try await check(.postgres($0)) }
            }
        }
    }

    @Test("New tables with their own indexes diff into create_table then create_index, once each; applied, the database equals the desired schema", arguments: [Engine.sqlite, .postgresql])
    func newTablesWithIndexes(_ engine: Engine) async throws {
        try await TemporaryDirectory.with { directory in
            let desired = """
                CREATE TABLE unrelated (id integer PRIMARY KEY);
                CREATE TABLE parent (id integer PRIMARY KEY, name varchar(80) NOT NULL, CHECK (length(name) > 0));
                CREATE INDEX parent_name ON parent (name);
                CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent (id), note text);
                CREATE INDEX child_parent ON child (parent_id);
                CREATE UNIQUE INDEX child_note ON child (note);
                """
            // Read back, the tables come in name order: child before its parent.
            let written = desired
            try written.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            let run = { (url: DatabaseURL) async throws in
                let result = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--output", directory.path("m/001_tables.yaml")])
                #expect(result.status == 0, "\(result.standardError)")
                let planned = try await MigrationPlanning.planAll(directory: directory.path("m"), database: url)
                #expect(planned[0].plan.migration.operations.map(\.kind) == [.createTable, .createIndex, .createTable, .createIndex, .createIndex])
                let applied = try await GodwitBinary.run(["apply", directory.path("m"), "--db", url.unredactedString, "--yes", "--unrehearsed"])
                #expect(applied.status == 0, "\(applied.standardError)")
                let wanted = try await ScratchDatabase.with(like: url) { scratch in
                    try await ScratchDatabase.load(written, into: scratch)
                    return try await scratch.inspect(InspectionOptions()).removingStatistics()
                }
                let live = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics().removingGodwitHelpers() }
                #expect(live.tables.map { $0.indexes.map(\.name).sorted() } == wanted.tables.map { $0.indexes.map(\.name).sorted() }, "\(live.tables.map(\.name))")
            }
            switch engine {
            case .sqlite:
                let path = directory.path("app.db")
                try await GodwitEngineFacade.executeScript("CREATE TABLE unrelated (id INTEGER PRIMARY KEY);", on: path)
                try await run(try DatabaseURL(parsing: "sqlite:" + path))
            case .postgresql:
                try await TestPostgres.withTemporaryDatabase { endpoint in
                    try await DatabaseConnector.withDriver(.postgres(endpoint)) { try await $0.executeScript(unsafeSQL: "CREATE TABLE unrelated (id integer PRIMARY KEY);") }
                    try await run(.postgres(endpoint))
                }
            }
        }
    }

    @Test("PostgreSQL: sequences diff too (one created, a serial's widened with its column, one dropped), a key column's new type asks for a window; applied, the sequences are the desired ones, and rolled back the original ones")
    func sequences() async throws {
        try await TemporaryDirectory.with { directory in
            let desired = """
                CREATE TABLE t (id bigserial PRIMARY KEY, n integer);
                CREATE SEQUENCE invoice_numbers AS integer START WITH 1000 INCREMENT BY 10;
                """
            try desired.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            try await TestPostgres.withTemporaryDatabase { endpoint in
                let url = DatabaseURL.postgres(endpoint)
                try await DatabaseConnector.withDriver(url) {
                    try await $0.executeScript(unsafeSQL: "CREATE TABLE t (id serial PRIMARY KEY, n integer);\nCREATE SEQUENCE old_numbers;")
                }
                let sequences = { () async throws -> [SequenceDefinition] in
                    try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).sequences.sorted { $0.name < $1.name } }
                }
                let original = try await sequences()
                let result = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--output", directory.path("m/001_sequences.yaml")])
                #expect(result.status == 0, "\(result.standardError)")
                let yaml = try String(contentsOfFile: directory.path("m/001_sequences.yaml"), encoding: .utf8)
                #expect(yaml.contains("CREATE SEQUENCE public.invoice_numbers AS integer START WITH 1000 INCREMENT BY 10"))
                #expect(yaml.contains("DROP SEQUENCE IF EXISTS public.old_numbers"))
                // A primary key column's type has no online technique: the diff asks for a window, and says why.
                #expect(yaml.contains("# downtime: window, because cannot change public.t.id online: it is part of the primary key.\n"))
                #expect(yaml.contains("\ndowntime: window\n"))
                let applied = try await GodwitBinary.run(["apply", directory.path("m"), "--db", url.unredactedString, "--yes", "--unrehearsed"])
                #expect(applied.status == 0, "\(applied.standardError)")
                let wanted = try await ScratchDatabase.with(like: url) { scratch in
                    try await ScratchDatabase.load(desired, into: scratch)
                    return try await scratch.inspect(InspectionOptions()).sequences.sorted { $0.name < $1.name }
                }
                #expect(try await sequences() == wanted)
                #expect(wanted.first { $0.name.name == "t_id_seq" }?.dataType == "bigint")
                let rolledBack = try await GodwitBinary.run(["rollback", "--db", url.unredactedString])
                #expect(rolledBack.status == 0, "\(rolledBack.standardError)")
                #expect(rolledBack.standardOutput.contains("schema and checksums equal those before it ran"))
                #expect(try await sequences() == original)
            }
        }
    }

    @Test("PostgreSQL 18: a temporal key, a PERIOD reference and NOT ENFORCED constraints, which operations cannot say (nor a key's own name), diff into SQL that applies to the desired schema (older servers: the same tables without them)")
    func postgres18Constraints() async throws {
        try await TemporaryDirectory.with { directory in
            try await TestPostgres.withTemporaryDatabase { endpoint in
                let url = DatabaseURL.postgres(endpoint)
                let major = try await DatabaseConnector.withDriver(url) { driver in
                    try await driver.executeScript(unsafeSQL: "CREATE EXTENSION IF NOT EXISTS btree_gist;\nCREATE TABLE room (id integer PRIMARY KEY, capacity integer);")
                    return try await driver.query(unsafeSQL: "SELECT current_setting('server_version_num')::int / 10000").first?.values[0].integerValue ?? 0
                }
                let temporal = major >= 18
                let desired = """
                    CREATE EXTENSION IF NOT EXISTS btree_gist;
                    CREATE TABLE room (id integer PRIMARY KEY, capacity integer,
                        CONSTRAINT capacity_positive CHECK (capacity > 0)\(temporal ? " NOT ENFORCED" : ""));
                    CREATE TABLE booking (room integer NOT NULL REFERENCES room (id), during tstzrange NOT NULL,
                        CONSTRAINT booking_key PRIMARY KEY (room, during\(temporal ? " WITHOUT OVERLAPS" : "")));
                    CREATE TABLE charge (room integer, during tstzrange, amount numeric,
                        CONSTRAINT charge_booking FOREIGN KEY (room, \(temporal ? "PERIOD " : "")during) REFERENCES booking (room, \(temporal ? "PERIOD " : "")during));
                    """
                try desired.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
                try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
                let result = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--output", directory.path("m/001_booking.yaml")])
                #expect(result.status == 0, "\(result.standardError)")
                let yaml = try String(contentsOfFile: directory.path("m/001_booking.yaml"), encoding: .utf8)
                #expect(yaml.contains("WITHOUT OVERLAPS") == temporal)
                #expect(yaml.contains("PERIOD during") == temporal)
                #expect(yaml.contains("NOT ENFORCED") == temporal)
                // A primary key named other than the engine would is kept too (create_table names none).
                #expect(yaml.contains("CONSTRAINT booking_key PRIMARY KEY (room, during"))
                #expect(yaml.contains("create_table: {table: public.charge") == !temporal)
                let applied = try await GodwitBinary.run(["apply", directory.path("m"), "--db", url.unredactedString, "--yes", "--unrehearsed"])
                #expect(applied.status == 0, "\(applied.standardError)")
                let wanted = try await ScratchDatabase.with(like: url) { scratch in
                    try await ScratchDatabase.load(desired, into: scratch)
                    return try await scratch.inspect(InspectionOptions()).removingStatistics()
                }
                let live = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()).removingStatistics().removingGodwitHelpers() }
                for name in ["room", "booking", "charge"] {
                    let table = QualifiedName(schema: "public", name)
                    #expect(live.table(named: table) == wanted.table(named: table), "\(name)")
                }
                let rolledBack = try await GodwitBinary.run(["rollback", "--db", url.unredactedString])
                #expect(rolledBack.status == 0, "\(rolledBack.standardError)")
            }
        }
    }

    @Test("PostgreSQL: enums and domains the desired schema adds are created before the tables that use them (an enum's new label added in place); one it drops is left, with the statement to run after cleanup")
    func types() async throws {
        try await TemporaryDirectory.with { directory in
            let desired = """
                CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
                CREATE TYPE "Transport" AS ENUM ('smtp', 'api');
                CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
                CREATE TABLE t (id integer PRIMARY KEY, how "Transport", n positive, m mood);
                """
            try desired.write(toFile: directory.path("desired.sql"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(atPath: directory.path("m"), withIntermediateDirectories: true)
            try await TestPostgres.withTemporaryDatabase { endpoint in
                let url = DatabaseURL.postgres(endpoint)
                try await DatabaseConnector.withDriver(url) {
                    try await $0.executeScript(unsafeSQL: "CREATE TYPE mood AS ENUM ('sad', 'happy');\nCREATE DOMAIN old_code AS text;\nCREATE TABLE t (id integer PRIMARY KEY, m mood);")
                }
                let result = try await GodwitBinary.run(["diff", "--from", url.unredactedString, "--to", directory.path("desired.sql"), "--output", directory.path("m/001_types.yaml")])
                #expect(result.status == 0, "\(result.standardError)")
                #expect(result.standardError.contains("The desired schema drops a type: run `DROP DOMAIN public.old_code` after the migration's cleanup"))
                let yaml = try String(contentsOfFile: directory.path("m/001_types.yaml"), encoding: .utf8)
                #expect(yaml.contains("ALTER TYPE public.mood ADD VALUE 'ok' AFTER 'sad'"))
                let applied = try await GodwitBinary.run(["apply", directory.path("m"), "--db", url.unredactedString, "--yes", "--unrehearsed"])
                #expect(applied.status == 0, "\(applied.standardError)")
                let live = try await DatabaseConnector.withDriver(url) { try await $0.inspect(InspectionOptions()) }
                #expect(live.enums.map(\.labels) == [["smtp", "api"], ["sad", "ok", "happy"]])
                #expect(live.domains.map(\.name.name) == ["old_code", "positive"])
                #expect(live.table(named: QualifiedName(schema: "public", "t"))?.columns.map(\.type) == ["integer", "public.mood", "public.\"Transport\"", "public.positive"])
            }
        }
    }
}
