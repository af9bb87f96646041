/// PostgreSQL's locks and rewrites per operation, from the `ALTER TABLE` and `CREATE INDEX`
/// reference pages (https://www.postgresql.org/docs/current/sql-altertable.html,
/// https://www.postgresql.org/docs/current/sql-createindex.html), PostgreSQL 11 or later.
struct PostgresRules {
    let context: ClassificationContext

    func classify(_ operation: Operation) -> Classification {
        switch operation {
        case .createTable(let table):
            return Classification(kind: .additive, lock: .none, duration: .instant,
                                  reasons: ["CREATE TABLE \(table.name) locks only the new table."])
        case .dropTable(let name):
            return Classification(kind: .destructive, lock: .accessExclusive, duration: .instant, technique: "drop in contract, after an archive copy",
                                  reasons: ["DROP TABLE \(name) loses its rows and breaks code that reads it."])
        case .renameTable(let name, let newName):
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .instant,
                                  technique: "rename, with a view under the old name for old code",
                                  reasons: ["Code that names \(name) fails once it is called \(newName)."])
        case .addColumn(let change):
            return addColumn(change)
        case .dropColumn(let table, let column):
            return Classification(kind: .destructive, lock: .accessExclusive, duration: .instant,
                                  technique: "stop using it, then drop in contract after an archive copy",
                                  reasons: ["DROP COLUMN \(table).\(column) loses its values; PostgreSQL only marks it dropped, so the lock is brief."])
        case .renameColumn(let table, let from, let to):
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .instant,
                                  technique: "expand/contract: new column kept in step by triggers, backfill, then drop the old",
                                  reasons: ["Code that names \(table).\(from) fails once it is called \(to)."])
        case .alterColumn(let change):
            return alterColumn(change)
        case .createIndex(let table, let index):
            return Classification(kind: .additive, lock: .share, duration: .scan, technique: "CREATE INDEX CONCURRENTLY",
                                  reasons: ["CREATE INDEX \(index.name) holds SHARE on \(table), blocking writes while it reads every row; CONCURRENTLY does not."])
        case .dropIndex(let table, let name):
            return Classification(kind: .additive, lock: .accessExclusive, duration: .instant, technique: "DROP INDEX CONCURRENTLY",
                                  reasons: ["DROP INDEX \(name) takes ACCESS EXCLUSIVE on \(table) briefly; queries that used it get slower."])
        case .addConstraint(let table, let constraint):
            return addConstraint(constraint, on: table)
        case .dropConstraint(let table, let name):
            return Classification(kind: .additive, lock: .accessExclusive, duration: .instant,
                                  reasons: ["Dropping \(name) on \(table) loosens the rules; old code keeps working."])
        case .updateRows(let update):
            return Classification(kind: update.down == nil ? .destructive : .additive, lock: .rowExclusive, duration: .scan,
                                  technique: "batches of \(update.batchSize) rows by primary key",
                                  reasons: [update.down == nil
                                      ? "The update overwrites values and has no `down`, so they cannot be restored."
                                      : "The update can be undone with its `down`."])
        case .rawSQL(let raw):
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .scan, isTransactional: raw.isTransactional,
                                  isZeroDowntimePossible: false, risk: .medium,
                                  reasons: ["Godwit does not interpret raw SQL: it assumes the strongest lock and a full scan."])
        }
    }

    private func addColumn(_ change: AddColumn) -> Classification {
        let column = change.column
        let name = "\(change.table).\(column.name)"
        if let generated = column.generated {
            return Classification(kind: .additive, lock: .accessExclusive, duration: .rewrite, isZeroDowntimePossible: false,
                                  reasons: ["A stored generated column (\(generated.expression)) rewrites \(change.table) under ACCESS EXCLUSIVE."])
        }
        if let value = column.defaultExpression, VolatileExpression.isVolatile(value) {
            return Classification(kind: .additive, lock: .accessExclusive, duration: .rewrite,
                                  technique: "add without the default, set it, backfill in batches",
                                  reasons: ["The default \(value) is volatile, so every row is rewritten under ACCESS EXCLUSIVE."])
        }
        if !column.isNullable, column.defaultExpression == nil {
            let rows = context.rowCount(change.table) ?? 1
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .instant,
                                  technique: "add nullable, backfill, CHECK … NOT VALID, VALIDATE, SET NOT NULL",
                                  risk: rows > 0 ? .high : .low,
                                  reasons: ["\(name) is NOT NULL without a default: inserts from old code fail"
                                      + (rows > 0 ? ", and adding it fails on a table that has rows." : ".")])
        }
        var reasons = ["Adding \(name)"
            + (column.defaultExpression.map { " with the non-volatile default \($0)" } ?? " as nullable")
            + " changes only the catalog (PostgreSQL 11+)."]
        var verdict = Classification(kind: .additive, lock: .accessExclusive, duration: .instant, reasons: [])
        if let up = change.up {
            reasons.append("Existing rows are filled with \(up) by a batched backfill.")
            verdict.duration = .scan
            verdict.technique = "batched backfill"
        }
        verdict.reasons = reasons
        return verdict
    }

    private func alterColumn(_ change: AlterColumn) -> Classification {
        let name = "\(change.table).\(change.column)"
        var parts: [Classification] = []
        if let type = change.type {
            let current = context.liveTable(change.table)?.column(named: change.column)?.type
            if let current, TypeChange.isBinaryCoercible(from: current, to: type) {
                parts.append(Classification(kind: .additive, lock: .accessExclusive, duration: .instant,
                                            reasons: ["\(name) goes from \(current) to \(type), which needs no rewrite."]))
            } else {
                parts.append(Classification(kind: .breaking, lock: .accessExclusive, duration: .rewrite,
                                            technique: "expand/contract: shadow column kept in step by up/down triggers, backfill, swap",
                                            reasons: ["Changing \(name)\(current.map { " from \($0)" } ?? "") to \(type) rewrites the table under ACCESS EXCLUSIVE, and code that relies on the old type may fail."]))
            }
        }
        if let nullable = change.isNullable {
            if nullable {
                parts.append(Classification(kind: .additive, lock: .accessExclusive, duration: .instant,
                                            reasons: ["DROP NOT NULL on \(name) changes only the catalog; readers must now expect NULLs."]))
            } else {
                parts.append(Classification(kind: .breaking, lock: .accessExclusive, duration: .scan,
                                            technique: "CHECK (\(change.column) IS NOT NULL) NOT VALID, VALIDATE, then SET NOT NULL without a scan",
                                            reasons: ["SET NOT NULL on \(name) scans the table under ACCESS EXCLUSIVE, and old code that writes NULL fails."]))
            }
        }
        if change.defaultChange != nil {
            parts.append(Classification(kind: .additive, lock: .accessExclusive, duration: .instant,
                                        reasons: ["Changing the default of \(name) changes only the catalog."]))
        }
        if let check = change.check {
            parts.append(addConstraint(.check(check), on: change.table))
        }
        if change.isUnique == true {
            parts.append(addConstraint(.unique(UniqueConstraint(columns: [change.column])), on: change.table))
        }
        if let references = change.references {
            parts.append(addConstraint(.foreignKey(references), on: change.table))
        }
        return parts.dropFirst().reduce(parts.first ?? Classification(kind: .additive, lock: .none, duration: .instant)) {
            $0.combined(with: $1)
        }
    }

    private func addConstraint(_ constraint: Constraint, on table: QualifiedName) -> Classification {
        switch constraint {
        case .check(let check):
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .scan,
                                  technique: "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT under SHARE UPDATE EXCLUSIVE",
                                  reasons: ["CHECK (\(check.expression)) on \(table) scans every row under ACCESS EXCLUSIVE, and old code that breaks it fails."])
        case .foreignKey(let key):
            return Classification(kind: .breaking, lock: .shareRowExclusive, duration: .scan,
                                  technique: "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT",
                                  reasons: ["The foreign key to \(key.referencedTable) takes SHARE ROW EXCLUSIVE on both tables and scans \(table), blocking their writes."])
        case .unique(let unique):
            return Classification(kind: .breaking, lock: .share, duration: .scan,
                                  technique: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX",
                                  reasons: ["UNIQUE (\(unique.columns.joined(separator: ", "))) builds an index under SHARE, blocking writes to \(table); duplicates make it fail."])
        case .primaryKey(let key):
            return Classification(kind: .breaking, lock: .accessExclusive, duration: .scan,
                                  technique: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD PRIMARY KEY USING INDEX",
                                  reasons: ["PRIMARY KEY (\(key.columns.joined(separator: ", "))) builds its index under ACCESS EXCLUSIVE on \(table)."])
        }
    }
}

