import GodwitCore

/// Rebuilds a table once where a migration changes it several times in a row: two
/// `alter_column`s on `orders` (NOT NULL on `status`, a wider `total`) become one copy of its
/// rows under the write lock, not two.
///
/// Only rebuilds planned for consecutive operations in the same phase are joined (nothing comes
/// between them, so each was planned against the schema the one before left), and a column
/// computed by a later one (its `up`) is joined only onto rebuilds that compute nothing and add
/// no column: joining two computations would mean rewriting one expression inside the other.
struct SQLiteRebuildMerger {
    /// One planned rebuild: what it turns into what, and where each column's value comes from.
    struct Rebuild {
        var operation: Int
        var old: Table
        var new: Table
        /// New column → SQL over the old row (forward); old column → SQL over the new row
        /// (reverse); rowids not yet added.
        var forward: [String: String]
        var reverse: [String: String]
        var before: Schema
        var after: Schema
    }

    /// The rebuilds a planner made, by operation index.
    final class Log {
        var rebuilds: [Int: Rebuild] = [:]
        var operation = 0
    }

    let rebuild: SQLiteTableRebuild
    let quoter: SQLIdentifierQuoter
    /// Rowids kept across a rebuild of a table without an INTEGER PRIMARY KEY (the planner's rule).
    let keepingRowID: ([String: String], Table, Table) -> [String: String]

    /// `steps` with each run of joinable rebuilds replaced by one step.
    func merge(_ steps: [PlanStep], rebuilds: [Int: Rebuild]) -> [PlanStep] {
        var result: [PlanStep] = []
        var group: [(step: PlanStep, rebuild: Rebuild)] = []
        func flush() {
            if group.count > 1, let joined = joined(group) { result.append(joined) } else { result += group.map(\.step) }
            group = []
        }
        for step in steps {
            guard let index = step.operationIndex, let next = rebuilds[index], step.duration == .rewrite else {
                flush()
                result.append(step)
                continue
            }
            if let last = group.last, last.step.phase == step.phase, last.rebuild.new.name == next.old.name,
               next.operation == last.rebuild.operation + 1, combine(group.map(\.rebuild) + [next]) != nil {
                group.append((step, next))
            } else {
                flush()
                group = [(step, next)]
            }
        }
        flush()
        return result
    }

    /// One step for the whole group: the first one's, rebuilding from its old form to the last
    /// one's new form, with every check of the group once.
    private func joined(_ group: [(step: PlanStep, rebuild: Rebuild)]) -> PlanStep? {
        guard let merged = combine(group.map(\.rebuild)) else { return nil }
        var step = group[0].step
        let prefix = "Rebuild \(merged.old.name) "
        step.title = group[0].step.title + group.dropFirst().map { "; " + ($0.step.title.hasPrefix(prefix) ? String($0.step.title.dropFirst(prefix.count)) : $0.step.title) }.joined()
            + " (one rebuild)"
        step.forward = rebuild.statements(from: merged.old, to: merged.new, sources: keepingRowID(merged.forward, merged.old, merged.new), in: merged.before)
        step.reverse = rebuild.statements(from: merged.new, to: merged.old, sources: keepingRowID(merged.reverse, merged.new, merged.old), in: merged.after)
        var seen: Set<String> = []
        step.checks = group.flatMap { member in
            member.step.checks.map { check in
                var check = check
                check.operationIndex = check.operationIndex ?? member.step.operationIndex
                return check
            }
        }.filter { seen.insert($0.sql).inserted }
        step.estimatedSeconds = group.map(\.step.estimatedSeconds).max() ?? step.estimatedSeconds
        return step
    }

    /// The single rebuild from the first one's old table to the last one's new table; nil when
    /// their column expressions cannot be joined.
    func combine(_ rebuilds: [Rebuild]) -> Rebuild? {
        guard var merged = rebuilds.first else { return nil }
        for next in rebuilds.dropFirst() {
            guard let forward = compose(merged.forward, from: merged.old, to: merged.new, then: next.forward),
                  let reverse = compose(next.reverse, from: next.new, to: next.old, then: merged.reverse) else { return nil }
            merged = Rebuild(operation: next.operation, old: merged.old, new: next.new, forward: forward, reverse: reverse,
                             before: merged.before, after: next.after)
        }
        return merged
    }

    /// Sources that do `first` then `second`: a column `second` copies as it is takes what
    /// `first` gave it (its default when `first` gave nothing); one `second` computes keeps its
    /// expression, allowed only when `first` (from one table to another) copied every column as
    /// it was and added none.
    private func compose(_ first: [String: String], from: Table, to: Table, then second: [String: String]) -> [String: String]? {
        let firstIsPlain = first.allSatisfy { isPlain($0.value, $0.key) } && to.columns.allSatisfy { from.column(named: $0.name) != nil }
        var result: [String: String] = [:]
        for (column, source) in second {
            if isPlain(source, column) {
                if let earlier = first[column] { result[column] = earlier }
            } else {
                guard firstIsPlain else { return nil }
                result[column] = source
            }
        }
        return result
    }

    private func isPlain(_ source: String, _ column: String) -> Bool {
        source == quoter.quote(column)
    }
}
