/// What a SQL file does to a schema, learned by running it on a scratch copy of the schema (no
/// data) before any real database is touched: the objects it adds, changes and removes, those
/// changes as Godwit's operations, and whether its `down` gives the starting schema back.
public struct SQLEffect: Hashable, Sendable {
    /// The scratch's schema before and after `up`.
    public var before: Schema
    public var after: Schema
    /// The changes as operations (from ``SchemaDiffer``): what classification, the plan's
    /// Schema Changes tables and lint's model rules read.
    public var operations: [Operation]
    /// What running `down` after `up` gave back.
    public var reversal: Reversal
    /// Data statements that could not run on the empty scratch (they need rows it does not
    /// have), as `file:line:column`; they run on the real database as written.
    public var skippedDataStatements: [String]
    /// The down Godwit wrote for SQL whose tool writes none (``RawSQL/generatesDown``).
    public var generatedDown: GeneratedDown?

    /// A down written by Godwit: the operations that turn the schema after `up` back into the
    /// one before it, as SQL. It is for a person to review before trusting it with data.
    public struct GeneratedDown: Hashable, Sendable {
        public var sql: String
        /// What running it loses that `up`'s own changes held (a created table's rows, an added
        /// column's values), in words.
        public var losses: [String]

        public init(sql: String, losses: [String]) {
            self.sql = sql
            self.losses = losses
        }
    }

    /// How completely `down` undoes `up`, found on the scratch.
    public enum Reversal: Hashable, Sendable {
        /// The schema after `down` equals the one before `up`.
        case identical
        /// Equal but for the order of columns in these tables (a dropped and re-added column
        /// comes back last).
        case columnOrderOnly(tables: [String])
        /// These objects are left different: there is a point of no return.
        case differs(objects: [String])
        /// `down` failed on the scratch, with this error.
        case failed(String)
        /// `down` was not run (lint does not need it).
        case notChecked

        /// Whether `down` leaves the schema as it found it, column order aside.
        public var restoresSchema: Bool {
            switch self {
            case .identical, .columnOrderOnly, .notChecked: true
            case .differs, .failed: false
            }
        }

        /// In words, for plans and reports.
        public var summary: String {
            switch self {
            case .identical: "down restores the schema exactly"
            case .columnOrderOnly(let tables): "down restores the schema up to column order (\(tables.joined(separator: ", ")))"
            case .differs(let objects): "after down, \(objects.joined(separator: "; "))"
            case .failed(let error): "down fails: \(error)"
            case .notChecked: "down was not tried"
            }
        }
    }

    public init(before: Schema, after: Schema, operations: [Operation], reversal: Reversal, skippedDataStatements: [String] = [],
                generatedDown: GeneratedDown? = nil) {
        self.before = before
        self.after = after
        self.operations = operations
        self.reversal = reversal
        self.skippedDataStatements = skippedDataStatements
        self.generatedDown = generatedDown
    }

    /// Whether `up` changes the schema at all.
    public var changesSchema: Bool { before.removingStatistics().canonicalized() != after.removingStatistics().canonicalized() }

    /// `schema` with the same changes made: every object `up` added or changed on the scratch
    /// takes the scratch's form, every object it removed goes, everything else stays as `schema`
    /// has it (with its statistics).
    public func applied(to schema: Schema) -> Schema {
        var result = schema
        Self.patch(&result.namespaces, before.namespaces, after.namespaces) { $0.name }
        Self.patch(&result.extensions, before.extensions, after.extensions) { $0.name }
        Self.patch(&result.enums, before.enums, after.enums) { $0.name.description }
        Self.patch(&result.domains, before.domains, after.domains) { $0.name.description }
        Self.patch(&result.sequences, before.sequences, after.sequences) { $0.name.description }
        let statistics = Dictionary(schema.tables.map { ($0.name, $0.statistics) }, uniquingKeysWith: { first, _ in first })
        Self.patch(&result.tables, before.tables.map { $0.withoutStatistics }, after.tables.map { $0.withoutStatistics }) { $0.name.description }
        for index in result.tables.indices where result.tables[index].statistics == nil {
            // A table the SQL creates starts empty.
            result.tables[index].statistics = statistics[result.tables[index].name] ?? TableStatistics(estimatedRowCount: 0, sizeInBytes: 0)
        }
        Self.patch(&result.views, before.views, after.views) { $0.name.description }
        Self.patch(&result.functions, before.functions, after.functions) { $0.signature }
        Self.patch(&result.triggers, before.triggers, after.triggers) { "\($0.table).\($0.name)" }
        Self.patch(&result.rules, before.rules, after.rules) { "\($0.table).\($0.name)" }
        Self.patch(&result.extendedStatistics, before.extendedStatistics, after.extendedStatistics) { $0.name.description }
        Self.patch(&result.compositeTypes, before.compositeTypes, after.compositeTypes) { $0.name.description }
        return result.canonicalized()
    }

