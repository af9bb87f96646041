/// How a `drop_constraint` names a constraint that has no name of its own (SQLite's, written
/// inline without `CONSTRAINT name`): by its definition, as `CHECK (expression)`,
/// `UNIQUE (a, b)`, `PRIMARY KEY (a)` or `FOREIGN KEY (a) REFERENCES t (id)`. Diffs of SQLite
/// schemas use it so a constraint that goes can be dropped (by the table's rebuild) instead of
/// staying unsaid; a person may write it in a migration the same way.
public enum UnnamedConstraint {
    public static func label(_ check: CheckConstraint) -> String { "CHECK (\(check.expression))" }
    public static func label(_ unique: UniqueConstraint) -> String { "UNIQUE (\(unique.columns.joined(separator: ", ")))" }
    public static func label(_ key: PrimaryKey) -> String { "PRIMARY KEY (\(key.columns.joined(separator: ", ")))" }
    public static func label(_ key: ForeignKey) -> String {
        "FOREIGN KEY (\(key.columns.joined(separator: ", "))) REFERENCES \(key.referencedTable.name)"
            + (key.referencedColumns.isEmpty ? "" : " (\(key.referencedColumns.joined(separator: ", ")))")
    }
}
