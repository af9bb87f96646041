/// The forms in which `godwit inspect` writes a schema.
public enum SchemaFormat: String, Sendable, CaseIterable {
    /// A listing for people at a terminal.
    case text
    /// The model itself, for machines (``SchemaJSON``).
    case json
    /// DDL that recreates the schema on the same engine.
    case sql
    /// A "data architecture" document with a Mermaid ER diagram.
    case markdown
}

/// Writes a schema as SQL DDL for one engine; each driver provides one.
public protocol SchemaScriptWriter: Sendable {
    /// A script that creates every object of `schema` in an empty database, in dependency order.
    func createScript(for schema: Schema) -> String
    /// `CREATE TABLE` for one table, with its keys, checks and foreign keys.
    func createTable(_ table: Table) -> String
}
