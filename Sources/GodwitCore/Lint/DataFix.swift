/// What to do about rows a change would trip on, by the kind of change: the fix `plan` and
/// `lint` print beside a count of them (GW130).
public enum DataFix {
    /// The fix for rows of `table` that `operation` would reject.
    public static func text(for operation: Operation, table: QualifiedName, engine: Engine) -> String {
        let quoter = engine.quoter
        let quotedTable = quoter.quote(table)
        switch operation {
        case .alterColumn(let change) where change.isNullable == false:
            let column = quoter.quote(change.column)
            return "fill them first (`update_rows: {table: \(table), set: \"\(column) = …\", where: \"\(column) IS NULL\"}` before this operation), or keep \(change.column) nullable"
        case .alterColumn(let change) where change.isUnique == true:
            return duplicates([change.column], table: quotedTable, quoter: quoter)
        case .createIndex(_, let index) where index.isUnique:
            return duplicates(index.elements.map(\.expression), table: quotedTable, quoter: quoter)
        case .addConstraint(_, .unique(let unique)):
            return duplicates(unique.columns, table: quotedTable, quoter: quoter)
        case .addConstraint(_, .primaryKey(let key)):
            return "fill the NULLs and merge or delete the duplicates of (\(key.columns.joined(separator: ", "))) first"
        case .addConstraint(_, .foreignKey(let key)):
            return "delete the orphans, point them at \(key.referencedTable) rows that exist, or set \(key.columns.joined(separator: ", ")) NULL first"
        case .alterColumn(let change) where change.references != nil:
            return "delete the orphans, point them at rows that exist, or set \(change.column) NULL first"
        case .addConstraint(_, .check(let check)):
            return "update the rows first (they are `SELECT * FROM \(quotedTable) WHERE NOT (\(check.expression))`), or loosen the CHECK"
        case .alterColumn(let change) where change.check != nil:
            return "update the rows first (they are `SELECT * FROM \(quotedTable) WHERE NOT (\(change.check!.expression))`), or loosen the CHECK"
        case .alterColumn(let change) where change.type != nil:
            return "fix the values of \(change.column) that do not fit \(change.type!) first, or give an `up` that converts them"
        default:
            return "an `update_rows` on \(table) before this operation, or a change the rows fit"
        }
    }

    private static func duplicates(_ columns: [String], table: String, quoter: SQLIdentifierQuoter) -> String {
        let list = columns.map { quoter.quote($0) }.joined(separator: ", ")
        return "merge or delete the duplicates first (they are `SELECT \(list), count(*) FROM \(table) GROUP BY \(list) HAVING count(*) > 1`)"
    }
}
