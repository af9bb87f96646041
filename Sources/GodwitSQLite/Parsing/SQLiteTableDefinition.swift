import Foundation
import GodwitCore

/// What `CREATE TABLE` text says that SQLite's pragmas do not: constraint names, CHECK
/// expressions, AUTOINCREMENT, generated-column expressions, collations, deferrability.
///
/// Grammar: https://www.sqlite.org/lang_createtable.html
struct SQLiteTableDefinition {
    struct ColumnFacts {
        var collation: String?
        var generated: Column.Generated?
    }

    var columns: [String: ColumnFacts] = [:]
    var primaryKeyName: String?
    var isAutoincrement = false
    var uniqueConstraints: [UniqueConstraint] = []
    var checkConstraints: [CheckConstraint] = []
    /// Foreign keys' names and deferrability, keyed by their column lists.
    var foreignKeyNames: [[String]: (name: String?, deferrability: Deferrability)] = [:]

    /// Parses the `sql` column of `sqlite_schema` for a table.
    init(sql: String) {
        var stream = SQLiteTokenStream(sql)
        // CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name (
        while let token = stream.current, !(token.kind == .symbol && token.text == "(") {
            if token.isKeyword("AS") { return }
            _ = stream.next()
        }
        guard stream.acceptSymbol("(") else { return }
        while !stream.isAtEnd {
            parseElement(&stream)
            if stream.acceptSymbol(",") { continue }
            if stream.acceptSymbol(")") { break }
            if stream.next() == nil { break }
        }
    }

    private static let constraintStarts: Set<String> = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
    private static let columnConstraintStarts: Set<String> = [
        "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE", "REFERENCES",
        "GENERATED", "AS",
    ]

    private mutating func parseElement(_ stream: inout SQLiteTokenStream) {
        guard let first = stream.current else { return }
        if first.kind == .word, Self.constraintStarts.contains(first.keyword) {
            parseTableConstraint(&stream)
        } else {
            parseColumn(&stream)
        }
    }

    private mutating func parseColumn(_ stream: inout SQLiteTokenStream) {
        guard let nameToken = stream.next() else { return }
        let column = nameToken.identifier
        var facts = ColumnFacts()
        // The type name: words and a parenthesised size, up to the first constraint keyword.
        while let token = stream.current {
            if token.kind == .word, Self.columnConstraintStarts.contains(token.keyword) { break }
            if token.kind == .symbol, token.text == "," || token.text == ")" { break }
            if token.kind == .symbol, token.text == "(" { _ = stream.parenthesizedText(); continue }
            _ = stream.next()
        }
        var pendingName: String?
        while let token = stream.current, !(token.kind == .symbol && (token.text == "," || token.text == ")")) {
            if stream.accept("CONSTRAINT") {
                pendingName = stream.next()?.identifier
                continue
            }
            if stream.accept("PRIMARY", "KEY") {
                primaryKeyName = pendingName
                _ = stream.accept("ASC") || stream.accept("DESC")
                skipConflictClause(&stream)
                if stream.accept("AUTOINCREMENT") { isAutoincrement = true }
            } else if stream.accept("NOT", "NULL") || stream.accept("NULL") {
                skipConflictClause(&stream)
            } else if stream.accept("UNIQUE") {
                skipConflictClause(&stream)
                uniqueConstraints.append(UniqueConstraint(name: pendingName, columns: [column]))
            } else if stream.accept("CHECK") {
                if let expression = stream.parenthesizedText() {
                    checkConstraints.append(CheckConstraint(name: pendingName, expression: expression))
                }
            } else if stream.accept("DEFAULT") {
                if stream.parenthesizedText() == nil {
                    _ = stream.acceptSymbol("-") || stream.acceptSymbol("+")
                    _ = stream.next()
                }
            } else if stream.accept("COLLATE") {
                facts.collation = stream.next()?.identifier
            } else if stream.current?.isKeyword("REFERENCES") == true {
                let (_, deferrability) = parseReferences(&stream)
                foreignKeyNames[[column]] = (pendingName, deferrability)
            } else if stream.accept("GENERATED", "ALWAYS") || stream.current?.isKeyword("AS") == true {
                _ = stream.accept("AS")
                let expression = stream.parenthesizedText() ?? ""
                let storage: Column.GeneratedStorage = stream.accept("STORED") ? .stored : (stream.accept("VIRTUAL") ? .virtual : .virtual)
                facts.generated = Column.Generated(expression: expression, storage: storage)
            } else {
                _ = stream.next()
            }
            pendingName = nil
        }
        columns[column] = facts
    }

    private mutating func parseTableConstraint(_ stream: inout SQLiteTokenStream) {
        var name: String?
        if stream.accept("CONSTRAINT") { name = stream.next()?.identifier }
        if stream.accept("PRIMARY", "KEY") {
            primaryKeyName = name
            _ = stream.nameList()
            skipConflictClause(&stream)
        } else if stream.accept("UNIQUE") {
            let columns = stream.nameList()
            skipConflictClause(&stream)
            uniqueConstraints.append(UniqueConstraint(name: name, columns: columns))
        } else if stream.accept("CHECK") {
            if let expression = stream.parenthesizedText() {
                checkConstraints.append(CheckConstraint(name: name, expression: expression))
            }
        } else if stream.accept("FOREIGN", "KEY") {
            let columns = stream.nameList()
            let (_, deferrability) = parseReferences(&stream)
            foreignKeyNames[columns] = (name, deferrability)
        }
        _ = stream.textUntilTopLevelSeparator()
    }

    /// Consumes `REFERENCES t (cols) [ON … | MATCH …]* [[NOT] DEFERRABLE [INITIALLY …]]`.
    private func parseReferences(_ stream: inout SQLiteTokenStream) -> (String?, Deferrability) {
        guard stream.accept("REFERENCES") else { return (nil, .notDeferrable) }
        let table = stream.next()?.identifier
        if stream.current?.kind == .symbol, stream.current?.text == "(" { _ = stream.nameList() }
        var deferrability = Deferrability.notDeferrable
        while let token = stream.current, !(token.kind == .symbol && (token.text == "," || token.text == ")")) {
            if stream.accept("ON") {
                _ = stream.next()  // DELETE or UPDATE
                if stream.accept("SET") || stream.accept("NO") { _ = stream.next() } else { _ = stream.next() }
            } else if stream.accept("MATCH") {
                _ = stream.next()
            } else if stream.accept("NOT", "DEFERRABLE") {
                deferrability = .notDeferrable
                if stream.accept("INITIALLY") { _ = stream.next() }
            } else if stream.accept("DEFERRABLE") {
                deferrability = .deferrableInitiallyImmediate
                if stream.accept("INITIALLY", "DEFERRED") { deferrability = .deferrableInitiallyDeferred }
                else if stream.accept("INITIALLY", "IMMEDIATE") { deferrability = .deferrableInitiallyImmediate }
            } else if token.kind == .word, Self.columnConstraintStarts.contains(token.keyword), !token.isKeyword("NOT") {
                break
            } else {
                _ = stream.next()
            }
        }
        return (table, deferrability)
    }

    private func skipConflictClause(_ stream: inout SQLiteTokenStream) {
        if stream.accept("ON", "CONFLICT") { _ = stream.next() }
    }
}
