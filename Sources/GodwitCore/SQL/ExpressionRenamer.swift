/// Rewrites the names in an SQL expression (a CHECK's condition) for another engine and other
/// column names, on tokens: a name that is a column becomes the column's new name, every other
/// quoted name is quoted as the target engine quotes (SQLite's `[x]` and `` `x` `` mean nothing
/// to PostgreSQL), and strings, numbers, keywords and spacing stay as written.
public struct ExpressionRenamer: Sendable {
    public let source: Engine
    public let target: Engine
    /// Source column name → target column name.
    public let columns: [String: String]

    public init(from source: Engine, to target: Engine, columns: [String: String]) {
        self.source = source
        self.target = target
        self.columns = columns
    }

    public func rewrite(_ expression: String) -> String {
        let quoter = target.quoter
        // Source names compare as the source engine compares them (SQLite: without case).
        var byName: [String: String] = [:]
        for (from, to) in columns { byName[source == .sqlite ? from.lowercased() : from] = to }
        let bytes = Array(expression.utf8)
        var result = ""
        var cursor = 0
        for token in SQLLexer(engine: source).tokens(expression) where token.isName {
            let name = token.name(on: source)
            let renamed = byName[source == .sqlite ? name.lowercased() : name]
            guard renamed != nil || token.kind == .quotedIdentifier else { continue }
            result += String(decoding: bytes[cursor..<token.start], as: UTF8.self) + quoter.quote(renamed ?? name)
            cursor = token.end
        }
        return result + String(decoding: bytes[cursor...], as: UTF8.self)
    }
}
