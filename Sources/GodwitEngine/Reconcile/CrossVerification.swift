import Foundation
public import GodwitCore
import AsyncAlgorithms

/// `godwit verify --source URL --target URL`: compares every table of two databases, of either
/// engine, row by row. Both sides are read at once, ordered by the key, and every value is put
/// in its ``CanonicalForm`` (by the target column's kind), so `12.50` on PostgreSQL equals the
/// real 12.5 on SQLite and a text date equals a timestamptz. Walking both ordered streams side
/// by side names each missing, extra or modified row by its key directly, and yields per key
/// range counts and order-independent checksums on the way — the same answer data-diff reaches
/// by bisecting checksummed ranges, in one read of each side.
public struct CrossVerification: Sendable {
    public let source: DatabaseURL
    public let target: DatabaseURL
    public let spec: CopySpec
    /// Rows of the source per checksummed key range.
    public var rangeRows = 16_384
    /// Keys listed per kind of difference and table.
    public var listedKeys = 10
    /// PostgreSQL pairs: key ranges of at most this many rows are compared row by row; larger
    /// ones whose checksums differ are split again.
    public var bisectionThreshold: Int64 = 16_384
    public let observer: (any ExecutionObserver)?

    public init(source: DatabaseURL, target: DatabaseURL, spec: CopySpec = CopySpec(), observer: (any ExecutionObserver)? = nil) {
        self.source = source
        self.target = target
        self.spec = spec
        self.observer = observer
    }

