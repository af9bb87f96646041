import Foundation
import Yams

/// Reads a queries file: the application's important queries, named, each with sample
/// parameters for its `$1`, `$2`… (both engines read `$n`):
///
/// ```yaml
/// queries:
///   - name: orders of a customer
///     sql: SELECT id, total FROM orders WHERE customer_id = $1
///     params: [42]
/// ```
///
/// Only reading statements are allowed (`SELECT`, `WITH … SELECT`, `VALUES`, `TABLE`): they are
/// replayed on production by `baseline capture` and `verify --baseline`.
public struct QueriesFileParser: Sendable {
    public init() {}

    public func parse(_ text: String, file: String) throws -> [CapturedQuery] {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw GodwitError(.invalidArgument, "Invalid queries file", location: file, reason: "the file is empty",
                                  remedy: "Write `queries:` with a list of {name, sql, params}.")
            }
            root = node
        } catch let error as YamlError {
            var translated = MigrationFileParser.translate(error, file: file)
            translated.summary = "Invalid queries file"
            throw translated
        }
        var document = YAMLReader(node: root, field: "", file: file)
        document.title = "Invalid queries file"
        let entries = try document.mapping("a mapping with `queries:`", allowed: ["queries"]).required("queries", "a list of queries").list()
        var names: Set<String> = []
        return try entries.map { entry in
            let fields = try entry.mapping("a query: name, sql, params", allowed: ["name", "sql", "params"])
            let nameReader = try fields.required("name", "a name for the query")
            let name = try nameReader.nonEmptyString("a name for the query")
            guard names.insert(name).inserted else { throw nameReader.error(reason: "the name '\(name)' is used twice", remedy: "Give each query its own name.") }
            let sqlReader = try fields.required("sql", "the query's SQL")
            let sql = try sqlReader.nonEmptyString("the query's SQL")
            guard Self.isReading(sql) else {
                throw sqlReader.error(reason: "only reading queries are replayed (SELECT, WITH … SELECT, VALUES, TABLE)",
                                      remedy: "Leave writes out: the baseline runs its queries on the live database, read-only.")
            }
            let parameters = try fields.optional("params")?.list().map(Self.parameter) ?? []
            let needed = QueryParameter.placeholders(in: sql)
            guard parameters.count >= needed else {
                throw sqlReader.error(reason: "the query uses $\(needed) but `params` gives \(parameters.count) values",
                                      remedy: "Give a sample value for every $n, in order.")
            }
            return CapturedQuery(name: name, sql: sql, parameters: parameters)
        }
    }

    private static func parameter(_ reader: YAMLReader) throws -> QueryParameter {
        guard case .scalar(let scalar) = reader.node else { throw reader.error("a value: a number, text or null") }
        if reader.isNull { return .null }
        if scalar.style == .plain, let integer = Int64(scalar.string) { return .integer(integer) }
        if scalar.style == .plain, let real = Double(scalar.string) { return .real(real) }
        return .text(scalar.string)
    }

    /// Whether `sql` only reads: its first word is SELECT, WITH, VALUES or TABLE, and no word of
    /// it writes (outside quotes it is checked word by word).
    static func isReading(_ sql: String) -> Bool {
        let words = sql.uppercased().split { !($0.isLetter || $0 == "_") }
        guard let first = words.first, ["SELECT", "WITH", "VALUES", "TABLE"].contains(String(first)) else { return false }
        let writes: Set<Substring> = ["INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "DROP", "ALTER", "CREATE", "GRANT", "COPY", "CALL"]
        return !words.contains { writes.contains($0) }
    }
}
