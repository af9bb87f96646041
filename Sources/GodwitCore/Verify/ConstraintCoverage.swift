/// What a table is meant to enforce — its primary key, unique constraints, checks and foreign
/// keys — that another database's copy of it does not: a copy whose rows agree but whose
/// target lost a foreign key is not a faithful copy, and must not be cut over to.
///
/// Keys, uniques and foreign keys match by their columns (and referenced table and columns);
/// a named check by its name, unnamed checks by how many checks remain. A foreign key or check
/// present but not validated counts as missing: it does not hold for the rows already there.
public enum ConstraintCoverage {
    /// Each constraint of `expected` that `actual` lacks, in words ("foreign key (parent_id) →
    /// public.parent (id)"); every one of them when `actual` is nil.
    public static func missing(expected: Table, actual: Table?) -> [String] {
        guard let actual else { return describeAll(expected) }
        var missing: [String] = []
        if let key = expected.primaryKey, !sameColumns(key.columns, actual.primaryKey?.columns ?? []) {
            missing.append("primary key (\(key.columns.joined(separator: ", ")))")
        }
        for unique in expected.uniqueConstraints where !actual.enforcesUnique(unique.columns) {
            missing.append("unique (\(unique.columns.joined(separator: ", ")))")
        }
        for key in expected.foreignKeys where !actual.foreignKeys.contains(where: { $0.isValidated && matches($0, key) }) {
            missing.append(describe(key))
        }
        let validChecks = actual.checkConstraints.filter(\.isValidated)
        let actualNames = Set(validChecks.compactMap { $0.name?.lowercased() })
        var namedMatches = 0
        var unnamed: [CheckConstraint] = []
        for check in expected.checkConstraints {
            if let name = check.name?.lowercased() {
                if actualNames.contains(name) { namedMatches += 1 } else { missing.append("check \(check.name ?? "") (\(check.expression))") }
            } else {
                unnamed.append(check)
            }
        }
        // Unnamed checks get names from the target engine; only their number can be compared.
        let spare = validChecks.count - namedMatches
        for check in unnamed.dropFirst(max(0, spare)) { missing.append("check (\(check.expression))") }
        return missing
    }

    /// Every constraint of `table`, in the words ``missing(expected:actual:)`` uses.
    public static func describeAll(_ table: Table) -> [String] {
        (table.primaryKey.map { ["primary key (\($0.columns.joined(separator: ", ")))"] } ?? [])
            + table.uniqueConstraints.map { "unique (\($0.columns.joined(separator: ", ")))" }
            + table.foreignKeys.map(describe)
            + table.checkConstraints.map { "check \($0.name.map { $0 + " " } ?? "")(\($0.expression))" }
    }

    static func describe(_ key: ForeignKey) -> String {
        "foreign key (\(key.columns.joined(separator: ", "))) → \(key.referencedTable) (\(key.referencedColumns.joined(separator: ", ")))"
    }

    static func matches(_ a: ForeignKey, _ b: ForeignKey) -> Bool {
        sameColumns(a.columns, b.columns) && sameColumns(a.referencedColumns, b.referencedColumns)
            && a.referencedTable.name.lowercased() == b.referencedTable.name.lowercased()
    }

    static func sameColumns(_ a: [String], _ b: [String]) -> Bool {
        a.map { $0.lowercased() } == b.map { $0.lowercased() }
    }
}

extension Table {
    /// Whether a unique constraint, the primary key or a plain unique index covers exactly `columns`.
    func enforcesUnique(_ columns: [String]) -> Bool {
        let wanted = Set(columns.map { $0.lowercased() })
        let sets = uniqueConstraints.map(\.columns) + (primaryKey.map { [$0.columns] } ?? [])
            + indexes.filter { $0.isUnique && $0.predicate == nil && !$0.elements.contains(where: \.isExpression) }.map { $0.elements.map(\.expression) }
        return sets.contains { Set($0.map { $0.lowercased() }) == wanted && $0.count == columns.count }
    }
}