    public func run() async throws -> ReconciliationReport {
        let started = Date()
        let targetSchema = try await DatabaseConnector.withDriver(target, access: .readOnly) { try await $0.inspect(.dataMove) }
        let plan = try await CopyPlan.make(from: source, into: targetSchema.engine, spec: spec)
        var results: [ReconciliationReport.TableResult] = []
        let sourceDriver = try await DatabaseConnector.open(source, access: .readOnly)
        let targetDriver = try await DatabaseConnector.open(target, access: .readOnly)
        do {
            for (table, expected) in zip(plan.tables, plan.finished) {
                observer?.observe(ExecutionEvent(kind: .notice, migration: "verify", message: "comparing \(table.source.name) with \(table.target.name)"))
                guard let pair = TablePair(table, in: targetSchema, from: source.engine) else {
                    // Every source row is missing from the target: the source's side is read as
                    // the target should hold it (rows, NULLs, dates), against an empty target.
                    var absent = targetSchema
                    absent.tables.append(expected)
                    var result: ReconciliationReport.TableResult
                    if let hypothetical = TablePair(table, in: absent, from: source.engine), hypothetical.problem == nil {
                        result = try await streamCompare(hypothetical, sourceDriver: sourceDriver, targetDriver: nil, range: nil)
                    } else {
                        result = ReconciliationReport.TableResult(source: table.source.name.description, target: table.target.name.description, key: [])
                    }
                    result.problem = "no table \(table.target.name) in the target"
                    results.append(result)
                    continue
                }
                if let problem = pair.problem {
                    var result = ReconciliationReport.TableResult(source: table.source.name.description, target: pair.targetName.description, key: [])
                    result.problem = problem
                    results.append(result)
                    continue
                }
                var result = try await compare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver)
                result.missingConstraints = ConstraintCoverage.missing(expected: expected, actual: targetSchema.table(named: pair.targetName))
                results.append(result)
            }
        } catch {
            try? await sourceDriver.close()
            try? await targetDriver.close()
            throw error
        }
        try? await sourceDriver.close()
        try? await targetDriver.close()
        return ReconciliationReport(source: source.description, target: target.description, date: started,
                                    seconds: Date().timeIntervalSince(started), tables: results)
    }

    private func compare(_ pair: TablePair, sourceDriver: any DatabaseDriver, targetDriver: any DatabaseDriver) async throws -> ReconciliationReport.TableResult {
        try await compare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, byValue: true)
    }

    /// - Parameter byValue: PostgreSQL pairs hash values rather than the rows' text; a server
    ///   without `hash_record_extended` (PostgreSQL 13) makes the comparison start again by text.
    private func compare(_ pair: TablePair, sourceDriver: any DatabaseDriver, targetDriver: any DatabaseDriver,
                         byValue: Bool) async throws -> ReconciliationReport.TableResult {
        guard let (sourceReader, targetReader) = bucketReaders(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, byValue: byValue) else {
            return try await streamCompare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, range: nil)
        }
        var checksums = RangeChecksums(pair: pair, source: sourceReader, target: targetReader, listedKeys: listedKeys) { range in
            try await streamCompare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, range: range)
        }
        checksums.threshold = bisectionThreshold
        do {
            return try await checksums.run()
        } catch let error as GodwitError where error.engineCode == "42883" && byValue && sourceReader is PostgresRowHashBuckets {
            // No value hash on one of the servers: hash the rows' text on both.
            return try await compare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, byValue: false)
        } catch let error as GodwitError where error.code == .queryFailed {
            // A server without what the checksum SQL needs (trim_scale: PostgreSQL 13): row by row.
            return try await streamCompare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, range: nil)
        } catch is RangeChecksums.ChecksumsDisagree {
            return try await streamCompare(pair, sourceDriver: sourceDriver, targetDriver: targetDriver, range: nil)
        }
    }

    /// Readers that let each database checksum its own key ranges: PostgreSQL pairs with the same
    /// column types hash their own rows (by value, else by text); SQLite and PostgreSQL each compute the canonical
    /// digest. Nil when the table is streamed instead (a key that is not one integer, keys made
    /// UUIDs, or a column whose canonical form PostgreSQL cannot spell in SQL here).
    private func bucketReaders(_ pair: TablePair, sourceDriver: any DatabaseDriver, targetDriver: any DatabaseDriver,
                               byValue: Bool) -> (any BucketReader, any BucketReader)? {
        guard pair.keyKinds == [.integer], pair.idMap == nil, pair.uuidColumns.isEmpty else { return nil }
        let source = KeyedTable(driver: sourceDriver, table: pair.copy.source.name, key: pair.sourceKey[0], condition: pair.copy.condition)
        let target = KeyedTable(driver: targetDriver, table: pair.targetName, key: pair.targetKey[0], condition: nil)
        let targetQuoter = targetDriver.engine.quoter
        let targetColumns = pair.targetColumns.map(targetQuoter.quote)
        let kinds = Array(pair.form.kinds.suffix(targetColumns.count))
        let form = CanonicalForm(kinds: kinds, zones: Array(pair.form.zones.suffix(kinds.count)), epochUnits: Array(pair.form.epochUnits.suffix(kinds.count)),
                                 singlePrecision: pair.form.singlePrecision.map { Array($0.suffix(kinds.count)) })
        switch (sourceDriver.engine, targetDriver.engine) {
        case (.postgresql, .postgresql):
            guard pair.sameTypes else { return nil }
            return (PostgresRowHashBuckets(keyed: source, columns: pair.sourceSelects, types: pair.targetTypes, kinds: kinds, byValue: byValue),
                    PostgresRowHashBuckets(keyed: target, columns: targetColumns, types: pair.targetTypes, kinds: kinds, byValue: byValue))
        case (.sqlite, .postgresql):
            guard let postgres = PostgresCanonicalBuckets(keyed: target, columns: targetColumns, types: pair.targetTypes, nullable: pair.targetNullable, form: form) else { return nil }
            return (SQLiteCanonicalBuckets(keyed: source, columns: pair.sourceSelects, form: form), postgres)
        case (.postgresql, .sqlite):
            let types = pair.sourceTypes.compactMap { $0 }
            guard types.count == pair.sourceTypes.count,
                  let postgres = PostgresCanonicalBuckets(keyed: source, columns: pair.sourceSelects, types: types, nullable: pair.sourceNullable, form: form) else { return nil }
            return (postgres, SQLiteCanonicalBuckets(keyed: target, columns: targetColumns, form: form))
        case (.sqlite, .sqlite):
            return (SQLiteCanonicalBuckets(keyed: source, columns: pair.sourceSelects, form: form),
                    SQLiteCanonicalBuckets(keyed: target, columns: targetColumns, form: form))
        }
    }

    /// Both sides streamed in key order (within `range`, when given) and merged; with no target
    /// driver, the target side is empty (its table is missing).
    private func streamCompare(_ pair: TablePair, sourceDriver: any DatabaseDriver, targetDriver: (any DatabaseDriver)?,
                               range: Range<Int64>?) async throws -> ReconciliationReport.TableResult {
        let form = pair.form
        let keyCount = pair.sourceKey.count
        let sourceRows = AsyncThrowingChannel<[CanonicalRow], any Error>()
        let targetRows = AsyncThrowingChannel<[CanonicalRow], any Error>()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let mapped = pair.uuidColumns
            var sides = [(sourceDriver, pair.sourceQuery(engine: sourceDriver.engine, range: range), sourceRows, true)]
            if let targetDriver {
                sides.append((targetDriver, pair.targetQuery(engine: targetDriver.engine, range: range), targetRows, false))
            } else {
                targetRows.finish()
            }
            for (driver, sql, channel, isSource) in sides {
                group.addTask {
                    do {
                        try await driver.forEachPage(unsafeSQL: sql, bindings: [], pageSize: 4_096) { page in
                            await channel.send(page.map { row in
                                guard isSource, !mapped.isEmpty else { return CanonicalRow(row, keyCount: keyCount, form: form) }
                                // The source's integers, as the UUIDs the copy made of them.
                                var row = row
                                for (index, table) in mapped {
                                    if let id = row.values[keyCount + index].integerValue { row.values[keyCount + index] = .text(KeyUUID.make(table: table, id: id)) }
                                }
                                return CanonicalRow(row, keyCount: keyCount, form: form)
                            })
                        }
                        channel.finish()
                    } catch {
                        channel.fail(error)
                    }
                }
            }
            var merger = RowMerger(pair: pair, rangeRows: rangeRows, listedKeys: listedKeys)
            if keyCount == 0 {
                try await merger.compareUnordered(sourceRows, targetRows)
            } else {
                try await merger.compareOrdered(sourceRows, targetRows)
            }
            try await group.waitForAll()
            return merger.result
        }
    }
}

