import GodwitCore

/// Renames a column or changes its type while old and new application versions both run
/// (expand/contract with dual writes, no `search_path` switching):
///
/// - expand: add the new column beside the old, and a trigger that keeps them in step both ways —
///   a write to the old column sets the new one to `up(row)`, a write to the new one sets the old
///   to `down(row)`; indexes on the column are built concurrently on the new one;
/// - backfill: fill the new column from the old in batches;
/// - verify: every row's new value equals `up(old)`, and NOT NULL is proven by a validated check;
/// - contract (after the gate): drop the trigger, park the old column under an archive name,
///   give the new column (and its indexes) the final names, set NOT NULL;
/// - cleanup: drop the parked column.
///
/// `up` and `down` are evaluated against the row itself — `(SELECT <expression> FROM (SELECT
/// (NEW).*) AS row)` — so they are written with plain column names.
struct PostgresColumnSwap {
    let table: Table
    let column: Column
    /// The column's final name.
    let finalName: String
    /// The column's final type.
    let finalType: String
    /// The new value from the old row, in column names (defaults to the old column).
    let up: String
    /// The old value from the new row (defaults to the new value). Like `up`, it names the column
    /// by its original name, which here stands for the new value.
    let down: String
    let migrationID: String

    private let writer = PostgresSchemaWriter()
    private let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)

    init(table: Table, column: Column, finalName: String, finalType: String, up: String?, down: String?, migrationID: String) {
        self.table = table
        self.column = column
        self.finalName = finalName
        self.finalType = finalType
        self.migrationID = migrationID
        let isRename = finalName != column.name
        let shadow = isRename ? finalName : Self.limit("_godwit_new_\(column.name)")
        let quoted = SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(column.name)
        self.up = up ?? quoted
        self.down = down ?? quoted
        _ = shadow
    }

    private var isRename: Bool { finalName != column.name }
    /// The new column's name during the transition.
    private var shadow: String { isRename ? finalName : Self.limit("_godwit_new_\(column.name)") }
    private var parked: String { Self.limit("_godwit_archive_\(migrationID)_\(column.name)") }
    private var function: QualifiedName { QualifiedName(schema: table.name.schema, Self.limit("godwit_\(migrationID)_sync_\(table.name.name)_\(column.name)")) }
    private var trigger: String { Self.limit("godwit_\(migrationID)_sync_\(column.name)") }

    /// The indexes that use the column as a plain key or included column.
    private var indexes: [Index] {
        table.indexes.filter { $0.elements.contains { !$0.isExpression && $0.expression == column.name } || $0.includedColumns.contains(column.name) }
    }

    /// Refuses what the swap cannot carry over yet: keys and constraints on the column.
    static func unsupportedReason(_ table: Table, _ column: String) -> String? {
        if table.primaryKey?.columns.contains(column) == true { return "it is part of the primary key" }
        if table.uniqueConstraints.contains(where: { $0.columns.contains(column) }) { return "a unique constraint uses it" }
        if table.foreignKeys.contains(where: { $0.columns.contains(column) }) { return "a foreign key uses it" }
        if table.checkConstraints.contains(where: { SQLText.mentions($0.expression, column) }) { return "a check constraint uses it" }
        if table.column(named: column)?.generated != nil || table.column(named: column)?.identity != nil { return "it is generated or an identity" }
        return nil
    }

    func steps() -> [PlanStep] {
        let t = quoter.quote(table.name), old = quoter.quote(column.name), new = quoter.quote(shadow)
        let fn = quoter.quote(function), tg = quoter.quote(trigger)
        // `up` reads the row as it is; `down` reads it with the column's name standing for the new value.
        func fromRow(_ expression: String) -> String { "(SELECT \(expression) FROM (SELECT (NEW).*) AS row)" }
        let downRow = table.columns.map { other in
            other.name == column.name ? "NEW.\(new) AS \(old)" : "NEW.\(quoter.quote(other.name)) AS \(quoter.quote(other.name))"
        }.joined(separator: ", ")
        func fromNewRow(_ expression: String) -> String { "(SELECT \(expression) FROM (SELECT \(downRow)) AS row)" }
        var shadowColumn = column
        shadowColumn.name = shadow
        shadowColumn.type = finalType
        shadowColumn.isNullable = true
        shadowColumn.comment = nil
        if shadowColumn.defaultExpression != nil, !isRename { shadowColumn.defaultExpression = nil }
        let body = """
            CREATE FUNCTION \(fn)() RETURNS trigger LANGUAGE plpgsql AS $godwit$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    IF NEW.\(new) IS NULL THEN
                        NEW.\(new) := \(fromRow(up));
                    ELSIF NEW.\(old) IS NULL THEN
                        NEW.\(old) := \(fromNewRow(down));
                    END IF;
                ELSIF NEW.\(old) IS DISTINCT FROM OLD.\(old) THEN
                    NEW.\(new) := \(fromRow(up));
                ELSIF NEW.\(new) IS DISTINCT FROM OLD.\(new) THEN
                    NEW.\(old) := \(fromNewRow(down));
                END IF;
                RETURN NEW;
            END
            $godwit$
            """
        let shadowIndexes = indexes.map { index -> (original: Index, shadow: Index) in
            var copy = index
            copy.name = Self.limit("_godwit_new_\(index.name)")
            copy.elements = index.elements.map { element in
                var element = element
                if !element.isExpression, element.expression == column.name { element.expression = shadow }
                return element
            }
            copy.includedColumns = index.includedColumns.map { $0 == column.name ? shadow : $0 }
            return (index, copy)
        }
        var steps = [
            PlanStep(phase: .expand, title: "Add \(table.name).\(shadow) beside \(column.name), kept in step by a trigger both ways",
                     forward: ["ALTER TABLE \(t) ADD COLUMN \(writer.columnDefinition(shadowColumn))", body,
                               "CREATE TRIGGER \(tg) BEFORE INSERT OR UPDATE ON \(t) FOR EACH ROW EXECUTE FUNCTION \(fn)()"],
                     reverse: ["DROP TRIGGER \(tg) ON \(t)", "DROP FUNCTION \(fn)()", "ALTER TABLE \(t) DROP COLUMN \(new)"],
                     lock: .accessExclusive, duration: .instant),
        ]
        for (_, index) in shadowIndexes {
            steps.append(PlanStep(phase: .expand, title: "Build \(index.name) on \(shadow) concurrently",
                                  forward: [writer.createIndex(index, on: table.name, concurrently: true)],
                                  reverse: ["DROP INDEX CONCURRENTLY IF EXISTS \(quoter.quote(QualifiedName(schema: table.name.schema, index.name)))"],
                                  isTransactional: false, lock: .shareUpdateExclusive, duration: .scan))
        }
        let key = table.primaryKey?.columns ?? []
        steps.append(PlanStep(
            phase: .backfill, title: "Backfill \(table.name).\(shadow) from \(column.name)",
            forward: ["UPDATE \(t) SET \(new) = \(up) WHERE \(new) IS DISTINCT FROM (\(up))"], reverse: [],
            lock: .rowExclusive, duration: .scan,
            backfill: Backfill(table: table.name, assignments: "\(new) = \(up)", condition: "\(new) IS DISTINCT FROM (\(up))", keyColumns: key, batchSize: Backfill.defaultBatchSize),
            checks: [StepCheck(name: "rows where \(shadow) differs from up(\(column.name))", sql: "SELECT count(*) FROM \(t) WHERE \(new) IS DISTINCT FROM (\(up))")]
        ))
        let check = quoter.quote(Self.limit("\(table.name.name)_\(shadow)_not_null"))
        if !column.isNullable {
            steps.append(PlanStep(phase: .verify, title: "Prove \(shadow) has no NULLs (CHECK NOT VALID, then VALIDATE)",
                                  forward: ["ALTER TABLE \(t) ADD CONSTRAINT \(check) CHECK (\(new) IS NOT NULL) NOT VALID",
                                            "ALTER TABLE \(t) VALIDATE CONSTRAINT \(check)"],
                                  reverse: ["ALTER TABLE \(t) DROP CONSTRAINT \(check)"], lock: .shareUpdateExclusive, duration: .scan))
        }
        // Each contract statement with its exact inverse; the undo runs the inverses backwards.
        var pairs: [(forward: String, inverse: String)] = [
            ("DROP TRIGGER \(tg) ON \(t)", "CREATE TRIGGER \(tg) BEFORE INSERT OR UPDATE ON \(t) FOR EACH ROW EXECUTE FUNCTION \(fn)()"),
            ("DROP FUNCTION \(fn)()", body),
        ]
        if !column.isNullable {
            pairs += [
                ("ALTER TABLE \(t) ALTER COLUMN \(new) SET NOT NULL", "ALTER TABLE \(t) ALTER COLUMN \(new) DROP NOT NULL"),
                ("ALTER TABLE \(t) DROP CONSTRAINT \(check)", "ALTER TABLE \(t) ADD CONSTRAINT \(check) CHECK (\(new) IS NOT NULL)"),
                ("ALTER TABLE \(t) ALTER COLUMN \(old) DROP NOT NULL", "ALTER TABLE \(t) ALTER COLUMN \(old) SET NOT NULL"),
            ]
        }
        let oldDefault = isRename ? nil : column.defaultExpression
        if let value = oldDefault {
            pairs.append(("ALTER TABLE \(t) ALTER COLUMN \(old) DROP DEFAULT", "ALTER TABLE \(t) ALTER COLUMN \(old) SET DEFAULT \(value)"))
        }
        // Undone after contract, the old column comes back as it was parked: rows new code wrote
        // or changed since hold stale values there (or NULL). They are set from the new column
        // through `down`, before the old column's NOT NULL returns.
        let rowColumns = table.columns.map { other in
            other.name == column.name ? "godwit_row.\(new) AS \(old)" : "godwit_row.\(quoter.quote(other.name)) AS \(quoter.quote(other.name))"
        }.joined(separator: ", ")
        let downOfRow = "(SELECT \(down) FROM (SELECT \(rowColumns)) AS row)"
        pairs.append(("", "UPDATE \(t) AS godwit_row SET \(old) = \(downOfRow) WHERE \(old) IS DISTINCT FROM \(downOfRow)"))
        pairs.append(("ALTER TABLE \(t) RENAME COLUMN \(old) TO \(quoter.quote(parked))", "ALTER TABLE \(t) RENAME COLUMN \(quoter.quote(parked)) TO \(old)"))
        if !isRename {
            pairs.append(("ALTER TABLE \(t) RENAME COLUMN \(new) TO \(old)", "ALTER TABLE \(t) RENAME COLUMN \(old) TO \(new)"))
            if let value = oldDefault {
                pairs.append(("ALTER TABLE \(t) ALTER COLUMN \(old) SET DEFAULT \(value)", "ALTER TABLE \(t) ALTER COLUMN \(old) DROP DEFAULT"))
            }
        }
        for (original, index) in shadowIndexes {
            let parkedIndex = Self.limit("_godwit_old_\(original.name)")
            let originalName = quoter.quote(QualifiedName(schema: table.name.schema, original.name))
            pairs += [
                ("ALTER INDEX \(originalName) RENAME TO \(quoter.quote(parkedIndex))",
                 "ALTER INDEX \(quoter.quote(QualifiedName(schema: table.name.schema, parkedIndex))) RENAME TO \(quoter.quote(original.name))"),
                ("ALTER INDEX \(quoter.quote(QualifiedName(schema: table.name.schema, index.name))) RENAME TO \(quoter.quote(original.name))",
                 "ALTER INDEX \(originalName) RENAME TO \(quoter.quote(index.name))"),
            ]
        }
        let contract = pairs.map(\.forward).filter { !$0.isEmpty }
        let undo = pairs.reversed().map(\.inverse)
        steps.append(PlanStep(phase: .contract, title: "Switch \(table.name) to \(finalName) \(finalType) and park the old \(column.name)",
                              forward: contract, reverse: undo, lock: .accessExclusive, duration: .instant))
        steps.append(PlanStep(phase: .cleanup, title: "Drop the parked column \(parked)", forward: ["ALTER TABLE \(t) DROP COLUMN \(quoter.quote(parked))"],
                              reverse: nil, lock: .accessExclusive, duration: .instant))
        return steps
    }

    /// PostgreSQL names hold 63 bytes.
    static func limit(_ name: String) -> String {
        var name = name
        while name.utf8.count > 63 { name.removeLast() }
        return name
    }
}
