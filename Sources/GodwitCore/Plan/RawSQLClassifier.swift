/// Classifies hand-written SQL from what it was seen to do, not from fear.
///
/// The kind (additive, breaking, destructive) comes from the changes the scratch run found
/// (``SQLEffect/operations``), judged by the same rules as Godwit's own operations, and from its
/// data statements. The lock and its duration come from the statements as written — a
/// `CREATE INDEX` without `CONCURRENTLY` holds SHARE for a scan, whatever Godwit would have done —
/// and the risk from the live size of the tables they lock. SQL that was not run on a scratch
/// is assumed to be breaking and to take the strongest lock.
struct RawSQLClassifier {
    let context: ClassificationContext

    func classify(_ raw: RawSQL) -> Classification {
        guard let effect = raw.effect else {
            let destroys = SQLScript.statements(in: raw.up, engine: context.engine).contains {
                $0.starts(with: "DELETE") || $0.starts(with: "TRUNCATE") || $0.starts(with: "DROP", "TABLE") || $0.starts(with: "DROP", "SCHEMA")
            }
            return Classification(kind: destroys ? .destructive : .breaking, lock: context.engine == .sqlite ? .databaseWrite : .accessExclusive, duration: .scan,
                                  isTransactional: raw.isTransactional, isZeroDowntimePossible: false, risk: .medium,
                                  reasons: ["The SQL was not run on a scratch copy, so Godwit assumes the strongest lock and a full scan."])
        }
        let statements = SQLScript.statements(in: raw.up, engine: context.engine).filter { !$0.isMetaCommand && $0.transactionControl == nil }
        let created = Set(effect.after.tables.map(\.name)).subtracting(effect.before.tables.map(\.name))
        var verdict = Classification(kind: .additive, lock: .none, duration: .instant, isTransactional: raw.isTransactional,
                                     reasons: effect.changesSchema ? [] : ["The SQL changes no schema object."])
        var heaviest: (rows: Int64, table: QualifiedName)?
        for statement in statements {
            let analysis = StatementAnalysis(statement, engine: context.engine)
            let live = analysis.table.flatMap(liveTable)
            if let live, created.contains(live.name) { continue }
            if statement.mustRunOutsideTransaction(engine: context.engine) { verdict.isTransactional = false }
            verdict.lock = max(verdict.lock, analysis.lock)
            if analysis.lock != .none { verdict.duration = max(verdict.duration, analysis.duration) }
            if let live, analysis.duration != .instant, analysis.lock.blocksWrites || statement.isDataStatement {
                let rows = live.statistics?.rowCount ?? 0
                if rows >= heaviest?.rows ?? -1 { heaviest = (rows, live.name) }
                if analysis.lock.blocksWrites {
                    verdict.reasons.append("\(Self.opening(statement)) holds \(analysis.lock.sqlName) on \(live.name) for a \(analysis.duration.rawValue).")
                }
            }
            if statement.starts(with: "DELETE") || statement.starts(with: "TRUNCATE") {
                verdict.kind = .destructive
                verdict.reasons.append("\(Self.opening(statement)) removes rows.")
            } else if statement.starts(with: "UPDATE") {
                let table = analysis.table.flatMap { name in effect.after.tables.first { $0.name.name.lowercased() == name.name.lowercased() } }
                let added = Set(table.map { after in
                    after.columns.map(\.name).filter { column in effect.before.table(named: after.name)?.column(named: column) == nil }
                } ?? []).map { $0.lowercased() }
                let assigned = statement.assignedColumns.map { $0.lowercased() }
                if !assigned.isEmpty, assigned.allSatisfy(added.contains) {
                    verdict.reasons.append("\(Self.opening(statement)) fills columns this SQL adds; no old value is lost.")
                } else {
                    verdict.kind = max(verdict.kind, .breaking)
                    verdict.reasons.append("\(Self.opening(statement)) overwrites values; only the file's down can restore them.")
                }
            }
        }
        let rules = ClassificationContext(engine: context.engine, schema: effect.before, tablesCreatedInMigration: created)
        for operation in effect.operations {
            if case .rawSQL(let object) = operation {
                // Views, triggers and functions: dropping one breaks its readers, unless the SQL
                // makes it again under the same name (a view redefined).
                let dropped = SQLScript.statements(in: object.up, engine: context.engine).first.flatMap { statement -> QualifiedName? in
                    guard statement.starts(with: "DROP") else { return nil }
                    let at = statement.firstIndex(of: "VIEW").flatMap { statement.nameIndex(after: $0 + 1) }
                    return at.flatMap { statement.qualifiedName(at: $0) } ?? QualifiedName(schema: nil, "")
                }
                let remade = dropped.map { name in effect.after.views.contains { $0.name.name.lowercased() == name.name.lowercased() } } ?? false
                let drops = dropped != nil && !remade
                if drops { verdict.kind = max(verdict.kind, .breaking) }
                verdict.reasons.append("\(Self.opening(SQLScript.statements(in: object.up, engine: context.engine).first ?? SQLStatement(text: "", position: FilePosition(line: 1, column: 1), tokens: []))): \(drops ? "breaking" : "additive").")
                continue
            }
            let item = context.engine == .postgresql ? PostgresRules(context: rules).classify(operation) : SQLiteRules(context: rules).classify(operation)
            if item.kind > .additive || operation.isDestructiveByName {
                verdict.kind = max(verdict.kind, operation.isDestructiveByName ? .destructive : item.kind)
            }
            verdict.reasons.append("\(OperationText.describe(operation)): \(operation.isDestructiveByName ? "destructive" : item.kind.rawValue).")
        }
        if verdict.reasons.isEmpty {
            // Functions, triggers, enum labels: no table changes shape, and nothing above spoke.
            let changes = effect.otherObjectChanges
            let named = changes.prefix(8).joined(separator: ", ") + (changes.count > 8 ? " and \(changes.count - 8) more" : "")
            verdict.reasons.append(changes.isEmpty ? "The SQL changes no table." : "The SQL changes no table: it \(named).")
        }
        verdict.rowsAffected = heaviest?.rows
        // Online means no write-blocking lock held for a scan or rewrite of a table with rows;
        // whether old code breaks is the kind's business (lint's GW30x rules name renames and drops).
        verdict.isZeroDowntimePossible = !(verdict.lock.blocksWrites && verdict.duration != .instant && (heaviest?.rows ?? 0) > 0)
        if !raw.isTransactional || !verdict.isTransactional { verdict.isTransactional = false }
        return verdict
    }

    /// The live table a statement names, matched as the engine matches names.
    private func liveTable(_ name: QualifiedName) -> Table? {
        if let table = context.liveTable(name) { return table }
        return context.schema.tables.first { $0.name.name.lowercased() == name.name.lowercased() && (name.schema == nil || $0.name.schema == name.schema) }
    }

    /// The statement's first words, for reasons: `CREATE INDEX orders_status_idx ON orders`.
    static func opening(_ statement: SQLStatement) -> String {
        let words = statement.tokens.prefix(6).map(\.text).joined(separator: " ")
        return statement.tokens.count > 6 ? words + " …" : words
    }
}

extension Operation {
    /// Whether the operation by its nature loses data (a dropped table or column).
    var isDestructiveByName: Bool {
        switch self {
        case .dropTable, .dropColumn: true
        default: false
        }
    }
}