/// A source table and the target table it is compared with: columns matched by the copy
/// file's names, each read in the target column's kind.
struct TablePair: Sendable {
    let copy: TableCopy
    let targetName: QualifiedName
    /// Source select expressions and the matching target columns, in order.
    let sourceSelects: [String]
    let targetColumns: [String]
    /// How each target column is read on PostgreSQL: as it is, or cast to what the driver
    /// decodes (an enum or an array as text, `money` as numeric); `%@` stands for the column.
    let targetReads: [String]
    /// The compared columns' declared types on each side (nil: a computed column).
    let targetTypes: [String]
    let sourceTypes: [String?]
    /// Whether each compared column can hold NULL on each side (a computed source column can).
    let targetNullable: [Bool]
    let sourceNullable: [Bool]
    let columnNames: [String]
    let sourceKey: [String]
    let targetKey: [String]
    let keyKinds: [ValueKind]
    let form: CanonicalForm
    /// Whether every compared column has the same declared type on both sides (and comes from
    /// a source column), so each engine's own text of a row can be compared as it is.
    let sameTypes: Bool
    /// Value columns (by position) whose source integers became ``KeyUUID``s, with their table.
    let uuidColumns: [(index: Int, table: String)]
    /// `uuid_key`: the target's map of old keys, joined so target rows come back in old-key order.
    let idMap: QualifiedName?
    var problem: String?

