/// How `godwit copy` names target tables and columns when the copy file gives no explicit name:
/// as they are, or in snake_case (`InvoiceLine` → `invoice_line`, `TrackId` → `track_id`,
/// `HTTPServer` → `http_server`), the whole-schema rule for moving a SQLite schema written in
/// PascalCase to PostgreSQL's lower-case convention.
public enum NameRule: String, CaseIterable, Codable, Sendable {
    case asIs = "as_is"
    case snakeCase = "snake_case"
    case lowerCase = "lower_case"

    public func apply(_ name: String) -> String {
        switch self {
        case .asIs: name
        case .lowerCase: name.lowercased()
        case .snakeCase: Self.snakeCased(name)
        }
    }

    /// A word boundary falls before a capital that follows a small letter or digit, and before
    /// the last capital of a run that a small letter follows (`HTTPServer`); spaces and hyphens
    /// become underscores.
    static func snakeCased(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (index, character) in characters.enumerated() {
            if character == " " || character == "-" {
                if !out.hasSuffix("_") { out.append("_") }
                continue
            }
            if character.isUppercase, index > 0, !out.hasSuffix("_") {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    out.append("_")
                }
            }
            out.append(contentsOf: character.lowercased())
        }
        return out
    }
}
