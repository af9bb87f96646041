import GodwitCore
import Testing

/// A small schema built by hand, the same in two different orders.
enum SampleSchemas {
    static let artist = Table(
        name: QualifiedName(schema: "public", "artist"),
        columns: [Column(name: "id", type: "integer", isNullable: false), Column(name: "name", type: "text")],
        primaryKey: PrimaryKey(name: "artist_pkey", columns: ["id"]),
        uniqueConstraints: [UniqueConstraint(name: "b", columns: ["name"]), UniqueConstraint(name: "a", columns: ["id", "name"])],
        indexes: [Index(name: "z_idx", elements: [.column("name")]), Index(name: "a_idx", elements: [.column("id", order: .descending)])],
        statistics: TableStatistics(estimatedRowCount: 10, sizeInBytes: 8192)
    )
    static let album = Table(
        name: QualifiedName(schema: "public", "album"),
        columns: [
            Column(name: "id", type: "integer", isNullable: false),
            Column(name: "artist_id", type: "integer", isNullable: false),
        ],
        primaryKey: PrimaryKey(name: "album_pkey", columns: ["id"]),
        checkConstraints: [CheckConstraint(name: "id_positive", expression: "id > 0"), CheckConstraint(name: "artist_positive", expression: "artist_id > 0")],
        foreignKeys: [ForeignKey(name: "album_artist_fk", columns: ["artist_id"], referencedTable: artist.name, referencedColumns: ["id"], onDelete: .cascade)]
    )

    static func make(reversed: Bool) -> Schema {
        var schema = Schema(engine: .postgresql, tables: [artist, album], views: [
            View(name: QualifiedName(schema: "public", "v2"), definition: "SELECT 2", dependencies: [QualifiedName(schema: "public", "v1")]),
            View(name: QualifiedName(schema: "public", "v1"), definition: "SELECT 1"),
        ])
        if reversed {
            schema.tables.reverse()
            schema.views.reverse()
            schema.tables[0].checkConstraints.reverse()
            for index in schema.tables.indices {
                schema.tables[index].indexes.reverse()
                schema.tables[index].uniqueConstraints.reverse()
            }
        }
        return schema
    }
}

@Suite("Schema model")
struct SchemaModelTests {
    @Test("Two readings in different orders are equal once canonical")
    func canonicalOrder() {
        let first = SampleSchemas.make(reversed: false)
        let second = SampleSchemas.make(reversed: true)
        #expect(first != second)
        #expect(first.canonicalized() == second.canonicalized())
        #expect(first.canonicalized().tables.map(\.name.name) == ["album", "artist"])
        #expect(first.canonicalized().table(named: QualifiedName(schema: "public", "artist"))?.indexes.map(\.name) == ["a_idx", "z_idx"])
    }

    @Test("Canonical order keeps column order, which carries meaning")
    func columnOrderKept() {
        var schema = SampleSchemas.make(reversed: false)
        schema.tables[0].columns.reverse()
        #expect(schema.canonicalized().table(named: QualifiedName(schema: "public", "artist"))?.columns.map(\.name) == ["name", "id"])
        #expect(schema.canonicalized() != SampleSchemas.make(reversed: false).canonicalized())
    }

    @Test("JSON round trip gives the same model and stable bytes")
    func jsonRoundTrip() throws {
        let schema = SampleSchemas.make(reversed: false).canonicalized()
        let json = try SchemaJSON.encode(schema)
        #expect(try SchemaJSON.decode(json) == schema)
        #expect(try SchemaJSON.encode(SampleSchemas.make(reversed: true).canonicalized()) == json)
        #expect(json.contains("\"onDelete\" : \"cascade\""))
    }

    @Test("Removing statistics leaves the structure alone")
    func removingStatistics() {
        let schema = SampleSchemas.make(reversed: false)
        var changed = schema
        changed.tables[0].statistics = TableStatistics(estimatedRowCount: 99)
        #expect(schema != changed)
        #expect(schema.removingStatistics() == changed.removingStatistics())
        #expect(schema.removingStatistics().tables.allSatisfy { $0.statistics == nil })
    }

    @Test("Dependency order puts each item after what it needs, stably, and survives cycles")
    func dependencyOrder() {
        let a = QualifiedName("a"), b = QualifiedName("b"), c = QualifiedName("c"), d = QualifiedName("d")
        let items: [(QualifiedName, [QualifiedName])] = [(a, [c]), (b, []), (c, [b, QualifiedName("outside")]), (d, [])]
        let sorted = DependencyOrder.sorted(items, name: \.0, dependencies: \.1).map(\.0)
        #expect(sorted == [b, c, d, a] || sorted == [b, d, c, a])
        #expect(sorted.firstIndex(of: c)! < sorted.firstIndex(of: a)!)
        let cycle: [(QualifiedName, [QualifiedName])] = [(a, [b]), (b, [a]), (c, [])]
        #expect(Set(DependencyOrder.sorted(cycle, name: \.0, dependencies: \.1).map(\.0)) == [a, b, c])
    }

    @Test("Identifiers are quoted only when they must be")
    func quoting() {
        let postgres = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
        let sqlite = SQLIdentifierQuoter(foldsUnquotedToLowercase: false)
        #expect(postgres.quote("album") == "album")
        #expect(postgres.quote("Album") == "\"Album\"")
        #expect(sqlite.quote("Album") == "Album")
        #expect(postgres.quote("order") == "\"order\"")
        #expect(sqlite.quote("order line") == "\"order line\"")
        #expect(postgres.quote("we\"ird") == "\"we\"\"ird\"")
        #expect(postgres.quote("1st") == "\"1st\"")
        #expect(postgres.quote(QualifiedName(schema: "Billing", "invoice")) == "\"Billing\".invoice")
        #expect(SQLIdentifierQuoter.literal("it's") == "'it''s'")
    }

    @Test("An error reads as one line: what, where, why, what to do")
    func errorWording() {
        let error = GodwitError(.fileNotFound, "No SQLite database", location: "x.db", reason: "the file does not exist", remedy: "Check the path.")
        #expect(error.description == "No SQLite database at x.db: the file does not exist. Check the path.")
        #expect(error.code.description == "file-not-found")
        #expect(!error.code.isUsageError)
        #expect(GodwitError(.malformedURL, "Bad").code.isUsageError)
    }

    @Test("Quantities are formatted for people")
    func quantities() {
        #expect(QuantityFormat.bytes(512) == "512 B")
        #expect(QuantityFormat.bytes(20480) == "20.0 KiB")
        #expect(QuantityFormat.bytes(1_363_148) == "1.3 MiB")
        #expect(QuantityFormat.count(1_234_567) == "1,234,567")
        #expect(QuantityFormat.count(-12) == "-12")
    }
}
