import Foundation
import GodwitCore

/// One column of a table copy: where its values come from (a source column or a source SQL
/// expression), the target column, and the conversion between them.
struct ColumnCopy: Sendable {
    /// The source SQL that selects the value: a quoted column name or `(expression)`.
    var select: String
    var sourceName: String?
    var target: Column
    var conversion: ColumnConversion
}

/// One source table and what it becomes in the target.
struct TableCopy: Sendable {
    var source: Table
    /// The target table as the data is loaded: columns only, no keys, constraints or indexes
    /// (on SQLite, where constraints cannot be added later, with them).
    var target: Table
    var columns: [ColumnCopy]
    var condition: String?
    /// Source columns the copy walks in order and resumes from; `rowid` for a SQLite table
    /// without a primary key; empty when there is no key (the table is copied in one piece).
    var key: [String]
    /// Whether the single key column holds integers (so the table can be split into ranges).
    var hasIntegerKey: Bool
    var estimatedRows: Int64
    /// Target columns that become identity columns after the data, continuing after the copied
    /// values: a SQLite `INTEGER PRIMARY KEY` (the rowid), a PostgreSQL `serial`'s column.
    var identityAfterData: [String] = []
    /// Target columns whose identity (or serial) counter is set past the copied values.
    var counters: [String] = []
    /// `uuid_key`: the table of old → new keys (`<target>_id_map`).
    var idMap: QualifiedName?
}

/// What a copy does, worked out from the source schema, the target engine and the copy file:
/// every table's target name, columns, types and conversions, in an order where referenced
/// tables come first, and the constraints that come after the data.
struct CopyPlan: Sendable {
    var tables: [TableCopy]
    /// Target tables with everything loaded after the data: keys, uniques, checks, foreign
    /// keys, indexes — named as in the target.
    var finished: [Table]
    var warnings: [String]
    /// PostgreSQL → PostgreSQL: the enums and domains the copied columns are declared with,
    /// created in the target before the tables (enums first: a domain may be over one).
    var types: (enums: [EnumType], domains: [Domain]) = ([], [])

