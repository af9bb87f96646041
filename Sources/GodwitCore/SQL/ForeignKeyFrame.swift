/// How hand-written SQL that changes the schema runs on an engine that checks foreign keys
/// statement by statement and changes a table's shape by rebuilding it (SQLite): keys off
/// before the transaction, every key checked before it commits, keys on again after — the
/// procedure SQLite's documentation gives for changing a table.
///
/// With keys on, a rebuild written the usual way breaks: renaming a table to `_old` rewrites
/// the references other tables hold to it, and dropping `_old` then runs their actions
/// (deleting or nulling rows) or fails on a reference to a table already gone. Checking every
/// key before the commit keeps what keys on would have guaranteed: no row is left pointing
/// nowhere. A file that switches keys itself (`PRAGMA foreign_keys = …`) runs as it says; its
/// steps while keys are off are checked the same way, and keys are on again after its last step.
///
/// The engine's dialect supplies the frame (``SQLDialect/foreignKeyFrame``); PostgreSQL has
/// none and runs SQL as written.
public struct ForeignKeyFrame: Hashable, Sendable {
    /// The setting's name, as a file would switch it (`PRAGMA foreign_keys = OFF`).
    public var setting: String
    /// Turns keys off; runs outside any transaction.
    public var off: String
    /// Turns keys on again; runs outside any transaction.
    public var on: String
    /// Counts rows whose foreign key points to no row, in every table.
    public var check: StepCheck

    public init(setting: String, off: String, on: String, check: StepCheck) {
        self.setting = setting
        self.off = off
        self.on = on
        self.check = check
    }

    /// How keys stand while one part of a file runs.
    public enum Keys: Hashable, Sendable {
        /// On, as the session has them: each statement is checked as it runs.
        case checked
        /// Off, turned off by Godwit around the part; checked before it commits.
        case offByGodwit
        /// Off because the file turned them off before this part; checked before it commits.
        case offByFile
    }

    /// How keys stand in each part of one file (its statements, split where the file commits
    /// or a statement must run alone), in order.
    public func keys(in parts: [[SQLStatement]]) -> [Keys] {
        let switches = parts.flatMap { $0 }.contains { turnsKeys($0) != nil }
        var on = true
        return parts.map { statements in
            if switches {
                // Off for the part when a statement of its own runs while the file has them off.
                var runsOff = false
                for statement in statements {
                    if let turnsOn = turnsKeys(statement) { on = turnsOn } else if !on { runsOff = true }
                }
                return runsOff ? .offByFile : .checked
            }
            return statements.contains(where: Self.changesSchema) ? .offByGodwit : .checked
        }
    }

    /// Whether a file switches keys itself anywhere (then it runs as written).
    public func isSwitched(by statements: [SQLStatement]) -> Bool {
        statements.contains { turnsKeys($0) != nil }
    }

    /// nil when `statement` does not switch keys; otherwise whether it turns them on.
    func turnsKeys(_ statement: SQLStatement) -> Bool? {
        guard statement.starts(with: "PRAGMA"), statement.tokens.count >= 2, statement.tokens[1].identifier.lowercased() == setting else { return nil }
        guard let value = statement.tokens.dropFirst(2).last(where: { $0.kind == .word || $0.kind == .number || $0.kind == .string }) else { return nil }
        return !["OFF", "0", "FALSE", "NO"].contains(value.text.filter { $0 != "'" && $0 != "\"" }.uppercased())
    }

    /// A statement that changes the schema: neither a data statement, nor transaction control,
    /// nor one that runs alone (VACUUM, a switch of keys).
    private static func changesSchema(_ statement: SQLStatement) -> Bool {
        !statement.isDataStatement && statement.transactionControl == nil && !statement.mustRunOutsideTransaction(engine: statement.engine)
    }
}
