import GodwitCore
import GodwitPostgres
import GodwitTesting
import Testing

/// A scratch database notes which objects its DDL touches; a reading after one then reads only
/// those objects and their dependents, merged into the reading before. Each such reading must
/// equal a whole reading of the same moment — through renames whose new names other objects
/// print (a view, a foreign key, a trigger, a default, an array of an enum), drops whose objects
/// are gone from the catalog, schema moves, and savepoints rolled back.
@Suite("PostgreSQL incremental readings")
struct IncrementalReadingTests {
    /// Each step, then a reading against the one before.
    static let steps = [
        "CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "CREATE TABLE parent (id int PRIMARY KEY, name text UNIQUE, moods mood[])",
        "CREATE TABLE child (id serial PRIMARY KEY, parent_id int REFERENCES parent (id), note text DEFAULT 'x')",
        "CREATE VIEW child_names AS SELECT c.id, p.name FROM child c JOIN parent p ON p.id = c.parent_id",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
        "CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch()",
        "CREATE INDEX child_note ON child (note)",
        "COMMENT ON TABLE parent IS 'parents'",
        "COMMENT ON COLUMN child.note IS 'a note'",
        "COMMENT ON INDEX child_note IS 'by note'",
        "INSERT INTO parent VALUES (1, 'one', '{sad}')",
        "ALTER TABLE parent RENAME TO guardian",
        "ALTER TABLE guardian RENAME COLUMN name TO full_name",
        "ALTER TYPE mood RENAME TO feeling",
        "ALTER TYPE feeling ADD VALUE 'glad'",
        "ALTER FUNCTION touch() RENAME TO touched",
        "ALTER SEQUENCE child_id_seq RENAME TO child_ids",
        "DROP INDEX child_note",
        "ALTER TABLE child DROP CONSTRAINT child_parent_id_fkey",
        "ALTER TABLE child ADD COLUMN extra int GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE child ALTER COLUMN extra SET INCREMENT BY 5",
        "CREATE SCHEMA side",
        "ALTER TABLE child SET SCHEMA side",
        "ALTER SCHEMA side RENAME TO aside",
        "CREATE STATISTICS child_stats ON id, note FROM aside.child",
        "DROP TRIGGER child_touch ON aside.child",
        "CREATE DOMAIN positive AS int CHECK (VALUE > 0)",
        "ALTER TABLE guardian ADD COLUMN score positive",
        "ALTER DOMAIN positive ADD CONSTRAINT under_100 CHECK (VALUE < 100)",
        "CREATE TYPE pair AS (a int, b text)",
        "ALTER TYPE pair ADD ATTRIBUTE c int",
        "CREATE MATERIALIZED VIEW guardian_names AS SELECT full_name FROM guardian",
        "CREATE UNIQUE INDEX guardian_names_key ON guardian_names (full_name)",
        "ALTER TABLE guardian RENAME TO keeper",
        "DROP VIEW child_names",
        "DROP TABLE keeper CASCADE",
        "DROP SCHEMA aside CASCADE",
    ]

    @Test("Every reading after a change equals a whole reading of the same moment (only a superuser notes changes)")
    func eachStepEqualsWhole() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            let superuser = try await driver.query(unsafeSQL: "SELECT rolsuper::int FROM pg_roles WHERE rolname = current_user").first?[0].integerValue == 1
            #expect(try await driver.trackSchemaChanges() == superuser)
            let options = InspectionOptions(tableSizes: false)
            var reading = try await driver.inspect(options, after: nil)
            for step in Self.steps {
                try await driver.execute(unsafeSQL: step)
                reading = try await driver.inspect(options, after: reading)
                let whole = try await driver.inspect(options)
                #expect(reading.schema.removingStatistics() == whole.removingStatistics(), "after \(step): \(reading.schema.differences(from: whole))")
            }
            #expect(reading.schema.tables.isEmpty)
            try await driver.close()
        }
    }

    @Test("A change taken back by a savepoint leaves the reading before it the one to go on from")
    func savepointRolledBack() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            _ = try await driver.trackSchemaChanges()
            let within = InspectionOptions(tableSizes: false, withinTransaction: true)
            try await driver.execute(unsafeSQL: "CREATE TABLE kept (id int PRIMARY KEY, name text)")
            let start = try await driver.inspect(InspectionOptions(tableSizes: false), after: nil)
            try await driver.execute(unsafeSQL: "BEGIN")
            try await driver.execute(unsafeSQL: "ALTER TABLE kept ADD COLUMN added int")
            let after = try await driver.inspect(within, after: start)
            try await driver.execute(unsafeSQL: "SAVEPOINT down")
            try await driver.execute(unsafeSQL: "ALTER TABLE kept DROP COLUMN added")
            try await driver.execute(unsafeSQL: "DROP TABLE kept")
            let down = try await driver.inspect(within, after: after)
            #expect(down.schema.tables.isEmpty)
            try await driver.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT down")
            try await driver.execute(unsafeSQL: "COMMIT")
            try await driver.execute(unsafeSQL: "CREATE INDEX kept_name ON kept (name)")
            let next = try await driver.inspect(InspectionOptions(tableSizes: false), after: after)
            let whole = try await driver.inspect(InspectionOptions(tableSizes: false))
            #expect(next.schema.removingStatistics() == whole.removingStatistics())
            #expect(next.schema.table(named: QualifiedName(schema: "public", "kept"))?.columns.map(\.name) == ["id", "name", "added"])
            #expect(next.schema.table(named: QualifiedName(schema: "public", "kept"))?.indexes.map(\.name) == ["kept_name"])
            try await driver.close()
        }
    }
}
