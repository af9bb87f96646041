import GodwitCore
import Testing

/// What `apply` reads again after a SQL migration: the objects its plan's target changes.
@Suite("Objects a plan changes")
struct ChangedObjectsTests {
    static func name(_ table: String) -> QualifiedName { QualifiedName(schema: "public", table) }

    static let before: Schema = {
        var schema = Schema(engine: .postgresql)
        var orders = Table(name: name("orders"))
        orders.columns = [Column(name: "id", type: "integer"), Column(name: "total", type: "numeric")]
        orders.statistics = TableStatistics(estimatedRowCount: 10)
        var customers = Table(name: name("customers"))
        customers.columns = [Column(name: "id", type: "integer")]
        schema.tables = [customers, orders]
        schema.views = [View(name: name("big_orders"), definition: "SELECT id FROM public.orders WHERE total > 100")]
        schema.enums = [EnumType(name: name("mood"), labels: ["sad", "ok"])]
        return schema
    }()

    @Test("Nothing changed, or only row counts: nothing to read again")
    func unchanged() {
        var counted = Self.before
        counted.tables[1].statistics = TableStatistics(estimatedRowCount: 99_999)
        #expect(ChangedObjects.between(Self.before, Self.before) == [])
        #expect(ChangedObjects.between(Self.before, counted) == [])
    }

    @Test("A changed, added or dropped object is named; a trigger, rule or statistics object by its table")
    func named() {
        var after = Self.before
        after.tables[1].columns.append(Column(name: "note", type: "text"))
        after.tables.removeAll { $0.name == Self.name("customers") }
        after.views.append(View(name: Self.name("small_orders"), definition: "SELECT id FROM public.orders WHERE total < 10"))
        after.enums[0].labels.append("glad")
        after.triggers = [Trigger(name: "audit", table: Self.name("orders"), definition: "CREATE TRIGGER audit …")]
        #expect(ChangedObjects.between(Self.before, after) == Set(["orders", "customers", "small_orders", "mood"].map { Self.name($0) }))
    }

    @Test("A schema created or changed: every object may print it, so only a whole reading will do")
    func namespaceChanged() {
        var after = Self.before
        after.namespaces = [Namespace(name: "billing")]
        #expect(ChangedObjects.between(Self.before, after) == nil)
    }
}
