import GodwitCore
import Testing

@Suite("Names in expressions")
struct ExpressionRenamerTests {
    @Test("A SQLite check's columns are renamed and quoted for PostgreSQL; strings, keywords and other names stay")
    func sqliteToPostgres() {
        let renamer = ExpressionRenamer(from: .sqlite, to: .postgresql, columns: ["Unit Price": "unit_price", "Stock": "stock", "Name": "name"])
        #expect(renamer.rewrite("[Unit Price] >= 0 AND `Stock` >= 0") == "unit_price >= 0 AND stock >= 0")
        #expect(renamer.rewrite("name <> 'Unit Price' AND \"Name\" IS NOT NULL") == "name <> 'Unit Price' AND name IS NOT NULL")
        #expect(renamer.rewrite("length([Other Thing]) < 10") == "length(\"Other Thing\") < 10")
        #expect(renamer.rewrite("STOCK BETWEEN 0 AND 100") == "stock BETWEEN 0 AND 100")
    }

    @Test("Between two SQLite files only the renamed columns change")
    func sqliteToSQLite() {
        let renamer = ExpressionRenamer(from: .sqlite, to: .sqlite, columns: ["UnitPrice": "unit_price"])
        #expect(renamer.rewrite("UnitPrice > 0 and typeof(UnitPrice) = 'real'") == "unit_price > 0 and typeof(unit_price) = 'real'")
    }
}
