import Foundation
import Synchronization
import GodwitCore
import GodwitPostgres
import GodwitTesting
import Testing

/// A reading of the catalog runs in two halves on two sessions that share one snapshot; a
/// reading inside the caller's transaction runs in one. Both must give the same model.
@Suite("PostgreSQL inspection in two sessions")
struct SplitReadingTests {
    @Test("A reading split over two sessions equals the reading of one session", arguments: PostgresSample.allCases)
    func splitEqualsSingle(sample: PostgresSample) async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await sample.load(into: endpoint)
            try await TestPostgres.execute(endpoint, "ANALYZE")
            let driver = try await PostgresDriver.connect(endpoint)
            let split = try await driver.inspect(InspectionOptions(splitAboveRelations: 0))
            try await driver.execute(unsafeSQL: "BEGIN ISOLATION LEVEL REPEATABLE READ")
            let single = try await driver.inspect(InspectionOptions(withinTransaction: true))
            try await driver.execute(unsafeSQL: "ROLLBACK")
            try await driver.close()
            #expect(!split.tables.isEmpty)
            #expect(split == single)
        }
    }

    @Test("Both halves read the same moment: a table created between them is in neither or in both")
    func oneSnapshot() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            try await PostgresSample.features.load(into: endpoint)
            let driver = try await PostgresDriver.connect(endpoint)
            let other = try await PostgresDriver.connect(endpoint)
            // Concurrent DDL while readings run: every reading must be whole (each table with
            // its columns and constraints), whatever moment it saw.
            let done = Mutex(false)
            let writer = Task {
                for index in 0..<400 {
                    try await other.execute(unsafeSQL: "CREATE TABLE churn_\(index) (id int PRIMARY KEY, note text CHECK (note <> ''))")
                }
                done.withLock { $0 = true }
            }
            var readings = 0
            var churnSeen = 0
            while !(readings >= 10 && done.withLock { $0 }) {
                let schema = try await driver.inspect(InspectionOptions(splitAboveRelations: 0))
                readings += 1
                for table in schema.tables where table.name.name.hasPrefix("churn_") {
                    churnSeen += 1
                    #expect(table.columns.map(\.name) == ["id", "note"], "\(table.name)")
                    #expect(table.primaryKey != nil, "\(table.name) lost its key: the halves saw different moments")
                    #expect(table.checkConstraints.count == 1, "\(table.name)")
                }
            }
            #expect(churnSeen > 0)
            try await writer.value
            try await other.close()
            try await driver.close()
        }
    }

    @Test("A session that adopts an exported snapshot sees neither what was committed after it nor less")
    func snapshotAdoption() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let exporter = try await PostgresDriver.connect(endpoint)
            let reader = try await PostgresDriver.connect(endpoint)
            let writer = try await PostgresDriver.connect(endpoint)
            try await writer.execute(unsafeSQL: "CREATE TABLE before_export (id int)")
            try await exporter.execute(unsafeSQL: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            let snapshot = try await exporter.exportSnapshot()
            try await writer.execute(unsafeSQL: "CREATE TABLE after_export (id int)")
            let seen = try await reader.withSnapshot(snapshot) { session in
                try await session.query(unsafeSQL: "SELECT relname::text FROM pg_class WHERE relname IN ('before_export', 'after_export') ORDER BY 1")
                    .compactMap { $0[0].textValue }
            }
            let afterwards = try await reader.query(unsafeSQL: "SELECT count(*) FROM pg_class WHERE relname = 'after_export'")
            try await exporter.execute(unsafeSQL: "ROLLBACK")
            for driver in [exporter, reader, writer] { try await driver.close() }
            #expect(seen == ["before_export"])
            #expect(afterwards.first?[0].integerValue == 1)
        }
    }

    @Test("Table sizes: the heap measured, indexes and TOAST from their page counts — a table filled since its last ANALYZE still shows its rows' bytes")
    func tableSizes() async throws {
        try await TestPostgres.withTemporaryDatabase { endpoint in
            let driver = try await PostgresDriver.connect(endpoint)
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE filled (id int PRIMARY KEY, body text);
                INSERT INTO filled SELECT g, repeat(md5(g::text), 200) FROM generate_series(1, 2000) g;
                VACUUM ANALYZE filled;
                CREATE TABLE late (id int PRIMARY KEY, body text);
                ANALYZE late;
                INSERT INTO late SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
                """)
            let schema = try await driver.inspect(InspectionOptions())
            let expected = try await driver.query(unsafeSQL: """
                SELECT pg_relation_size('filled') + pg_indexes_size('filled')
                       + pg_relation_size(reltoastrelid) + pg_indexes_size(reltoastrelid),
                       pg_relation_size('late')
                FROM pg_class WHERE oid = 'filled'::regclass
                """)
            try await driver.close()
            let filled = try #require(schema.table(named: QualifiedName(schema: "public", "filled"))?.statistics?.sizeInBytes)
            #expect(filled == expected.first?[0].integerValue)
            let late = try #require(schema.table(named: QualifiedName(schema: "public", "late"))?.statistics?.sizeInBytes)
            let heap = try #require(expected.first?[1].integerValue)
            #expect(heap > 100_000)
            #expect(late >= heap)
        }
    }
}