/// Type changes PostgreSQL makes without rewriting the table.
public enum TypeChange {
    /// Whether `from` → `to` is binary-coercible: a longer or unlimited `varchar`, `varchar` to
    /// `text`, a wider `numeric` of the same scale.
    public static func isBinaryCoercible(from: String, to: String) -> Bool {
        let source = normalized(from), target = normalized(to)
        if source == target { return true }
        if source.base == "character varying", ["text", "character varying"].contains(target.base) {
            guard target.base == "character varying" else { return true }
            guard let old = source.arguments.first else { return target.arguments.isEmpty }
            guard let new = target.arguments.first else { return true }
            return new >= old
        }
        if source.base == "numeric", target.base == "numeric" {
            if target.arguments.isEmpty { return true }
            guard source.arguments.count == 2, target.arguments.count == 2 else { return false }
            return target.arguments[0] >= source.arguments[0] && target.arguments[1] == source.arguments[1]
        }
        return false
    }

    private struct Spelled: Equatable {
        var base: String
        var arguments: [Int]
    }

    private static func normalized(_ type: String) -> Spelled {
        var text = type.lowercased().trimmingWhitespace()
        var arguments: [Int] = []
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") {
            arguments = text[text.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingWhitespace()) }
            text = String(text[..<open]).trimmingWhitespace()
        }
        return Spelled(base: PostgresTypeName.aliases[text] ?? text, arguments: arguments)
    }
}

