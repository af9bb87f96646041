/// Lint rules for hand-written SQL, read statement by statement from tokens — comments, strings
/// and function bodies never match — with the context squawk lacks: a table the same migration
/// creates is empty, and the live row counts say which tables are large. Each finding names the
/// statement's file:line:column.
///
/// Rule names follow squawk's where it has one.
enum RawSQLRules {
    /// One statement of a migration's hand-written SQL, with what the rules need around it.
    struct Item {
        var operation: Int
        var statement: SQLStatement
        var source: SQLSource?
        /// Whether the statement stands between the file's own BEGIN and COMMIT.
        var isInsideExplicitTransaction: Bool
        /// Whether a `SET lock_timeout` came earlier in the file.
        var hasLockTimeout: Bool
    }

    /// Tables and their sizes as the migration finds them.
    struct Tables {
        let schema: Schema
        /// Lower-cased names of the tables the migration itself creates.
        let created: Set<String>
        /// Whether a table missing from `schema` is missing from the database (see
        /// ``LintRules/Context/schemaIsComplete``).
        let schemaIsComplete: Bool

        /// The live table a statement names, unless the migration creates it.
        func existing(_ name: QualifiedName?) -> Table? {
            guard let name, !created.contains(name.name.lowercased()) else { return nil }
            let found = schema.tables.first { $0.name.name.lowercased() == name.name.lowercased() && (name.schema == nil || $0.name.schema?.lowercased() == name.schema?.lowercased()) }
            return found ?? (schemaIsComplete ? nil : Table(name: name))
        }

        /// The live table, unless the migration creates it or it has no rows.
        func populated(_ name: QualifiedName?) -> Table? {
            guard let table = existing(name) else { return nil }
            return table.statistics?.rowCount == 0 ? nil : table
        }
    }

    static func items(_ context: LintRules.Context) -> [Item] {
        context.migration.operations.enumerated().flatMap { index, operation -> [Item] in
            guard case .rawSQL(let raw) = operation else { return [] }
            var inside = false
            var lockTimeout = false
            return SQLScript.statements(in: raw.up, engine: context.engine).compactMap { statement in
                switch statement.transactionControl {
                case .begin: inside = true
                case .commit, .rollback: inside = false
                case nil: break
                }
                if statement.starts(with: "SET") && statement.tokens.contains(where: { $0.identifier == "lock_timeout" }) { lockTimeout = true }
                return Item(operation: index, statement: statement, source: raw.upSource, isInsideExplicitTransaction: inside, hasLockTimeout: lockTimeout)
            }
        }
    }

    static func tables(_ context: LintRules.Context) -> Tables {
        var created = Set<String>()
        for operation in context.migration.operations {
            if case .createTable(let table) = operation { created.insert(table.name.name.lowercased()) }
            if let effect = operation.effect {
                let before = Set(effect.before.tables.map(\.name))
                for table in effect.after.tables where !before.contains(table.name) { created.insert(table.name.name.lowercased()) }
            }
        }
        for item in items(context) where item.statement.starts(with: "CREATE") && item.statement.contains("TABLE") {
            if let index = item.statement.firstIndex(of: "TABLE").flatMap({ item.statement.nameIndex(after: $0 + 1) }),
               let name = item.statement.qualifiedName(at: index) { created.insert(name.name.lowercased()) }
        }
        return Tables(schema: context.schema, created: created, schemaIsComplete: context.schemaIsComplete)
    }

    /// A hit at the statement.
    static func hit(_ item: Item, _ message: String) -> LintRules.Hit {
        LintRules.Hit(index: item.operation, message: message, position: item.statement.position, source: item.source, statement: item.statement.text)
    }