    /// What `up` did to objects other than tables, in words (`adds function public.f(integer)`,
    /// `changes enum public.mood`), for a classification whose tables the SQL leaves alone.
    public var otherObjectChanges: [String] {
        var words: [String] = []
        func note<T: Equatable>(_ kind: String, _ before: [T], _ after: [T], key: (T) -> String) {
            let old = Dictionary(before.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            let new = Dictionary(after.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
            for name in Set(new.keys).subtracting(old.keys).sorted() { words.append("adds \(kind) \(name)") }
            for name in Set(old.keys).intersection(new.keys).sorted() where old[name] != new[name] { words.append("changes \(kind) \(name)") }
            for name in Set(old.keys).subtracting(new.keys).sorted() { words.append("drops \(kind) \(name)") }
        }
        note("schema", before.namespaces, after.namespaces) { $0.name }
        note("extension", before.extensions, after.extensions) { $0.name }
        note("enum", before.enums, after.enums) { $0.name.description }
        note("domain", before.domains, after.domains) { $0.name.description }
        note("sequence", before.sequences, after.sequences) { $0.name.description }
        note("view", before.views, after.views) { $0.name.description }
        note("function", before.functions, after.functions) { $0.signature }
        note("trigger", before.triggers, after.triggers) { "\($0.name) on \($0.table)" }
        note("rule", before.rules, after.rules) { "\($0.name) on \($0.table)" }
        note("statistics object", before.extendedStatistics, after.extendedStatistics) { $0.name.description }
        note("composite type", before.compositeTypes, after.compositeTypes) { $0.name.description }
        return words
    }

    /// Removes from `live` what `after` lacks of `before`, and puts in what `after` added or changed.
    private static func patch<T: Equatable>(_ live: inout [T], _ before: [T], _ after: [T], key: (T) -> String) {
        let beforeByKey = Dictionary(before.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let afterKeys = Set(after.map(key))
        let removed = Set(beforeByKey.keys).subtracting(afterKeys)
        live.removeAll { removed.contains(key($0)) }
        for object in after where beforeByKey[key(object)] != object {
            if let index = live.firstIndex(where: { key($0) == key(object) }) {
                live[index] = object
            } else {
                live.append(object)
            }
        }
    }

    /// How `restored` (after `up` then `down`) compares with `original`.
    public static func reversal(from original: Schema, to restored: Schema) -> Reversal {
        if restored.differences(from: original).isEmpty { return .identical }
        // Column order aside: tables' columns by name, and views' select lists too (a view over
        // `SELECT *` made again after its table's columns came back in another order lists them so).
        func orderAside(_ schema: Schema) -> Schema {
            var copy = schema
            for index in copy.tables.indices { copy.tables[index].columns.sort { $0.name < $1.name } }
            for index in copy.views.indices { copy.views[index].definition = View.sortingSelectList(copy.views[index].definition) }
            return copy
        }
        let reorderedTables = original.tables.filter { table in
            restored.table(named: table.name).map { $0.columns.map(\.name) != table.columns.map(\.name) } ?? false
        }
        let beyondOrder = orderAside(restored).differences(from: orderAside(original))
        guard beyondOrder.isEmpty else {
            // What differs beyond column order comes first: a reordered table would otherwise
            // bury it (a long history of downs that re-add columns reorders dozens).
            let order = reorderedTables.isEmpty ? [] : ["columns of \(reorderedTables.map(\.name.description).joined(separator: ", ")) in another order"]
            return .differs(objects: beyondOrder + order)
        }
        let reorderedViews = original.views.filter { view in
            restored.views.first { $0.name == view.name }.map { $0.definition != view.definition } ?? false
        }
        return .columnOrderOnly(tables: (reorderedTables.map(\.name) + reorderedViews.map(\.name)).map(\.description))
    }
}

extension Table {
    var withoutStatistics: Table {
        var copy = self
        copy.statistics = nil
        return copy
    }
}