    init(source: Schema, target engine: Engine, spec: CopySpec, targetSchema: String?) throws {
        var tables: [TableCopy] = [], finished: [Table] = [], warnings: [String] = []
        let sourceEngine = source.engine
        let quoter = sourceEngine.quoter
        var tableNames: [QualifiedName: QualifiedName] = [:]
        var columnNames: [QualifiedName: [String: String]] = [:]
        // A partitioned table is copied as one plain table holding its partitions' rows (read
        // through the parent); the partitions themselves are not copied apart.
        let copied = source.tables.filter { table in
            !(spec.rule(for: table.name.name)?.skip ?? false) && table.partitionOf == nil && !table.name.name.hasPrefix("godwit_")
                && table.name.schema != "godwit"
        }
        for table in copied where table.partitioning != nil {
            let parts = source.tables.filter { $0.partitionOf?.parent == table.name }.count
            warnings.append("\(table.name): partitioned in the source; one plain table in the target, holding its \(parts) partitions' rows")
        }
        for table in copied {
            let rule = spec.rule(for: table.name.name)
            let name = rule?.to ?? spec.names.apply(table.name.name)
            tableNames[table.name] = QualifiedName(schema: engine == .postgresql ? (targetSchema ?? table.name.schema ?? "public") : nil, name)
            var map: [String: String] = [:]
            for column in table.columns { map[column.name] = rule?.columns[column.name]?.to ?? spec.names.apply(column.name) }
            columnNames[table.name] = map
        }
        // Tables whose integer key becomes a UUID, with that key column.
        var uuidKeys: [QualifiedName: String] = [:]
        for table in copied where spec.rule(for: table.name.name)?.uuidKey == true {
            guard let key = table.primaryKey?.columns, key.count == 1, let column = table.column(named: key[0]),
                  ValueKind(declaredType: column.type, engine: sourceEngine) == .integer else {
                throw GodwitError(.invalidArgument, "uuid_key needs a single integer primary key", location: "tables.\(table.name.name).uuid_key",
                                  remedy: "\(table.name)'s key is \(table.primaryKey?.columns.joined(separator: ", ") ?? "missing"); drop uuid_key for it.")
            }
            uuidKeys[table.name] = key[0]
        }
        // A name the target would cut short is refused: PostgreSQL truncates silently, and two
        // long names could become one.
        if let limit = engine.maxIdentifierBytes {
            for table in copied {
                let names = [(tableNames[table.name]?.name ?? "", "tables.\(table.name.name).to")]
                    + (columnNames[table.name] ?? [:]).sorted { $0.key < $1.key }.map { ($0.value, "tables.\(table.name.name).columns.\($0.key).to") }
                for (name, place) in names where name.utf8.count > limit {
                    throw GodwitError(.invalidArgument, "The target name \(name) is \(name.utf8.count) bytes long", location: place,
                                      reason: "\(engine.description) keeps names of at most \(limit) bytes and would cut it short without a word",
                                      remedy: "Give it a shorter name in the copy file (`to:` at \(place)).")
                }
            }
        }
        let targetNames = Array(tableNames.values)
        guard Set(targetNames).count == targetNames.count else {
            throw GodwitError(.invalidArgument, "Two source tables get the same target name", reason: "names after the rule: \(targetNames.map(\.description).sorted().joined(separator: ", "))",
                              remedy: "Give one of them its own name with `to:` under `tables:` in the copy file.")
        }

        for table in DependencyOrder.sorted(copied, name: \.name, dependencies: { $0.foreignKeys.map(\.referencedTable) }) {
            let rule = spec.rule(for: table.name.name)
            let map = columnNames[table.name] ?? [:]
            for name in rule?.columns.keys.sorted() ?? [] where table.column(named: name) == nil {
                throw GodwitError(.invalidArgument, "The copy file names an unknown column", location: "tables.\(table.name.name).columns.\(name)",
                                  remedy: "\(table.name) has: \(table.columns.map(\.name).joined(separator: ", ")).")
            }
            var columns: [ColumnCopy] = []
            var typeChecks: [CheckConstraint] = []
            for column in table.columns {
                let columnRule = rule?.columns[column.name]
                if columnRule?.skip == true { continue }
                // A uuid_key table's own key, or a single-column reference to one, becomes a UUID.
                let referenced = table.foreignKeys.first { $0.columns == [column.name] && uuidKeys[$0.referencedTable] != nil
                    && ($0.referencedColumns.isEmpty || $0.referencedColumns == [uuidKeys[$0.referencedTable] ?? ""]) }?.referencedTable
                let uuidOf = uuidKeys[table.name] == column.name ? table.name : referenced
                // A PostgreSQL column of an enum, a domain, an array or a type read as text.
                let special = sourceEngine == .postgresql ? PostgresColumnType(column.type, in: source) : nil
                let type = uuidOf != nil ? (engine == .postgresql ? "uuid" : "TEXT")
                    : columnRule?.type ?? special?.targetType(into: engine) ?? TypeMapping.type(column.type, from: sourceEngine, to: engine)
                var target = Column(name: map[column.name] ?? column.name, type: type, isNullable: column.isNullable)
                target.defaultExpression = column.defaultExpression.flatMap { DefaultTranslation.translate($0, from: sourceEngine, to: engine) }
                if column.defaultExpression != nil, target.defaultExpression == nil {
                    warnings.append("\(table.name).\(column.name): the default \(column.defaultExpression ?? "") has no counterpart on \(engine.description); left out")
                }
                if sourceEngine == engine { target.identity = column.identity }
                if let value = column.defaultExpression, value.lowercased().hasPrefix("nextval(") {
                    target.defaultExpression = nil  // its sequence is not copied: the column becomes an identity
                }
                let targetKind: ValueKind = uuidOf != nil ? .uuid
                    : (columnRule?.type == nil ? special?.kind(into: engine) : nil) ?? ValueKind(declaredType: type, engine: engine)
                var conversion = ColumnConversion(sourceKind: special?.kind(into: engine) ?? ValueKind(declaredType: column.type, engine: sourceEngine),
                                                  targetKind: targetKind, zone: columnRule?.zone ?? spec.zone, epochUnit: columnRule?.epoch ?? .automatic)
                conversion.uuidOfKeysIn = uuidOf?.description
                conversion.jsonArrayToArray = sourceEngine == .sqlite && engine == .postgresql && type.hasSuffix("]")
                if engine == .sqlite, columnRule?.type == nil, let special {
                    typeChecks += special.sqliteChecks(column: target.name).map { CheckConstraint(expression: $0) }
                }
                let select = special?.select(quoter.quote(column.name), into: engine) ?? quoter.quote(column.name)
                columns.append(ColumnCopy(select: select, sourceName: column.name, target: target, conversion: conversion))
            }
            for computed in rule?.computed ?? [] {
                let kind = ValueKind(declaredType: computed.type, engine: engine)
                columns.append(ColumnCopy(select: "(\(computed.expression))", sourceName: nil,
                                          target: Column(name: computed.name, type: computed.type),
                                          conversion: ColumnConversion(sourceKind: kind, targetKind: kind, zone: spec.zone)))
            }
            guard let targetName = tableNames[table.name] else { continue }
            let rename = { (name: String) in map[name] ?? name }
            var full = Table(name: targetName, columns: columns.map(\.target))
            full.primaryKey = table.primaryKey.map { var key = $0; key.columns = key.columns.map(rename); key.name = key.name.map(spec.names.apply); key.isAutoincrement = false; return key }
            full.uniqueConstraints = table.uniqueConstraints.map { var unique = $0; unique.columns = unique.columns.map(rename); unique.name = unique.name.map(spec.names.apply); return unique }
            // A check's condition names columns as the source does (`[Unit Price]`): renamed and
            // quoted for the target, or the target refuses it.
            let renamer = ExpressionRenamer(from: sourceEngine, to: engine, columns: map)
            full.checkConstraints = table.checkConstraints.map { check in
                var check = check
                check.name = check.name.map(spec.names.apply)
                check.expression = renamer.rewrite(check.expression)
                return check
            }
            full.foreignKeys = table.foreignKeys.compactMap { key in
                guard let parent = tableNames[key.referencedTable] ?? tableNames.first(where: { $0.key.name == key.referencedTable.name })?.value else {
                    warnings.append("\(table.name): the foreign key to \(key.referencedTable) is left out (that table is not copied)")
                    return nil
                }
                let parentMap = columnNames.first { $0.key.name == key.referencedTable.name }?.value ?? [:]
                var copy = key
                copy.columns = key.columns.map(rename)
                copy.referencedTable = parent
                copy.referencedColumns = key.referencedColumns.map { parentMap[$0] ?? $0 }
                copy.name = key.name.map(spec.names.apply)
                return copy
            }
            full.indexes = table.indexes.filter { !$0.name.hasPrefix("sqlite_autoindex_") }.map { index in
                var copy = index
                copy.name = spec.names.apply(index.name)
                copy.elements = index.elements.map { element in
                    var element = element
                    if !element.isExpression { element.expression = rename(element.expression) }
                    if engine != sourceEngine { element.operatorClass = nil; element.collation = nil }
                    return element
                }
                copy.includedColumns = index.includedColumns.map(rename)
                if engine != sourceEngine { copy.method = nil }
                return copy
            }
            var loading = full
            if engine == .postgresql {
                loading.primaryKey = nil
                loading.uniqueConstraints = []
                loading.checkConstraints = []
                loading.foreignKeys = []
            }
            loading.indexes = []

            var key = table.primaryKey?.columns ?? []
            if key.isEmpty, sourceEngine == .sqlite, !table.isWithoutRowID { key = ["rowid"] }
            let keyType = key.count == 1 ? table.column(named: key[0])?.type.lowercased() : nil
            let integerKey = key == ["rowid"] || (keyType.map { ValueKind(declaredType: $0, engine: sourceEngine) == .integer } ?? false)
            var identityAfterData: [String] = []
            if uuidKeys[table.name] == nil, sourceEngine == .sqlite, engine == .postgresql, !table.isWithoutRowID, let pk = table.primaryKey, pk.columns.count == 1,
               table.column(named: pk.columns[0])?.type.uppercased() == "INTEGER" {
                identityAfterData.append(rename(pk.columns[0]))
            }
            if engine == .postgresql {
                for column in table.columns where column.defaultExpression?.lowercased().hasPrefix("nextval(") == true
                    && columns.contains(where: { $0.sourceName == column.name }) {
                    identityAfterData.append(rename(column.name))
                }
            }
            if engine == .sqlite, sourceEngine != .sqlite, !full.checkConstraints.isEmpty {
                warnings.append("\(table.name): its CHECK constraints are not carried into SQLite (their expressions are PostgreSQL's)")
                full.checkConstraints = []
                loading.checkConstraints = []
            }
            // What an enum or a domain enforced on PostgreSQL, as SQLite checks.
            full.checkConstraints += typeChecks
            loading.checkConstraints += typeChecks
            loading.partitioning = nil
            if uuidKeys[table.name] != nil {
                identityAfterData = []
                for index in columns.indices where columns[index].conversion.uuidOfKeysIn != nil { columns[index].target.identity = nil }
                loading.columns = columns.map(\.target)
                full.columns = loading.columns
            }
            let counters = identityAfterData + columns.filter { $0.target.identity != nil }.map(\.target.name)
            // A PostgreSQL table other tables inherit from (old-style partitions): its own rows
            // only, since reading it also returns theirs, and they are copied as tables too.
            var condition = rule?.condition
            if sourceEngine == .postgresql, copied.contains(where: { $0.inheritsFrom.contains(table.name) }) {
                condition = [condition.map { "(\($0))" }, "tableoid = \(SQLIdentifierQuoter.literal(quoter.quote(table.name)))::regclass"]
                    .compactMap { $0 }.joined(separator: " AND ")
            }
            var copy = TableCopy(source: table, target: loading, columns: columns, condition: condition,
                                 key: key, hasIntegerKey: key.count == 1 && integerKey,
                                 estimatedRows: table.statistics?.rowCount ?? 0, identityAfterData: identityAfterData, counters: counters)
            if uuidKeys[table.name] != nil { copy.idMap = QualifiedName(schema: targetName.schema, targetName.name + "_id_map") }
            tables.append(copy)
            finished.append(full)
        }
        for name in spec.tables.keys.sorted() where source.tables.first(where: { $0.name.name.lowercased() == name.lowercased() }) == nil {
            throw GodwitError(.invalidArgument, "The copy file names an unknown table", location: "tables.\(name)",
                              remedy: "The source has: \(source.tables.map(\.name.name).sorted().joined(separator: ", ")).")
        }
        self.tables = tables
        self.finished = finished.map { var table = $0; table.partitioning = nil; return table }
        self.warnings = warnings
        if sourceEngine == .postgresql, engine == .postgresql {
            let declared = Set(tables.flatMap { $0.source.columns.map { $0.type.lowercased() } })
            let domains = source.domains.filter { declared.contains($0.name.name.lowercased()) || declared.contains($0.name.description.lowercased()) }
            let named = declared.union(domains.map { $0.baseType.lowercased() })
            let enums = source.enums.filter { named.contains($0.name.name.lowercased()) || named.contains($0.name.description.lowercased())
                || named.contains($0.name.name.lowercased() + "[]") }
            types = (enums, domains)
        }
        // Types the copy file declares, for columns it gives them to: created where missing.
        for type in spec.types {
            switch type {
            case .enumeration(let item) where !types.enums.contains(where: { $0.name == item.name }): types.enums.append(item)
            case .domain(let domain) where !types.domains.contains(where: { $0.name == domain.name }): types.domains.append(domain)
            default: break
            }
        }
    }
}

