import Foundation

/// One token of SQL text, with its place in the script.
///
/// Comments and white space are not tokens: a rule that reads tokens can never match a word
/// inside `-- a comment`, `/* a block */`, `'a string'` or a `$$dollar-quoted$$` body.
public struct SQLToken: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A bare word: a keyword or an unquoted identifier.
        case word
        /// `"a name"`, and on SQLite `` `a name` `` or `[a name]`.
        case quotedIdentifier
        /// `'text'`, `E'text'`, `U&'text'`, `B'0101'`.
        case string
        /// `$$ … $$` or `$tag$ … $tag$`: a function body or a string.
        case dollarString
        case number
        /// `$1`, `?`, `:name`, `@name`.
        case parameter
        /// Punctuation and operators: `(`, `)`, `,`, `;`, `.`, `::`, `||`, …
        case symbol
        /// A psql meta-command (`\i file`, `\set x 1`): the rest of its line.
        case metaCommand
    }

    public var kind: Kind
    public var text: String
    /// Where the token starts, lines and columns from 1.
    public var position: FilePosition
    /// UTF-8 offsets of the token in the script: `start..<end`.
    public var start: Int
    public var end: Int

    /// A bare word in upper case (ASCII letters only); empty for other kinds.
    public var keyword: String { kind == .word ? text.uppercased() : "" }

    /// Whether the token is the bare keyword `word`, given in upper case.
    public func isKeyword(_ word: String) -> Bool {
        kind == .word && text.count == word.count && text.uppercased() == word
    }

    /// The name a word or quoted identifier stands for: quotes removed, bare words folded as
    /// PostgreSQL folds them (lower case).
    public var identifier: String {
        switch kind {
        case .quotedIdentifier:
            let inner = text.dropFirst().dropLast()
            switch text.first {
            case "\"": return inner.replacingOccurrences(of: "\"\"", with: "\"")
            case "`": return inner.replacingOccurrences(of: "``", with: "`")
            default: return String(inner)
            }
        default:
            return text.lowercased()
        }
    }

    /// The name the token stands for on `engine`: quotes removed; a bare word folded to lower
    /// case on PostgreSQL, kept as written on SQLite (which compares names without case).
    public func name(on engine: Engine) -> String {
        kind == .word && engine == .sqlite ? text : identifier
    }

    /// Whether the token can name something (a word or a quoted identifier).
    public var isName: Bool { kind == .word || kind == .quotedIdentifier }
}

/// Splits SQL text into tokens following each engine's lexical rules.
///
/// PostgreSQL (https://www.postgresql.org/docs/current/sql-syntax-lexical.html): `'…'` strings
/// with `''`, `E'…'` strings with backslash escapes, `"…"` identifiers, `$tag$ … $tag$` bodies,
/// `--` comments and nested `/* */` comments, and psql's backslash meta-commands.
/// SQLite (https://www.sqlite.org/lang_keywords.html): also `` `…` `` and `[…]` identifiers,
/// comments that do not nest, `?`, `:name`, `@name` and `$name` parameters.
///
/// Works on UTF-8 bytes: every character with lexical meaning is ASCII.
public struct SQLLexer: Sendable {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    /// The tokens of `text`, in order.
    public func tokens(_ text: String) -> [SQLToken] {
        var scanner = Scanner(bytes: Array(text.utf8), engine: engine)
        var result: [SQLToken] = []
        while let token = scanner.next() { result.append(token) }
        return result
    }

    /// A cursor over the bytes that keeps lines and columns.
    struct Scanner {
        let bytes: [UInt8]
        let engine: Engine
        var index = 0
        var line = 1
        var lineStart = 0
        /// Whether only white space stands between the last line break and `index`.
        var atLineStart = true

        init(bytes: [UInt8], engine: Engine) {
            self.bytes = bytes
            self.engine = engine
        }

        private var isPostgres: Bool { engine == .postgresql }

