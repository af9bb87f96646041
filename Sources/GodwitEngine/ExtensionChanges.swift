import GodwitCore

/// The statements that take a schema's extensions to another's, which schema operations leave
/// out: extensions created, to run before the operations (a column may use a type one brings),
/// each with its undo; and extensions dropped, to run after them, once nothing uses them. Empty
/// on an engine without extensions.
struct ExtensionChanges {
    /// `CREATE EXTENSION IF NOT EXISTS` for each extension `desired` has and `current` lacks.
    let creating: [String]
    /// What undoes `creating`: those extensions dropped, newest first.
    let undoCreating: [String]
    /// `DROP EXTENSION` for each extension `current` has and `desired` lacks.
    let dropping: [String]

    init(from current: Schema, to desired: Schema) {
        let quoter = current.engine.quoter
        let drop = { (item: Extension) in "DROP EXTENSION IF EXISTS \(quoter.quote(item.name))" }
        let added = desired.extensions.filter { item in !current.extensions.contains { $0.name == item.name } }
        creating = added.map { "CREATE EXTENSION IF NOT EXISTS \(quoter.quote($0.name)) WITH SCHEMA \(quoter.quote($0.schema))" }
        undoCreating = added.reversed().map(drop)
        dropping = current.extensions.filter { item in !desired.extensions.contains { $0.name == item.name } }.reversed().map(drop)
    }
}
