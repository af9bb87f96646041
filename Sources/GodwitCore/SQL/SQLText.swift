import Foundation

/// Small facts read from SQL text that both engines write the same way.
public enum SQLText {
    /// Whether `name` appears in `sql` as a whole word (not inside a longer identifier),
    /// ignoring case; quoted identifiers count too.
    public static func mentions(_ sql: String, _ name: String) -> Bool {
        let text = Array(sql.lowercased().utf8), word = Array(name.lowercased().utf8)
        guard !word.isEmpty, text.count >= word.count else { return false }
        for start in 0...(text.count - word.count) where Array(text[start..<(start + word.count)]) == word {
            let before = start == 0 ? nil : text[start - 1]
            let after = start + word.count < text.count ? text[start + word.count] : nil
            if !(before.map(isIdentifierByte) ?? false), !(after.map(isIdentifierByte) ?? false) { return true }
        }
        return false
    }

    /// The columns an assignment list sets: `a = 1, "b c" = lower(x, y)` → `a`, `b c`. Commas
    /// inside parentheses and quotes do not split.
    public static func assignedColumns(_ assignments: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in assignments {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
            } else if character == ",", depth == 0 {
                parts.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        parts.append(current)
        return parts.compactMap { part in
            guard let equals = part.firstIndex(of: "=") else { return nil }
            var name = part[..<equals].trimmingWhitespace()
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 {
                name = String(name.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
            }
            return name.isEmpty ? nil : name
        }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte >= 0x80
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space.
    public func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
