extension Table {
    /// Whether the column is part of the primary key.
    public func isPrimaryKeyColumn(_ column: String) -> Bool {
        primaryKey?.columns.contains(column) ?? false
    }

    /// The foreign keys that include the column.
    public func foreignKeys(including column: String) -> [ForeignKey] {
        foreignKeys.filter { $0.columns.contains(column) }
    }

    /// Whether a single-column unique constraint or unique index covers exactly this column.
    public func isUniqueColumn(_ column: String) -> Bool {
        uniqueConstraints.contains { $0.columns == [column] }
            || indexes.contains { $0.isUnique && !$0.isPartial && $0.elements == [.column(column)] }
    }

    /// Short tags for a column: `PK`, `FK → table(col)`, `UNIQUE`, `IDENTITY`, `GENERATED`.
    public func tags(for column: Column) -> [String] {
        var tags: [String] = []
        if isPrimaryKeyColumn(column.name) {
            tags.append(primaryKey?.isAutoincrement == true ? "PK AUTOINCREMENT" : "PK")
        }
        for key in foreignKeys(including: column.name) {
            let target = key.referencedColumns.isEmpty ? "" : "(\(key.referencedColumns.joined(separator: ", ")))"
            tags.append("FK → \(key.referencedTable)\(target)")
        }
        if isUniqueColumn(column.name) { tags.append("UNIQUE") }
        if let identity = column.identity {
            tags.append(identity.generation == .always ? "IDENTITY ALWAYS" : "IDENTITY BY DEFAULT")
        }
        if let generated = column.generated { tags.append("GENERATED \(generated.storage.rawValue.uppercased())") }
        if column.isInherited { tags.append("INHERITED") }
        return tags
    }
}
