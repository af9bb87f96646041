import GodwitCore
import GodwitEngine
import Testing

@Suite("update_rows batch size")
struct BatchSizeTests {
    @Test("The batch size a migration gives is the one its backfill walks, on both engines", arguments: Engine.allCases)
    func batchSizeIsKept(_ engine: Engine) throws {
        let name = QualifiedName(schema: engine == .postgresql ? "public" : nil, "orders")
        var table = Table(name: name)
        table.columns = [Column(name: "id", type: "integer", isNullable: false), Column(name: "status", type: "text")]
        table.primaryKey = PrimaryKey(name: nil, columns: ["id"])
        let schema = Schema(engine: engine, tables: [table])
        let migration = try MigrationFileParser().parse("""
            name: fill
            operations:
              - update_rows: {table: orders, set: "status = 'new'", where: "status IS NULL", batch_size: 250}
              - update_rows: {table: orders, set: "status = upper(status)"}
            """, file: "001_fill.yaml", defaultID: "001")
        let plan = try DatabaseConnector.planner(for: engine).plan(migration, against: schema)
        #expect(plan.steps.compactMap(\.backfill).map(\.batchSize) == [250, Backfill.defaultBatchSize])
    }
}
