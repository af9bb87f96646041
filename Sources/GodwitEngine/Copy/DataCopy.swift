import Foundation
public import GodwitCore

/// `godwit copy --from URL --to URL [--with FILE]`: creates the target tables through the type
/// mapping, streams every table's rows in committed, resumable chunks (several tables, or key
/// ranges of one big table, at once), then adds keys, constraints, foreign keys and indexes
/// after the data and sets identity counters past the copied values. A rerun after a crash goes
/// on from the last committed chunk of every table.
public struct DataCopy: Sendable {
    public let source: DatabaseURL
    public let target: DatabaseURL
    public let spec: CopySpec
    public let observer: (any ExecutionObserver)?
    public let interrupt: InterruptSignal
    /// Install change capture on the source before reading it (`--capture`), so `godwit sync`
    /// can carry over what changes during and after the copy.
    public var capture = false

    /// How the target's engine takes a copy.
    private var loading: BulkLoadTraits { DatabaseConnector.support(for: target.engine).bulkLoad }

    public init(source: DatabaseURL, target: DatabaseURL, spec: CopySpec = CopySpec(), observer: (any ExecutionObserver)? = nil,
                interrupt: InterruptSignal = InterruptSignal()) {
        self.source = source
        self.target = target
        self.spec = spec
        self.observer = observer
        self.interrupt = interrupt
    }

