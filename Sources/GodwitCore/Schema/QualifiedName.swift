/// The name of a schema object, qualified by its namespace where the engine has namespaces.
///
/// SQLite objects live in one namespace (`main`) and carry `schema == nil`; PostgreSQL objects
/// always carry their schema (`public`, …). Names compare schema first, then name.
public struct QualifiedName: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The namespace (a PostgreSQL schema), or `nil` on engines without namespaces.
    public var schema: String?
    /// The object's own name, as stored by the engine (not quoted).
    public var name: String

    public init(schema: String? = nil, _ name: String) {
        self.schema = schema
        self.name = name
    }

    /// `schema.name`, or `name` alone when there is no schema. Not quoted: for people, not SQL.
    public var description: String {
        if let schema { return "\(schema).\(name)" }
        return name
    }

    public static func < (lhs: QualifiedName, rhs: QualifiedName) -> Bool {
        (lhs.schema ?? "", lhs.name) < (rhs.schema ?? "", rhs.name)
    }
}

/// A column of a table, named by its table.
public struct ColumnReference: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var table: QualifiedName
    public var column: String

    public init(table: QualifiedName, column: String) {
        self.table = table
        self.column = column
    }

    public var description: String { "\(table).\(column)" }

    public static func < (lhs: ColumnReference, rhs: ColumnReference) -> Bool {
        (lhs.table, lhs.column) < (rhs.table, rhs.column)
    }
}

extension QualifiedName {
    /// The name made usable inside another identifier: `public.Order Lines` → `public_order_lines`.
    public var identifierText: String {
        let raw = ([schema].compactMap { $0 } + [name]).joined(separator: "_").lowercased()
        return String(raw.map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
