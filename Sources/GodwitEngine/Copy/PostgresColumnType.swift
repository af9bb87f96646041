import Foundation
import GodwitCore

/// What a PostgreSQL column's declared type is underneath, for moving its values: an array, an
/// enum (with its labels), a domain (its base type and checks), `money`, or a type the driver
/// reads as it is. Decides how a copy or a comparison selects the column — PostgreSQL names an
/// enum or array column by a type with no binary decoder here, so those are read as text — and
/// what the column becomes on SQLite (docs/type-mapping.md).
struct PostgresColumnType {
    enum Shape: Equatable {
        /// A type read as it is (integers, text, times, numeric, bytea, uuid, json…), or one of
        /// no common counterpart read as its text (`other`: tsvector, interval, inet, ranges…).
        case plain
        case array
        case enumeration(labels: [String])
        /// A domain over `base`, with its CHECK conditions (written with `VALUE`).
        case domain(base: String, checks: [String])
        case money
    }

    let declared: String
    let shape: Shape

    init(_ declared: String, in schema: Schema) {
        self.declared = declared
        let name = Self.bareName(declared)
        if declared.hasSuffix("]") {
            shape = .array
        } else if let type = schema.enums.first(where: { $0.name.name.lowercased() == name }) {
            shape = .enumeration(labels: type.labels)
        } else if let domain = schema.domains.first(where: { $0.name.name.lowercased() == name }) {
            shape = .domain(base: domain.baseType, checks: domain.checkConstraints.map(\.expression))
        } else if name == "money" {
            shape = .money
        } else {
            shape = .plain
        }
    }

    /// The type's name without schema, quotes or modifiers, lower-cased.
    private static func bareName(_ type: String) -> String {
        let unqualified = type.split(separator: ".").last.map(String.init) ?? type
        return unqualified.replacingOccurrences(of: "\"", with: "").lowercased().trimmingWhitespace()
    }

    /// The type whose values the column holds: a domain's base type, the declared type otherwise.
    var valueType: String {
        if case .domain(let base, _) = shape { return base }
        return declared
    }

    /// The kind of value the column's select yields (see ``select(_:into:)``).
    func kind(into engine: Engine) -> ValueKind {
        switch shape {
        case .array, .enumeration: engine == .sqlite ? .text : .other
        case .money: .decimal
        case .domain, .plain:
            ValueKind(declaredType: valueType, engine: .postgresql) == .other && engine == .sqlite ? .text
                : ValueKind(declaredType: valueType, engine: .postgresql)
        }
    }

    /// The SQL that reads the column (`quoted`) for a target of `engine`: as it is where the
    /// driver decodes it (a domain is described by its base type), as its text otherwise, an
    /// array as JSON text for SQLite, `money` as numeric.
    func select(_ quoted: String, into engine: Engine) -> String {
        switch shape {
        case .array: engine == .sqlite ? "array_to_json(\(quoted))::text" : "\(quoted)::text"
        case .enumeration: "\(quoted)::text"
        case .money: "\(quoted)::numeric"
        case .domain, .plain: ValueKind(declaredType: valueType, engine: .postgresql) == .other ? "\(quoted)::text" : quoted
        }
    }

    /// The column's declared type in a target of `engine`.
    func targetType(into engine: Engine) -> String {
        guard engine == .sqlite else { return declared }
        switch shape {
        case .array, .enumeration: return "TEXT"
        case .money: return "NUMERIC"
        case .domain, .plain: return TypeMapping.sqliteType(forPostgres: valueType)
        }
    }

    /// SQLite CHECK conditions that keep what the type enforced on PostgreSQL: an enum's labels;
    /// a domain's checks where their SQL reads the same on SQLite (no `::` casts or `~` matches).
    func sqliteChecks(column: String) -> [String] {
        switch shape {
        case .enumeration(let labels):
            return ["\(Engine.sqlite.quoter.quote(column)) IN (\(labels.map(SQLIdentifierQuoter.literal).joined(separator: ", ")))"]
        case .domain(_, let checks):
            let renamer = ExpressionRenamer(from: .postgresql, to: .sqlite, columns: ["value": column])
            return checks.compactMap { check in
                guard !check.contains("::"), !check.contains("~") else { return nil }
                return renamer.rewrite(check)
            }
        default:
            return []
        }
    }
}
