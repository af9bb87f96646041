import Foundation
import Yams

/// Reads one YAML node of a migration file, knowing its field path and position so that every
/// error names `file:line:column`, the field, and what was expected there.
struct YAMLReader {
    let node: Node
    /// `operations[2].add_column.table`
    let field: String
    let file: String
    /// The title of its errors: `Invalid migration`, `Invalid copy file`.
    var title = "Invalid migration"

    /// An error at this node.
    func error(_ expected: String) -> GodwitError {
        GodwitError(
            .invalidMigration, title, location: location,
            reason: "\(field.isEmpty ? "the document" : field): expected \(expected), found \(foundDescription)"
        )
    }

    /// An error at this node with its own reason.
    func error(reason: String, remedy: String? = nil) -> GodwitError {
        GodwitError(.invalidMigration, title, location: location, reason: field.isEmpty ? reason : "\(field): \(reason)", remedy: remedy)
    }

    var location: String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    private var foundDescription: String {
        switch node {
        case .scalar(let scalar):
            if isNull { return "nothing" }
            return "'\(scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func string(_ expected: String) throws -> String {
        guard case .scalar(let scalar) = node, !isNull else { throw error(expected) }
        return scalar.string
    }

    /// A column default, which is an SQL expression. A bare word that is no SQL keyword would
    /// name a column, which no default may do: SQLite would store the word as text and
    /// PostgreSQL refuses it, so one file would mean two things. It is refused here, on both.
    func defaultExpression() throws -> String {
        let text = try string("an SQL expression")
        let word = text.trimmingWhitespace()
        guard let first = word.first, !first.isNumber, word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
              !Self.defaultKeywords.contains(word.uppercased()) else { return text }
        throw error(reason: "the default \(word) is an SQL expression, where a bare word names a column",
                    remedy: "For the text, quote it inside the YAML string: default: \"'\(word)'\".")
    }

    private static let defaultKeywords: Set<String> = [
        "TRUE", "FALSE", "NULL", "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME",
        "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "CURRENT_CATALOG", "CURRENT_SCHEMA", "USER",
    ]

    func nonEmptyString(_ expected: String) throws -> String {
        let text = try string(expected)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw error(expected) }
        return text
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("true or false") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("true or false")
        }
    }

    func int(_ expected: String, range: ClosedRange<Int64> = Int64.min...Int64.max) throws -> Int64 {
        guard case .scalar(let scalar) = node, let value = Int64(scalar.string.replacingOccurrences(of: "_", with: "")),
              range.contains(value)
        else { throw error(expected) }
        return value
    }

    func double(_ expected: String) throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else { throw error(expected) }
        return value
    }

    /// One of a fixed set of words.
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        let words = T.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = node, let value = T(rawValue: scalar.string) else {
            throw error("one of \(words.joined(separator: ", "))")
        }
        return value
    }

    func list() throws -> [YAMLReader] {
        guard case .sequence(let sequence) = node else { throw error("a list") }
        return sequence.enumerated().map { YAMLReader(node: $1, field: "\(field)[\($0)]", file: file, title: title) }
    }

    /// A list of strings, or one string taken as a list of one.
    func stringList(_ expected: String) throws -> [String] {
        if case .scalar = node, !isNull { return [try string(expected)] }
        return try list().map { try $0.nonEmptyString(expected) }
    }

    func mapping(_ expected: String, allowed: [String]) throws -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error(expected) }
        var entries: [(key: String, reader: YAMLReader, keyNode: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else { throw error("field names as plain words") }
            let path = field.isEmpty ? key.string : "\(field).\(key.string)"
            let reader = YAMLReader(node: value, field: path, file: file, title: title)
            if !allowed.contains(key.string) {
                let keyReader = YAMLReader(node: keyNode, field: path, file: file, title: title)
                let hint = allowed.first { Self.isCloseSpelling($0, key.string) }.map { " (did you mean '\($0)'?)" } ?? ""
                let splitValue = key.string.contains(")") || key.string.first?.isNumber == true
                throw keyReader.error(
                    reason: "unknown field '\(key.string)'\(hint); expected one of \(allowed.joined(separator: ", "))",
                    remedy: splitValue ? "A comma inside {…} ends the value: quote it, as in type: \"numeric(14,2)\"." : nil
                )
            }
            if entries.contains(where: { $0.key == key.string }) {
                throw YAMLReader(node: keyNode, field: path, file: file, title: title).error(reason: "the field is given twice")
            }
            entries.append((key.string, reader, keyNode))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// Whether two words differ by at most one edit (insert, delete, replace, or swap of
    /// neighbours: the optimal-string-alignment distance): a likely typo.
    static func isCloseSpelling(_ a: String, _ b: String) -> Bool {
        guard a != b else { return false }
        let x = Array(a), y = Array(b)
        guard abs(x.count - y.count) <= 1 else { return false }
        var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { table[i][0] = i }
        for j in 0...y.count { table[0][j] = j }
        for i in stride(from: 1, through: x.count, by: 1) {
            for j in stride(from: 1, through: y.count, by: 1) {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[x.count][y.count] <= 1
    }
}

/// The fields of a YAML mapping, read by name.
struct YAMLMapping {
    let owner: YAMLReader
    let entries: [(key: String, reader: YAMLReader, keyNode: Node)]

    func optional(_ key: String) -> YAMLReader? {
        guard let reader = entries.first(where: { $0.key == key })?.reader, !reader.isNull else { return nil }
        return reader
    }

    /// Whether the field is written, even as `null`.
    func isPresent(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    func required(_ key: String, _ expected: String) throws -> YAMLReader {
        guard let reader = optional(key) else {
            throw owner.error(reason: "missing field '\(key)': expected \(expected)")
        }
        return reader
    }

    var keys: [String] { entries.map(\.key) }
}
