import Foundation
import GodwitCore
@testable import GodwitSQLite
import GodwitTesting
import Testing

@Suite("SQLite inspection")
struct SQLiteInspectionTests {
    @Test("Chinook: tables, keys, foreign keys, indexes and exact row counts")
    func chinook() async throws {
        let driver = try SQLiteDriver.open(.init(path: Fixtures.chinookSQLite.path), mode: .readOnly)
        let schema = try await driver.inspect(InspectionOptions(exactRowCounts: true))
        #expect(schema.engine == .sqlite)
        #expect(schema.tables.map(\.name.name) == [
            "Album", "Artist", "Customer", "Employee", "Genre", "Invoice", "InvoiceLine", "MediaType", "Playlist",
            "PlaylistTrack", "Track",
        ])
        let album = try #require(schema.table(named: QualifiedName("Album")))
        #expect(album.columns.map(\.name) == ["AlbumId", "Title", "ArtistId"])
        #expect(album.column(named: "Title")?.type == "NVARCHAR(160)")
        #expect(album.column(named: "Title")?.isNullable == false)
        #expect(album.primaryKey == PrimaryKey(name: "PK_Album", columns: ["AlbumId"]))
        #expect(album.foreignKeys == [ForeignKey(columns: ["ArtistId"], referencedTable: QualifiedName("Artist"), referencedColumns: ["ArtistId"])])
        #expect(album.indexes.map(\.name) == ["IFK_AlbumArtistId"])
        #expect(album.statistics?.exactRowCount == 347)
        #expect(album.statistics?.estimatedRowCount == 347)
        #expect((album.statistics?.sizeInBytes ?? 0) > 0)
        let playlistTrack = try #require(schema.table(named: QualifiedName("PlaylistTrack")))
        #expect(playlistTrack.primaryKey?.columns == ["PlaylistId", "TrackId"])
        #expect(schema.tables.reduce(0) { $0 + $1.foreignKeys.count } == 11)
        try await driver.close()
    }

    @Test("Every SQLite feature: STRICT, WITHOUT ROWID, AUTOINCREMENT, checks, generated columns, partial and expression indexes, views, triggers")
    func features() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("features.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: try Fixtures.text("features/sqlite-features.sql"))
            let schema = try await driver.inspect(InspectionOptions())

            let account = try #require(schema.table(named: QualifiedName("account")))
            #expect(account.primaryKey == PrimaryKey(columns: ["id"], isAutoincrement: true))
            #expect(account.column(named: "email")?.collation == "NOCASE")
            #expect(account.column(named: "status")?.defaultExpression == "'active'")
            #expect(account.column(named: "created_at")?.defaultExpression == "CURRENT_TIMESTAMP")
            #expect(account.column(named: "flags")?.defaultExpression == "1 + 1")
            #expect(account.uniqueConstraints == [UniqueConstraint(name: "account_email_unique", columns: ["email"])])
            #expect(account.checkConstraints.contains(CheckConstraint(name: "account_status_check", expression: "status IN ('active', 'closed')")))
            #expect(account.checkConstraints.contains(CheckConstraint(expression: "balance >= -100")))
            let lower = try #require(account.indexes.first { $0.name == "account_email_lower" })
            #expect(lower.isUnique)
            #expect(lower.elements == [Index.Element(expression: "lower(email)", isExpression: true)])

            let line = try #require(schema.table(named: QualifiedName("order line")))
            #expect(line.isWithoutRowID)
            #expect(!line.isStrict)
            #expect(line.primaryKey?.columns == ["order_id", "line_no"])
            #expect(line.column(named: "total")?.generated == Column.Generated(expression: "quantity * price", storage: .stored))
            #expect(line.column(named: "label")?.generated == Column.Generated(expression: "'line ' || line_no", storage: .virtual))
            #expect(line.checkConstraints == [CheckConstraint(expression: "quantity > 0")])
            #expect(line.foreignKeys == [
                ForeignKey(
                    columns: ["account_id"], referencedTable: QualifiedName("account"), referencedColumns: ["id"],
                    onUpdate: .setNull, onDelete: .cascade, deferrability: .deferrableInitiallyDeferred
                ),
            ])
            #expect(line.indexes.first?.elements.first == Index.Element(expression: "quantity * price", isExpression: true))

            let measurement = try #require(schema.table(named: QualifiedName("measurement")))
            #expect(measurement.isStrict)
            #expect(measurement.foreignKeys.first?.name == "measurement_sensor_fk")
            #expect(measurement.foreignKeys.first?.onDelete == .restrict)
            let recent = try #require(measurement.indexes.first)
            #expect(recent.predicate == "value IS NOT NULL")
            #expect(recent.elements == [
                Index.Element(expression: "taken_at", order: .descending),
                Index.Element(expression: "sensor", collation: "NOCASE"),
            ])
            #expect(measurement.statistics?.estimatedRowCount == 2)

            let sensor = try #require(schema.table(named: QualifiedName("sensor")))
            #expect(sensor.uniqueConstraints == [UniqueConstraint(columns: ["kind", "name"])])

            #expect(schema.views.map(\.name.name) == ["active_account", "active_account_lines"])
            #expect(schema.view(named: QualifiedName("active_account_lines"))?.dependencies == [
                QualifiedName("account"), QualifiedName("active_account"), QualifiedName("order line"),
            ] || schema.view(named: QualifiedName("active_account_lines"))?.dependencies == [
                QualifiedName("active_account"), QualifiedName("order line"),
            ])
            #expect(schema.triggers.map(\.name) == ["account_closed"])
            #expect(schema.triggers.first?.table == QualifiedName("account"))
            try await driver.close()
        }
    }

    @Test("Row estimates without ANALYZE: a table that lost rows is counted, not taken from its largest rowid")
    func estimatesOfTablesThatLostRows() async throws {
        try await TemporaryDirectory.with { directory in
            let driver = try SQLiteDriver.open(.init(path: directory.path("gaps.db")), mode: .create)
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11077) INSERT INTO orders SELECT i, 'x' FROM n;
                DELETE FROM orders WHERE id % 13 <> 0 AND id < 11077;
                """)
            let schema = try await driver.inspect(InspectionOptions())
            let count = try await driver.query(unsafeSQL: "SELECT count(*) FROM orders").first?.values[0].integerValue
            #expect(count == 853)  // the multiples of 13 below 11,077, and row 11,077
            #expect(schema.table(named: QualifiedName("orders"))?.statistics?.estimatedRowCount == count)
        }
    }

    @Test("Inspecting twice gives equal models; the JSON is byte-for-byte stable")
    func stable() async throws {
        let driver = try SQLiteDriver.open(.init(path: Fixtures.chinookSQLite.path), mode: .readOnly)
        let first = try await driver.inspect(InspectionOptions())
        let second = try await driver.inspect(InspectionOptions())
        #expect(first == second)
        #expect(try SchemaJSON.encode(first) == SchemaJSON.encode(second))
        #expect(try SchemaJSON.decode(SchemaJSON.encode(first)) == first)
    }
}

@Suite("SQLite round trip")
struct SQLiteRoundTripTests {
    @Test("Chinook and the feature database recreate to an equal model", arguments: ["chinook", "features"])
    func roundTrip(fixture: String) async throws {
        try await TemporaryDirectory.with { directory in
            let source: SQLiteDriver
            if fixture == "chinook" {
                source = try SQLiteDriver.open(.init(path: try directory.copy(Fixtures.chinookSQLite)))
            } else {
                source = try SQLiteDriver.open(.init(path: directory.path("source.db")), mode: .create)
                try await source.executeScript(unsafeSQL: try Fixtures.text("features/sqlite-features.sql"))
            }
            let target = try SQLiteDriver.open(.init(path: directory.path("target.db")), mode: .create)
            let outcome = try await SchemaRoundTrip.run(from: source, into: target)
            #expect(outcome.recreated == outcome.original)
            #expect(!outcome.original.tables.isEmpty)
            // And once more from the copy: the writer is stable on its own output.
            let again = try SQLiteDriver.open(.init(path: directory.path("again.db")), mode: .create)
            let second = try await SchemaRoundTrip.run(from: target, into: again)
            #expect(second.script == outcome.script)
            try await source.close()
            try await target.close()
            try await again.close()
        }
    }

    @Test("Defaults are written so SQLite reads them back unchanged", arguments: [
        ("0", "0"), ("-1", "-1"), ("'x'", "'x'"), ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
        ("1 + 1", "(1 + 1)"), ("(datetime('now'))", "(datetime('now'))"), ("NULL", "NULL"),
    ])
    func defaults(stored: String, written: String) {
        #expect(SQLiteSchemaWriter.defaultClause(stored) == written)
    }
}
