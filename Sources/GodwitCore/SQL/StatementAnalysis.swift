/// What one hand-written statement does, read from its tokens: the table it works on, the lock it
/// takes there and for how long.
///
/// PostgreSQL's lock levels follow https://www.postgresql.org/docs/current/explicit-locking.html
/// and the "lock level" notes of `ALTER TABLE`; every SQLite write takes the database's one
/// write lock.
public struct StatementAnalysis: Hashable, Sendable {
    /// The existing table the statement locks, when it names one.
    public var table: QualifiedName?
    public var lock: TableLock
    public var duration: LockDuration

    public init(table: QualifiedName?, lock: TableLock, duration: LockDuration) {
        self.table = table
        self.lock = lock
        self.duration = duration
    }

    /// Reads `statement` as `engine` runs it.
    public init(_ statement: SQLStatement, engine: Engine) {
        let reading = Self.read(statement)
        table = reading.table
        duration = reading.duration
        switch engine {
        case .postgresql: lock = reading.lock
        case .sqlite: lock = reading.lock == .none || reading.lock == .accessShare ? reading.lock : .databaseWrite
        }
    }

    private static func read(_ s: SQLStatement) -> StatementAnalysis {
        let named = { (index: Int?) in index.flatMap { s.qualifiedName(at: $0) } }
        if s.starts(with: "ALTER", "TABLE") {
            let table = named(s.nameIndex(after: 2))
            return StatementAnalysis(table: table, lock: alterTableLock(s), duration: alterTableDuration(s))
        }
        if s.starts(with: "CREATE", "INDEX") || s.starts(with: "CREATE", "UNIQUE", "INDEX") {
            let concurrently = s.contains("CONCURRENTLY")
            let table = s.firstIndex(of: "ON").flatMap { s.nameIndex(after: $0 + 1) }.flatMap { s.qualifiedName(at: $0) }
            return StatementAnalysis(table: table, lock: concurrently ? .shareUpdateExclusive : .share, duration: .scan)
        }
        if s.starts(with: "DROP", "INDEX") {
            return StatementAnalysis(table: nil, lock: s.contains("CONCURRENTLY") ? .shareUpdateExclusive : .accessExclusive, duration: .instant)
        }
        if s.starts(with: "DROP", "TABLE") || s.starts(with: "TRUNCATE") {
            return StatementAnalysis(table: named(s.nameIndex(after: s.starts(with: "TRUNCATE") ? 1 : 2)), lock: .accessExclusive, duration: .instant)
        }
        if s.starts(with: "UPDATE") || s.starts(with: "DELETE") {
            let index = s.starts(with: "UPDATE") ? s.nameIndex(after: 1) : s.firstIndex(of: "FROM").flatMap { s.nameIndex(after: $0 + 1) }
            return StatementAnalysis(table: named(index), lock: .rowExclusive, duration: .scan)
        }
        if s.starts(with: "INSERT") || s.starts(with: "MERGE") || s.starts(with: "REPLACE") {
            let index = s.firstIndex(of: "INTO").flatMap { s.nameIndex(after: $0 + 1) }
            return StatementAnalysis(table: named(index), lock: .rowExclusive, duration: s.contains("SELECT") ? .scan : .instant)
        }
        if s.starts(with: "CREATE", "TRIGGER") || s.starts(with: "CREATE", "OR", "REPLACE", "TRIGGER") || s.starts(with: "DROP", "TRIGGER") {
            let table = s.firstIndex(of: "ON").flatMap { s.nameIndex(after: $0 + 1) }.flatMap { s.qualifiedName(at: $0) }
            return StatementAnalysis(table: table, lock: .shareRowExclusive, duration: .instant)
        }
        if s.starts(with: "REFRESH", "MATERIALIZED", "VIEW") {
            return StatementAnalysis(table: nil, lock: s.contains("CONCURRENTLY") ? .exclusiveOrShareUpdate : .accessExclusive, duration: .scan)
        }
        if s.starts(with: "VACUUM") || s.starts(with: "ANALYZE") || s.starts(with: "REINDEX") || s.starts(with: "CLUSTER") {
            return StatementAnalysis(table: nil, lock: s.starts(with: "CLUSTER") || (s.starts(with: "VACUUM") && s.contains("FULL")) ? .accessExclusive : .shareUpdateExclusive,
                                     duration: .scan)
        }
        if s.isDataStatement { return StatementAnalysis(table: nil, lock: .rowExclusive, duration: .scan) }
        // CREATE TABLE/VIEW/FUNCTION/TYPE/SEQUENCE/SCHEMA, COMMENT, GRANT, SET, DROP of other objects:
        // catalog changes that lock no existing table's rows.
        return StatementAnalysis(table: nil, lock: .none, duration: .instant)
    }