        private func byte(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        /// Moves past one byte, counting lines.
        private mutating func advance() {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }

        private mutating func advance(_ count: Int) {
            for _ in 0..<count where index < bytes.count { advance() }
        }

        /// The column of `offset` on the current line, counting characters (not continuation bytes).
        private func column(of offset: Int, lineStart: Int) -> Int {
            var column = 1
            var i = lineStart
            while i < offset {
                if bytes[i] & 0xC0 != 0x80 { column += 1 }
                i += 1
            }
            return column
        }

        static func isWordStart(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b >= 0x80
        }

        static func isWordPart(_ b: UInt8) -> Bool {
            isWordStart(b) || isDigit(b) || b == UInt8(ascii: "$")
        }

        static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

        mutating func next() -> SQLToken? {
            skipSpaceAndComments()
            guard index < bytes.count else { return nil }
            let start = index, startLine = line, startLineStart = lineStart
            let wasAtLineStart = atLineStart
            atLineStart = false
            let kind = scanToken(atLineStart: wasAtLineStart)
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            return SQLToken(kind: kind, text: text, position: FilePosition(line: startLine, column: column(of: start, lineStart: startLineStart)),
                            start: start, end: index)
        }

        private mutating func skipSpaceAndComments() {
            while let b = byte() {
                if b == UInt8(ascii: "\n") {
                    atLineStart = true
                    advance()
                } else if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C || b == 0x0B {
                    advance()
                } else if b == UInt8(ascii: "-"), byte(1) == UInt8(ascii: "-") {
                    while let c = byte(), c != UInt8(ascii: "\n") { advance() }
                } else if b == UInt8(ascii: "/"), byte(1) == UInt8(ascii: "*") {
                    skipBlockComment()
                } else {
                    return
                }
            }
        }

        /// `/* … */`, nested on PostgreSQL.
        private mutating func skipBlockComment() {
            var depth = 0
            while index < bytes.count {
                if byte() == UInt8(ascii: "/"), byte(1) == UInt8(ascii: "*") {
                    depth = isPostgres ? depth + 1 : 1
                    advance(2)
                } else if byte() == UInt8(ascii: "*"), byte(1) == UInt8(ascii: "/") {
                    depth -= 1
                    advance(2)
                    if depth == 0 { return }
                } else {
                    advance()
                }
            }
        }

        private mutating func scanToken(atLineStart: Bool) -> SQLToken.Kind {
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\\") where isPostgres:
                while let c = byte(), c != UInt8(ascii: "\n") { advance() }
                return .metaCommand
            case UInt8(ascii: "'"):
                scanQuoted(UInt8(ascii: "'"), backslashEscapes: false)
                return .string
            case UInt8(ascii: "\""):
                scanQuoted(UInt8(ascii: "\""), backslashEscapes: false)
                return .quotedIdentifier
            case UInt8(ascii: "`") where !isPostgres:
                scanQuoted(UInt8(ascii: "`"), backslashEscapes: false)
                return .quotedIdentifier
            case UInt8(ascii: "[") where !isPostgres:
                while let c = byte(), c != UInt8(ascii: "]") { advance() }
                advance(1)
                return .quotedIdentifier
            case UInt8(ascii: "$"):
                if isPostgres, let tagLength = dollarTagLength() {
                    scanDollarBody(tagLength: tagLength)
                    return .dollarString
                }
                advance()
                while let c = byte(), Self.isWordPart(c) { advance() }
                return .parameter
            case UInt8(ascii: "?") where !isPostgres:
                advance()
                while let c = byte(), Self.isDigit(c) { advance() }
                return .parameter
            case UInt8(ascii: ":") where !isPostgres && byte(1).map(Self.isWordStart) == true,
                 UInt8(ascii: "@") where !isPostgres && byte(1).map(Self.isWordStart) == true:
                advance()
                while let c = byte(), Self.isWordPart(c) { advance() }
                return .parameter
            case _ where Self.isDigit(b) || (b == UInt8(ascii: ".") && byte(1).map(Self.isDigit) == true):
                scanNumber()
                return .number
            case _ where Self.isWordStart(b):
                // E'…', B'…', X'…', N'…' and U&'…' are strings with a prefix.
                if isPostgres, b == UInt8(ascii: "E") || b == UInt8(ascii: "e"), byte(1) == UInt8(ascii: "'") {
                    advance()
                    scanQuoted(UInt8(ascii: "'"), backslashEscapes: true)
                    return .string
                }
                if [UInt8(ascii: "B"), UInt8(ascii: "b"), UInt8(ascii: "X"), UInt8(ascii: "x"), UInt8(ascii: "N"), UInt8(ascii: "n")].contains(b),
                   byte(1) == UInt8(ascii: "'") {
                    advance()
                    scanQuoted(UInt8(ascii: "'"), backslashEscapes: false)
                    return .string
                }
                if isPostgres, b == UInt8(ascii: "U") || b == UInt8(ascii: "u"), byte(1) == UInt8(ascii: "&"),
                   byte(2) == UInt8(ascii: "'") || byte(2) == UInt8(ascii: "\"") {
                    let quote = bytes[index + 2]
                    advance(2)
                    scanQuoted(quote, backslashEscapes: false)
                    return quote == UInt8(ascii: "'") ? .string : .quotedIdentifier
                }
                while let c = byte(), Self.isWordPart(c) { advance() }
                return .word
            default:
                scanSymbol()
                return .symbol
            }
        }

