import Foundation
import GodwitCore
import GodwitTesting
import Testing

/// A scratch directory of migration files for one test.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-migrations-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Migrations directories")
struct MigrationDirectoryTests {
    @Test("YAML files, .up.sql/.down.sql pairs and up/down folders load in version order")
    func mixed() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("10_add_index.yaml", "name: add index\noperations:\n  - create_index: {table: t, name: t_a, columns: [a]}\n")
        try directory.write("2_backfill.up.sql", "UPDATE t SET a = 1;")
        try directory.write("2_backfill.down.sql", "UPDATE t SET a = NULL;")
        try directory.write("1_create/up.sql", "CREATE TABLE t (a int);")
        try directory.write("1_create/down.sql", "DROP TABLE t;")
        try directory.write("README.md", "not a migration")
        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.id) == ["1", "2", "10"])
        #expect(migrations.map(\.name) == ["create", "backfill", "add index"])
        #expect(migrations[0].operations == [.rawSQL(RawSQL(up: "CREATE TABLE t (a int);", down: "DROP TABLE t;"))])
        #expect(migrations.allSatisfy { $0.source?.checksum.count == 64 })
        #expect(migrations[2].source?.path == "\(directory.path)/10_add_index.yaml")
    }

    @Test("Changing a file changes its checksum")
    func checksumChanges() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("1_x.yaml", "name: x\noperations:\n  - drop_table: {table: t}\n")
        let before = try MigrationDirectory.load(directory.path)[0].source?.checksum
        try directory.write("1_x.yaml", "name: x\noperations:\n  - drop_table: {table: u}\n")
        let after = try MigrationDirectory.load(directory.path)[0].source?.checksum
        #expect(before != after)
    }

    @Test("Names golang-migrate reads are read the same: `30_x.up..sql` is the up of version 30 named x, located by its own name")
    func golangMigrateNames() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("30_ignore_autotag.up..sql", "ALTER TABLE t ADD COLUMN ignore_autotag boolean;")
        try directory.write("31_captions.up.sql", "CREATE TABLE captions (id int);")
        try directory.write("31_captions.down.sql", "DROP TABLE captions;")
        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.id) == ["30", "31"])
        #expect(migrations.map(\.name) == ["ignore autotag", "captions"])
        #expect(migrations[0].source?.path == "\(directory.path)/30_ignore_autotag.up..sql")
        guard case .rawSQL(let raw) = migrations[1].operations.first else { Issue.record("not SQL"); return }
        #expect(raw.down == "DROP TABLE captions;")
    }

    @Test("An up.sql without a down.sql (golang-migrate's downs are optional) gets a down Godwit writes; a down.sql alone is refused")
    func missingDown() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("3_drop.up.sql", "DROP TABLE t;")
        try directory.write("4_folder/up.sql", "CREATE TABLE u (id int);")
        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.id) == ["3", "4"])
        for migration in migrations {
            guard case .rawSQL(let raw) = migration.operations.first else { Issue.record("not SQL"); continue }
            #expect(raw.generatesDown && raw.down.isEmpty)
            #expect(migration.source?.checksum == MigrationChecksum.sha256(Data(raw.up.utf8)))
        }
        #expect(migrations[0].source?.path == "\(directory.path)/3_drop.up.sql")
        // Adding the down later makes it a pair with a checksum of both files; applied without
        // it, that is drift of its own kind, named as such.
        try directory.write("3_drop.down.sql", "CREATE TABLE t (id int);")
        let paired = try MigrationDirectory.load(directory.path)[0]
        #expect(paired.source?.checksum != migrations[0].source?.checksum)
        #expect(paired.source?.upChecksum == migrations[0].source?.checksum)
        let applied = MigrationRecord(id: "3", name: "drop", checksum: migrations[0].source!.checksum, state: .applied, startedAt: Date(), operatorName: "me")
        let drift = #expect(throws: GodwitError.self) { try DriftCheck.check([paired], against: [applied]) }
        #expect(drift?.summary == "Migration 3 gained a down file after it was applied")
        #expect(drift?.remedy?.hasPrefix("Remove the down file to go on") == true)
        try directory.write("5_orphan.down.sql", "SELECT 1;")
        let error = #expect(throws: GodwitError.self) { try MigrationDirectory.load(directory.path) }
        #expect(error?.description.contains("there is no 5_orphan.up.sql beside it") == true)
    }

    @Test("Two migrations with one version are refused, naming both files")
    func duplicateVersion() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("4_a.yaml", "name: a\noperations:\n  - drop_table: {table: a}\n")
        try directory.write("4_b.yaml", "name: b\noperations:\n  - drop_table: {table: b}\n")
        let error = #expect(throws: GodwitError.self) { try MigrationDirectory.load(directory.path) }
        #expect(error?.description == "Two migrations have version 4 at \(directory.path)/4_b.yaml: \(directory.path)/4_a.yaml has it too. Give each migration its own version.")
    }

    @Test("sqlx's simple migrations (a numbered .sql file with no tool's markers) are read, with a down Godwit writes; a schema dump beside them is not a migration")
    func sqlxSimple() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("20210422143411_create_history.sql", "-- Add migration script here\ncreate table history (id text primary key);\n")
        try directory.write("20220505083406_create-events.sql", "create table events (id text primary key);\n")
        try directory.write("schema.sql", "create table history (id text primary key);\n")
        let migrations = try MigrationDirectory.load(directory.path)
        #expect(migrations.map(\.id) == ["20210422143411", "20220505083406"])
        #expect(migrations.map(\.name) == ["create history", "create-events"])
        let generated = migrations.allSatisfy { migration in if case .rawSQL(let raw) = migration.operations.first { raw.generatesDown } else { false } }
        #expect(generated)
    }

    @Test("A directory whose SQL files no layout claims is refused, naming them and the layouts Godwit reads")
    func nothingReadable() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("schema.sql", "create table a (id int);\n")
        try directory.write("seed.sql", "insert into a values (1);\n")
        try directory.write("README.md", "not a migration")
        let error = #expect(throws: GodwitError.self) { try MigrationDirectory.load(directory.path) }
        #expect(error?.code == .invalidMigration)
        #expect(error?.description == "No migration Godwit can read at \(directory.path): its SQL files (schema.sql, seed.sql) carry no version in a layout Godwit reads. "
            + "Name each migration <version>_<name>.sql (the version in digits), or as golang-migrate, dbmate, goose, Flyway, diesel, Prisma, sqitch or sqlx lay them out; see the README's \"Migration files\".")
        // An empty directory is a project with no migrations yet.
        try FileManager.default.removeItem(atPath: directory.path + "/schema.sql")
        try FileManager.default.removeItem(atPath: directory.path + "/seed.sql")
        #expect(try MigrationDirectory.load(directory.path).isEmpty)
    }

    @Test("A missing directory says so")
    func missingDirectory() {
        let error = #expect(throws: GodwitError.self) { try MigrationDirectory.load("/nonexistent/migrations") }
        #expect(error?.description == "No migrations directory at /nonexistent/migrations: it does not exist or is not a directory. Pass the directory that holds the migration files.")
    }

    @Test("Versions compare numbers as numbers")
    func versionOrder() {
        #expect(VersionOrder.precedes("2", "10"))
        #expect(VersionOrder.precedes("20261121_002", "20261121_010"))
        #expect(!VersionOrder.precedes("10", "2"))
        #expect(VersionOrder.precedes("20140924113530", "2026-07-30-140000-0000"), "diesel's dashed versions are one number")
        #expect(VersionOrder.precedes("1a", "1b"))
    }

    @Test("A 2 GB file given as a migration is refused by its size before it is read", arguments: ["001_dump.up.sql", "001_dump.yaml"])
    func hugeFile(_ name: String) throws {
        try TemporaryDirectory.with { directory in
            let path = directory.path(name)
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.truncate(atOffset: 2 << 30)  // sparse: 2 GiB long, nothing on disk
            try handle.close()
            if name.hasSuffix(".up.sql") { try "SELECT 1;".write(toFile: directory.path("001_dump.down.sql"), atomically: true, encoding: .utf8) }
            let error = #expect(throws: GodwitError.self) { try MigrationDirectory.load(directory.url.path) }
            #expect(error?.summary == "The migration file is too large to read")
            #expect(error?.reason == "2048 MiB, over the 64 MiB Godwit reads")
            #expect(error?.location?.hasSuffix(name) == true)
        }
    }
}
