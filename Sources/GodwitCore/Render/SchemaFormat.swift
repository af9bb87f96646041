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
    /// `CREATE INDEX` for an index of `table`.
    func createIndex(_ index: Index, on table: QualifiedName) -> String
    /// `ALTER TABLE … ADD FOREIGN KEY`, or nil where an existing table cannot gain one (SQLite,
    /// whose foreign keys are written with the table).
    func addingForeignKey(_ key: ForeignKey, to table: QualifiedName) -> String?
    /// `CREATE TYPE` for an enum or `CREATE DOMAIN`, or nil where the engine has no such types.
    func creatingType(_ type: UserDefinedType) -> String?
    /// `CREATE SEQUENCE` for `sequence` (its `OWNED BY` left to ``owningSequence(_:)``), or nil
    /// where the engine has no sequences.
    func creatingSequence(_ sequence: SequenceDefinition) -> String?
    /// `ALTER SEQUENCE … OWNED BY` for a sequence that belongs to a column, or nil.
    func owningSequence(_ sequence: SequenceDefinition) -> String?
    /// `ALTER SEQUENCE` that gives an existing sequence exactly `sequence`'s type, start, step,
    /// bounds, cache and cycling, or nil where the engine has no sequences.
    func alteringSequence(to sequence: SequenceDefinition) -> String?
    /// `DROP SEQUENCE IF EXISTS`, or nil where the engine has no sequences.
    func droppingSequence(_ name: QualifiedName) -> String?
    /// `ALTER TABLE … ADD CONSTRAINT` for `constraint`, everything it declares included, or nil
    /// where the engine cannot add it to an existing table.
    func addingConstraint(_ constraint: Constraint, to table: QualifiedName) -> String?
}

/// A type a schema defines for its columns.
public enum UserDefinedType: Hashable, Sendable {
    case enumeration(EnumType)
    case domain(Domain)

    /// Its name.
    public var name: QualifiedName {
        switch self {
        case .enumeration(let type): type.name
        case .domain(let domain): domain.name
        }
    }
}
