public import GodwitCore

/// Reads the live data a plan will meet before anything runs: each check of each step, run now
/// against the database read-only, for the steps no earlier step prepares (a fill or
/// hand-written SQL on the same table may change what the check would find; when that step is
/// an earlier pending migration's, the count says so instead). Checks that cannot run yet (they
/// name a column the plan adds first) are left out. The counts are
/// the queries `apply` runs before the same steps, so they cost what apply's checks cost.
public enum DataProbe {
    /// For each plan of a chain (with the schema it starts from), in order, the rows its steps'
    /// checks find now. A check whose rows an earlier step writes first is not counted: what it
    /// meets then is what that write leaves. That is a column it reads filled (a fill of
    /// `status` prepares the NOT NULL on `status`, not a check on `total`), the table written in
    /// a way Godwit cannot narrow to columns (hand-written SQL reaching it, an update whose
    /// columns it cannot tell), or any table after SQL whose reach is unknown. Within one
    /// migration that is its own business and goes unsaid; when the writer is an earlier
    /// pending migration the count says so (``DataCount/Basis/afterEarlierMigration(_:)``),
    /// for lint to name it and the plan to send the reader to a rehearsal.
    public static func counts(for plans: [(plan: Plan, schema: Schema)], on driver: any DatabaseDriver,
                              budget: ProbeBudget = ProbeBudget()) async throws -> [[DataCount]] {
        var written = TablesWritten()
        var result: [[DataCount]] = []
        for (plan, schema) in plans {
            let migration = plan.migration.id
            var counts: [DataCount] = []
            /// Counts `check` now, or says which earlier migration writes its table first; a
            /// check prepared within this migration (its own fill) is left out.
            func probe(_ check: StepCheck, table checked: QualifiedName, fix: String, step index: Int, title: String) async {
                if let writer = written.writer(preparing: check, on: checked) {
                    // Only a check on the rows themselves is owed a word (not one on the catalog,
                    // such as an index's validity).
                    guard writer != migration, SQLText.mentions(check.sql, checked.name) else { return }
                    counts.append(DataCount(step: index, stepTitle: title, check: check.name, table: checked, rows: 0, fix: fix,
                                            basis: .afterEarlierMigration(writer)))
                    return
                }
                guard let (rows, basis) = await count(check, in: schema, on: driver, budget: budget), rows > 0 || basis != .exact else { return }
                counts.append(DataCount(step: index, stepTitle: title, check: check.name, table: checked, rows: rows, fix: fix, basis: basis))
            }
            for (index, step) in plan.steps.enumerated() {
                let operationAt = { (index: Int?) in index.flatMap { $0 < plan.migration.operations.count ? plan.migration.operations[$0] : nil } }
                let operation = operationAt(step.operationIndex)
                let table = operation?.table
                for check in step.checks {
                    // A joined rebuild's check belongs to the operation it came from.
                    let source = operationAt(check.operationIndex ?? step.operationIndex)
                    guard let source, let checked = source.table, source.checksExistingRows else { continue }
                    await probe(check, table: checked, fix: DataFix.text(for: source, table: checked, engine: plan.engine), step: index, title: step.title)
                }
                if case .rawSQL(let raw) = operation, let effect = raw.effect {
                    for (check, checked, change) in checks(of: raw, effect: effect, engine: plan.engine, against: schema) {
                        await probe(check, table: checked, fix: DataFix.text(for: change, table: checked, engine: plan.engine), step: index, title: step.title)
                    }
                }
                if case .rawSQL(let raw) = operation {
                    // Hand-written SQL writes the tables its statements reach, or any.
                    switch RawSQLReach.of(raw.up, engine: plan.engine, in: schema) {
                    case .unknown: written.everything(by: migration)
                    case .tables(let reached): for table in reached { written.record(table, columns: nil, by: migration) }
                    }
                } else if step.backfill != nil || operation?.writesEveryRow == true {
                    guard let table else { written.everything(by: migration); continue }
                    let before = SchemaTransformer().resolve(table, in: schema).flatMap { schema.table(named: $0) }
                    written.record(table, columns: operation?.columns(in: before), by: migration)
                }
            }
            result.append(counts)
        }
        return result
    }

    /// What the steps probed so far write, and which migration wrote it last: a check reading
    /// what was written meets the rows that write leaves, not the rows there today.
    private struct TablesWritten {
        private struct Write { var columns: Set<String>?; var migration: String; var order: Int }
        /// Table (lower-cased) → the columns written (nil: all of them) and the last writer.
        private var tables: [String: Write] = [:]
        /// The last migration whose SQL may write any table (a reach its text does not tell).
        private var anyTable: Write?
        private var order = 0

        mutating func record(_ table: QualifiedName, columns: Set<String>?, by migration: String) {
            order += 1
            let key = table.name.lowercased()
            var merged = columns
            if let earlier = tables[key] {
                merged = earlier.columns.flatMap { old in columns.map { old.union($0) } }
            }
            tables[key] = Write(columns: merged, migration: migration, order: order)
        }

        mutating func everything(by migration: String) {
            order += 1
            anyTable = Write(columns: nil, migration: migration, order: order)
        }

        /// The migration whose earlier step last wrote what `check` reads on `table`, or nil.
        func writer(preparing check: StepCheck, on table: QualifiedName) -> String? {
            // The whole table written, or one of the columns the check reads.
            let direct = tables[table.name.lowercased()].flatMap { written in
                written.columns?.contains(where: { SQLText.mentions(check.sql, $0) }) ?? true ? written : nil
            }
            return [direct, anyTable].compactMap { $0 }.max { $0.order < $1.order }?.migration
        }
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
