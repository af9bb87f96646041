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
        /// A bare word in upper case (ASCII letters only), for keyword tests; empty otherwise.
        var keyword: String = ""

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

        /// Whether the token is the bare keyword `word`, given in upper case.
        func isKeyword(_ word: String) -> Bool {
            kind == .word && keyword == word
        }

        var isName: Bool { kind == .word || kind == .quotedIdentifier || kind == .string }
    }

    /// The tokens of `sql`, comments and white space dropped.
    ///
    /// Works on UTF-8 bytes: every character with lexical meaning is ASCII, and any other byte
    /// belongs to an identifier, so token boundaries always fall on character boundaries.
    static func tokenize(_ sql: String) -> [Token] {
        let utf8 = sql.utf8
        let bytes = Array(utf8)
        var tokens: [Token] = []
        var position = 0
        let count = bytes.count
        func byte(_ offset: Int) -> UInt8? { offset < count ? bytes[offset] : nil }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func isIdentifierStart(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80
        }
        func isIdentifierPart(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) || b == 0x24 }
        func scanQuoted(_ terminator: UInt8, doubling: Bool) {
            position += 1
            while position < count {
                if bytes[position] == terminator {
                    if doubling, byte(position + 1) == terminator {
                        position += 2
                        continue
                    }
                    position += 1
                    return
                }
                position += 1
            }
        }
        let twoByteSymbols: Set<[UInt8]> = Set(["||", "<=", ">=", "<>", "!=", "==", "<<", ">>", "->"].map { Array($0.utf8) })
        while position < count {
            let start = position
            let current = bytes[position]
            switch current {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                position += 1
                continue
            case UInt8(ascii: "-") where byte(position + 1) == UInt8(ascii: "-"):
                while position < count, bytes[position] != 0x0A { position += 1 }
                continue
            case UInt8(ascii: "/") where byte(position + 1) == UInt8(ascii: "*"):
                position += 2
                while position < count, !(bytes[position] == UInt8(ascii: "*") && byte(position + 1) == UInt8(ascii: "/")) {
                    position += 1
                }
                position = min(position + 2, count)
                continue
            default:
                break
            }
            let kind: Kind
            switch current {
            case UInt8(ascii: "'"):
                scanQuoted(current, doubling: true)
                kind = .string
            case UInt8(ascii: "\""), UInt8(ascii: "`"):
                scanQuoted(current, doubling: true)
                kind = .quotedIdentifier
            case UInt8(ascii: "["):
                scanQuoted(UInt8(ascii: "]"), doubling: false)
                kind = .quotedIdentifier
            case _ where isDigit(current) || (current == UInt8(ascii: ".") && byte(position + 1).map(isDigit) == true):
                while position < count, isIdentifierPart(bytes[position]) || bytes[position] == UInt8(ascii: ".") {
                    position += 1
                }
                kind = .number
            case _ where isIdentifierStart(current):
                while position < count, isIdentifierPart(bytes[position]) { position += 1 }
                kind = .word
            default:
                if position + 1 < count, twoByteSymbols.contains([current, bytes[position + 1]]) {
                    position += 2
                    if current == UInt8(ascii: "-"), byte(position) == UInt8(ascii: ">") { position += 1 }
                } else {
                    position += 1
                }
                kind = .symbol
            }
            let lower = utf8.index(utf8.startIndex, offsetBy: start)
            let upper = utf8.index(lower, offsetBy: position - start)
            var token = Token(kind: kind, text: sql[lower..<upper], range: lower..<upper)
            if kind == .word {
                token.keyword = String(decoding: bytes[start..<position].lazy.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
            }
            tokens.append(token)
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
            if depth == 0, token.kind == .word, stopWords.contains(token.keyword) { break }
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
