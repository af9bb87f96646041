import Foundation
/// Splits SQLite SQL text into tokens, keeping each token's place in the text so that
/// expressions can be cut out verbatim.
///
/// Follows the lexical rules of https://www.sqlite.org/lang_keywords.html: identifiers may be
/// bare, "double-quoted", `back-ticked` or [bracketed]; strings are 'single-quoted' with ''
/// escapes; comments are `-- …` and `/* … */`.
struct SQLiteTokenizer {
    enum Kind: Equatable {
        /// A bare word: a keyword or an unquoted identifier.
        case word
        /// A quoted identifier.
        case quotedIdentifier
        case string
        case number
        /// Punctuation or an operator: `(`, `)`, `,`, `;`, `.`, `||`, …
        case symbol
    }

    struct Token: Equatable {
        var kind: Kind
        /// The token's text as written.
        var text: Substring
        var range: Range<String.Index>

        /// The identifier's name, quotes removed (for words and quoted identifiers).
        var identifier: String {
            switch kind {
            case .quotedIdentifier:
                let inner = text.dropFirst().dropLast()
                switch text.first {
                case "\"": return inner.replacingOccurrences(of: "\"\"", with: "\"")
                case "`": return inner.replacingOccurrences(of: "``", with: "`")
                default: return String(inner)
                }
            default:
                return String(text)
            }
        }

        /// Whether the token is the bare keyword `word` (case-insensitive).
        func isKeyword(_ word: String) -> Bool {
            kind == .word && text.caseInsensitiveCompare(word) == .orderedSame
        }

        var isName: Bool { kind == .word || kind == .quotedIdentifier || kind == .string }
    }

    /// The tokens of `sql`, comments and white space dropped.
    static func tokenize(_ sql: String) -> [Token] {
        var tokens: [Token] = []
        var index = sql.startIndex
        func peek(_ offset: Int = 0) -> Character? {
            var i = index
            for _ in 0..<offset {
                guard i < sql.endIndex else { return nil }
                i = sql.index(after: i)
            }
            return i < sql.endIndex ? sql[i] : nil
        }
        func scan(until terminator: Character, doubling: Bool) {
            index = sql.index(after: index)
            while index < sql.endIndex {
                if sql[index] == terminator {
                    let next = sql.index(after: index)
                    if doubling, next < sql.endIndex, sql[next] == terminator {
                        index = sql.index(after: next)
                        continue
                    }
                    index = next
                    return
                }
                index = sql.index(after: index)
            }
        }
        while index < sql.endIndex {
            let start = index
            let character = sql[index]
            if character.isWhitespace {
                index = sql.index(after: index)
                continue
            }
            if character == "-", peek(1) == "-" {
                while index < sql.endIndex, sql[index] != "\n" { index = sql.index(after: index) }
                continue
            }
            if character == "/", peek(1) == "*" {
                index = sql.index(index, offsetBy: 2)
                while index < sql.endIndex, !(sql[index] == "*" && peek(1) == "/") { index = sql.index(after: index) }
                index = index < sql.endIndex ? sql.index(index, offsetBy: 2) : index
                continue
            }
            let kind: Kind
            switch character {
            case "'":
                scan(until: "'", doubling: true)
                kind = .string
            case "\"":
                scan(until: "\"", doubling: true)
                kind = .quotedIdentifier
            case "`":
                scan(until: "`", doubling: true)
                kind = .quotedIdentifier
            case "[":
                scan(until: "]", doubling: false)
                kind = .quotedIdentifier
            case _ where character.isNumber || (character == "." && peek(1)?.isNumber == true):
                while index < sql.endIndex, sql[index].isNumber || sql[index].isLetter || sql[index] == "." {
                    index = sql.index(after: index)
                }
                kind = .number
            case _ where character.isLetter || character == "_" || !character.isASCII:
                while index < sql.endIndex,
                      sql[index].isLetter || sql[index].isNumber || sql[index] == "_" || sql[index] == "$" || !sql[index].isASCII
                {
                    index = sql.index(after: index)
                }
                kind = .word
            default:
                let pair = String(character) + String(peek(1) ?? " ")
                let twoCharacterSymbols: Set<String> = ["||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"]
                index = sql.index(index, offsetBy: twoCharacterSymbols.contains(pair) ? 2 : 1)
                if pair == "->", peek() == ">" { index = sql.index(after: index) }
                kind = .symbol
            }
            tokens.append(Token(kind: kind, text: sql[start..<index], range: start..<index))
        }
        return tokens
    }
}