    init?(_ copy: TableCopy, in target: Schema, from sourceEngine: Engine) {
        let candidates = target.tables.filter { $0.name.name.lowercased() == copy.target.name.name.lowercased() }
        guard let table = target.table(named: copy.target.name) ?? candidates.first(where: { $0.name.schema == "public" }) ?? candidates.first else { return nil }
        self.copy = copy
        targetName = table.name
        var selects: [String] = [], columns: [String] = [], kinds: [ValueKind] = [], names: [String] = [], types: [String] = []
        var originalTypes: [String?] = []
        var targetNullable: [Bool] = [], sourceNullable: [Bool] = []
        var units: [TemporalValue.EpochUnit] = []
        var zones: [TimeZone] = []
        var missing: [String] = []
        var sameTypes = true
        for column in copy.columns {
            guard let match = table.column(named: column.target.name) ?? table.columns.first(where: { $0.name.lowercased() == column.target.name.lowercased() }) else {
                missing.append(column.target.name)
                continue
            }
            selects.append(column.select)
            columns.append(match.name)
            names.append(match.name)
            kinds.append(ValueKind(declaredType: match.type, engine: target.engine))
            types.append(match.type)
            units.append(column.conversion.epochUnit)
            zones.append(column.conversion.zone)
            let original = column.sourceName.flatMap { copy.source.column(named: $0) }
            originalTypes.append(original?.type)
            targetNullable.append(match.isNullable)
            sourceNullable.append(original?.isNullable ?? true)
            if original.map({ PostgresTypeName.canonical($0.type) != PostgresTypeName.canonical(match.type) }) ?? true { sameTypes = false }
        }
        self.sameTypes = sameTypes && copy.condition == nil
        uuidColumns = copy.columns.enumerated().compactMap { offset, column in column.conversion.uuidOfKeysIn.map { (offset, $0) } }
        idMap = copy.idMap.flatMap { target.table(named: $0) != nil ? $0 : nil }
        let key = copy.source.primaryKey?.columns ?? []
        var targetKey: [String] = [], keyKinds: [ValueKind] = []
        for column in key {
            guard let position = copy.columns.firstIndex(where: { $0.sourceName == column }), position < copy.columns.count,
                  let index = columns.firstIndex(of: table.column(named: copy.columns[position].target.name)?.name
                                                 ?? table.columns.first(where: { $0.name.lowercased() == copy.columns[position].target.name.lowercased() })?.name ?? "") else { break }
            targetKey.append(columns[index])
            keyKinds.append(copy.columns[position].conversion.uuidOfKeysIn != nil && idMap != nil ? .integer : kinds[index])
        }
        sourceSelects = selects
        targetColumns = columns
        targetReads = types.map { type in
            // In the form the source holds it: an array as JSON text against SQLite.
            target.engine == .postgresql ? PostgresColumnType(type, in: target).select("%@", into: sourceEngine) : "%@"
        }
        targetTypes = types
        sourceTypes = originalTypes
        self.targetNullable = targetNullable
        self.sourceNullable = sourceNullable
        columnNames = names
        let keyed = targetKey.count == key.count && !key.isEmpty
        sourceKey = keyed ? key : []
        self.targetKey = keyed ? targetKey : []
        self.keyKinds = keyed ? keyKinds : []
        let keyZones = Array(repeating: TimeZone(identifier: "UTC")!, count: keyed ? keyKinds.count : 0)
        // PostgreSQL's `real` keeps 24 bits of mantissa; SQLite's REAL is a double.
        let isSingle = { (type: String?, engine: Engine) in
            engine == .postgresql && type.map { ["real", "float4"].contains(PostgresTypeName.canonical($0)) } == true
        }
        let singles = zip(types, originalTypes).map { isSingle($0, target.engine) || isSingle($1, sourceEngine) }
        form = CanonicalForm(kinds: (keyed ? keyKinds : []) + kinds, zones: keyZones + zones,
                             epochUnits: (keyed ? Array(repeating: .automatic, count: keyKinds.count) : []) + units,
                             singlePrecision: singles.contains(true) ? Array(repeating: false, count: keyed ? keyKinds.count : 0) + singles : nil)
        if !missing.isEmpty { problem = "the target table has no column " + missing.joined(separator: ", ") }
    }

