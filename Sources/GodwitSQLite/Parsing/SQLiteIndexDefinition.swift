import Foundation
import GodwitCore

/// The keys and `WHERE` clause of a `CREATE INDEX` statement, cut verbatim from its text.
///
/// Grammar: https://www.sqlite.org/lang_createindex.html
struct SQLiteIndexDefinition {
    struct Key {
        var text: String
        var collation: String?
        var order: Index.SortOrder
    }

    var keys: [Key] = []
    var predicate: String?

    init(sql: String) {
        var stream = SQLiteTokenStream(sql)
        while let token = stream.current, !token.isKeyword("ON") { _ = stream.next() }
        _ = stream.accept("ON")
        _ = stream.next()  // table name
        guard stream.acceptSymbol("(") else { return }
        while !stream.isAtEnd {
            var text = stream.textUntilTopLevelSeparator(stopWords: ["COLLATE", "ASC", "DESC"])
            var key = Key(text: text, order: .ascending)
            if stream.accept("COLLATE") { key.collation = stream.next()?.identifier }
            if stream.accept("DESC") { key.order = .descending } else { _ = stream.accept("ASC") }
            text = key.text
            if !text.isEmpty { keys.append(key) }
            if stream.acceptSymbol(",") { continue }
            _ = stream.acceptSymbol(")")
            break
        }
        if stream.accept("WHERE"), let start = stream.current {
            predicate = String(sql[start.range.lowerBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "; \n\t\r"))
        }
    }
}
