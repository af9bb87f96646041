/// One statement of a SQL script: its text as written, where it starts, and its tokens.
public struct SQLStatement: Hashable, Sendable {
    /// The statement's text from its first token to its last, without the closing `;`.
    public var text: String
    /// Where its first token starts.
    public var position: FilePosition
    /// Its tokens (comments and white space left out).
    public var tokens: [SQLToken]
    /// The engine whose rules it was read by.
    public var engine: Engine

    public init(text: String, position: FilePosition, tokens: [SQLToken], engine: Engine = .postgresql) {
        self.text = text
        self.position = position
        self.tokens = tokens
        self.engine = engine
    }

    /// A psql meta-command (`\i`, `\set`, `\copy`), which only psql understands.
    public var isMetaCommand: Bool { tokens.first?.kind == .metaCommand }

    /// The statement's words in upper case, in order (names in quotes, strings and bodies left out).
    public var keywords: [String] { tokens.compactMap { $0.kind == .word ? $0.keyword : nil } }

    /// Whether the statement starts with these keywords, given in upper case.
    public func starts(with words: String...) -> Bool {
        guard tokens.count >= words.count else { return false }
        return zip(tokens, words).allSatisfy { $0.isKeyword($1) }
    }

    /// The index of the first token that is the keyword `word` (upper case) at or after `from`.
    public func firstIndex(of word: String, from: Int = 0) -> Int? {
        guard from < tokens.count else { return nil }
        return tokens[from...].firstIndex { $0.isKeyword(word) }
    }

    /// Whether the keyword appears anywhere outside strings, names in quotes and bodies.
    public func contains(_ word: String) -> Bool { firstIndex(of: word) != nil }

    /// How the statement bears on the transaction around it.
    public var transactionControl: TransactionControl? {
        guard let first = tokens.first, first.kind == .word else { return nil }
        switch first.keyword {
        case "BEGIN":
            // `BEGIN ATOMIC` only appears inside a function body, never first.
            return .begin
        case "START":
            return starts(with: "START", "TRANSACTION") ? .begin : nil
        case "COMMIT", "END":
            return starts(with: "COMMIT", "PREPARED") ? nil : .commit
        case "ROLLBACK", "ABORT":
            return contains("TO") || starts(with: "ROLLBACK", "PREPARED") ? nil : .rollback
        default:
            return nil
        }
    }

    /// Whether the engine refuses to run the statement inside a transaction block.
    ///
    /// PostgreSQL: `CREATE/DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `VACUUM`,
    /// `ALTER SYSTEM`, `CREATE/DROP DATABASE`, `CREATE/DROP TABLESPACE`, `CREATE SUBSCRIPTION`
    /// and — before version 12 — `ALTER TYPE … ADD VALUE`. SQLite: `VACUUM`, and the
    /// `PRAGMA foreign_keys` switch, which is a no-op inside one.
    public func mustRunOutsideTransaction(engine: Engine, serverVersion: Int? = nil) -> Bool {
        switch engine {
        case .postgresql:
            if starts(with: "CREATE", "INDEX", "CONCURRENTLY") || starts(with: "CREATE", "UNIQUE", "INDEX", "CONCURRENTLY")
                || starts(with: "DROP", "INDEX", "CONCURRENTLY") || (starts(with: "REINDEX") && contains("CONCURRENTLY"))
                || starts(with: "VACUUM") || starts(with: "ALTER", "SYSTEM")
                || starts(with: "CREATE", "DATABASE") || starts(with: "DROP", "DATABASE")
                || starts(with: "CREATE", "TABLESPACE") || starts(with: "DROP", "TABLESPACE")
                || starts(with: "CREATE", "SUBSCRIPTION") || starts(with: "DROP", "SUBSCRIPTION") {
                return true
            }
            if let version = serverVersion, version < 120000, starts(with: "ALTER", "TYPE"), contains("ADD"), contains("VALUE") {
                return true
            }
            return false
        case .sqlite:
            return starts(with: "VACUUM") || (starts(with: "PRAGMA") && tokens.dropFirst().first?.identifier == "foreign_keys")
        }
    }