    private func order(_ columns: [String], kinds: [ValueKind], engine: Engine) -> String {
        let quoter = engine.quoter
        return zip(columns, kinds).map { column, kind in
            let name = quoter.quote(column)
            // Byte order on both engines (SQLite's BINARY collation is byte order).
            return engine == .postgresql && [.text, .other, .json, .time].contains(kind) ? "\(name) COLLATE \"C\"" : name
        }.joined(separator: ", ")
    }

    /// `key >= lower AND key < upper` for a single integer key.
    private func rangeCondition(_ key: String, _ range: Range<Int64>?) -> String? {
        range.map { "\(key) >= \($0.lowerBound) AND \(key) < \($0.upperBound)" }
    }

    func sourceQuery(engine: Engine, range: Range<Int64>? = nil) -> String {
        let quoter = engine.quoter
        var sql = "SELECT " + (sourceKey.map(quoter.quote) + sourceSelects).joined(separator: ", ") + " FROM " + quoter.quote(copy.source.name)
        let conditions = [copy.condition.map { "(\($0))" }, sourceKey.first.flatMap { rangeCondition(quoter.quote($0), range) }].compactMap { $0 }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !sourceKey.isEmpty { sql += " ORDER BY " + order(sourceKey, kinds: keyKinds, engine: engine) }
        return sql
    }

    func targetQuery(engine: Engine, range: Range<Int64>? = nil) -> String {
        let quoter = engine.quoter
        if let map = idMap, let key = targetKey.first {
            // Rows in old-key order, keyed by the old key.
            return "SELECT m.old_id, " + zip(targetColumns, targetReads).map { $1.replacingOccurrences(of: "%@", with: "t." + quoter.quote($0)) }.joined(separator: ", ")
                + " FROM \(quoter.quote(targetName)) AS t JOIN \(quoter.quote(map)) AS m ON m.new_id = t.\(quoter.quote(key)) ORDER BY m.old_id"
        }
        let reads = zip(targetColumns, targetReads).map { $1.replacingOccurrences(of: "%@", with: quoter.quote($0)) }
        var sql = "SELECT " + (targetKey.map(quoter.quote) + reads).joined(separator: ", ") + " FROM " + quoter.quote(targetName)
        if let condition = targetKey.first.flatMap({ rangeCondition(quoter.quote($0), range) }) { sql += " WHERE " + condition }
        if !targetKey.isEmpty { sql += " ORDER BY " + order(targetKey, kinds: keyKinds, engine: engine) }
        return sql
    }
}

/// One row read for comparison: its key in canonical form, the hash of its canonical values,
/// what the side's totals need (NULLs, invalid values, the earliest and latest time), and the
/// values as read, put in canonical form again only when the row differs.
struct CanonicalRow: Sendable {
    let key: [String]
    let hash: UInt64
    let nulls: Int
    let invalid: Int
    let earliest: Int64?
    let latest: Int64?
    let raw: Row

    init(_ row: Row, keyCount: Int, form: CanonicalForm) {
        var key: [String] = []
        key.reserveCapacity(keyCount)
        for index in 0..<keyCount { key.append(form.text(row.values[index], column: index)) }
        self.key = key
        var hasher = RowHasher()
        var nulls = 0, invalid = 0
        var earliest: Int64?, latest: Int64?
        for index in keyCount..<row.values.count {
            let text = form.text(row.values[index], column: index)
            hasher.add(text)
            switch form.classify(text, column: index) {
            case .null: nulls += 1
            case .invalid: invalid += 1
            case .time(let micros):
                earliest = min(earliest ?? micros, micros)
                latest = max(latest ?? micros, micros)
            case .value: break
            }
        }
        hash = hasher.value
        (self.nulls, self.invalid, self.earliest, self.latest) = (nulls, invalid, earliest, latest)
        raw = row
    }

    /// The canonical values, for naming the columns that differ.
    func values(form: CanonicalForm) -> [String] {
        (key.count..<raw.values.count).map { form.text(raw.values[$0], column: $0) }
    }
}