    public func run() async throws -> CopySummary {
        let started = Date()
        let plan = try await CopyPlan.make(from: source, into: target.engine, spec: spec)
        let rejects = RejectLog(path: spec.rejectFile ?? "godwit-rejects.jsonl")
        if capture {
            try await DatabaseConnector.withDriver(source) { driver in
                try await driver.withWriteTransaction {
                    try await ChangeCapture(driver: driver).install(for: plan.tables)
                }
            }
            observer?.observe(ExecutionEvent(kind: .notice, migration: "copy", message: "change capture installed on the source"))
        }
        let (parts, alreadyDone) = try await prepareTarget(plan)
        if !alreadyDone { try await recordWatermarks(plan) }
        let totals = try await DatabaseConnector.withDriver(source, access: .readOnly) { driver in
            var count: Int64 = 0
            for part in parts where !part.isDone {
                guard let table = plan.tables.first(where: { $0.source.name.description == part.sourceTable }) else { continue }
                count += try await remainingRows(of: table, part: part, on: driver)
            }
            return count
        }
        let tally = CopyTally(total: totals, observer: observer)
        try await copyParts(parts.filter { !$0.isDone }, plan: plan, rejects: rejects, tally: tally)
        var warnings = plan.warnings
        if !alreadyDone { warnings += try await finishTarget(plan, tally: tally) }
        let (recorded, notAdded) = try await DatabaseConnector.withDriver(target) { driver in
            let store = CopyProgressStore(driver: driver)
            // A rerun of a finished copy tries again what the target could not take before.
            let remaining = alreadyDone ? try await store.retryPostponed().remaining : try await store.postponed().map(\.what)
            return (try await store.allParts(), remaining)
        }
        let results = plan.tables.map { table in
            let mine = recorded.filter { $0.sourceTable == table.source.name.description }
            return CopySummary.TableResult(source: table.source.name.description, target: table.target.name.description,
                                           rows: mine.reduce(0) { $0 + $1.rowsCopied }, rejected: mine.reduce(0) { $0 + $1.rowsRejected },
                                           formats: tally.formats(of: table.target.name.description))
        }
        let rejectFile = results.contains { $0.rejected > 0 } ? rejects.path : nil
        var summary = CopySummary(source: source.description, target: target.description, tables: results,
                                  seconds: Date().timeIntervalSince(started), warnings: warnings, rejectFile: rejectFile, wasAlreadyDone: alreadyDone)
        summary.notAdded = notAdded
        summary.captures = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await ChangeCapture(driver: $0).isInstalled() }
        return summary
    }

    /// Creates the target tables and the progress records, or finds those of an earlier run.
    /// Returns every part and whether the copy was already finished.
    private func prepareTarget(_ plan: CopyPlan) async throws -> ([CopyPart], Bool) {
        try await DatabaseConnector.withDriver(target, access: .create) { driver in
            let store = CopyProgressStore(driver: driver)
            if try await store.exists(), try await store.isMarked("tables-created") {
                let parts = try await store.allParts()
                let expected = Set(plan.tables.map(\.source.name.description))
                guard Set(parts.map(\.sourceTable)) == expected else {
                    throw GodwitError(.refused, "The target holds another copy", location: target.description,
                                      reason: "its recorded tables differ from what this copy would copy",
                                      remedy: "Copy into an empty database, or run the same copy (same source and copy file) to resume it.")
                }
                observer?.observe(ExecutionEvent(kind: .notice, migration: "copy", message: "resuming: \(parts.filter(\.isDone).count) of \(parts.count) parts already copied"))
                return (parts, try await store.isMarked("finished"))
            }
            if let clash = try await firstExisting(plan.tables.map(\.target.name) + plan.tables.compactMap(\.idMap), on: driver) {
                throw GodwitError(.refused, "The target already has a table \(clash)", location: target.description,
                                  remedy: "Copy into an empty database (or schema), or drop the table first.")
            }
            let parts = try await splitParts(plan)
            try await driver.withWriteTransaction {
                try await createTypes(plan, on: driver)
                let writer = DatabaseConnector.tableWriter(for: driver.engine)
                for table in plan.tables { try await driver.execute(unsafeSQL: writer(table.target)) }
                for map in plan.tables.compactMap(\.idMap) { try await driver.execute(unsafeSQL: IDMap.createStatement(map, engine: driver.engine)) }
                try await store.install()
                for part in parts { try await store.insert(part) }
                try await store.mark("tables-created")
            }
            return (parts, false)
        }
    }

    /// PostgreSQL → PostgreSQL: the enums and domains the columns are declared with, where the
    /// target has no type of that name yet (one already there is taken as it is).
    private func createTypes(_ plan: CopyPlan, on driver: any DatabaseDriver) async throws {
        let writer = DatabaseConnector.schemaWriter(for: driver.engine), quoter = driver.engine.quoter
        let types = plan.types.enums.map(UserDefinedType.enumeration) + plan.types.domains.map(UserDefinedType.domain)
        for type in types {
            guard let statement = writer.creatingType(type) else { continue }
            let name = type.name
            if let schema = name.schema {
                try await driver.execute(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(quoter.quote(schema))")
            }
            let exists = try await driver.query(unsafeSQL: "SELECT count(*) FROM (SELECT to_regtype(\(SQLIdentifierQuoter.literal(quoter.quote(name)))) AS t) AS found WHERE t IS NOT NULL")
                .first?[0].integerValue ?? 0
            if exists > 0 { continue }
            try await driver.execute(unsafeSQL: statement)
        }
    }

    /// The first of `names` that is already a table in the target (one cheap query, no inspection).
    private func firstExisting(_ names: [QualifiedName], on driver: any DatabaseDriver) async throws -> QualifiedName? {
        let quoter = driver.engine.quoter
        let existing: Set<String>
        switch driver.engine {
        case .postgresql:
            let list = names.map { SQLIdentifierQuoter.literal(quoter.quote($0)) }.joined(separator: ", ")
            existing = Set(try await driver.query(unsafeSQL: "SELECT n FROM unnest(ARRAY[\(list)]::text[]) AS n WHERE to_regclass(n) IS NOT NULL")
                .compactMap { $0[0].textValue })
            return names.first { existing.contains(quoter.quote($0)) }
        case .sqlite:
            existing = Set(try await driver.query(unsafeSQL: "SELECT lower(name) FROM sqlite_schema WHERE type = 'table'").compactMap { $0[0].textValue })
            return names.first { existing.contains($0.name.lowercased()) }
        }
    }

    /// For tables with a watermark column: its largest value before the first row is read, so
    /// `godwit sync` later takes every row changed since (rows copied meanwhile are taken again,
    /// which changes nothing). Kept from the first run of a resumed copy.
    private func recordWatermarks(_ plan: CopyPlan) async throws {
        let marked = plan.tables.compactMap { table in spec.rule(for: table.source.name.name)?.watermark.map { (table, $0) } }
        guard !marked.isEmpty else { return }
        let values = try await DatabaseConnector.withDriver(source, access: .readOnly) { driver in
            let quoter = driver.engine.quoter
            var values: [(String, String?)] = []
            for (table, column) in marked {
                guard table.source.column(named: column) != nil else {
                    throw GodwitError(.invalidArgument, "The copy file names an unknown watermark column", location: "tables.\(table.source.name.name).watermark",
                                      remedy: "\(table.source.name) has: \(table.source.columns.map(\.name).joined(separator: ", ")).")
                }
                let value = try await driver.query(unsafeSQL: "SELECT \(driver.dialect.asText("max(\(quoter.quote(column)))")) FROM \(quoter.quote(table.source.name))").first?[0]
                values.append((table.source.name.description, value?.textValue))
            }
            return values
        }
        try await DatabaseConnector.withDriver(target) { driver in
            let store = SyncPosition(driver: driver)
            try await store.install()
            for (table, value) in values where try await store.watermark(of: table) == nil {
                try await store.setWatermark(of: table, to: value ?? "")
            }
        }
    }

    /// One part per table; a big table with one integer key is split into ranges, one per worker.
    private func splitParts(_ plan: CopyPlan) async throws -> [CopyPart] {
        let workers = loading.concurrentLoaders ? max(1, spec.parallel) : 1
        return try await DatabaseConnector.withDriver(source, access: .readOnly) { driver in
            var parts: [CopyPart] = []
            for table in plan.tables {
                let name = table.source.name.description
                guard workers > 1, table.hasIntegerKey, table.estimatedRows > Int64(spec.chunkRows) * 2 else {
                    parts.append(CopyPart(sourceTable: name, part: 0))
                    continue
                }
                guard let (low, high) = try await keyBounds(of: table, on: driver), high > low else {
                    parts.append(CopyPart(sourceTable: name, part: 0))
                    continue
                }
                let step = (high - low) / Int64(workers) + 1
                for index in 0..<workers {
                    let lower = index == 0 ? nil : String(low - 1 + Int64(index) * step)
                    let upper = index == workers - 1 ? nil : String(low - 1 + Int64(index + 1) * step)
                    parts.append(CopyPart(sourceTable: name, part: index, lower: lower, upper: upper))
                }
            }
            return parts
        }
    }

    /// The smallest and largest key of a table with one integer key.
    private func keyBounds(of table: TableCopy, on driver: any DatabaseDriver) async throws -> (Int64, Int64)? {
        guard table.hasIntegerKey, let bounds = try await driver.keyBounds(of: table.source.name, key: table.key[0]) else { return nil }
        return (bounds.lowerBound, bounds.upperBound)
    }

    /// Rows left in a part, for progress: the table's estimate, or its key range's share of it,
    /// or (with a filter or a composite key) a count.
    private func remainingRows(of table: TableCopy, part: CopyPart, on driver: any DatabaseDriver) async throws -> Int64 {
        if part.lower == nil, part.upper == nil, part.lastKey == nil, table.condition == nil, table.estimatedRows > 0 { return table.estimatedRows }
        let integer = { (literal: String?) in literal.flatMap { Int64($0.trimmingCharacters(in: CharacterSet(charactersIn: "()"))) } }
        if table.condition == nil, table.estimatedRows > 0, let (low, high) = try await keyBounds(of: table, on: driver) {
            let start = max(integer(part.lastKey) ?? integer(part.lower) ?? low - 1, low - 1)
            let end = min(integer(part.upper) ?? high, high)
            return Int64(Double(table.estimatedRows) * Double(max(0, end - start)) / Double(high - low + 1))
        }
        let quoter = driver.engine.quoter
        var conditions = table.condition.map { ["(\($0))"] } ?? []
        if let key = table.key.first, table.key.count == 1 { conditions += part.remainingKeyConditions(quoter.quote(key)) }
        let sql = "SELECT count(*) FROM \(quoter.quote(table.source.name))" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        return try await driver.query(unsafeSQL: sql).first?[0].integerValue ?? 0
    }

    /// Copies the parts with up to `parallel` workers, each with its own connections.
    private func copyParts(_ parts: [CopyPart], plan: CopyPlan, rejects: RejectLog, tally: CopyTally) async throws {
        let workers = loading.concurrentLoaders ? max(1, spec.parallel) : 1
        let queue = WorkQueue(parts)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(workers, max(parts.count, 1)) {
                group.addTask {
                    let sourceDriver = try await DatabaseConnector.open(source, access: .readOnly)
                    let targetDriver = try await DatabaseConnector.open(target)
                    for statement in loading.loadingSessionSetup { try await targetDriver.execute(unsafeSQL: statement) }
                    do {
                        while let part = queue.next() {
                            guard let table = plan.tables.first(where: { $0.source.name.description == part.sourceTable }) else { continue }
                            _ = try await TableCopier(table: table, source: sourceDriver, target: targetDriver, spec: spec, rejects: rejects,
                                                      tally: tally, interrupt: interrupt).copy(part)
                        }
                    } catch {
                        queue.stop()
                        try? await sourceDriver.close()
                        try? await targetDriver.close()
                        throw error
                    }
                    try? await sourceDriver.close()
                    try? await targetDriver.close()
                }
            }
            try await group.waitForAll()
        }
    }

    /// After the data: per table, in one transaction each, keys, uniques, checks, indexes and
    /// identity counters, then fresh planner statistics — on PostgreSQL several tables at once,
    /// each recorded as finished so a rerun after a crash skips it; then the foreign keys. What
    /// the target cannot take of the optional parts becomes a warning instead of a failed copy.
    private func finishTarget(_ plan: CopyPlan, tally: CopyTally) async throws -> [String] {
        tally.notice("adding keys, constraints, foreign keys and indexes")
        let statements = PostDataStatements(plan: plan, engine: target.engine)
        let collected = Warnings()
        if loading.constraintsAfterData {
            // Tables are finished one by one, several at once, each with fresh statistics.
            let queue = WorkQueue(statements.tables)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<min(max(1, spec.parallel), max(1, statements.tables.count)) {
                    group.addTask {
                        try await DatabaseConnector.withDriver(target) { driver in
                            while let work = queue.next() {
                                let name = "finished:\(work.copy.target.name)"
                                let store = CopyProgressStore(driver: driver)
                                guard !(try await store.isMarked(name)) else { continue }
                                try await driver.withWriteTransaction {
                                    collected.add(try await finish(work, on: driver))
                                    try await driver.execute(unsafeSQL: "ANALYZE " + SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(work.copy.target.name))
                                    try await store.mark(name)
                                }
                                CrashPoint.reach("copy-finish-\(work.copy.source.name.name)-after-commit")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        try await DatabaseConnector.withDriver(target) { driver in
            try await driver.withWriteTransaction {
                if !loading.constraintsAfterData {
                    for work in statements.tables { collected.add(try await finish(work, on: driver)) }
                }
                collected.add(try await runOptional(statements.foreignKeys, on: driver))
                if let check = loading.foreignKeyCheck {
                    for row in try await driver.query(unsafeSQL: check) {
                        collected.add(["\(row[0].textValue ?? "?"): a row's foreign key points at a missing row of \(row[2].textValue ?? "?")"])
                    }
                }
                try await CopyProgressStore(driver: driver).mark("finished")
            }
            if !loading.constraintsAfterData { try await driver.execute(unsafeSQL: "ANALYZE") }
        }
        return collected.all
    }

    /// One table's keys, constraints, id map, indexes and counters (in the caller's transaction).
    private func finish(_ work: PostDataStatements.TableWork, on driver: any DatabaseDriver) async throws -> [String] {
        for statement in work.required { try await driver.execute(unsafeSQL: statement) }
        if work.copy.idMap != nil { try await IDMap(table: work.copy).fill(from: source, into: driver) }
        let warnings = try await runOptional(work.optional, on: driver)
        for statement in work.counters { try await driver.execute(unsafeSQL: statement) }
        return warnings
    }

    /// Statements that may fail, each under a savepoint; a failure becomes a warning, and the
    /// statement is recorded in the target to be tried again (by sync, or a rerun of the copy).
    private func runOptional(_ statements: [(String, String)], on driver: any DatabaseDriver) async throws -> [String] {
        var warnings: [String] = []
        for (statement, what) in statements {
            try await driver.execute(unsafeSQL: "SAVEPOINT godwit_post")
            do {
                try await driver.execute(unsafeSQL: statement)
                try await driver.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_post")
            } catch let error as GodwitError where !error.endsSession {
                try await driver.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_post")
                try await CopyProgressStore(driver: driver).postpone(.init(what: what, statement: statement))
                warnings.append("\(what) was not added: \(RedactedReason.of(error))")
            }
        }
        return warnings
    }
}

/// Warnings gathered from concurrent workers.
private final class Warnings: @unchecked Sendable {
    private let lock = NSLock()
    private var warnings: [String] = []
    func add(_ more: [String]) { lock.withLock { warnings += more } }
    var all: [String] { lock.withLock { warnings } }
}

/// Work handed to concurrent workers one item at a time; stopped when one of them fails.
private final class WorkQueue<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Item]
    private var stopped = false

    init(_ items: [Item]) { self.items = items }

    func next() -> Item? {
        lock.withLock {
            guard !stopped, !items.isEmpty else { return nil }
            return items.removeFirst()
        }
    }

    func stop() { lock.withLock { stopped = true } }
}

/// The old → new key table of a `uuid_key` table: every source key with the UUID it became.
struct IDMap {
    let table: TableCopy

    static func createStatement(_ name: QualifiedName, engine: Engine) -> String {
        let quoter = engine.quoter
        return engine == .postgresql
            ? "CREATE TABLE \(quoter.quote(name)) (old_id bigint PRIMARY KEY, new_id uuid NOT NULL UNIQUE)"
            : "CREATE TABLE \(quoter.quote(name)) (old_id INTEGER PRIMARY KEY, new_id TEXT NOT NULL UNIQUE)"
    }

    /// Streams the source's keys into the map (in the caller's transaction).
    func fill(from source: DatabaseURL, into target: any DatabaseDriver) async throws {
        guard let map = table.idMap, let key = table.key.first else { return }
        let namespace = table.source.name.description
        try await DatabaseConnector.withDriver(source, access: .readOnly) { reader in
            let quoter = reader.engine.quoter
            var sql = "SELECT \(quoter.quote(key)) FROM \(quoter.quote(table.source.name))"
            if let condition = table.condition { sql += " WHERE (\(condition))" }
            try await reader.forEachPage(unsafeSQL: sql, bindings: [], pageSize: 10_000) { page in
                let ids = page.compactMap { $0[0].integerValue }
                try await Self.write(ids.map { ($0, KeyUUID.make(table: namespace, id: $0)) }, to: map, on: target)
            }
        }
    }

    /// Adds pairs to the map, keeping those already there (sync adds the keys of new rows).
    static func write(_ pairs: [(Int64, String)], to map: QualifiedName, on target: any DatabaseDriver) async throws {
        guard !pairs.isEmpty else { return }
        let quoter = target.engine.quoter
        for slice in stride(from: 0, to: pairs.count, by: 1_000) {
            let values = pairs[slice..<min(slice + 1_000, pairs.count)].map { "(\($0.0), '\($0.1)')" }.joined(separator: ", ")
            try await target.execute(unsafeSQL: "INSERT INTO \(quoter.quote(map)) (old_id, new_id) VALUES \(values) ON CONFLICT (old_id) DO NOTHING")
        }
    }
}