extension CopyPlan {
    /// The plan of moving `source` into a database of `engine`, from the source's live schema.
    static func make(from source: DatabaseURL, into engine: Engine, spec: CopySpec) async throws -> CopyPlan {
        let schema = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await $0.inspect(.dataMove) }
        return try CopyPlan(source: schema, target: engine, spec: spec, targetSchema: nil)
    }
}

extension InspectionOptions {
    /// What copy, sync, cutover and verify read of a schema: everything but table sizes, which
    /// SQLite measures by reading every page.
    static let dataMove = InspectionOptions(tableSizes: false)
}

/// Column defaults carried across engines: literals and the SQL-standard clock functions as
/// they are, SQLite's `datetime('now')` family as `now()`; anything else is left out (and said).
enum DefaultTranslation {
    static func translate(_ expression: String, from source: Engine, to target: Engine) -> String? {
        guard source != target else { return expression }
        var text = expression.trimmingWhitespace()
        while text.hasPrefix("("), text.hasSuffix(")") { text = String(text.dropFirst().dropLast()).trimmingWhitespace() }
        let upper = text.uppercased()
        if ["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "NULL", "TRUE", "FALSE"].contains(upper) { return upper }
        if Double(text) != nil { return text }
        if text.hasPrefix("'"), text.hasSuffix("'"), text.count >= 2 { return text }
        if source == .sqlite, ["datetime('now')", "datetime(\"now\")", "date('now')", "strftime('%s','now')"].contains(text.lowercased().replacingOccurrences(of: " ", with: "")) {
            return text.lowercased().hasPrefix("date(") ? "CURRENT_DATE" : (text.contains("%s") ? "extract(epoch from now())::bigint" : "now()")
        }
        if source == .postgresql, upper == "NOW()" { return "CURRENT_TIMESTAMP" }
        return nil
    }
}