    /// The actions of `ALTER TABLE name action, action, …`, each as its tokens.
    static func alterActions(_ statement: SQLStatement) -> (table: QualifiedName?, actions: [[SQLToken]])? {
        guard statement.starts(with: "ALTER", "TABLE"), let nameIndex = statement.nameIndex(after: 2) else { return nil }
        let table = statement.qualifiedName(at: nameIndex)
        var start = nameIndex + 1
        if start < statement.tokens.count, statement.tokens[start].text == "." { start += 2 }
        var actions: [[SQLToken]] = [[]]
        var depth = 0
        for token in statement.tokens.dropFirst(start) {
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if depth == 0, token.text == "," { actions.append([]); continue }
            actions[actions.count - 1].append(token)
        }
        return (table, actions.filter { !$0.isEmpty })
    }

    /// The index a `DROP INDEX` (without CONCURRENTLY) names.
    static func droppedIndex(_ statement: SQLStatement) -> QualifiedName? {
        guard statement.starts(with: "DROP", "INDEX"), !statement.contains("CONCURRENTLY"), let at = statement.nameIndex(after: 2) else { return nil }
        return statement.qualifiedName(at: at)
    }

    static func keywords(_ tokens: [SQLToken]) -> [String] { tokens.map { $0.kind == .word ? $0.keyword : $0.text } }

    /// A hit for each `ALTER TABLE` action `judge` finds fault with, on tables that exist before
    /// the migration (and have rows, when `populated`).
    /// The hits `judge` finds in the actions of each `ALTER TABLE` on an existing (or, with
    /// `populated`, a non-empty) table; `finish` may adjust each for its table.
    static func alterActions(_ context: LintRules.Context, populated: Bool,
                             finish: (LintRules.Hit, Table) -> LintRules.Hit = { found, _ in found },
                             _ judge: (_ words: [String], _ action: [SQLToken], _ table: Table) -> String?) -> [LintRules.Hit] {
        let tables = tables(context)
        return items(context).flatMap { item -> [LintRules.Hit] in
            guard let (name, actions) = alterActions(item.statement),
                  let table = populated ? tables.populated(name) : tables.existing(name) else { return [] }
            return actions.compactMap { action in judge(keywords(action), action, table).map { finish(hit(item, $0), table) } }
        }
    }

    /// `found` as a warning where the migration's downtime allows blocking writes to `table`
    /// for a scan (``LintRules/allowsBlockingScan(of:in:)``): it says so, and does not stop the run.
    static func blockingScan(_ found: LintRules.Hit, of table: Table, _ context: LintRules.Context) -> LintRules.Hit {
        guard LintRules.allowsBlockingScan(of: table, in: context) else { return found }
        var allowed = found
        allowed.severity = .warning
        allowed.message += " (allowed: the migration's downtime is \(context.migration.downtime.rawValue)"
            + (context.migration.downtime == .minutes ? " and the table is small)" : ")")
        return allowed
    }

    static func rows(_ table: Table) -> String {
        table.statistics?.rowCount.map { "\(table.name) (about \(QuantityFormat.count($0)) rows)" } ?? "\(table.name)"
    }

