import GodwitCore

/// The statements that take a schema's enums and domains to another's, which schema operations
/// leave out: types created (enums before the domains that may build on them) and labels added
/// to an enum, to run before the operations; types dropped (domains first), to run after them,
/// once no column uses them. An enum losing labels or a domain whose definition changes has no
/// `ALTER` that does it: each is named in ``warnings``. Empty on an engine without such types.
struct TypeChanges {
    let first: [String]
    /// What undoes `first` where anything can: the created types dropped, newest first (an
    /// enum's added labels stay).
    let undoFirst: [String]
    let last: [String]
    let warnings: [String]

    init(from current: Schema, to desired: Schema) {
        let writer = DatabaseConnector.schemaWriter(for: current.engine), quoter = current.engine.quoter
        let before = current.enums.map(UserDefinedType.enumeration) + current.domains.map(UserDefinedType.domain)
        let after = desired.enums.map(UserDefinedType.enumeration) + desired.domains.map(UserDefinedType.domain)
        func drop(_ type: UserDefinedType) -> String {
            if case .domain = type { "DROP DOMAIN \(quoter.quote(type.name))" } else { "DROP TYPE \(quoter.quote(type.name))" }
        }
        var first: [String] = [], undoFirst: [String] = [], last: [String] = [], warnings: [String] = []
        for type in after {
            guard let old = before.first(where: { $0.name == type.name }) else {
                guard let create = writer.creatingType(type) else { continue }
                first.append(create)
                undoFirst.insert(drop(type), at: 0)
                continue
            }
            guard old != type else { continue }
            if case .enumeration(let was) = old, case .enumeration(let now) = type, Set(was.labels).isSubset(of: now.labels) {
                for (position, label) in now.labels.enumerated() where !was.labels.contains(label) {
                    let anchor = position > 0 ? " AFTER \(SQLIdentifierQuoter.literal(now.labels[position - 1]))"
                        : now.labels.count > 1 ? " BEFORE \(SQLIdentifierQuoter.literal(now.labels[1]))" : ""
                    first.append("ALTER TYPE \(quoter.quote(now.name)) ADD VALUE \(SQLIdentifierQuoter.literal(label))\(anchor)")
                }
            } else {
                warnings.append("\(type.name) changes in a way no ALTER expresses (an enum losing labels, a domain's definition)")
            }
        }
        for type in before.reversed() where !after.contains(where: { $0.name == type.name }) {
            last.append(drop(type))
        }
        self.first = current.engine == .postgresql ? first : []
        self.undoFirst = current.engine == .postgresql ? undoFirst : []
        self.last = current.engine == .postgresql ? last : []
        self.warnings = warnings
    }
}
