import Foundation
public import GodwitCore

/// Writes the down a tool leaves out (Prisma's migrations have none): the operations that turn
/// the schema a file leaves back into the one it found, diffed from the scratch run, planned as
/// for a maintenance window and printed as SQL. What it writes is marked for review; what undoing
/// would lose (rows of a table the file created, values of a column it added) is named.
public enum DownWriter {
    /// The down from `after` back to `before`; nil when no plain SQL can do it (undoing would
    /// need a batched backfill, which a down file cannot hold).
    /// - Parameter renames: the renames `up` made (``SQLEffectAnalyzer/renames(in:)``): the down
    ///   renames back, keeping the values, where a diff alone would drop and add.
    public static func write(undoing after: Schema, backTo before: Schema, reversing renames: [RenameHint] = []) throws -> SQLEffect.GeneratedDown? {
        let back = renames.map { rename -> RenameHint in
            switch rename {
            case .table(let from, let to): .table(from: to, to: from)
            case .column(let table, let from, let to): .column(table: table, from: to, to: from)
            }
        }
        let operations = SchemaDiffer().diff(from: after.removingStatistics(), to: before.removingStatistics(), renames: back).operations
        let sequences = SequenceChanges(from: after, to: before), types = TypeChanges(from: after, to: before)
        let extensions = ExtensionChanges(from: after, to: before)
        var statements = extensions.creating + types.first + sequences.first
        if !operations.isEmpty {
            let migration = Migration(id: "down", name: "generated down", downtime: .window, operations: operations)
            let plan = try DatabaseConnector.planner(for: after.engine).plan(migration, against: after)
            guard plan.steps.allSatisfy({ $0.backfill == nil }) else { return nil }
            statements += plan.steps.flatMap { $0.setup + $0.forward + $0.teardown }
        }
        // Types go last, and the extensions `up` created after them: until the plan's last
        // step, a column may still use one.
        statements += sequences.last + types.last + extensions.dropping
        guard !statements.isEmpty else { return SQLEffect.GeneratedDown(sql: "", losses: []) }
        let sql = statements.map { statement in
            let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.hasSuffix(";") ? trimmed : trimmed + ";"
        }.joined(separator: "\n")
        return SQLEffect.GeneratedDown(sql: sql, losses: operations.compactMap { losses(of: $0, in: after) })
    }

    private static func losses(of operation: GodwitCore.Operation, in schema: Schema) -> String? {
        switch operation {
        case .dropTable(let table):
            "drops \(table) and every row written to it since"
        case .dropColumn(let table, let column):
            "drops \(table).\(column) and every value written to it since"
        case .alterColumn(let change) where change.type != nil:
            "converts \(change.table).\(change.column) back to \(change.type ?? ""), which may not hold every value written since"
        default:
            nil
        }
    }
}
