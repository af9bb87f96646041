/// The precondition of a new unique index: the rows that share a key it is about to make
/// unique, counted before the build (which would only fail, naming one of them), so `plan` and
/// `lint` can count them in the live data first (GW130).
public enum UniqueIndexCheck {
    /// The check for `index` on `table`; nil for an index that is not unique.
    public static func duplicates(of index: Index, on table: QualifiedName, quoter: SQLIdentifierQuoter) -> StepCheck? {
        guard index.isUnique, !index.elements.isEmpty else { return nil }
        let keys = index.elements.map { $0.isExpression ? "(\($0.expression))" : quoter.quote($0.expression) }
        return check(names: index.elements.map(\.expression), keys: keys, predicate: index.predicate,
                     nullsDistinct: index.areNullsDistinct, on: table, quoter: quoter)
    }

    /// The check for a unique key over plain `columns` (a UNIQUE constraint, a unique column).
    public static func duplicates(of columns: [String], on table: QualifiedName, quoter: SQLIdentifierQuoter) -> StepCheck {
        check(names: columns, keys: columns.map(quoter.quote), predicate: nil, nullsDistinct: true, on: table, quoter: quoter)
    }

    private static func check(names: [String], keys: [String], predicate: String?, nullsDistinct: Bool,
                              on table: QualifiedName, quoter: SQLIdentifierQuoter) -> StepCheck {
        var conditions = predicate.map { ["(\($0))"] } ?? []
        // NULLs are distinct unless the index says otherwise: rows with a NULL key never clash.
        if nullsDistinct { conditions += keys.map { "\($0) IS NOT NULL" } }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return StepCheck(
            name: "duplicates of (\(names.joined(separator: ", ")))",
            sql: "SELECT count(*) FROM (SELECT 1 FROM \(quoter.quote(table))\(filter) GROUP BY \(keys.joined(separator: ", ")) HAVING count(*) > 1) AS d",
            isPrecondition: true
        )
    }
}
