import Foundation

/// Quotes identifiers and literals for SQL text that Godwit writes.
///
/// Names are quoted only when they must be, so generated SQL stays readable: when they hold
/// characters other than letters, digits and `_`, start with a digit, are reserved words, or —
/// on engines that fold unquoted names to lower case (PostgreSQL) — hold capitals.
public struct SQLIdentifierQuoter: Sendable {
    /// Whether the engine folds unquoted identifiers to lower case.
    public var foldsUnquotedToLowercase: Bool

    public init(foldsUnquotedToLowercase: Bool) {
        self.foldsUnquotedToLowercase = foldsUnquotedToLowercase
    }

    /// The identifier, double-quoted when needed.
    public func quote(_ name: String) -> String {
        needsQuotes(name) ? Self.alwaysQuoted(name) : name
    }

    /// A qualified name, each part quoted when needed.
    public func quote(_ name: QualifiedName) -> String {
        if let schema = name.schema { return quote(schema) + "." + quote(name.name) }
        return quote(name.name)
    }

    /// A comma-separated list of quoted identifiers.
    public func quoteList(_ names: [String]) -> String {
        names.map(quote).joined(separator: ", ")
    }

    /// The identifier between double quotes, inner quotes doubled.
    public static func alwaysQuoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A string literal, inner quotes doubled.
    public static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    private func needsQuotes(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return true }
        let isLetter: (Unicode.Scalar) -> Bool = { scalar in
            if foldsUnquotedToLowercase { return ("a"..."z").contains(scalar) }
            return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
        guard isLetter(first) || first == "_" else { return true }
        for scalar in name.unicodeScalars where !(isLetter(scalar) || ("0"..."9").contains(scalar) || scalar == "_") {
            return true
        }
        return Self.reservedWords.contains(name.lowercased())
    }

    /// Words reserved in PostgreSQL or SQLite, which must be quoted as names.
    static let reservedWords: Set<String> = [
        "abort", "action", "add", "after", "all", "alter", "always", "analyse", "analyze", "and", "any",
        "array", "as", "asc", "asymmetric", "attach", "authorization", "autoincrement", "before", "begin",
        "between", "binary", "both", "by", "cascade", "case", "cast", "check", "collate", "collation",
        "column", "commit", "concurrently", "conflict", "constraint", "create", "cross", "current",
        "current_catalog", "current_date", "current_role", "current_schema", "current_time",
        "current_timestamp", "current_user", "database", "default", "deferrable", "deferred", "delete",
        "desc", "detach", "distinct", "do", "drop", "each", "else", "end", "escape", "except", "exclude",
        "exclusive", "exists", "explain", "fail", "false", "fetch", "filter", "first", "following", "for",
        "foreign", "freeze", "from", "full", "generated", "glob", "grant", "group", "groups", "having",
        "if", "ignore", "ilike", "immediate", "in", "index", "indexed", "initially", "inner", "insert",
        "instead", "intersect", "into", "is", "isnull", "join", "key", "last", "lateral", "leading", "left",
        "like", "limit", "localtime", "localtimestamp", "match", "materialized", "natural", "no", "not",
        "nothing", "notnull", "null", "nulls", "of", "offset", "on", "only", "or", "order", "others",
        "outer", "over", "overlaps", "partition", "placing", "plan", "pragma", "preceding", "primary",
        "query", "raise", "range", "recursive", "references", "regexp", "reindex", "release", "rename",
        "replace", "restrict", "returning", "right", "rollback", "row", "rows", "savepoint", "select",
        "session_user", "set", "similar", "some", "symmetric", "table", "temp", "temporary", "then",
        "ties", "to", "trailing", "transaction", "trigger", "true", "unbounded", "union", "unique",
        "update", "user", "using", "vacuum", "values", "variadic", "verbose", "view", "virtual", "when",
        "where", "window", "with", "without",
    ]
}
