import GodwitCore

/// Splits a PostgreSQL script into statements, since the extended query protocol that
/// postgres-nio speaks runs one statement per query.
///
/// Semicolons end statements except inside 'strings' (and E'escaped\' strings), "identifiers",
/// $tag$dollar-quoted$tag$ bodies, -- and nested /* */ comments, and SQL-standard
/// `BEGIN ATOMIC … END` function bodies (https://www.postgresql.org/docs/current/sql-syntax-lexical.html).
enum PostgresScriptSplitter {
    static func split(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        var atomicDepth = 0
        var word = ""
        var previousWord = ""

        func flushWord() {
            guard !word.isEmpty else { return }
            let upper = word.uppercased()
            if upper == "ATOMIC", previousWord == "BEGIN" { atomicDepth += 1 }
            else if atomicDepth > 0, upper == "CASE" { atomicDepth += 1 }
            else if atomicDepth > 0, upper == "END" { atomicDepth -= 1 }
            previousWord = upper
            word = ""
        }
        func append(_ range: Range<Int>) {
            current.append(contentsOf: characters[range])
        }

        while index < characters.count {
            let scalar = characters[index]
            let next: Unicode.Scalar? = index + 1 < characters.count ? characters[index + 1] : nil
            if scalar.properties.isAlphabetic || scalar == "_" || ("0"..."9").contains(scalar) {
                word.unicodeScalars.append(scalar)
                current.append(scalar)
                index += 1
                continue
            }
            if scalar == "$", !word.isEmpty {  // a $ inside an identifier
                word.unicodeScalars.append(scalar)
                current.append(scalar)
                index += 1
                continue
            }
            let isEscapeString = scalar == "'" && (word == "E" || word == "e")
            flushWord()
            switch scalar {
            case "-" where next == "-":
                let start = index
                while index < characters.count, characters[index] != "\n" { index += 1 }
                append(start..<index)
            case "/" where next == "*":
                let start = index
                var depth = 0
                while index < characters.count {
                    if characters[index] == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                        depth += 1
                        index += 2
                    } else if characters[index] == "*", index + 1 < characters.count, characters[index + 1] == "/" {
                        depth -= 1
                        index += 2
                        if depth == 0 { break }
                    } else {
                        index += 1
                    }
                }
                append(start..<min(index, characters.count))
            case "'", "\"":
                let start = index
                index += 1
                while index < characters.count {
                    if isEscapeString, characters[index] == "\\" {
                        index += 2
                        continue
                    }
                    if characters[index] == scalar {
                        if index + 1 < characters.count, characters[index + 1] == scalar {
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                append(start..<min(index, characters.count))
            case "$":
                var end = index + 1
                while end < characters.count,
                      characters[end].properties.isAlphabetic || characters[end] == "_" || ("0"..."9").contains(characters[end])
                {
                    end += 1
                }
                if end < characters.count, characters[end] == "$", !(index + 1 < characters.count && ("0"..."9").contains(characters[index + 1])) {
                    let tag = Array(characters[index...end])
                    var search = end + 1
                    var closing = characters.count
                    while search + tag.count <= characters.count {
                        if Array(characters[search..<(search + tag.count)]) == tag {
                            closing = search + tag.count
                            break
                        }
                        search += 1
                    }
                    append(index..<closing)
                    index = closing
                } else {
                    current.append(scalar)
                    index += 1
                }
            case ";" where atomicDepth == 0:
                let text = String(current).trimmingWhitespace()
                if !text.isEmpty, !Self.isOnlyComments(text) { statements.append(text) }
                current = String.UnicodeScalarView()
                index += 1
            default:
                current.append(scalar)
                index += 1
            }
        }
        flushWord()
        let text = String(current).trimmingWhitespace()
        if !text.isEmpty, !isOnlyComments(text) { statements.append(text) }
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { line in
            let trimmed = String(line).trimmingWhitespace()
            return trimmed.isEmpty || trimmed.hasPrefix("--")
        }
    }
}