/// PostgreSQL's own spelling of a type, as its catalogs print it: `timestamptz` → `timestamp
/// with time zone`, `varchar(20)` → `character varying(20)`, `int8` → `bigint`.
public enum PostgresTypeName {
    static let aliases = [
        "varchar": "character varying", "decimal": "numeric", "int": "integer", "int4": "integer", "int8": "bigint",
        "int2": "smallint", "bool": "boolean", "float8": "double precision", "float4": "real", "char": "character",
        "timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
        "timetz": "time with time zone", "time": "time without time zone", "varbit": "bit varying",
    ]

    public static func canonical(_ type: String) -> String {
        var text = type.lowercased().trimmingWhitespace()
        var suffix = ""
        while text.hasSuffix("[]") {
            suffix += "[]"
            text = String(text.dropLast(2)).trimmingWhitespace()
        }
        var arguments = ""
        if let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), close > open {
            arguments = "(" + text[text.index(after: open)..<close].split(separator: ",").map { $0.trimmingWhitespace() }.joined(separator: ",") + ")"
            text = String(text[..<open]).trimmingWhitespace()
        }
        let base = aliases[text] ?? text
        // `timestamp(3) with time zone`: PostgreSQL puts the precision after the word timestamp.
        if !arguments.isEmpty, base.hasPrefix("timestamp ") || base.hasPrefix("time ") {
            let parts = base.split(separator: " ", maxSplits: 1)
            return "\(parts[0])\(arguments) \(parts[1])" + suffix
        }
        return base + arguments + suffix
    }
}
