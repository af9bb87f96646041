import Foundation
public import GodwitCore

/// Writes the down a tool leaves out (Prisma's migrations have none): the operations that turn
/// the schema a file leaves back into the one it found, diffed from the scratch run, planned as
/// for a maintenance window and printed as SQL. What it writes is marked for review; what undoing
/// would lose (rows of a table the file created, values of a column it added) is named.
public enum DownWriter {
    /// The down from `after` back to `before`; nil when no plain SQL can do it (undoing would
    /// need a batched backfill, which a down file cannot hold).
    public static func write(undoing after: Schema, backTo before: Schema) throws -> SQLEffect.GeneratedDown? {
        let operations = SchemaDiffer().diff(from: after.removingStatistics(), to: before.removingStatistics()).operations
        let sequences = sequenceStatements(undoing: after, backTo: before)
        var statements = sequences.before
        if !operations.isEmpty {
            let migration = Migration(id: "down", name: "generated down", downtime: .window, operations: operations)
            let plan = try DatabaseConnector.planner(for: after.engine).plan(migration, against: after)
            guard plan.steps.allSatisfy({ $0.backfill == nil }) else { return nil }
            statements += plan.steps.flatMap { $0.setup + $0.forward + $0.teardown }
        }
        statements += sequences.after
        guard !statements.isEmpty else { return SQLEffect.GeneratedDown(sql: "", losses: []) }
        let sql = statements.map { statement in
            let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.hasSuffix(";") ? trimmed : trimmed + ";"
        }.joined(separator: "\n")
        return SQLEffect.GeneratedDown(sql: sql, losses: operations.compactMap { losses(of: $0, in: after) })
    }

    /// What gives sequences back (operations leave them out): the ones `up` dropped are created
    /// before anything else runs (a column's default may name one), and the ones it changed are
    /// altered back, the ones it created dropped and the recreated ones given back to their
    /// columns after the rest. A sequence that belongs to a column `up` added goes with the column.
    private static func sequenceStatements(undoing after: Schema, backTo before: Schema) -> (before: [String], after: [String]) {
        let writer = DatabaseConnector.schemaWriter(for: after.engine)
        let now = Dictionary(after.sequences.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let then = Dictionary(before.sequences.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var first: [String] = [], last: [String] = []
        for sequence in before.sequences {
            guard let current = now[sequence.name] else {
                first += [writer.creatingSequence(sequence)].compactMap { $0 }
                last += [writer.owningSequence(sequence)].compactMap { $0 }
                continue
            }
            var comparable = current
            comparable.comment = sequence.comment
            if comparable != sequence, let alter = writer.alteringSequence(to: sequence) {
                last.append(alter)
                if current.ownedBy != sequence.ownedBy, let owner = writer.owningSequence(sequence) { last.append(owner) }
            }
        }
        for sequence in after.sequences where then[sequence.name] == nil {
            let goesWithItsColumn = sequence.ownedBy.map { owner in
                before.table(named: owner.table)?.columns.contains { $0.name == owner.column } != true
            } ?? false
            if !goesWithItsColumn, let drop = writer.droppingSequence(sequence.name) { last.append(drop) }
        }
        return (first, last)
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
