import Foundation
import GodwitCore

/// Reads a PostgreSQL database's schema from `pg_catalog` into the model.
///
/// Everything is read in one `REPEATABLE READ READ ONLY` transaction, so the model is one
/// consistent snapshot, with `search_path` set to `pg_catalog` for that transaction alone so
/// that every printed name is schema-qualified whatever the user's own search path is.
struct PostgresInspector {
    let driver: PostgresDriver
    let options: InspectionOptions

    func inspect() async throws -> Schema {
        try await inspect(after: nil, changed: nil).schema
    }

    /// A reading, whole or, given an earlier one of this database, only of what changed since,
    /// merged into the earlier reading's catalog rows: the objects the tracked changes name
    /// and their dependents (``SchemaChangeLog``), or else the objects `changed` names.
    func inspect(after previous: SchemaReading?, changed: Set<QualifiedName>?) async throws -> SchemaReading {
        if options.withinTransaction {
            // The caller's transaction stays open; the savepoint takes back the search_path.
            try await driver.execute(unsafeSQL: "SAVEPOINT godwit_inspect")
            do {
                _ = try await driver.query(unsafeSQL: Self.readingSettings)
                let reading = try await read(after: previous, changed: changed)
                try await driver.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_inspect")
                try await driver.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_inspect")
                return reading
            } catch {
                _ = try? await driver.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_inspect")
                throw error
            }
        }
        try await driver.execute(unsafeSQL: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            _ = try await driver.query(unsafeSQL: Self.readingSettings)
            let reading = try await read(after: previous, changed: changed)
            try await driver.execute(unsafeSQL: "ROLLBACK")
            return reading
        } catch {
            _ = try? await driver.execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    /// The reading's settings, for its transaction alone, in one round trip: `search_path`
    /// (see the type's comment), and generic plans — the readings of only some owners run one
    /// prepared statement per set of sections, each a handful of times a session: planned once
    /// for any owners, not five times first (the server's default for a statement with
    /// parameters, about 15 ms a time).
    private static let readingSettings =
        "SELECT set_config('search_path', 'pg_catalog', true), set_config('plan_cache_mode', 'force_generic_plan', true)"

    /// `GODWIT_WHOLE_READINGS=1`: every reading whole, as before incremental readings existed
    /// (for comparing the two, or as a way round a fault in the incremental one).
    static let wholeReadingsOnly = ProcessInfo.processInfo.environment["GODWIT_WHOLE_READINGS"] == "1"

    /// What an incremental reading keeps of the one before: its catalog rows, how they were
    /// asked for, and the last change it saw.
    struct CatalogSnapshot: Sendable {
        let sections: [String: any CatalogSection]
        let shape: CatalogQueries.Shape
        let lastChange: Int64
    }

    private func read(after previous: SchemaReading?, changed: Set<QualifiedName>?) async throws -> SchemaReading {
        let queries = CatalogQueries(schemas: options.schemas, tableSizes: options.tableSizes,
                                     serverVersion: try await driver.serverVersionNumber())
        guard let snapshot = previous?.catalog as? CatalogSnapshot, snapshot.shape == queries.shape, let previous else {
            return try await wholeReading(queries)
        }
        if !driver.tracksSchemaChanges {
            guard let changed, !Self.wholeReadingsOnly else { return try await wholeReading(queries) }
            return try await reread(named: changed, after: previous, snapshot, queries)
        }
        return try await rereadTracked(after: previous, snapshot, queries)
    }

    /// A reading of what the tracked changes since `previous` touched (see ``SchemaChangeLog``).
    private func rereadTracked(after previous: SchemaReading, _ snapshot: CatalogSnapshot, _ queries: CatalogQueries) async throws -> SchemaReading {
        let changes = try await SchemaChangeLog.changes(since: snapshot.lastChange, on: driver)
        var sections = snapshot.sections
        let direct = try await reread(changes.owners.filter(\.isDirect), into: &sections, from: snapshot, queries)
        // A rename shows in what depends on the renamed object (a view's text, a foreign
        // key's target, a column's type): those are read again only then.
        // (Created or dropped, an owner has nothing depending on it by its old name.)
        let renamed = Set(snapshot.sections.compactMap { key, old -> String? in
            let before = old.printedNames(of: direct), after = sections[key]?.printedNames(of: direct) ?? [:]
            return before.contains { owner, names in after[owner].map { $0 != names } ?? false } ? key : nil
        })
        if renamed.contains("namespaces") {
            // Every object in a renamed schema prints its new name, and so does everything
            // naming one of them: read the whole catalog.
            return try await wholeReading(queries)
        }
        if !renamed.isEmpty {
            _ = try await reread(changes.owners.filter { !$0.isDirect && !direct.contains($0.owner ?? -1) }, into: &sections, from: snapshot, queries)
        }
        let catalog = CatalogSnapshot(sections: sections, shape: queries.shape, lastChange: changes.last)
        if direct.isEmpty { return SchemaReading(schema: previous.schema, catalog: catalog) }
        let schema = try await assemble(Catalog(sections: sections))
        try await crossCheck(schema, queries)
        return SchemaReading(schema: schema, catalog: catalog)
    }

    /// A reading of the objects `names` names (as they are now, and as the last reading held
    /// them, for those renamed or dropped since), the rest as `previous` read it.
    private func reread(named names: Set<QualifiedName>, after previous: SchemaReading, _ snapshot: CatalogSnapshot,
                        _ queries: CatalogQueries) async throws -> SchemaReading {
        guard !names.isEmpty else { return previous }
        let wanted = names.map { [$0.schema ?? "public", $0.name] }
        let json = String(decoding: try JSONEncoder().encode(wanted), as: UTF8.self)
        var owners = Set<Int64>()
        var kinds: Set<SchemaChangeLog.OwnerKind> = [.installedExtension]
        for row in try await driver.query(unsafeSQL: Self.ownersNamed, bindings: [.text(json)]) {
            guard let owner = row[0].integerValue, let kind = row[1].textValue.flatMap(SchemaChangeLog.OwnerKind.init(rawValue:)) else { continue }
            owners.insert(owner)
            kinds.insert(kind)
        }
        let spelled = Set(names.map { ($0.schema ?? "public") + "." + $0.name })
        for (key, section) in snapshot.sections {
            let held = section.owners(named: spelled)
            guard !held.isEmpty else { continue }
            owners.formUnion(held)
            if let kind = SchemaChangeLog.OwnerKind(section: key) { kinds.insert(kind) }
        }
        var sections = snapshot.sections
        try await merge(owners, of: kinds, into: &sections, queries)
        let schema = try await assemble(Catalog(sections: sections))
        try await crossCheck(schema, queries)
        return SchemaReading(schema: schema, catalog: CatalogSnapshot(sections: sections, shape: queries.shape, lastChange: snapshot.lastChange))
    }

    /// The OIDs and kinds (``SchemaChangeLog/OwnerKind``) of the relations, types and functions
    /// named by `$1`, a JSON array of `[schema, name]` pairs.
    private static let ownersNamed = """
        WITH wanted AS (SELECT e->>0 AS schema, e->>1 AS name FROM json_array_elements($1::json) e)
        SELECT c.oid::int8, CASE WHEN c.relkind = 'c' THEN 't' ELSE 'r' END FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN wanted w ON w.schema = n.nspname AND w.name = c.relname
        UNION ALL SELECT t.oid::int8, 't' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN wanted w ON w.schema = n.nspname AND w.name = t.typname
               WHERE t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
        UNION ALL SELECT p.oid::int8, 'f' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN wanted w ON w.schema = n.nspname AND w.name = p.proname
        """

    /// A whole reading, kept with the last change noted so far for the next incremental one.
    private func wholeReading(_ queries: CatalogQueries) async throws -> SchemaReading {
        let last = driver.tracksSchemaChanges ? try await SchemaChangeLog.lastChange(on: driver) : 0
        let catalog = try await readCatalog(queries)
        return SchemaReading(schema: try await assemble(catalog),
                             catalog: CatalogSnapshot(sections: catalog.sections, shape: queries.shape, lastChange: last))
    }

    /// Reads again the rows of the owners of `changes` (an object dropped since is no longer
    /// in the catalog to say what it belonged to; the last reading knows) and merges them into
    /// `sections`. Returns the owners read.
    private func reread(_ changes: [SchemaChangeLog.Change], into sections: inout [String: any CatalogSection],
                        from snapshot: CatalogSnapshot, _ queries: CatalogQueries) async throws -> Set<Int64> {
        guard !changes.isEmpty else { return [] }
        var known: [Int64: (owner: Int64, kind: SchemaChangeLog.OwnerKind?)] = [:]
        if changes.contains(where: { $0.owner == nil }) {
            for (key, section) in snapshot.sections {
                let kind = SchemaChangeLog.OwnerKind(section: key)
                for (object, owner) in section.objectOwners where known[object] == nil { known[object] = (owner, kind) }
            }
        }
        var owners = Set<Int64>()
        var kinds = Set<SchemaChangeLog.OwnerKind>()
        for change in changes {
            if let owner = change.owner {
                owners.insert(owner)
                if let kind = change.kind { kinds.insert(kind) } else { kinds.formUnion(SchemaChangeLog.OwnerKind.allCases) }
            } else if let held = known[change.object] {
                // Gone: its rows go. (Gone and never read: nothing of it is held.)
                owners.insert(held.owner)
                if let kind = held.kind { kinds.insert(kind) } else { kinds.formUnion(SchemaChangeLog.OwnerKind.allCases) }
            }
        }
        guard !owners.isEmpty else { return [] }
        try await merge(owners, of: kinds, into: &sections, queries)
        return owners
    }

    /// Reads the rows of `owners` in the sections their `kinds` have rows in, and puts them in
    /// `sections` in place of the rows those owners had there.
    private func merge(_ owners: Set<Int64>, of kinds: Set<SchemaChangeLog.OwnerKind>, into sections: inout [String: any CatalogSection],
                       _ queries: CatalogQueries) async throws {
        let keys = queries.all.map(\.key).filter { key in kinds.contains { $0.sections.contains(key) } }
        guard !keys.isEmpty else { return }
        let fresh = try await Self.readSections(keys, of: queries, on: driver, owners: owners)
        for (key, rows) in fresh.sections {
            // Extensions are read whole each time (``CatalogQueries/statement(for:ownersParameter:)``).
            sections[key] = key == "extensions" ? rows : sections[key].map { $0.merging(rows, replacing: owners) } ?? rows
        }
    }

    /// With `GODWIT_CHECK_INCREMENTAL_READINGS=1` (the test suites set it), every incremental
    /// reading is compared with a whole one taken in the same snapshot, and a difference is an
    /// internal error naming it.
    private func crossCheck(_ schema: Schema, _ queries: CatalogQueries) async throws {
        guard ProcessInfo.processInfo.environment["GODWIT_CHECK_INCREMENTAL_READINGS"] == "1" else { return }
        let whole = try await assemble(try await readCatalog(queries)).removingStatistics()
        let incremental = schema.removingStatistics()
        guard incremental != whole else { return }
        let kinds: [(String, Bool)] = [
            ("namespaces", incremental.namespaces == whole.namespaces), ("extensions", incremental.extensions == whole.extensions),
            ("enums", incremental.enums == whole.enums), ("domains", incremental.domains == whole.domains),
            ("sequences", incremental.sequences == whole.sequences), ("tables", incremental.tables == whole.tables),
            ("views", incremental.views == whole.views), ("functions", incremental.functions == whole.functions),
            ("triggers", incremental.triggers == whole.triggers), ("rules", incremental.rules == whole.rules),
            ("composite types", incremental.compositeTypes == whole.compositeTypes),
            ("extended statistics", incremental.extendedStatistics == whole.extendedStatistics),
        ]
        let differing = kinds.filter { !$0.1 }.map(\.0).joined(separator: ", ")
        let named = incremental.differences(from: whole).joined(separator: "; ")
        throw GodwitError(.internalError, "An incremental schema reading differs from a whole one",
                          reason: "in \(differing)" + (named.isEmpty ? "" : ": " + named),
                          remedy: "Report it with the SQL that ran before the reading; meanwhile GODWIT_WHOLE_READINGS=1 reads the whole schema each time.")
    }

    /// The rows of every catalog query at once: one statement whose columns are the queries'
    /// results as JSON arrays, prepared once per session. One round trip and no planning on
    /// later calls, where a query per kind of object cost a dozen of each. Each section is
    /// decoded on the task that read it, so the two halves of a split reading decode at once.
    private struct Catalog: Sendable {
        let sections: [String: any CatalogSection]

        func rows<Row: Decodable & Sendable>(_ key: String, as type: Row.Type) throws -> [Row] {
            guard let section = sections[key] as? OwnedRows<Row> else { throw GodwitError(.internalError, "Catalog section \(key) is missing") }
            return section.rows.map(\.row)
        }

        /// How each section's JSON is decoded.
        static let decoders: [String: @Sendable (Data) throws -> any CatalogSection] = [
            "namespaces": decoder(CatalogRows.NamespaceRow.self), "extensions": decoder(CatalogRows.ExtensionRow.self),
            "enums": decoder(CatalogRows.EnumRow.self), "domains": decoder(CatalogRows.DomainRow.self),
            "sequences": decoder(CatalogRows.SequenceRow.self), "tables": decoder(CatalogRows.TableRow.self),
            "columns": decoder(CatalogRows.ColumnRow.self), "identities": decoder(CatalogRows.IdentityRow.self),
            "constraints": decoder(CatalogRows.ConstraintRow.self), "indexes": decoder(CatalogRows.IndexRow.self),
            "views": decoder(CatalogRows.ViewRow.self), "functions": decoder(CatalogRows.FunctionRow.self),
            "triggers": decoder(CatalogRows.TriggerRow.self), "rules": decoder(CatalogRows.RuleRow.self),
            "statistics": decoder(CatalogRows.ExtendedStatisticsRow.self), "composites": decoder(CatalogRows.CompositeTypeRow.self),
        ]

        private static func decoder<Row: Decodable & Sendable>(_ type: Row.Type) -> @Sendable (Data) throws -> any CatalogSection {
            { OwnedRows(rows: try JSONDecoder().decode([Owned<Row>].self, from: $0)) }
        }
    }

    private func readCatalog(_ queries: CatalogQueries) async throws -> Catalog {
        // A reading inside the caller's transaction must see its uncommitted changes, which no
        // other session can.
        if !options.withinTransaction, try await relationCount() > options.splitAboveRelations,
           let companion = try? await PostgresDriver.connect(driver.endpoint, applicationName: "godwit (reading)") {
            do {
                let catalog = try await readInHalves(queries, companion: companion)
                try? await companion.close()
                return catalog
            } catch {
                try? await companion.close()
                throw error
            }
        }
        return try await Self.readSections(queries.all.map(\.key), of: queries, on: driver)
    }

    /// How many relations the database holds, system catalogs included (an index-free count
    /// of `pg_class`, well under a millisecond for thousands).
    private func relationCount() async throws -> Int {
        Int(try await driver.query(unsafeSQL: "SELECT count(*) FROM pg_class").first?[0].integerValue ?? 0)
    }

    /// The two halves of the catalog at once, the second on `companion`, which reads in the
    /// same snapshot (``PostgresDriver/exportSnapshot()``): one reading, on two of the server's cores.
    private func readInHalves(_ queries: CatalogQueries, companion: PostgresDriver) async throws -> Catalog {
        let snapshot = try await driver.exportSnapshot()
        async let second = companion.withSnapshot(snapshot) { session in
            try await session.execute(unsafeSQL: "SET LOCAL search_path = pg_catalog")
            return try await Self.readSections(CatalogQueries.halves[1], of: queries, on: session)
        }
        let first = try await Self.readSections(CatalogQueries.halves[0], of: queries, on: driver)
        return Catalog(sections: first.sections.merging(try await second.sections) { mine, _ in mine })
    }

    /// The sections named by `keys`, in one prepared statement on `session`; with `owners`,
    /// only those owners' rows (and every extension).
    private static func readSections(_ keys: [String], of queries: CatalogQueries, on session: PostgresDriver,
                                     owners: Set<Int64>? = nil) async throws -> Catalog {
        let statement = queries.statement(for: keys, ownersParameter: owners != nil)
        let argument = owners.map { "'{" + $0.sorted().map(String.init).joined(separator: ",") + "}'" }
        guard let row = try await session.queryPrepared(unsafeSQL: statement, parameterTypes: owners == nil ? [] : ["oid[]"],
                                                        arguments: argument.map { [$0] } ?? []).first else {
            throw GodwitError(.internalError, "The catalog query returned no row")
        }
        var sections: [String: any CatalogSection] = [:]
        for (offset, key) in queries.all.map(\.key).filter(keys.contains).enumerated() {
            guard let text = row.values[offset].textValue, let decode = Catalog.decoders[key] else {
                throw GodwitError(.internalError, "Catalog section \(key) came back empty")
            }
            sections[key] = try decode(Data(text.utf8))
        }
        return Catalog(sections: sections)
    }

    /// The model built from the catalog's rows.
    private func assemble(_ catalog: Catalog) async throws -> Schema {
        var schema = Schema(engine: .postgresql)
        schema.namespaces = try catalog.rows("namespaces", as: CatalogRows.NamespaceRow.self).map {
            Namespace(name: $0.name, comment: $0.comment)
        }
        schema.extensions = try catalog.rows("extensions", as: CatalogRows.ExtensionRow.self).map {
            Extension(name: $0.name, schema: $0.schema, version: $0.version)
        }
        schema.enums = try catalog.rows("enums", as: CatalogRows.EnumRow.self).map {
            EnumType(name: QualifiedName(schema: $0.schema, $0.name), labels: $0.labels, comment: $0.comment)
        }
        schema.domains = try catalog.rows("domains", as: CatalogRows.DomainRow.self).map { row in
            Domain(
                name: QualifiedName(schema: row.schema, row.name), baseType: row.baseType, isNullable: !row.notNull,
                defaultExpression: row.defaultExpression, collation: row.collation,
                checkConstraints: (row.checks ?? []).map {
                    CheckConstraint(name: $0.name, expression: ConstraintText.checkExpression($0.definition), isValidated: $0.validated)
                },
                comment: row.comment
            )
        }
        schema.sequences = try catalog.rows("sequences", as: CatalogRows.SequenceRow.self).map(makeSequence)
        let indexes = Dictionary(
            grouping: try catalog.rows("indexes", as: CatalogRows.IndexRow.self), by: \.tableOid
        ).mapValues { $0.map(makeIndex) }
        schema.tables = try await readTables(catalog, indexes: indexes)
        schema.views = try catalog.rows("views", as: CatalogRows.ViewRow.self).map { row in
            View(
                name: QualifiedName(schema: row.schema, row.name),
                definition: ConstraintText.removingTrailingSemicolon(row.definition),
                isMaterialized: row.kind == "m",
                indexes: indexes[row.oid] ?? [],
                dependencies: (row.dependencies ?? []).map { QualifiedName(schema: $0[0], $0[1]) },
                comment: row.comment
            )
        }
        schema.functions = try catalog.rows("functions", as: CatalogRows.FunctionRow.self).map(makeFunction)
        schema.triggers = try catalog.rows("triggers", as: CatalogRows.TriggerRow.self).map {
            Trigger(
                name: $0.name, table: QualifiedName(schema: $0.schema, $0.table), definition: $0.definition,
                isEnabled: $0.enabled != "D", comment: $0.comment
            )
        }
        schema.rules = try catalog.rows("rules", as: CatalogRows.RuleRow.self).map {
            Rule(
                name: $0.name, table: QualifiedName(schema: $0.schema, $0.table),
                definition: ConstraintText.removingTrailingSemicolon($0.definition), comment: $0.comment
            )
        }
        schema.compositeTypes = try catalog.rows("composites", as: CatalogRows.CompositeTypeRow.self).map { row in
            CompositeType(name: QualifiedName(schema: row.schema, row.name),
                          attributes: (row.attributes ?? []).map { CompositeType.Attribute(name: $0.name, type: $0.type, collation: $0.collation) },
                          comment: row.comment)
        }
        schema.extendedStatistics = try catalog.rows("statistics", as: CatalogRows.ExtendedStatisticsRow.self).map {
            ExtendedStatistics(name: QualifiedName(schema: $0.schema, $0.name), table: QualifiedName(schema: $0.tableSchema, $0.table),
                               definition: $0.definition, comment: $0.comment)
        }
        return schema.canonicalized()
    }

    private func readTables(_ catalog: Catalog, indexes: [Int64: [Index]]) async throws -> [Table] {
        var tables: [Int64: Table] = [:]
        for row in try catalog.rows("tables", as: CatalogRows.TableRow.self) {
            var table = Table(name: QualifiedName(schema: row.schema, row.name))
            table.isUnlogged = row.persistence == "u"
            table.comment = row.comment
            table.storageParameters = row.storageParameters
            table.partitioning = row.partitionKey.map(Table.Partitioning.init(key:))
            let parents = (row.parents ?? []).map { QualifiedName(schema: $0[0], $0[1]) }
            if let bound = row.partitionBound, let parent = parents.first {
                table.partitionOf = Table.PartitionBound(parent: parent, bound: bound)
            } else {
                table.inheritsFrom = parents
            }
            table.statistics = TableStatistics(estimatedRowCount: row.estimatedRows ?? row.liveRows, sizeInBytes: row.sizeBytes)
            table.indexes = indexes[row.oid] ?? []
            tables[row.oid] = table
        }
        let identities = Dictionary(
            try catalog.rows("identities", as: CatalogRows.IdentityRow.self).map { (ColumnKey(table: $0.tableOid, column: $0.column), $0) },
            uniquingKeysWith: { first, _ in first }
        )
        let columns = Dictionary(grouping: try catalog.rows("columns", as: CatalogRows.ColumnRow.self), by: \.tableOid)
        for (oid, rows) in columns where tables[oid] != nil {
            tables[oid]!.columns = rows.sorted { $0.position < $1.position }.map {
                makeColumn($0, identity: identities[ColumnKey(table: oid, column: $0.name)])
            }
        }
        for row in try catalog.rows("constraints", as: CatalogRows.ConstraintRow.self) {
            guard var table = tables[row.tableOid] else { continue }
            add(row, to: &table)
            tables[row.tableOid] = table
        }
        if options.exactRowCounts {
            let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
            for (oid, table) in tables {
                let count = try await driver.query(unsafeSQL: "SELECT count(*) FROM ONLY \(quoter.quote(table.name))")
                tables[oid]?.statistics?.exactRowCount = count.first?[0].integerValue
            }
        }
        return Array(tables.values)
    }

    private func makeSequence(_ row: CatalogRows.SequenceRow) -> SequenceDefinition {
        var owner: ColumnReference?
        if let table = row.ownerTable, let column = row.ownerColumn {
            owner = ColumnReference(table: QualifiedName(schema: row.ownerSchema, table), column: column)
        }
        return SequenceDefinition(
            name: QualifiedName(schema: row.schema, row.name), dataType: row.dataType, start: row.start,
            increment: row.increment, minValue: row.minValue, maxValue: row.maxValue, cache: row.cache,
            cycles: row.cycles, ownedBy: owner, comment: row.comment
        )
    }

    private struct ColumnKey: Hashable {
        var table: Int64
        var column: String
    }

    private func makeColumn(_ row: CatalogRows.ColumnRow, identity sequence: CatalogRows.IdentityRow?) -> Column {
        var column = Column(
            name: row.name, type: row.type, isNullable: !row.notNull, collation: row.collation,
            isInherited: !row.isLocal, comment: row.comment
        )
        if row.generated == "s" || row.generated == "v" {
            column.generated = Column.Generated(expression: row.defaultExpression ?? "", storage: row.generated == "v" ? .virtual : .stored)
        } else {
            column.defaultExpression = row.defaultExpression
        }
        if row.identity == "a" || row.identity == "d", let sequence {
            column.identity = Column.Identity(generation: row.identity == "a" ? .always : .byDefault, sequence: makeSequence(sequence.sequence))
        }
        return column
    }

    private func add(_ row: CatalogRows.ConstraintRow, to table: inout Table) {
        if let comment = row.comment { table.constraintComments = (table.constraintComments ?? [:]).merging([row.name: comment]) { $1 } }
        let deferrability: Deferrability = !row.deferrable
            ? .notDeferrable : (row.deferred ? .deferrableInitiallyDeferred : .deferrableInitiallyImmediate)
        let columns = row.columns ?? []
        let period = row.period ?? false, notEnforced = row.notEnforced ?? false
        switch row.type {
        case "p":
            table.primaryKey = PrimaryKey(name: row.name, columns: columns, deferrability: deferrability, withoutOverlaps: period)
        case "u":
            table.uniqueConstraints.append(
                UniqueConstraint(
                    name: row.name, columns: columns, deferrability: deferrability,
                    areNullsDistinct: !(row.nullsNotDistinct ?? false), withoutOverlaps: period
                )
            )
        case "c":
            table.checkConstraints.append(
                CheckConstraint(
                    name: row.name, expression: ConstraintText.checkExpression(row.definition ?? ""),
                    isInherited: !row.isLocal, isNoInherit: row.noInherit, isValidated: row.validated, isNotEnforced: notEnforced
                )
            )
        case "f":
            table.foreignKeys.append(
                ForeignKey(
                    name: row.name, columns: columns,
                    referencedTable: QualifiedName(schema: row.referencedSchema, row.referencedTable ?? ""),
                    referencedColumns: row.referencedColumns ?? [],
                    onUpdate: Self.action(row.updateAction), onDelete: Self.action(row.deleteAction),
                    match: row.matchType == "f" ? .full : (row.matchType == "p" ? .partial : .simple),
                    deferrability: deferrability, isValidated: row.validated, isNotEnforced: notEnforced, hasPeriod: period
                )
            )
        case "x":
            table.exclusionConstraints.append(ExclusionConstraint(name: row.name, definition: row.definition ?? ""))
        case "n":
            // PostgreSQL 18 names NOT NULL constraints; only a name it would not choose is kept.
            if row.isLocal, let column = columns.first, row.name != "\(table.name.name)_\(column)_not_null",
               let index = table.columns.firstIndex(where: { $0.name == column }) {
                table.columns[index].notNullConstraintName = row.name
            }
        default:
            break
        }
    }

    private func makeIndex(_ row: CatalogRows.IndexRow) -> Index {
        var index = Index(
            name: row.name, isUnique: row.isUnique, method: row.method, elements: [], predicate: row.predicate,
            areNullsDistinct: !(row.nullsNotDistinct ?? false), comment: row.comment
        )
        index.storageParameters = row.storageParameters
        for key in row.keys {
            if key.position > row.keyCount {
                index.includedColumns.append(key.column ?? "")
                continue
            }
            let option = key.option ?? 0
            let isDescending = option & 1 != 0
            let isNullsFirst = option & 2 != 0
            var nulls: Index.NullsOrder?
            if isDescending, !isNullsFirst { nulls = .last }
            if !isDescending, isNullsFirst { nulls = .first }
            index.elements.append(
                Index.Element(
                    expression: key.attnum == 0 ? (key.expression ?? "") : (key.column ?? ""),
                    isExpression: key.attnum == 0, collation: key.collation, operatorClass: key.operatorClass,
                    order: isDescending ? .descending : .ascending, nulls: nulls
                )
            )
        }
        return index
    }

    private func makeFunction(_ row: CatalogRows.FunctionRow) -> Function {
        let name = QualifiedName(schema: row.schema, row.name)
        let kind: Function.Kind = switch row.kind {
        case "a": .aggregate
        case "p": .procedure
        case "w": .window
        default: .function
        }
        var definition = row.definition.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        if kind == .aggregate {
            let quoter = SQLIdentifierQuoter(foldsUnquotedToLowercase: true)
            var parts = ["SFUNC = \(row.aggregateTransition ?? "")", "STYPE = \(row.aggregateStateType ?? "")"]
            if let final = row.aggregateFinal { parts.append("FINALFUNC = \(final)") }
            if let combine = row.aggregateCombine { parts.append("COMBINEFUNC = \(combine)") }
            if let initial = row.aggregateInitialValue { parts.append("INITCOND = \(SQLIdentifierQuoter.literal(initial))") }
            if let sort = row.aggregateSortOperator, let op = sort.split(separator: "(").first {
                parts.append("SORTOP = OPERATOR(\(op))")
            }
            definition = "CREATE AGGREGATE \(quoter.quote(name))(\(row.arguments)) (\n    "
                + parts.joined(separator: ",\n    ") + "\n)"
        }
        return Function(
            name: name, identityArguments: row.arguments, kind: kind, language: row.language, definition: definition,
            dependencies: (row.dependencies ?? []).map { QualifiedName(schema: $0[0], $0[1]) }, comment: row.comment
        )
    }

    private static func action(_ code: String) -> ReferentialAction {
        switch code {
        case "r": .restrict
        case "c": .cascade
        case "n": .setNull
        case "d": .setDefault
        default: .noAction
        }
    }
}

/// Cuts expressions out of the text `pg_get_constraintdef` and friends print.
enum ConstraintText {
    /// `CHECK ((a > 0)) NO INHERIT NOT ENFORCED NOT VALID` → `(a > 0)`.
    static func checkExpression(_ definition: String) -> String {
        var text = definition.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("CHECK ") { text.removeFirst(6) }
        // PostgreSQL prints them in this order: `NO INHERIT NOT ENFORCED NOT VALID`.
        for suffix in [" NOT VALID", " NOT ENFORCED", " NO INHERIT"] where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
        }
        return unwrapped(text)
    }

    /// The text without one pair of parentheses that wraps all of it.
    static func unwrapped(_ text: String) -> String {
        guard text.hasPrefix("("), text.hasSuffix(")") else { return text }
        var depth = 0
        var inString = false
        for (offset, character) in text.enumerated() {
            if character == "'" { inString.toggle() }
            if inString { continue }
            if character == "(" { depth += 1 }
            if character == ")" {
                depth -= 1
                if depth == 0, offset != text.count - 1 { return text }
            }
        }
        return String(text.dropFirst().dropLast())
    }

    static func removingTrailingSemicolon(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") { text.removeLast() }
        return text
    }
}