/// A cursor over tokens with the look-ahead the DDL parsers need.
struct SQLiteTokenStream {
    let sql: String
    let tokens: [SQLiteTokenizer.Token]
    var position = 0

    init(_ sql: String) {
        self.sql = sql
        self.tokens = SQLiteTokenizer.tokenize(sql)
    }

    var isAtEnd: Bool { position >= tokens.count }
    var current: SQLiteTokenizer.Token? { position < tokens.count ? tokens[position] : nil }

    func peek(_ offset: Int = 0) -> SQLiteTokenizer.Token? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    /// Consumes the keyword when it is next.
    mutating func accept(_ keyword: String) -> Bool {
        guard current?.isKeyword(keyword) == true else { return false }
        position += 1
        return true
    }

    /// Consumes a sequence of keywords when all are next.
    mutating func accept(_ keywords: String...) -> Bool {
        for (offset, keyword) in keywords.enumerated() where peek(offset)?.isKeyword(keyword) != true {
            return false
        }
        position += keywords.count
        return true
    }

    mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard let token = current, token.kind == .symbol, token.text == symbol else { return false }
        position += 1
        return true
    }

    mutating func next() -> SQLiteTokenizer.Token? {
        defer { position += 1 }
        return current
    }

    /// Consumes a parenthesised group and returns the text inside it, verbatim.
    mutating func parenthesizedText() -> String? {
        guard let open = current, open.kind == .symbol, open.text == "(" else { return nil }
        var depth = 0
        var index = position
        while index < tokens.count {
            let token = tokens[index]
            if token.kind == .symbol, token.text == "(" { depth += 1 }
            if token.kind == .symbol, token.text == ")" {
                depth -= 1
                if depth == 0 {
                    let inner = sql[open.range.upperBound..<token.range.lowerBound]
                    position = index + 1
                    return inner.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            index += 1
        }
        return nil
    }

    /// Consumes tokens up to (not including) a top-level `,` or `)` or the end, and returns the
    /// text they span, verbatim.
    mutating func textUntilTopLevelSeparator(stopWords: Set<String> = []) -> String {
        let startPosition = position
        var depth = 0
        while let token = current {
            if token.kind == .symbol, token.text == "(" { depth += 1 }
            if token.kind == .symbol, token.text == ")" {
                if depth == 0 { break }
                depth -= 1
            }
            if depth == 0, token.kind == .symbol, token.text == "," { break }
            if depth == 0, token.kind == .word, stopWords.contains(token.text.uppercased()) { break }
            position += 1
        }
        guard position > startPosition else { return "" }
        return String(sql[tokens[startPosition].range.lowerBound..<tokens[position - 1].range.upperBound])
    }

    /// Consumes a comma-separated, parenthesised list of names.
    mutating func nameList() -> [String] {
        guard acceptSymbol("(") else { return [] }
        var names: [String] = []
        while let token = current, !(token.kind == .symbol && token.text == ")") {
            if token.isName { names.append(token.identifier) }
            position += 1
            // Skip COLLATE x / ASC / DESC after a name in a key list.
            while let extra = current, extra.kind == .word {
                position += 1
            }
            _ = acceptSymbol(",")
        }
        _ = acceptSymbol(")")
        return names
    }
}
