/// The precondition of a new unique index: the rows that share a key it is about to make
/// unique, counted before the build (which would only fail, naming one of them), so `plan` and
/// `lint` can count them in the live data first (GW130).
public enum UniqueIndexCheck {
    /// The check for `index` on `table`; nil for an index that is not unique.
    public static func duplicates(of index: Index, on table: QualifiedName, quoter: SQLIdentifierQuoter) -> StepCheck? {
        guard index.isUnique, !index.elements.isEmpty else { return nil }
        let keys = index.elements.map { $0.isExpression ? "(\($0.expression))" : quoter.quote($0.expression) }
        var conditions = index.predicate.map { ["(\($0))"] } ?? []
        // NULLs are distinct unless the index says otherwise: rows with a NULL key never clash.
        if index.areNullsDistinct { conditions += keys.map { "\($0) IS NOT NULL" } }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let key = keys.joined(separator: ", ")
        return StepCheck(
            name: "duplicates of (\(index.elements.map(\.expression).joined(separator: ", ")))",
            sql: "SELECT count(*) FROM (SELECT 1 FROM \(quoter.quote(table))\(filter) GROUP BY \(key) HAVING count(*) > 1) AS d",
            isPrecondition: true
        )
    }
}
