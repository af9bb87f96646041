extension Schema {
    /// Whether a name belongs to Godwit's own helpers: shadow and parked columns, archives,
    /// sync and fill triggers and their functions (`_godwit_…`, `godwit_…`).
    public static func isGodwitHelper(_ name: String) -> Bool {
        name.hasPrefix("_godwit_") || name.hasPrefix("godwit_")
    }

    /// The schema without Godwit's helpers, to compare it with a plan's target while archives
    /// are kept for the retention window.
    public func removingGodwitHelpers() -> Schema {
        var copy = self
        copy.tables = tables.filter { !Self.isGodwitHelper($0.name.name) }.map { table in
            var table = table
            table.columns.removeAll { Self.isGodwitHelper($0.name) }
            table.indexes.removeAll { Self.isGodwitHelper($0.name) }
            table.checkConstraints.removeAll { $0.name.map(Self.isGodwitHelper) ?? false }
            table.foreignKeys.removeAll { $0.name.map(Self.isGodwitHelper) ?? false }
            return table
        }
        copy.views.removeAll { Self.isGodwitHelper($0.name.name) }
        copy.triggers.removeAll { Self.isGodwitHelper($0.name) }
        copy.functions.removeAll { Self.isGodwitHelper($0.name.name) }
        return copy
    }

    /// The schema with PostgreSQL's own spellings of what a plan may write differently: type
    /// names (`timestamptz`) and the default index method (`btree`).
    func normalizedSpelling() -> Schema {
        var copy = self
        guard engine == .postgresql else {
            // SQLite keeps declared types as written; the inspector reports them in capitals.
            for table in copy.tables.indices {
                for column in copy.tables[table].columns.indices {
                    copy.tables[table].columns[column].type = copy.tables[table].columns[column].type.uppercased()
                }
            }
            return copy
        }
        copy.tables = tables.map { table in
            var table = table
            table.columns = table.columns.map { column in
                var column = column
                column.type = PostgresTypeName.canonical(column.type)
                column.defaultExpression = column.defaultExpression.map(Self.normalizedDefault)
                return column
            }
            table.checkConstraints = table.checkConstraints.map { check in
                var check = check
                check.expression = Self.normalizedExpression(check.expression)
                return check
            }
            table.indexes = table.indexes.map { index in
                var index = index
                if index.method == nil { index.method = "btree" }
                return index
            }
            return table
        }
        return copy
    }

    /// A default as PostgreSQL prints it back, reduced to how it is written: a literal without
    /// the casts PostgreSQL adds (`'basic'::text` is `'basic'`, `'-1'::integer` is `-1`).
    static func normalizedDefault(_ expression: String) -> String {
        let text = normalizedExpression(expression)
        guard text.hasPrefix("'"), let close = Self.literalEnd(text) else { return text }
        let rest = text[close...]
        guard !rest.isEmpty, rest.hasPrefix("::"),
              rest.allSatisfy({ $0.isLetter || $0.isNumber || " :_()[],".contains($0) }) else { return text }
        let literal = String(text[..<close])
        let inner = literal.dropFirst().dropLast()
        if Double(inner) != nil, inner.first.map({ $0 == "-" || $0.isNumber }) == true { return String(inner) }
        return literal
    }

    /// Where the single-quoted literal that opens `text` ends (just after its closing quote).
    private static func literalEnd(_ text: String) -> String.Index? {
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            if text[index] == "'" {
                let next = text.index(after: index)
                if next < text.endIndex, text[next] == "'" { index = text.index(after: next); continue }
                return next
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// An expression as PostgreSQL may print it back, reduced for comparison: without the outer
    /// parentheses it adds and with single spaces.
    static func normalizedExpression(_ expression: String) -> String {
        var text = expression.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while text.hasPrefix("("), text.hasSuffix(")"), Self.isWrapped(text) {
            text = String(text.dropFirst().dropLast()).trimmingWhitespace()
        }
        return text
    }

    /// Whether the first parenthesis closes at the very end.
    private static func isWrapped(_ text: String) -> Bool {
        var depth = 0
        for (offset, character) in text.enumerated() {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if depth == 0 { return offset == text.count - 1 }
        }
        return false
    }

    /// This schema with the names dropped from each constraint and primary key that `plan`
    /// declares without a name (`alter_column: {unique: true}`) and has the same content here:
    /// the engine names it (`customer_email_key`), the plan does not.
    private func unnamingConstraints(unnamedIn plan: Schema) -> Schema {
        var copy = self
        func unname<C: Equatable>(_ live: inout [C], planned: [C], name: WritableKeyPath<C, String?>) {
            for constraint in planned where constraint[keyPath: name] == nil {
                if let match = live.firstIndex(where: { var bare = $0; bare[keyPath: name] = nil; return bare == constraint }) {
                    live[match][keyPath: name] = nil
                }
            }
        }
        for planned in plan.tables {
            guard let index = copy.tables.firstIndex(where: { $0.name == planned.name }) else { continue }
            unname(&copy.tables[index].uniqueConstraints, planned: planned.uniqueConstraints, name: \.name)
            unname(&copy.tables[index].foreignKeys, planned: planned.foreignKeys, name: \.name)
            unname(&copy.tables[index].checkConstraints, planned: planned.checkConstraints, name: \.name)
            // `create_table: {primary_key: [id]}` names no key; PostgreSQL calls it `<table>_pkey`.
            if let key = planned.primaryKey, key.name == nil, var live = copy.tables[index].primaryKey {
                live.name = nil
                if live == key { copy.tables[index].primaryKey = live }
            }
        }
        return copy
    }

    /// Where two schemas differ, named for people: `table public.users`, `trigger t on x`.
    /// Empty when they are equal (statistics aside).
    ///
    /// `againstPlan` is for comparing a live schema with a plan's target: column order is
    /// ignored (an online swap appends the new column; PostgreSQL cannot reorder), and views are
    /// compared by name only, because PostgreSQL rewrites a view's text when a column it reads is
    /// renamed (`rehearse` reports what happened to each view).
    public func differences(from other: Schema, againstPlan: Bool = false) -> [String] {
        var mine = normalizedSpelling().removingStatistics().canonicalized()
        var theirs = other.normalizedSpelling().removingStatistics().canonicalized()
        if againstPlan {
            for index in mine.tables.indices { mine.tables[index].columns.sort { $0.name < $1.name } }
            for index in theirs.tables.indices { theirs.tables[index].columns.sort { $0.name < $1.name } }
            for index in mine.views.indices { mine.views[index].definition = ""; mine.views[index].dependencies = [] }
            for index in theirs.views.indices { theirs.views[index].definition = ""; theirs.views[index].dependencies = [] }
            mine = mine.unnamingConstraints(unnamedIn: theirs).canonicalized()
        }
        guard mine != theirs else { return [] }
        var found: [String] = []
        func compare<T: Equatable>(_ kind: String, _ left: [T], _ right: [T], name: (T) -> String) {
            let leftNames = Set(left.map(name)), rightNames = Set(right.map(name))
            for missing in leftNames.subtracting(rightNames).sorted() { found.append("\(kind) \(missing) is missing") }
            for extra in rightNames.subtracting(leftNames).sorted() { found.append("\(kind) \(extra) is unexpected") }
            for item in left {
                if let other = right.first(where: { name($0) == name(item) }), other != item {
                    found.append("\(kind) \(name(item)) differs")
                }
            }
        }
        compare("table", theirs.tables, mine.tables) { $0.name.description }
        for table in theirs.tables {
            guard let live = mine.table(named: table.name), live != table else { continue }
            compare("column of \(table.name):", table.columns, live.columns) { $0.name }
            compare("index of \(table.name):", table.indexes, live.indexes) { $0.name }
            compare("check of \(table.name):", table.checkConstraints, live.checkConstraints) { $0.name ?? $0.expression }
            compare("foreign key of \(table.name):", table.foreignKeys, live.foreignKeys) { $0.name ?? $0.columns.joined(separator: ",") }
            if table.primaryKey != live.primaryKey { found.append("primary key of \(table.name) differs") }
            if table.uniqueConstraints != live.uniqueConstraints { found.append("unique constraints of \(table.name) differ") }
            if table.columns.map(\.name) == live.columns.map(\.name), table.columns != live.columns,
               !found.contains(where: { $0.hasPrefix("column of \(table.name):") }) {
                found.append("column order of \(table.name) differs")
            }
        }
        compare("view", theirs.views, mine.views) { $0.name.description }
        compare("trigger", theirs.triggers, mine.triggers) { "\($0.name) on \($0.table)" }
        compare("function", theirs.functions, mine.functions) { "\($0.name)(\($0.identityArguments))" }
        compare("sequence", theirs.sequences, mine.sequences) { $0.name.description }
        compare("statistics object", theirs.extendedStatistics, mine.extendedStatistics) { $0.name.description }
        compare("composite type", theirs.compositeTypes, mine.compositeTypes) { $0.name.description }
        if found.isEmpty { found.append("other schema objects differ (types, extensions, rules or table options)") }
        return found
    }
}

extension Schema {
    /// The name a migration's `name` resolves to here (a schema left out, a table renamed
    /// earlier). Planners ask only after ``SchemaTransformer`` accepted the operation, so a miss
    /// is Godwit's bug, reported as one instead of a crash.
    public func plannedName(_ name: QualifiedName) throws -> QualifiedName {
        guard let resolved = SchemaTransformer().resolve(name, in: self) else { throw Self.plannerMiss("table \(name)") }
        return resolved
    }

    /// The table a migration's `name` resolves to here (see ``plannedName(_:)``).
    public func plannedTable(_ name: QualifiedName) throws -> Table {
        guard let table = table(named: try plannedName(name)) else { throw Self.plannerMiss("table \(name)") }
        return table
    }

    /// The error for a name the planner should have found (a bug in Godwit).
    public static func plannerMiss(_ what: String) -> GodwitError {
        GodwitError(.internalError, "The planner lost track of \(what)", reason: "the migration was checked against the schema, yet the planner did not find it",
                    remedy: "This is a bug in Godwit: please report it with the migration file.")
    }
}

extension Table {
    /// The column `name`, which the planner knows exists (see ``Schema/plannedName(_:)``).
    public func plannedColumn(_ name: String) throws -> Column {
        guard let column = column(named: name) else { throw Schema.plannerMiss("column \(self.name).\(name)") }
        return column
    }
}
