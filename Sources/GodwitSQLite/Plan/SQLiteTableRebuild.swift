import Foundation
import GodwitCore

/// SQLite's 12-step table rebuild, for the changes `ALTER TABLE` cannot make
/// (https://www.sqlite.org/lang_altertable.html#otheralter):
///
/// 1. disable foreign keys (`PRAGMA foreign_keys = OFF`, outside the transaction);
/// 2. begin a transaction;
/// 3. remember the table's indexes and triggers, and the views and other triggers that name it;
/// 4. `CREATE TABLE` the new form under a temporary name;
/// 5. copy the rows (`INSERT INTO new SELECT … FROM old`);
/// 6. drop the old table (after dropping the views and triggers that name it, since SQLite 3.26+
///    refuses a rename that would leave them dangling);
/// 7. rename the new table to the old name;
/// 8. recreate the indexes, triggers and views;
/// 10. `PRAGMA foreign_key_check` must find nothing;
/// 11. commit; 12. enable foreign keys again.
struct SQLiteTableRebuild {
    let writer = SQLiteSchemaWriter()
    let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: false)

    /// The statements that turn `old` into `new`.
    /// - Parameters:
    ///   - sources: for each column of `new`, the SQL expression over the old row that gives its
    ///     value; columns without one take their default.
    ///   - schema: the schema around the table, for the views and triggers that name it.
    func statements(from old: Table, to new: Table, sources: [String: String], in schema: Schema) -> [String] {
        let temporary = QualifiedName(schema: new.name.schema, "_godwit_new_\(new.name.name)")
        var staging = new
        staging.name = temporary
        let views = dependentViews(of: old.name, in: schema)
        let triggers = schema.triggers.filter { $0.table == old.name || mentions($0.definition, old.name.name) }
        var statements: [String] = []
        statements.append(contentsOf: views.reversed().map { "DROP VIEW \(quoter.quote($0.name))" })
        statements.append(contentsOf: triggers.map { "DROP TRIGGER IF EXISTS \(quoter.quote($0.name))" })
        statements.append(writer.createTable(staging))
        let copied = new.columns.compactMap { column in column.generated == nil ? sources[column.name].map { (column.name, $0) } : nil }
        if !copied.isEmpty {
            statements.append(
                "INSERT INTO \(quoter.quote(temporary)) (\(quoter.quoteList(copied.map(\.0)))) SELECT "
                    + copied.map(\.1).joined(separator: ", ") + " FROM \(quoter.quote(old.name))"
            )
        }
        statements.append("DROP TABLE \(quoter.quote(old.name))")
        statements.append("ALTER TABLE \(quoter.quote(temporary)) RENAME TO \(quoter.quote(new.name.name))")
        statements.append(contentsOf: new.indexes.map { writer.createIndex($0, on: new.name) })
        statements.append(contentsOf: triggers.map(\.definition))
        statements.append(contentsOf: views.map(\.definition))
        return statements
    }

    /// The check run before commit: rows whose foreign keys point nowhere.
    func foreignKeyCheck(_ table: QualifiedName) -> StepCheck {
        StepCheck(name: "foreign keys of \(table)", sql: "SELECT count(*) FROM pragma_foreign_key_check(\(SQLIdentifierQuoter.literal(table.name)))")
    }

    /// Views that read `table`, directly or through other views, in dependency order.
    private func dependentViews(of table: QualifiedName, in schema: Schema) -> [View] {
        var names: Set<QualifiedName> = [table]
        var result: [View] = []
        var changed = true
        while changed {
            changed = false
            for view in schema.views where !names.contains(view.name) && view.dependencies.contains(where: names.contains) {
                names.insert(view.name)
                result.append(view)
                changed = true
            }
        }
        return DependencyOrder.sorted(result, name: \.name, dependencies: \.dependencies)
    }

    private func mentions(_ sql: String, _ name: String) -> Bool {
        SQLiteTokenizer.tokenize(sql).contains {
            ($0.kind == .word || $0.kind == .quotedIdentifier) && $0.identifier.caseInsensitiveCompare(name) == .orderedSame
        }
    }
}
