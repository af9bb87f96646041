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
    /// table in a way Godwit cannot narrow to columns (hand-written SQL, an update whose columns
    /// it cannot tell).
    public static func counts(for plans: [(plan: Plan, schema: Schema)], on driver: any DatabaseDriver) async throws -> [[DataCount]] {
        var written: [String: Set<String>?] = [:]  // table (lower-cased) → columns written, nil for all
        var everything = false                     // hand-written SQL that names no table may write any
        var result: [[DataCount]] = []
        for (plan, schema) in plans {
            var counts: [DataCount] = []
            for (index, step) in plan.steps.enumerated() {
                let operation = step.operationIndex.flatMap { $0 < plan.migration.operations.count ? plan.migration.operations[$0] : nil }
                let table = operation?.table
                if !everything, let key = table?.name.lowercased(), operation?.checksExistingRows == true {
                    for check in step.checks where !isPrepared(check, by: written[key]) {
                        guard let rows = await count(check.sql, on: driver), rows > 0 else { continue }
                        counts.append(DataCount(step: index, stepTitle: step.title, check: check.name, table: table, rows: rows))
                    }
                }
                if step.backfill != nil || operation?.kind == .sql || operation?.writesEveryRow == true {
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

    /// Whether an earlier step wrote what `check` reads.
    private static func isPrepared(_ check: StepCheck, by written: Set<String>??) -> Bool {
        guard let written else { return false }             // nothing written to the table
        guard let columns = written else { return true }    // the whole table written
        return columns.contains { SQLText.mentions(check.sql, $0) }
    }

    /// The count, or nil when the check cannot run against the schema as it is now.
    private static func count(_ sql: String, on driver: any DatabaseDriver) async -> Int64? {
        do {
            return try await driver.query(unsafeSQL: sql).first?.values.first?.integerValue
        } catch {
            return nil
        }
    }
}