    private static func alterTableLock(_ s: SQLStatement) -> TableLock {
        if s.contains("VALIDATE") { return .shareUpdateExclusive }
        if s.contains("FOREIGN") || s.contains("REFERENCES"), !s.contains("DROP") { return .shareRowExclusive }
        if (s.contains("SET") && (s.contains("STATISTICS") || s.contains("FILLFACTOR"))) { return .shareUpdateExclusive }
        return .accessExclusive
    }

    private static func alterTableDuration(_ s: SQLStatement) -> LockDuration {
        if s.contains("TYPE") && s.contains("ALTER") && s.keywords.filter({ $0 == "ALTER" }).count > 1 { return .rewrite }
        if s.contains("VALIDATE") { return .scan }
        let addsConstraint = s.contains("ADD") && (s.contains("CHECK") || s.contains("FOREIGN") || s.contains("REFERENCES")
            || s.contains("PRIMARY") || s.contains("UNIQUE") || s.contains("EXCLUDE"))
        if addsConstraint { return (s.contains("NOT") && s.contains("VALID")) || s.contains("USING") ? .instant : .scan }
        if s.contains("SET") && s.contains("NOT") && s.contains("NULL") { return .scan }
        if s.contains("ADD"), let value = s.defaultExpressionText, VolatileExpression.isVolatile(value) { return .rewrite }
        if s.contains("STORED") && s.contains("GENERATED") { return .rewrite }
        return .instant
    }
}

extension TableLock {
    /// REFRESH MATERIALIZED VIEW CONCURRENTLY takes EXCLUSIVE, which still lets reads through; the
    /// closest level Godwit models that blocks writes.
    static let exclusiveOrShareUpdate: TableLock = .shareRowExclusive
}

extension SQLStatement {
    /// The index of the name that follows position `from`, skipping `IF [NOT] EXISTS` and `ONLY`.
    public func nameIndex(after from: Int) -> Int? {
        var index = from
        while index < tokens.count {
            let token = tokens[index]
            if token.kind == .word, ["IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY", "TABLE", "INTO", "FROM"].contains(token.keyword) {
                index += 1
                continue
            }
            return token.isName ? index : nil
        }
        return nil
    }

    /// `name` or `schema.name` starting at token `index`.
    public func qualifiedName(at index: Int) -> QualifiedName? {
        guard index < tokens.count, tokens[index].isName else { return nil }
        if index + 2 < tokens.count, tokens[index + 1].text == ".", tokens[index + 2].isName {
            return QualifiedName(schema: tokens[index].name(on: engine), tokens[index + 2].name(on: engine))
        }
        return QualifiedName(schema: nil, tokens[index].name(on: engine))
    }

    /// The columns an `UPDATE … SET a = …, (b, c) = …` assigns.
    var assignedColumns: [String] {
        guard let set = firstIndex(of: "SET") else { return [] }
        var columns: [String] = []
        var depth = 0
        var expectingTarget = true
        for (offset, token) in tokens[(set + 1)...].enumerated() {
            let index = set + 1 + offset
            if depth == 0, token.kind == .word, ["WHERE", "FROM", "RETURNING"].contains(token.keyword) { break }
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if depth == 0, token.text == "," { expectingTarget = true; continue }
            if expectingTarget, token.isName, depth <= 1, index + 1 < tokens.count,
               [",", "=", ")"].contains(tokens[index + 1].text) {
                columns.append(token.identifier)
                if tokens[index + 1].text == "=" { expectingTarget = false }
            } else if token.text == "=" {
                expectingTarget = false
            }
        }
        return columns
    }

    /// The text after `DEFAULT` up to the next comma or the end, for volatility tests.
    var defaultExpressionText: String? {
        guard let index = firstIndex(of: "DEFAULT") else { return nil }
        var depth = 0
        var parts: [String] = []
        for token in tokens[(index + 1)...] {
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if depth == 0, token.text == "," { break }
            if depth == 0, token.kind == .word, ["NOT", "NULL", "CONSTRAINT", "CHECK", "REFERENCES", "UNIQUE", "PRIMARY"].contains(token.keyword) { break }
            parts.append(token.text)
        }
        return parts.isEmpty ? nil : parts.joined()
    }
}