    /// Whether the statement changes or reads rows rather than the schema (`INSERT`, `UPDATE`,
    /// `DELETE`, `MERGE`, `COPY`, `SELECT`, `WITH …`, `VALUES`, `CALL`).
    public var isDataStatement: Bool {
        guard let first = tokens.first?.keyword else { return false }
        return ["INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "SELECT", "WITH", "VALUES", "CALL", "REPLACE", "UPSERT"].contains(first)
    }

}

/// What a statement does to the transaction it runs in.
public enum TransactionControl: String, Hashable, Sendable {
    case begin, commit, rollback
}

/// Splits SQL scripts into statements as psql and the sqlite3 shell do.
///
/// A `;` ends a statement unless it stands inside a string, a quoted name, a comment, a
/// dollar-quoted body, parentheses (`CREATE RULE … DO ( …; … )`) or a block whose `BEGIN … END`
/// holds statements: a SQL-standard function body (`BEGIN ATOMIC … END`) on PostgreSQL, a
/// trigger body (`CREATE TRIGGER … BEGIN … END`) on SQLite. A psql meta-command is a statement
/// of its own, to its line's end.
public enum SQLScript {
    /// The statements of `text`, in order, each with where it starts.
    public static func statements(in text: String, engine: Engine) -> [SQLStatement] {
        let tokens = SQLLexer(engine: engine).tokens(text)
        let bytes = Array(text.utf8)
        var statements: [SQLStatement] = []
        var current: [SQLToken] = []
        var parentheses = 0
        var blockDepth = 0
        var opensBlocks: Bool?

        func finish() {
            defer {
                current = []
                parentheses = 0
                blockDepth = 0
                opensBlocks = nil
            }
            guard let first = current.first, let last = current.last else { return }
            statements.append(SQLStatement(text: String(decoding: bytes[first.start..<last.end], as: UTF8.self),
                                           position: first.position, tokens: current, engine: engine))
        }

        for token in tokens {
            if token.kind == .metaCommand {
                finish()
                current = [token]
                finish()
                continue
            }
            if token.kind == .symbol, token.text == ";", parentheses == 0, blockDepth == 0 {
                finish()
                continue
            }
            current.append(token)
            switch token.kind {
            case .symbol:
                if token.text == "(" { parentheses += 1 }
                if token.text == ")" { parentheses = max(0, parentheses - 1) }
            case .word:
                if opensBlocks == nil, current.count >= 2 { opensBlocks = Self.opensBlocks(current, engine: engine) }
                guard opensBlocks == true else { break }
                switch token.keyword {
                case "BEGIN":
                    blockDepth += 1
                case "CASE" where blockDepth > 0:
                    blockDepth += 1
                case "END" where blockDepth > 0:
                    blockDepth -= 1
                default:
                    break
                }
            default:
                break
            }
        }
        finish()
        return statements
    }

    /// Whether a statement's opening words make `BEGIN … END` a block of statements:
    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE` on PostgreSQL, `CREATE [TEMP] TRIGGER` on SQLite.
    private static func opensBlocks(_ tokens: [SQLToken], engine: Engine) -> Bool? {
        guard tokens[0].isKeyword("CREATE") else { return false }
        let words = tokens.dropFirst().prefix(4).filter { $0.kind == .word }.map(\.keyword)
        let kinds: Set<String> = engine == .postgresql ? ["FUNCTION", "PROCEDURE"] : ["TRIGGER"]
        let skippable: Set<String> = ["OR", "REPLACE", "TEMP", "TEMPORARY"]
        for word in words {
            if kinds.contains(word) { return true }
            if !skippable.contains(word) { return false }
        }
        return tokens.count < 6 ? nil : false
    }
}
