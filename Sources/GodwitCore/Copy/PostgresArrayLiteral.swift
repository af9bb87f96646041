import Foundation

/// PostgreSQL's array literal (`{a,"b c",NULL}`) for a JSON array, the form a copy gives a
/// PostgreSQL array in SQLite (`array_to_json`): so the array comes back where the copy file
/// declares the column an array type again.
public enum PostgresArrayLiteral {
    /// `["a", "b c", null, 3]` → `{"a","b c",NULL,3}`; nested arrays become nested braces.
    public static func fromJSON(_ json: String) throws -> String {
        guard case .array(let elements)? = try? JSONDecoder().decode(Element.self, from: Data(json.utf8)) else {
            throw ConversionFailure("not a JSON array, which the copy file's array type needs")
        }
        return try literal(elements)
    }

    private indirect enum Element: Decodable {
        case null, flag(Bool), number(String), text(String), array([Element]), object

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if value.decodeNil() { self = .null }
            else if let flag = try? value.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? value.decode(Decimal.self) { self = .number("\(number)") }
            else if let text = try? value.decode(String.self) { self = .text(text) }
            else if let array = try? value.decode([Element].self) { self = .array(array) }
            else { self = .object }
        }
    }

    private static func literal(_ elements: [Element]) throws -> String {
        "{" + (try elements.map { element in
            switch element {
            case .null: return "NULL"
            case .flag(let flag): return flag ? "t" : "f"
            case .number(let number): return number
            case .text(let text):
                return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case .array(let nested): return try literal(nested)
            case .object: throw ConversionFailure("a JSON object inside an array, which a PostgreSQL array cannot hold")
            }
        }).joined(separator: ",") + "}"
    }
}
