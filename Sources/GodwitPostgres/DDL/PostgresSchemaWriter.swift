public import GodwitCore

/// Writes PostgreSQL DDL that recreates a schema in an empty database, objects in dependency
/// order, in the way `pg_dump --schema-only` orders them:
///
/// schemas → extensions → enums → domains → functions that need no table → sequences → tables
/// (parents before children) → functions and views in dependency order → indexes → foreign
/// keys and `NOT VALID` checks → sequence ownership → triggers → rules → comments.
///
/// Function bodies are not checked while creating (`check_function_bodies = false`), exactly as
/// pg_dump does, since they may name tables created later.
public struct PostgresSchemaWriter: SchemaScriptWriter {
    private let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)

    public init() {}

    public func createScript(for schema: Schema) -> String {
        var statements: [String] = ["SET check_function_bodies = false"]
        for namespace in schema.namespaces {
            statements.append("CREATE SCHEMA IF NOT EXISTS \(quoter.quote(namespace.name))")
        }
        for item in schema.extensions {
            statements.append("CREATE EXTENSION IF NOT EXISTS \(quoter.quote(item.name)) WITH SCHEMA \(quoter.quote(item.schema))")
        }
        statements.append(contentsOf: schema.enums.map(createEnum))
        statements.append(contentsOf: schema.domains.map(createDomain))
        statements.append(contentsOf: schema.compositeTypes.map { $0.createStatement(quoting: quoter) })
        let relationNames = Set(schema.tables.map(\.name) + schema.views.map(\.name))
        let (independent, dependent) = schema.functions.partitioned { function in
            function.dependencies.contains(where: relationNames.contains)
        }
        statements.append(contentsOf: Self.aggregatesLast(independent).map(\.definition))
        statements.append(contentsOf: schema.sequences.map(createSequence))
        let tables = DependencyOrder.sorted(schema.tables, name: \.name, dependencies: \.parents)
        statements.append(contentsOf: tables.map(createTable))
        statements.append(contentsOf: functionsAndViews(dependent, schema.views))
        for table in tables {
            statements.append(contentsOf: table.indexes.map { createIndex($0, on: table.name) })
        }
        for view in schema.views where view.isMaterialized {
            statements.append(contentsOf: view.indexes.map { createIndex($0, on: view.name) })
        }
        for table in tables {
            statements.append(contentsOf: table.foreignKeys.map { addForeignKey($0, to: table.name) })
            for check in table.checkConstraints where !check.isValidated && !check.isInherited {
                statements.append("ALTER TABLE \(quoter.quote(table.name)) ADD \(checkClause(check)) NOT VALID")
            }
        }
        for sequence in schema.sequences {
            if let owner = sequence.ownedBy {
                statements.append(
                    "ALTER SEQUENCE \(quoter.quote(sequence.name)) OWNED BY \(quoter.quote(owner.table)).\(quoter.quote(owner.column))"
                )
            }
        }
        for trigger in schema.triggers {
            statements.append(trigger.definition)
            if !trigger.isEnabled {
                statements.append("ALTER TABLE \(quoter.quote(trigger.table)) DISABLE TRIGGER \(quoter.quote(trigger.name))")
            }
        }
        statements.append(contentsOf: schema.rules.map(\.definition))
        statements.append(contentsOf: schema.extendedStatistics.map(\.definition))
        statements.append(contentsOf: comments(schema))
        return statements.map { $0 + ";\n" }.joined(separator: "\n")
    }

    private func functionsAndViews(_ functions: [Function], _ views: [View]) -> [String] {
        enum Item {
            case function(Function)
            case view(View)
        }
        let items = functions.map(Item.function) + views.map(Item.view)
        let sorted = DependencyOrder.sorted(
            items,
            name: { item in
                switch item {
                case .function(let function): function.name
                case .view(let view): view.name
                }
            },
            dependencies: { item in
                switch item {
                case .function(let function): function.dependencies
                case .view(let view): view.dependencies
                }
            }
        )
        return sorted.map { item in
            switch item {
            case .function(let function): function.definition
            case .view(let view): createView(view)
            }
        }
    }

    private static func aggregatesLast(_ functions: [Function]) -> [Function] {
        functions.filter { $0.kind != .aggregate } + functions.filter { $0.kind == .aggregate }
    }

    public func createEnum(_ item: EnumType) -> String {
        "CREATE TYPE \(quoter.quote(item.name)) AS ENUM (\(item.labels.map(SQLIdentifierQuoter.literal).joined(separator: ", ")))"
    }

    public func createDomain(_ domain: Domain) -> String {
        var text = "CREATE DOMAIN \(quoter.quote(domain.name)) AS \(domain.baseType)"
        if let collation = domain.collation { text += " COLLATE \(collation)" }
        if let value = domain.defaultExpression { text += " DEFAULT \(value)" }
        if !domain.isNullable { text += " NOT NULL" }
        for check in domain.checkConstraints {
            text += "\n    " + checkClause(check) + (check.isValidated ? "" : " NOT VALID")
        }
        return text
    }

    public func createSequence(_ sequence: SequenceDefinition) -> String {
        "CREATE SEQUENCE \(quoter.quote(sequence.name)) AS \(sequence.dataType) " + sequenceOptions(sequence)
    }

    public func creatingSequence(_ sequence: SequenceDefinition) -> String? { createSequence(sequence) }

    public func owningSequence(_ sequence: SequenceDefinition) -> String? {
        sequence.ownedBy.map { "ALTER SEQUENCE \(quoter.quote(sequence.name)) OWNED BY \(quoter.quote($0.table)).\(quoter.quote($0.column))" }
    }

    public func alteringSequence(to sequence: SequenceDefinition) -> String? {
        "ALTER SEQUENCE \(quoter.quote(sequence.name)) AS \(sequence.dataType) " + sequenceOptions(sequence) + (sequence.cycles ? "" : " NO CYCLE")
    }

    public func droppingSequence(_ name: QualifiedName) -> String? { "DROP SEQUENCE IF EXISTS \(quoter.quote(name))" }

    /// The options shared by `CREATE SEQUENCE` and an identity column (whose type is the column's).
    private func sequenceOptions(_ sequence: SequenceDefinition) -> String {
        "START WITH \(sequence.start) INCREMENT BY \(sequence.increment) "
            + "MINVALUE \(sequence.minValue) MAXVALUE \(sequence.maxValue) CACHE \(sequence.cache)"
            + (sequence.cycles ? " CYCLE" : "")
    }

    public func createTable(_ table: Table) -> String {
        var lines: [String] = []
        let isPartition = table.partitionOf != nil
        for column in table.columns where !column.isInherited {
            lines.append(columnDefinition(column))
        }
        if let key = table.primaryKey {
            lines.append(constraintPrefix(key.name) + primaryKeyClause(key))
        }
        for unique in table.uniqueConstraints {
            lines.append(constraintPrefix(unique.name) + uniqueClause(unique))
        }
        for check in table.checkConstraints where check.isValidated && !check.isInherited {
            lines.append(checkClause(check))
        }
        for exclusion in table.exclusionConstraints {
            lines.append(constraintPrefix(exclusion.name) + exclusion.definition)
        }
        var text = "CREATE \(table.isUnlogged ? "UNLOGGED " : "")TABLE \(quoter.quote(table.name))"
        if let partition = table.partitionOf {
            text += " PARTITION OF \(quoter.quote(partition.parent))"
            if !lines.isEmpty { text += " (\n    " + lines.joined(separator: ",\n    ") + "\n)" }
            text += " " + partition.bound
        } else {
            text += " (\n    " + lines.joined(separator: ",\n    ") + "\n)"
        }
        if !isPartition, !table.inheritsFrom.isEmpty {
            text += " INHERITS (\(table.inheritsFrom.map { quoter.quote($0) }.joined(separator: ", ")))"
        }
        if let partitioning = table.partitioning { text += " PARTITION BY \(partitioning.key)" }
        if let parameters = table.storageParameters, !parameters.isEmpty { text += " WITH (\(parameters.joined(separator: ", ")))" }
        return text
    }

    /// One column's definition (also used by `ALTER TABLE … ADD COLUMN`).
    public func columnDefinition(_ column: Column) -> String {
        var parts = [quoter.quote(column.name), column.type]
        if let collation = column.collation { parts.append("COLLATE \(collation)") }
        if let generated = column.generated {
            parts.append("GENERATED ALWAYS AS (\(generated.expression)) \(generated.storage == .virtual ? "VIRTUAL" : "STORED")")
        } else if let value = column.defaultExpression {
            parts.append("DEFAULT \(value)")
        }
        if !column.isNullable {
            parts.append(column.notNullConstraintName.map { "CONSTRAINT \(quoter.quote($0)) NOT NULL" } ?? "NOT NULL")
        }
        if let identity = column.identity {
            parts.append(
                "GENERATED \(identity.generation == .always ? "ALWAYS" : "BY DEFAULT") AS IDENTITY "
                    + "(SEQUENCE NAME \(quoter.quote(identity.sequence.name)) \(sequenceOptions(identity.sequence)))"
            )
        }
        return parts.joined(separator: " ")
    }

    public func createView(_ view: View) -> String {
        "CREATE \(view.isMaterialized ? "MATERIALIZED " : "")VIEW \(quoter.quote(view.name)) AS\n\(view.definition)"
    }

    public func createIndex(_ index: Index, on relation: QualifiedName, concurrently: Bool = false) -> String {
        let keys = index.elements.map { element -> String in
            var key = element.isExpression ? "(\(element.expression))" : quoter.quote(element.expression)
            if let collation = element.collation { key += " COLLATE \(collation)" }
            if let opclass = element.operatorClass { key += " \(opclass)" }
            if element.order == .descending { key += " DESC" }
            if let nulls = element.nulls { key += " NULLS \(nulls == .first ? "FIRST" : "LAST")" }
            return key
        }
        // A concurrent build runs outside a transaction: IF NOT EXISTS makes a rerun after a crash
        // a no-op once the index is there (an INVALID leftover is dropped by the executor first).
        var text = "CREATE \(index.isUnique ? "UNIQUE " : "")INDEX \(concurrently ? "CONCURRENTLY IF NOT EXISTS " : "")\(quoter.quote(index.name)) ON \(quoter.quote(relation))"
        if let method = index.method { text += " USING \(method)" }
        text += " (\(keys.joined(separator: ", ")))"
        if !index.includedColumns.isEmpty { text += " INCLUDE (\(quoter.quoteList(index.includedColumns)))" }
        if !index.areNullsDistinct { text += " NULLS NOT DISTINCT" }
        if let parameters = index.storageParameters, !parameters.isEmpty { text += " WITH (\(parameters.joined(separator: ", ")))" }
        if let predicate = index.predicate { text += " WHERE \(predicate)" }
        return text
    }

    public func addForeignKey(_ key: ForeignKey, to table: QualifiedName) -> String {
        var text = "ALTER TABLE \(quoter.quote(table)) ADD " + constraintPrefix(key.name)
        text += "FOREIGN KEY (\(keyList(key.columns, last: key.hasPeriod ? "PERIOD " : nil))) REFERENCES \(quoter.quote(key.referencedTable))"
        if !key.referencedColumns.isEmpty { text += "(\(keyList(key.referencedColumns, last: key.hasPeriod ? "PERIOD " : nil)))" }
        if key.match == .full { text += " MATCH FULL" }
        if key.onUpdate != .noAction { text += " ON UPDATE \(key.onUpdate.sql)" }
        if key.onDelete != .noAction { text += " ON DELETE \(key.onDelete.sql)" }
        text += clause(key.deferrability)
        if key.isNotEnforced { text += " NOT ENFORCED" }
        if !key.isValidated { text += " NOT VALID" }
        return text
    }

    public func addingConstraint(_ constraint: Constraint, to table: QualifiedName) -> String? {
        let prefix = "ALTER TABLE \(quoter.quote(table)) ADD " + constraintPrefix(constraint.name)
        switch constraint {
        case .primaryKey(let key): return prefix + primaryKeyClause(key)
        case .unique(let unique): return prefix + uniqueClause(unique)
        case .check(let check): return prefix + checkDefinition(check) + (check.isValidated ? "" : " NOT VALID")
        case .foreignKey(let key): return addForeignKey(key, to: table)
        }
    }

    /// `PRIMARY KEY (…)`, with PostgreSQL 18's `WITHOUT OVERLAPS` and the deferrability.
    public func primaryKeyClause(_ key: PrimaryKey) -> String {
        "PRIMARY KEY (\(keyList(key.columns, overlapsLast: key.withoutOverlaps)))" + clause(key.deferrability)
    }

    /// `UNIQUE [NULLS NOT DISTINCT] (…)`, with `WITHOUT OVERLAPS` and the deferrability.
    public func uniqueClause(_ unique: UniqueConstraint) -> String {
        "UNIQUE" + (unique.areNullsDistinct ? "" : " NULLS NOT DISTINCT") + " (\(keyList(unique.columns, overlapsLast: unique.withoutOverlaps)))"
            + clause(unique.deferrability)
    }

    /// `CHECK (…)` with `NO INHERIT` and `NOT ENFORCED` (never `NOT VALID`, which is added apart).
    public func checkDefinition(_ check: CheckConstraint) -> String {
        "CHECK (\(check.expression))" + (check.isNoInherit ? " NO INHERIT" : "") + (check.isNotEnforced ? " NOT ENFORCED" : "")
    }

    private func checkClause(_ check: CheckConstraint) -> String {
        constraintPrefix(check.name) + checkDefinition(check)
    }

    /// Quoted key columns, the last one marked for a temporal key (`during WITHOUT OVERLAPS`)
    /// or a temporal reference (`PERIOD during`).
    private func keyList(_ columns: [String], overlapsLast: Bool = false, last prefix: String? = nil) -> String {
        columns.enumerated().map { position, column in
            let quoted = quoter.quote(column)
            guard position == columns.count - 1 else { return quoted }
            return (prefix ?? "") + quoted + (overlapsLast ? " WITHOUT OVERLAPS" : "")
        }.joined(separator: ", ")
    }

    private func constraintPrefix(_ name: String?) -> String {
        name.map { "CONSTRAINT \(quoter.quote($0)) " } ?? ""
    }

    private func clause(_ deferrability: Deferrability) -> String {
        deferrability == .notDeferrable ? "" : " " + deferrability.sqlClause
    }

    private func comments(_ schema: Schema) -> [String] {
        var statements: [String] = []
        func comment(_ target: String, _ text: String?) {
            if let text { statements.append("COMMENT ON \(target) IS \(SQLIdentifierQuoter.literal(text))") }
        }
        for namespace in schema.namespaces { comment("SCHEMA \(quoter.quote(namespace.name))", namespace.comment) }
        for item in schema.enums { comment("TYPE \(quoter.quote(item.name))", item.comment) }
        for domain in schema.domains { comment("DOMAIN \(quoter.quote(domain.name))", domain.comment) }
        for type in schema.compositeTypes { comment("TYPE \(quoter.quote(type.name))", type.comment) }
        for sequence in schema.sequences { comment("SEQUENCE \(quoter.quote(sequence.name))", sequence.comment) }
        for table in schema.tables {
            comment("TABLE \(quoter.quote(table.name))", table.comment)
            for column in table.columns {
                comment("COLUMN \(quoter.quote(table.name)).\(quoter.quote(column.name))", column.comment)
            }
            for index in table.indexes {
                comment("INDEX \(quoter.quote(QualifiedName(schema: table.name.schema, index.name)))", index.comment)
            }
            for (constraint, text) in (table.constraintComments ?? [:]).sorted(by: { $0.key < $1.key }) {
                comment("CONSTRAINT \(quoter.quote(constraint)) ON \(quoter.quote(table.name))", text)
            }
        }
        for view in schema.views {
            comment("\(view.isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(quoter.quote(view.name))", view.comment)
        }
        for function in schema.functions {
            let kind = function.kind == .window ? "FUNCTION" : function.kind.rawValue.uppercased()
            comment("\(kind) \(quoter.quote(function.name))(\(function.identityArguments))", function.comment)
        }
        for trigger in schema.triggers {
            comment("TRIGGER \(quoter.quote(trigger.name)) ON \(quoter.quote(trigger.table))", trigger.comment)
        }
        for rule in schema.rules {
            comment("RULE \(quoter.quote(rule.name)) ON \(quoter.quote(rule.table))", rule.comment)
        }
        for statistics in schema.extendedStatistics {
            comment("STATISTICS \(quoter.quote(statistics.name))", statistics.comment)
        }
        return statements
    }
}

extension Array {
    /// The elements for which `isSecond` is false, then those for which it is true, each in order.
    func partitioned(by isSecond: (Element) -> Bool) -> (first: [Element], second: [Element]) {
        var first: [Element] = []
        var second: [Element] = []
        for element in self {
            if isSecond(element) { second.append(element) } else { first.append(element) }
        }
        return (first, second)
    }
}

extension PostgresSchemaWriter {
    public func createIndex(_ index: Index, on table: QualifiedName) -> String {
        createIndex(index, on: table, concurrently: false)
    }

    public func addingForeignKey(_ key: ForeignKey, to table: QualifiedName) -> String? {
        addForeignKey(key, to: table)
    }

    public func creatingType(_ type: UserDefinedType) -> String? {
        switch type {
        case .enumeration(let item): createEnum(item)
        case .domain(let domain): createDomain(domain)
        }
    }
}