        /// A quoted run, the quote doubled inside it (and backslash escapes in `E''` strings).
        private mutating func scanQuoted(_ quote: UInt8, backslashEscapes: Bool) {
            advance()
            while let c = byte() {
                if backslashEscapes, c == UInt8(ascii: "\\") {
                    advance(2)
                    continue
                }
                advance()
                if c == quote {
                    if byte() == quote { advance(); continue }
                    return
                }
            }
        }

        /// The length of `$tag$` at the index (tag may be empty), or nil when it is not a
        /// dollar quote (`$1` is a parameter).
        private func dollarTagLength() -> Int? {
            var end = index + 1
            if end < bytes.count, Self.isDigit(bytes[end]) { return nil }
            while end < bytes.count, Self.isWordStart(bytes[end]) || Self.isDigit(bytes[end]) { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: "$") else { return nil }
            return end - index + 1
        }

        private mutating func scanDollarBody(tagLength: Int) {
            let tag = Array(bytes[index..<(index + tagLength)])
            advance(tagLength)
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "$"), index + tagLength <= bytes.count, Array(bytes[index..<(index + tagLength)]) == tag {
                    advance(tagLength)
                    return
                }
                advance()
            }
        }

        private mutating func scanNumber() {
            while let c = byte(), Self.isDigit(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") { advance() }
            if let c = byte(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                let sign = byte(1) == UInt8(ascii: "+") || byte(1) == UInt8(ascii: "-") ? 1 : 0
                if let digit = byte(1 + sign), Self.isDigit(digit) {
                    advance(1 + sign)
                    while let c = byte(), Self.isDigit(c) { advance() }
                }
            }
        }

        /// One punctuation mark, or a run of operator characters (`::`, `||`, `<>`, `->>`).
        private mutating func scanSymbol() {
            let operators: Set<UInt8> = Set("+-*/<>=~!@#%^&|`?:".utf8)
            let b = bytes[index]
            advance()
            guard operators.contains(b) else { return }
            while let c = byte(), operators.contains(c) {
                // A comment starts a new thing, not part of the operator.
                if (c == UInt8(ascii: "-") && byte(1) == UInt8(ascii: "-")) || (c == UInt8(ascii: "/") && byte(1) == UInt8(ascii: "*")) { return }
                advance()
            }
        }
    }
}
