import GodwitCore
import Testing

/// How a schema after `up` and `down` compares with the one before, column order aside or not.
@Suite("Reversal")
struct ReversalTests {
    static func schema(columns: [String], views: [View] = [], extra: Bool = false) -> Schema {
        var table = Table(name: QualifiedName(schema: "public", "settings"))
        table.columns = columns.map { Column(name: $0, type: "integer") }
        var schema = Schema(engine: .postgresql, tables: [table], views: views)
        if extra { schema.tables.append(Table(name: QualifiedName(schema: "public", "leftover"))) }
        return schema.canonicalized()
    }

    static func view(_ list: [String]) -> View {
        View(name: QualifiedName(schema: "public", "settings_all"), definition: "SELECT " + list.joined(separator: ",\n    ") + "\n   FROM public.settings;")
    }

    @Test("Columns and a SELECT * view's list in another order: restored up to column order, naming both")
    func columnOrder() {
        let before = Self.schema(columns: ["id", "captcha", "name"], views: [Self.view(["id", "captcha", "name"])])
        let after = Self.schema(columns: ["id", "name", "captcha"], views: [Self.view(["id", "name", "captcha"])])
        #expect(SQLEffect.reversal(from: before, to: after) == .columnOrderOnly(tables: ["public.settings", "public.settings_all"]))
    }

    @Test("A view whose list lost a column is a difference, however its other columns are ordered")
    func viewDiffers() {
        let before = Self.schema(columns: ["id", "name"], views: [Self.view(["id", "captcha", "name"])])
        let after = Self.schema(columns: ["id", "name"], views: [Self.view(["name", "id"])])
        #expect(SQLEffect.reversal(from: before, to: after) == .differs(objects: ["view public.settings_all differs"]))
    }

    @Test("What differs beyond column order is named first; the reordered tables follow in one line")
    func beyondOrderFirst() {
        let before = Self.schema(columns: ["id", "captcha", "name"])
        let after = Self.schema(columns: ["id", "name", "captcha"], extra: true)
        #expect(SQLEffect.reversal(from: before, to: after)
            == .differs(objects: ["table public.leftover is unexpected", "columns of public.settings in another order"]))
    }
}
