public import GodwitCore

/// Reads the live data a plan will meet before anything runs: each check of each step, run now
/// against the database read-only, for the steps no earlier step of the same plan prepares (a
/// fill or hand-written SQL on the same table may change what the check would find). Checks
/// that cannot run yet (they name a column the plan adds first) are left out. The counts are
/// the queries `apply` runs before the same steps, so they cost what apply's checks cost.
public enum DataProbe {
    /// For each plan of a chain (with the schema it starts from), in order, the rows its steps'
    /// checks find now. A check is not counted when an earlier step writes a column it reads (a
    /// fill of `status` prepares the NOT NULL on `status`, not a check on `total`), or writes the
    /// table in a way Godwit cannot narrow to columns (hand-written SQL reaching it, an update
    /// whose columns it cannot tell); after SQL whose reach is unknown, none is.
    public static func counts(for plans: [(plan: Plan, schema: Schema)], on driver: any DatabaseDriver,
                              budget: ProbeBudget = ProbeBudget()) async throws -> [[DataCount]] {
        var written: [String: Set<String>?] = [:]  // table (lower-cased) → columns written, nil for all
        var everything = false                     // hand-written SQL that names no table may write any
        var result: [[DataCount]] = []
        for (plan, schema) in plans {
            var counts: [DataCount] = []
            for (index, step) in plan.steps.enumerated() {
                let operationAt = { (index: Int?) in index.flatMap { $0 < plan.migration.operations.count ? plan.migration.operations[$0] : nil } }
                let operation = operationAt(step.operationIndex)
                let table = operation?.table
                for check in step.checks where !everything {
                    // A joined rebuild's check belongs to the operation it came from.
                    let source = operationAt(check.operationIndex ?? step.operationIndex)
                    guard let source, let checked = source.table, source.checksExistingRows,
                          !isPrepared(check, by: written[checked.name.lowercased()]),
                          let (rows, basis) = await count(check, in: schema, on: driver, budget: budget), rows > 0 || basis != .exact else { continue }
                    counts.append(DataCount(step: index, stepTitle: step.title, check: check.name, table: checked, rows: rows,
                                            fix: DataFix.text(for: source, table: checked, engine: plan.engine), basis: basis))
                }
                if !everything, case .rawSQL(let raw) = operation, let effect = raw.effect {
                    for (check, checked, change) in checks(of: raw, effect: effect, engine: plan.engine, against: schema)
                    where !isPrepared(check, by: written[checked.name.lowercased()]) {
                        guard let (rows, basis) = await count(check, in: schema, on: driver, budget: budget), rows > 0 || basis != .exact else { continue }
                        counts.append(DataCount(step: index, stepTitle: step.title, check: check.name, table: checked, rows: rows,
                                                fix: DataFix.text(for: change, table: checked, engine: plan.engine), basis: basis))
                    }
                }
                if case .rawSQL(let raw) = operation {
                    // Hand-written SQL writes the tables its statements reach, or any.
                    switch RawSQLReach.of(raw.up, engine: plan.engine, in: schema) {
                    case .unknown: everything = true
                    case .tables(let reached): for table in reached { written[table.name.lowercased()] = .some(nil) }
                    }
                } else if step.backfill != nil || operation?.writesEveryRow == true {
                    guard let key = table?.name.lowercased() else { everything = true; continue }
                    let before = table.flatMap { SchemaTransformer().resolve($0, in: schema) }.flatMap { schema.table(named: $0) }
                    let columns = operation?.columns(in: before)
                    switch (written[key], columns) {
                    case (.some(.none), _): break
                    case (_, .none): written[key] = .some(nil)
                    case (.none, .some(let new)): written[key] = .some(new)
                    case (.some(.some(let old)), .some(let new)): written[key] = .some(old.union(new))
                    }
                }
            }
            result.append(counts)
        }
        return result
    }

    /// The checks a SQL file's schema changes would make on rows that exist today: what the
    /// file did on the scratch copy (a unique index, NOT NULL, a CHECK, a foreign key on a table
    /// it did not create), planned as Godwit's own operations to borrow their checks. A table
    /// the file also writes rows of (an UPDATE filling NULLs before SET NOT NULL) is left out:
    /// what the check meets then is what the file leaves, which only running it tells.
    private static func checks(of raw: RawSQL, effect: SQLEffect, engine: Engine, against schema: Schema) -> [(StepCheck, QualifiedName, Operation)] {
        let statements = SQLScript.statements(in: raw.up, engine: engine)
        let writes = { (table: QualifiedName) in
            statements.contains { $0.starts(with: "UPDATE") || $0.starts(with: "INSERT") || $0.starts(with: "DELETE") || $0.starts(with: "MERGE")
                ? SQLText.mentions($0.text, table.name) : false }
        }
        var found: [(StepCheck, QualifiedName, Operation)] = []
        let planner = DatabaseConnector.planner(for: engine)
        for operation in effect.operations where operation.checksExistingRows {
            guard let name = operation.table, let table = SchemaTransformer().resolve(name, in: schema), !writes(table) else { continue }
            let probe = Migration(id: "probe", name: "probe", downtime: .window, operations: [operation])
            guard let plan = try? planner.plan(probe, against: schema) else { continue }
            found += plan.steps.flatMap(\.checks).map { ($0, table, operation) }
        }
        return found
    }

    /// Whether an earlier step wrote what `check` reads.
    private static func isPrepared(_ check: StepCheck, by written: Set<String>??) -> Bool {
        guard let written else { return false }             // nothing written to the table
        guard let columns = written else { return true }    // the whole table written
        return columns.contains { SQLText.mentions(check.sql, $0) }
    }

    /// The count and how it was taken, or nil when the check cannot run against the schema as
    /// it is now. Exact up to `budget.exactRows` rows (the table's estimate) and within
    /// `budget.seconds`; past either, a sample when the check is a condition on each row, and
    /// "not counted" when it is not (duplicates and orphans cannot be read off a sample).
    private static func count(_ check: StepCheck, in schema: Schema, on driver: any DatabaseDriver,
                              budget: ProbeBudget) async -> (Int64, DataCount.Basis)? {
        do {
            guard let counter = driver as? any BoundedCounting else {
                return try await driver.query(unsafeSQL: check.sql).first?.values.first?.integerValue.map { ($0, .exact) }
            }
            let estimate = check.rowFilter.flatMap { schema.table(named: $0.table)?.statistics?.rowCount } ?? 0
            let sample = { () async throws -> (Int64, DataCount.Basis)? in
                guard let filter = check.rowFilter,
                      let found = try await counter.sampledCount(of: filter.table, where: filter.condition, sampleRows: budget.sampleRows,
                                                                 totalRows: estimate, within: budget.seconds) else { return nil }
                return (found.rows, found.share >= 1 ? .exact : .sampled(share: found.share))
            }
            if estimate > budget.exactRows, let sampled = try await sample() { return sampled }
            if let exact = try await counter.count(unsafeSQL: check.sql, within: budget.seconds) { return (exact, .exact) }
            return try await sample() ?? (0, .notCounted(seconds: budget.seconds))
        } catch let error as GodwitError where error.isTransient {
            // A lock not granted or a count cancelled on a busy server left the rows uncounted:
            // said so, not dropped.
            return (0, .notCounted(seconds: budget.seconds))
        } catch {
            return nil
        }
    }
}
