/// Orders items so that each comes after the items it depends on (a stable topological sort).
///
/// Items keep their given order where no dependency says otherwise, so a canonical input gives
/// a canonical output. Dependencies on names outside the set are ignored; a cycle is broken by
/// emitting its remaining items in their given order.
public enum DependencyOrder {
    /// Sorts `items` so every item follows its dependencies.
    /// - Parameters:
    ///   - items: the items, in a stable base order.
    ///   - name: the item's name.
    ///   - dependencies: the names the item needs first.
    /// - Returns: the items in dependency order.
    public static func sorted<Item>(
        _ items: [Item],
        name: (Item) -> QualifiedName,
        dependencies: (Item) -> [QualifiedName]
    ) -> [Item] {
        let names = items.map(name)
        let known = Set(names)
        var emitted = Set<QualifiedName>()
        var done = [Bool](repeating: false, count: items.count)
        var result: [Item] = []
        result.reserveCapacity(items.count)
        while result.count < items.count {
            var progressed = false
            for index in items.indices where !done[index] {
                let needs = dependencies(items[index]).filter { known.contains($0) && $0 != names[index] }
                if needs.allSatisfy(emitted.contains) {
                    done[index] = true
                    emitted.insert(names[index])
                    result.append(items[index])
                    progressed = true
                }
            }
            if !progressed, let index = items.indices.first(where: { !done[$0] }) {
                done[index] = true
                emitted.insert(names[index])
                result.append(items[index])
            }
        }
        return result
    }
}
