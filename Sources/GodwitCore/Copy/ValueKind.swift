import Foundation

/// What a column holds, in terms both engines share: the basis of the type mapping between
/// SQLite and PostgreSQL, of value conversion during a copy, and of the canonical form in
/// which `verify` compares values across engines.
public enum ValueKind: String, Hashable, Codable, Sendable {
    case integer, boolean, decimal, float, text, blob, date, time, timestamp, timestamptz, uuid, json
    /// A type with no common counterpart (arrays, ranges, geometry…): copied as its text.
    case other

    /// The kind of a column declared `type` on `engine`.
    ///
    /// SQLite follows its affinity rules (https://www.sqlite.org/datatype3.html, 3.1): INT →
    /// integer; CHAR, CLOB, TEXT → text; BLOB or no type → blob; REAL, FLOA, DOUB → float;
    /// otherwise numeric — refined by the names applications use for dates and booleans
    /// (DATE, DATETIME, TIMESTAMP, TIME, BOOLEAN), which SQLite stores as text or numbers.
    public init(declaredType type: String, engine: Engine) {
        let lower = type.lowercased().trimmingWhitespace()
        switch engine {
        case .postgresql: self = Self.postgres(lower)
        case .sqlite: self = Self.sqlite(lower)
        }
    }

    private static func sqlite(_ type: String) -> ValueKind {
        if type.hasPrefix("bool") { return .boolean }
        if type.hasPrefix("datetime") || type.hasPrefix("timestamp") { return type.contains("tz") || type.contains("time zone") ? .timestamptz : .timestamp }
        if type == "date" { return .date }
        if type == "time" { return .time }
        if type.hasPrefix("uuid") { return .uuid }
        if type.hasPrefix("json") { return .json }
        if type.contains("int") { return .integer }
        if type.contains("char") || type.contains("clob") || type.contains("text") { return .text }
        if type.isEmpty || type.contains("blob") { return .blob }
        if type.contains("real") || type.contains("floa") || type.contains("doub") { return .float }
        return .decimal
    }

    private static func postgres(_ type: String) -> ValueKind {
        let base = type.split(separator: "(").first.map { String($0).trimmingWhitespace() } ?? type
        switch base {
        case "smallint", "integer", "bigint", "int2", "int4", "int8", "int", "smallserial", "serial", "bigserial": return .integer
        case "boolean", "bool": return .boolean
        case "numeric", "decimal", "money": return .decimal
        case "real", "double precision", "float4", "float8", "float": return .float
        case "text", "character varying", "varchar", "character", "char", "bpchar", "name", "citext": return .text
        case "bytea": return .blob
        case "date": return .date
        case "time", "time without time zone", "time with time zone", "timetz": return .time
        case "timestamp", "timestamp without time zone": return .timestamp
        case "timestamptz", "timestamp with time zone": return .timestamptz
        case "uuid": return .uuid
        case "json", "jsonb": return .json
        default:
            if base.hasPrefix("timestamp") { return base.contains("with time zone") ? .timestamptz : .timestamp }
            if base.hasPrefix("character") || base.hasPrefix("varchar") { return .text }
            return .other
        }
    }

}

/// The documented mapping of declared types between the engines (docs/type-mapping.md).
public enum TypeMapping {
    /// The PostgreSQL type for a SQLite column declared `type`.
    public static func postgresType(forSQLite type: String) -> String {
        let lower = type.lowercased().trimmingWhitespace()
        switch ValueKind(declaredType: type, engine: .sqlite) {
        case .integer: return "bigint"  // SQLite integers are 64-bit
        case .boolean: return "boolean"
        case .decimal:
            // NUMERIC(10,2) and DECIMAL(10,2) keep their precision; a bare NUMERIC stays unbounded.
            if let open = lower.firstIndex(of: "("), lower.hasPrefix("numeric") || lower.hasPrefix("decimal") {
                return "numeric" + lower[open...].replacingOccurrences(of: " ", with: "")
            }
            return "numeric"
        case .float: return "double precision"
        case .text: return "text"  // SQLite never enforces VARCHAR(n): a length limit could only reject rows
        case .blob: return "bytea"
        case .date: return "date"
        case .time: return "time"
        case .timestamp: return "timestamp"
        case .timestamptz: return "timestamptz"
        case .uuid: return "uuid"
        case .json: return "jsonb"
        case .other: return "text"
        }
    }

    /// The SQLite type for a PostgreSQL column declared `type`.
    public static func sqliteType(forPostgres type: String) -> String {
        switch ValueKind(declaredType: type, engine: .postgresql) {
        case .integer: "INTEGER"
        case .boolean: "BOOLEAN"
        case .decimal: type.lowercased().hasPrefix("numeric(") ? type.uppercased() : "NUMERIC"
        case .float: "REAL"
        case .text, .other: "TEXT"
        case .blob: "BLOB"
        case .date: "DATE"
        case .time: "TIME"
        case .timestamp: "DATETIME"
        case .timestamptz: "TIMESTAMPTZ"
        case .uuid: "UUID"
        case .json: "JSON"
        }
    }

    /// The target type for a column moved from `source` to `target`.
    public static func type(_ declared: String, from source: Engine, to target: Engine) -> String {
        switch (source, target) {
        case (.sqlite, .postgresql): postgresType(forSQLite: declared)
        case (.postgresql, .sqlite): sqliteType(forPostgres: declared)
        default: declared
        }
    }
}
