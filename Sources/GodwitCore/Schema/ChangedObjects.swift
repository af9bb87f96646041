/// The objects that differ between two schemas, by the names a reading is asked for: each
/// table, view, sequence, type and function that one has and the other lacks or holds
/// differently; a trigger, rule or statistics object counts as its table.
///
/// What `apply` reads again after a SQL migration, from the plan's schema before and its
/// target: the rest of the database is as the reading before the migration found it.
public enum ChangedObjects {
    /// The names, or nil when a schema itself differs (every object in it prints its name, so
    /// only a whole reading will do).
    public static func between(_ before: Schema, _ after: Schema) -> Set<QualifiedName>? {
        guard before.namespaces == after.namespaces else { return nil }
        var names = Set<QualifiedName>()
        func collect<Item: Equatable>(_ old: [Item], _ new: [Item], _ name: (Item) -> QualifiedName) {
            let oldByName = Dictionary(grouping: old, by: name)
            let newByName = Dictionary(grouping: new, by: name)
            for key in Set(oldByName.keys).union(newByName.keys) where oldByName[key] != newByName[key] {
                names.insert(key)
            }
        }
        collect(before.removingStatistics().tables, after.removingStatistics().tables, \.name)
        collect(before.views, after.views, \.name)
        collect(before.sequences, after.sequences, \.name)
        collect(before.enums, after.enums, \.name)
        collect(before.domains, after.domains, \.name)
        collect(before.compositeTypes, after.compositeTypes, \.name)
        collect(before.functions, after.functions, \.name)
        collect(before.triggers, after.triggers, \.table)
        collect(before.rules, after.rules, \.table)
        collect(before.extendedStatistics, after.extendedStatistics, \.table)
        return names
    }
}