    static let all: [LintRules.Rule] = [
        .init(code: "GW300", name: "transaction-nesting", severity: .error,
              remedy: "Remove the inner BEGIN or the ROLLBACK: Godwit runs the file's statements in a transaction already, and a file's BEGIN/COMMIT only marks where one ends.") { context in
            var open = false
            return items(context).compactMap { item in
                switch item.statement.transactionControl {
                case .begin:
                    defer { open = true }
                    return open ? hit(item, "BEGIN inside a transaction the file already opened") : nil
                case .commit:
                    open = false
                    return nil
                case .rollback:
                    open = false
                    return hit(item, "ROLLBACK throws away the statements before it")
                case nil:
                    return nil
                }
            }
        },
        .init(code: "GW301", name: "ban-concurrent-index-creation-in-transaction", severity: .error,
              remedy: "Move the statement out of the file's BEGIN … COMMIT block: Godwit runs it alone, outside any transaction.") { context in
            items(context).compactMap { item in
                item.isInsideExplicitTransaction && item.statement.mustRunOutsideTransaction(engine: context.engine)
                    ? hit(item, "\(RawSQLClassifier.opening(item.statement)) cannot run inside the transaction the file opens") : nil
            }
        },
        .init(code: "GW102", name: "require-concurrent-index-creation", severity: .error,
              remedy: "Write CREATE INDEX CONCURRENTLY (Godwit runs it outside a transaction), or use a create_index operation.") { context in
            guard context.engine == .postgresql else { return [] }
            let tables = tables(context)
            return items(context).compactMap { item in
                let s = item.statement
                guard s.starts(with: "CREATE", "INDEX") || s.starts(with: "CREATE", "UNIQUE", "INDEX"), !s.contains("CONCURRENTLY"),
                      let table = tables.populated(StatementAnalysis(s, engine: context.engine).table) else { return nil }
                return blockingScan(hit(item, "CREATE INDEX without CONCURRENTLY blocks writes to \(rows(table)) while it reads every row"), of: table, context)
            }
        },
        .init(code: "GW302", name: "constraint-missing-not-valid", severity: .error,
              remedy: "Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later statement (it takes a weaker lock), or use add_constraint.") { context in
            guard context.engine == .postgresql else { return [] }
            return alterActions(context, populated: true, finish: { found, table in blockingScan(found, of: table, context) }) { words, action, table in
                // NOT ENFORCED (PostgreSQL 18) checks nothing.
                guard words.first == "ADD", words.contains("CHECK") || words.contains("FOREIGN") || (words.contains("REFERENCES") && !words.contains("COLUMN")),
                      !(words.contains("NOT") && words.contains("VALID")),
                      !zip(words, words.dropFirst()).contains(where: { $0 == "NOT" && $1 == "ENFORCED" }) else { return nil }
                return "the constraint is checked against every row of \(rows(table)) under a lock that blocks writes"
            }
        },
        .init(code: "GW303", name: "require-lock-timeout", severity: .info,
              remedy: "Nothing to do under Godwit, which sets lock_timeout and retries; add SET lock_timeout = '1s' to the file if it also runs elsewhere.") { context in
            guard context.engine == .postgresql else { return [] }
            let tables = tables(context)
            return items(context).compactMap { item in
                let analysis = StatementAnalysis(item.statement, engine: context.engine)
                guard analysis.lock.blocksWrites, !item.hasLockTimeout else { return nil }
                let target: String
                if let table = tables.existing(analysis.table) {
                    target = table.name.description
                } else if let index = droppedIndex(item.statement) {
                    // DROP INDEX names no table: the lock is on the index's table.
                    guard let table = context.schema.tables.first(where: { $0.indexes.contains { $0.name == index.name } }) else {
                        if context.schemaIsComplete { return nil }
                        return hit(item, "the statement waits for ACCESS EXCLUSIVE on the table of \(index) with no lock_timeout of its own, queueing traffic behind it")
                    }
                    guard tables.existing(table.name) != nil else { return nil }
                    target = table.name.description
                } else {
                    return nil
                }
                return hit(item, "the statement waits for \(analysis.lock.sqlName) on \(target) with no lock_timeout of its own, queueing traffic behind it")
            }
        },
        .init(code: "GW304", name: "require-concurrent-index-deletion", severity: .warning,
              remedy: "Write DROP INDEX CONCURRENTLY (Godwit runs it outside a transaction), or use a drop_index operation.") { context in
            guard context.engine == .postgresql else { return [] }
            let tables = tables(context)
            return items(context).compactMap { item in
                let s = item.statement
                guard let index = droppedIndex(s) else { return nil }
                guard let table = context.schema.tables.first(where: { $0.indexes.contains { $0.name == index.name } }) else {
                    // With no database the index's table is unknown, and taken to exist.
                    return context.schemaIsComplete ? nil : hit(item, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table of \(index)")
                }
                guard tables.existing(table.name) != nil else { return nil }
                return hit(item, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on \(table.name)")
            }
        },
        .init(code: "GW305", name: "ban-drop-column", severity: .warning,
              remedy: "Make sure no deployed code reads the column; a drop_column operation keeps it restorable until cleanup.") { context in
            alterActions(context, populated: false) { words, action, table in
                guard words.first == "DROP", let what = words.dropFirst().first,
                      !["CONSTRAINT", "DEFAULT", "NOT", "EXPRESSION", "IDENTITY"].contains(what) else { return nil }
                let column = action.dropFirst().first { $0.isName && !["COLUMN", "IF", "EXISTS"].contains($0.keyword) }?.identifier ?? "a column"
                return "dropping \(table.name).\(column) loses its values and breaks code that reads it"
            }
        },
        .init(code: "GW306", name: "ban-drop-table", severity: .warning,
              remedy: "Make sure no deployed code reads the table; a drop_table operation archives it until cleanup.") { context in
            let tables = tables(context)
            let all = items(context)
            return all.enumerated().compactMap { position, item in
                guard item.statement.starts(with: "DROP", "TABLE"), let index = item.statement.nameIndex(after: 2),
                      let name = item.statement.qualifiedName(at: index), let table = tables.existing(name) else { return nil }
                // A table rebuilt by hand (copy into a new table, drop, rename the new one back) keeps its rows.
                let rebuilt = all[(position + 1)...].contains { later in
                    guard later.operation == item.operation, let to = later.statement.firstIndex(of: "TO"), later.statement.starts(with: "ALTER", "TABLE"),
                          later.statement.contains("RENAME"), to + 1 < later.statement.tokens.count else { return false }
                    return later.statement.tokens[to + 1].name(on: context.engine).lowercased() == name.name.lowercased()
                }
                return rebuilt ? nil : hit(item, "dropping \(rows(table)) loses its rows")
            }
        },
        .init(code: "GW307", name: "renaming-column", severity: .warning,
              remedy: "Add the new name and keep both in step until old code is gone (a rename_column operation does this on PostgreSQL), or ship the rename with the code.") { context in
            alterActions(context, populated: false) { words, action, table in
                guard words.first == "RENAME" else { return nil }
                return words.dropFirst().first == "TO"
                    ? "renaming \(table.name) breaks code that still names it"
                    : "renaming a column of \(table.name) breaks code that still names it"
            }
        },
        .init(code: "GW308", name: "changing-column-type", severity: .warning,
              remedy: "Add a new column, keep both in step, backfill, then drop the old one (an alter_column operation does this online on PostgreSQL).") { context in
            alterActions(context, populated: true) { words, action, table in
                guard words.first == "ALTER", words.contains("TYPE") else { return nil }
                return "changing a column's type may rewrite \(rows(table)) under ACCESS EXCLUSIVE and break old code"
            }
        },
        .init(code: "GW309", name: "adding-not-nullable-field", severity: .warning,
              remedy: "Add a CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (no long scan), or use alter_column.") { context in
            alterActions(context, populated: true) { words, action, table in
                guard words.first == "ALTER", words.contains("SET"), words.contains("NOT"), words.contains("NULL") else { return nil }
                return "SET NOT NULL reads all of \(rows(table)) under ACCESS EXCLUSIVE"
            }
        },
        .init(code: "GW310", name: "adding-required-field", severity: .error,
              remedy: "Give the column a default, or add it nullable, fill it, then make it NOT NULL.") { context in
            alterActions(context, populated: true) { words, action, table in
                guard words.first == "ADD", !words.contains("CONSTRAINT"), !words.contains("CHECK"), !words.contains("FOREIGN"),
                      words.contains("NOT"), words.contains("NULL"), !words.contains("DEFAULT"), !words.contains("GENERATED") else { return nil }
                return "a NOT NULL column without a default cannot be added to \(rows(table)), which has rows"
            }
        },
        .init(code: "GW311", name: "adding-field-with-default", severity: .warning,
              remedy: "Add the column without the default, set the default, then fill existing rows in batches (add_column with `up` does this).") { context in
            alterActions(context, populated: true) { words, action, table in
                guard words.first == "ADD", !words.contains("CONSTRAINT") else { return nil }
                // Each of these fills every existing row as the column is added: a table rewrite.
                if words.contains("IDENTITY") {
                    return "an identity column numbers every row of \(rows(table)), rewriting the table under ACCESS EXCLUSIVE"
                }
                if words.contains("GENERATED"), words.contains("STORED") {
                    return "a stored generated column computes every row of \(rows(table)), rewriting the table under ACCESS EXCLUSIVE"
                }
                guard let defaultAt = words.firstIndex(of: "DEFAULT"),
                      VolatileExpression.isVolatile(action[(defaultAt + 1)...].map(\.text).joined()) else { return nil }
                return "a volatile default rewrites every row of \(rows(table)) under ACCESS EXCLUSIVE"
            }
        },
        .init(code: "GW312", name: "disallowed-unique-constraint", severity: .warning,
              remedy: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX (an add_constraint operation does this).") { context in
            guard context.engine == .postgresql else { return [] }
            return alterActions(context, populated: true) { words, action, table in
                guard words.first == "ADD", words.contains("UNIQUE") || words.contains("PRIMARY"), !words.contains("USING") else { return nil }
                return "the constraint builds its index on \(rows(table)) under a lock that blocks reads and writes"
            }
        },
        .init(code: "GW313", name: "ban-drop-database", severity: .error,
              remedy: "Drop databases by hand, never from a migration.") { context in
            items(context).compactMap { item in
                item.statement.starts(with: "DROP", "DATABASE") ? hit(item, "the migration drops a whole database") : nil
            }
        },
        .init(code: "GW314", name: "ban-drop-not-null", severity: .info,
              remedy: "Check that every reader handles NULL before the first one is written.") { context in
            alterActions(context, populated: false) { words, action, table in
                guard words.first == "ALTER", words.contains("DROP"), words.contains("NOT"), words.contains("NULL") else { return nil }
                return "dropping NOT NULL on \(table.name) lets NULLs reach code that never expected them"
            }
        },
        .init(code: "GW315", name: "prefer-robust-stmts", severity: .info,
              remedy: "Write IF NOT EXISTS / IF EXISTS so a rerun after a partial failure goes through (Godwit itself resumes by step).") { context in
            items(context).compactMap { item in
                let s = item.statement
                let creates = (s.starts(with: "CREATE", "TABLE") || s.starts(with: "CREATE", "INDEX") || s.starts(with: "CREATE", "UNIQUE", "INDEX"))
                    && !s.contains("EXISTS")
                let drops = (s.starts(with: "DROP", "TABLE") || s.starts(with: "DROP", "INDEX")) && !s.contains("EXISTS")
                guard !item.isInsideExplicitTransaction, creates || drops, s.mustRunOutsideTransaction(engine: context.engine) else { return nil }
                return hit(item, "\(RawSQLClassifier.opening(s)) runs outside a transaction and fails if rerun after a partial run")
            }
        },
        .init(code: "GW316", name: "generated-down-loses-data", severity: .warning,
              remedy: "Review the down Godwit wrote (in the plan); write your own down.sql beside the file if rows written after the migration must survive a rollback.") { context in
            context.migration.operations.enumerated().compactMap { index, operation in
                guard let generated = operation.effect?.generatedDown, !generated.losses.isEmpty else { return nil }
                let position = SQLScript.statements(in: operation.rawSQL?.up ?? "", engine: context.engine).first?.position
                return LintRules.Hit(index: index, message: "the file's tool writes no down, and the one Godwit wrote " + generated.losses.joined(separator: "; "),
                                     position: position, source: operation.rawSQL?.upSource, statement: nil)
            }
        },
    ]
}
