public import GodwitCore

/// Reads the live data a plan will meet before anything runs: each check of each step, run now
/// against the database read-only, for the steps no earlier step of the same plan prepares (a
/// fill or hand-written SQL on the same table may change what the check would find). Checks
/// that cannot run yet (they name a column the plan adds first) are left out. The counts are
/// the queries `apply` runs before the same steps, so they cost what apply's checks cost.
public enum DataProbe {
    /// For each plan of a chain, in order, the rows its steps' checks find now; a table an
    /// earlier plan of the chain writes rows of is not counted for the later ones.
    public static func counts(for plans: [Plan], on driver: any DatabaseDriver) async throws -> [[DataCount]] {
        var prepared = Set<String>()  // tables an earlier step writes rows of (lower-cased names)
        var everything = false        // hand-written SQL that names no table may write any
        var result: [[DataCount]] = []
        for plan in plans {
            var counts: [DataCount] = []
            for (index, step) in plan.steps.enumerated() {
                let operation = step.operationIndex.flatMap { $0 < plan.migration.operations.count ? plan.migration.operations[$0] : nil }
                let table = operation?.table
                if !everything, let key = table?.name.lowercased(), !prepared.contains(key), operation?.checksExistingRows == true {
                    for check in step.checks {
                        guard let rows = await count(check.sql, on: driver), rows > 0 else { continue }
                        counts.append(DataCount(step: index, stepTitle: step.title, check: check.name, table: table, rows: rows))
                    }
                }
                if step.backfill != nil || operation?.kind == .sql || operation?.writesEveryRow == true {
                    if let key = table?.name.lowercased() { prepared.insert(key) } else { everything = true }
                }
            }
            result.append(counts)
        }
        return result
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
