public import GodwitCore

/// Learns what hand-written SQL does by running it on a scratch copy of the schema — no rows,
/// nothing of the real database touched — the way `diff` reads a desired schema.
///
/// For each `sql` operation (a SQL file is one), in order: the scratch holds the schema as it
/// stands just before it; `up` runs there and the scratch is inspected again; the two readings,
/// diffed, give the operations the SQL amounts to and the objects it adds, changes and removes
/// (``SQLEffect``). Then `down` runs and the result is compared with the start — identical, equal
/// up to column order, or different (naming what differs) — and `up` runs once more so the next
/// migration starts where this one leaves off. Data statements that need rows the scratch does
/// not have (an INSERT whose foreign key points nowhere there) are rolled back to a savepoint
/// and named; a schema statement that fails stops planning with the file, line and column.
public enum SQLEffectAnalyzer {
    /// `migrations` with every `sql` operation's ``RawSQL/effect`` filled in, each analysed
    /// against the schema the operations before it lead to, starting from `live`.
    /// - Parameter checkingDown: whether to run each `down` too and judge how it restores the
    ///   schema (lint, which does not report it, skips that half of the work).
    public static func analyze(_ migrations: [Migration], from live: Schema, like url: DatabaseURL,
                               checkingDown: Bool = true) async throws -> [Migration] {
        guard migrations.contains(where: \.hasHandWrittenSQL) else { return migrations }
        var result = migrations
        var cursor = (migration: 0, operation: 0)
        var schema = live
        // One scratch while the chain stays on it; a YAML operation between two SQL ones moves
        // the model on without the scratch, so the next SQL one starts a fresh scratch from the model.
        while cursor.migration < result.count {
            let start = schema
            let outcome = try await withScratch(like: url) { scratch in
                var state = (cursor: cursor, schema: start, migrations: result)
                try await ScratchDatabase.load(DatabaseConnector.schemaWriter(for: start.engine).createScript(for: start), into: scratch)
                // Each file's effect is read from the objects it touched, where the engine can note them.
                _ = try await scratch.trackSchemaChanges()
                var scratchReading = try await scratch.inspect(reading, after: nil)
                var inSync = true
                while state.cursor.migration < state.migrations.count {
                    var migration = state.migrations[state.cursor.migration]
                    if state.cursor.operation >= migration.operations.count {
                        state.cursor = (state.cursor.migration + 1, 0)
                        continue
                    }
                    let operation = migration.operations[state.cursor.operation]
                    if case .rawSQL(var raw) = operation {
                        guard inSync else { return state }
                        let run = try await Self.run(raw, on: scratch, before: scratchReading, checkingDown: checkingDown)
                        raw.effect = run.effect
                        if let generated = run.effect.generatedDown {
                            raw.down = generated.sql
                            raw.downSource = nil
                        }
                        inSync = run.staysInSync
                        scratchReading = run.after
                        migration.operations[state.cursor.operation] = .rawSQL(raw)
                        state.migrations[state.cursor.migration] = migration
                        state.schema = try SchemaTransformer().applying([.rawSQL(raw)], to: state.schema)
                    } else {
                        let location = migration.source?.path ?? migration.id
                        state.schema = try SchemaTransformer().applying([operation], to: state.schema, locate: { _ in location })
                        inSync = false
                    }
                    state.cursor.operation += 1
                }
                return state
            }
            cursor = outcome.cursor
            schema = outcome.schema
            result = outcome.migrations
        }
        return result
    }

    /// How the scratch is read: its tables are empty, so their sizes are not worth a file-system call each.
    private static let reading = InspectionOptions(tableSizes: false)

    /// A scratch database, with an error that says why Godwit wants one when it may not make it.
    private static func withScratch<Result: Sendable>(like url: DatabaseURL, _ body: (any DatabaseDriver) async throws -> Result) async throws -> Result {
        do {
            return try await ScratchDatabase.with(like: url, body)
        } catch let error as GodwitError where error.engineCode == "42501" && error.description.contains("permission denied to create database") {
            throw error.explained("Cannot make the scratch database that SQL files are tried on", code: .permissionDenied,
                                  reason: "the role may not create databases",
                                  remedy: "Grant the role CREATEDB (Godwit creates a temporary database and drops it), or run plan and apply as a role that has it.")
        }
    }

    /// What one `sql` operation did on the scratch, and whether the scratch is left after `up`.
    private static func run(_ raw: RawSQL, on scratch: any DatabaseDriver, before beforeReading: SchemaReading,
                            checkingDown: Bool) async throws -> (effect: SQLEffect, after: SchemaReading, staysInSync: Bool) {
        let before = beforeReading.schema
        let engine = scratch.engine
        let up = try RawSQLSteps.statements(of: raw.up, source: raw.upSource, engine: engine, side: "up")
        let written = try RawSQLSteps.statements(of: raw.down, source: raw.downSource, engine: engine, side: "down")
        let generates = raw.generatesDown && written.allSatisfy { $0.statement.transactionControl != nil }
        // The down to try: the file's, or (for a tool that writes none) one written from what
        // `up` left on the scratch.
        var generated: SQLEffect.GeneratedDown?
        let down: DownSQL = { after in
            guard generates else { return written }
            generated = try DownWriter.write(undoing: after, backTo: before, reversing: renames(in: up.map(\.statement)))
            return try RawSQLSteps.statements(of: generated?.sql ?? "", source: nil, engine: engine, side: "generated down")
        }
        // A savepoint cannot hold what must run outside a transaction, and an enum label added
        // by `up` cannot be used by `down` in the same transaction ("unsafe use of new value").
        let needsCommits = (up + written).contains { $0.statement.mustRunOutsideTransaction(engine: engine) }
            || up.contains { $0.statement.starts(with: "ALTER", "TYPE") && $0.statement.contains("VALUE") }
        let downIsEmpty = !generates && written.allSatisfy { $0.statement.transactionControl != nil }
        // Foreign keys stand on the scratch as they will for real (SQLite: off around SQL that
        // changes the schema, unless the file switches them itself; on again after).
        // The file runs there as one part, by the same rule as its steps.
        let frame = scratch.dialect.foreignKeyFrame
        let keys = frame?.keys(in: [up.map(\.statement)]).first ?? .checked
        let restoresKeys = keys != .checked || (frame?.isSwitched(by: up.map(\.statement)) ?? false)
        if let frame, keys == .offByGodwit { try await scratch.execute(unsafeSQL: frame.off) }
        let outcome: RunOutcome
        do {
            if checkingDown, !downIsEmpty, !needsCommits {
                outcome = try await runWithinOneTransaction(up: up, down: down, on: scratch, before: beforeReading)
            } else {
                outcome = try await runCommittingEach(up: up, down: down, checkingDown: checkingDown, on: scratch, before: beforeReading)
            }
        } catch {
            if let frame, restoresKeys { _ = try? await scratch.execute(unsafeSQL: frame.on) }
            throw error
        }
        if let frame, restoresKeys { try await scratch.execute(unsafeSQL: frame.on) }
        let after = outcome.after.schema
        // Functions are told in the classification's own words (``SQLEffect/otherObjectChanges``),
        // not as operations: only the written down needs them as statements.
        var from = before.removingStatistics(), to = after.removingStatistics()
        from.functions = []
        to.functions = []
        let operations = SchemaDiffer().diff(from: from, to: to, renames: renames(in: up.map(\.statement))).operations
        return (SQLEffect(before: before, after: after, operations: operations, reversal: outcome.reversal,
                          skippedDataStatements: outcome.skipped, generatedDown: generated), outcome.after, outcome.staysInSync)
    }

    /// The statements of `down`, given the schema `up` left.
    private typealias DownSQL = (_ after: Schema) throws -> [LocatedStatement]
    private typealias RunOutcome = (skipped: [String], after: SchemaReading, reversal: SQLEffect.Reversal, staysInSync: Bool)

    /// `up`, a reading, then `down` and a reading under a savepoint that is rolled back, so the
    /// scratch ends where `up` left it without running `up` a second time; one commit at the end.
    private static func runWithinOneTransaction(up: [LocatedStatement], down: DownSQL, on scratch: any DatabaseDriver,
                                                before: SchemaReading) async throws -> RunOutcome {
        let within = InspectionOptions(tableSizes: false, withinTransaction: true)
        try await scratch.execute(unsafeSQL: "BEGIN")
        do {
            let skipped = try await execute(up, on: scratch, side: "up")
            let after = try await scratch.inspect(within, after: before)
            let statements = try down(after.schema)
            guard !statements.contains(where: { $0.statement.mustRunOutsideTransaction(engine: scratch.engine) }) else {
                // A written down may hold what no savepoint can (SQLite's table rebuild turns
                // foreign keys off): commit `up` and try it the committing way.
                try await scratch.execute(unsafeSQL: "COMMIT")
                let (reversal, staysInSync) = try await tryDownCommitting(statements, up: up, on: scratch, before: before, after: after)
                return (skipped, after, reversal, staysInSync)
            }
            try await scratch.execute(unsafeSQL: "SAVEPOINT godwit_down")
            let reversal: SQLEffect.Reversal
            do {
                _ = try await execute(statements, on: scratch, side: "down")
                // The reading of `down` is dropped with it: the savepoint takes the scratch back to `after`.
                reversal = SQLEffect.reversal(from: before.schema, to: try await scratch.inspect(within, after: after).schema)
            } catch let error as GodwitError {
                reversal = .failed([error.location, error.summary, error.reason].compactMap { $0 }.joined(separator: ": "))
            }
            try await scratch.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_down")
            try await scratch.execute(unsafeSQL: "COMMIT")
            return (skipped, after, reversal, true)
        } catch {
            _ = try? await scratch.execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    /// `up` committed, then (when asked) `down` committed and `up` again: for SQL that holds a
    /// statement no transaction can, where a savepoint cannot take `down` back.
    private static func runCommittingEach(up: [LocatedStatement], down: DownSQL, checkingDown: Bool, on scratch: any DatabaseDriver,
                                          before: SchemaReading) async throws -> RunOutcome {
        let skipped = try await inTransaction(scratch) { try await execute(up, on: scratch, side: "up") }
        let after = try await scratch.inspect(reading, after: before)
        let statements = try down(after.schema)
        guard checkingDown else { return (skipped, after, .notChecked, true) }
        if statements.allSatisfy({ $0.statement.transactionControl != nil }) {
            let differences = after.schema.differences(from: before.schema)
            return (skipped, after, differences.isEmpty ? .identical : .differs(objects: ["down has no statements: " + differences.joined(separator: "; ")]), true)
        }
        let (reversal, staysInSync) = try await tryDownCommitting(statements, up: up, on: scratch, before: before, after: after)
        return (skipped, after, reversal, staysInSync)
    }

    /// `down` committed, a reading, then `up` again so the scratch is where `up` left it. The
    /// readings are taken against `after`: a later one against `after` reads again everything
    /// `down` and `up` touched since.
    private static func tryDownCommitting(_ down: [LocatedStatement], up: [LocatedStatement], on scratch: any DatabaseDriver,
                                          before: SchemaReading, after: SchemaReading) async throws -> (SQLEffect.Reversal, staysInSync: Bool) {
        do {
            _ = try await inTransaction(scratch) { try await execute(down, on: scratch, side: "down") }
            let reversal = SQLEffect.reversal(from: before.schema, to: try await scratch.inspect(reading, after: after).schema)
            do {
                _ = try await inTransaction(scratch) { try await execute(up, on: scratch, side: "up") }
                return (reversal, try await scratch.inspect(reading, after: after).schema.differences(from: after.schema).isEmpty)
            } catch {
                return (reversal, false)
            }
        } catch let error as GodwitError {
            let reversal = SQLEffect.Reversal.failed([error.location, error.summary, error.reason].compactMap { $0 }.joined(separator: ": "))
            return (reversal, try await scratch.inspect(reading, after: after).schema.differences(from: after.schema).isEmpty)
        }
    }

    typealias LocatedStatement = (statement: SQLStatement, location: String)

    /// `work` between BEGIN and COMMIT, rolled back when it throws.
    private static func inTransaction<Result>(_ scratch: any DatabaseDriver, _ work: () async throws -> Result) async throws -> Result {
        try await scratch.execute(unsafeSQL: "BEGIN")
        do {
            let result = try await work()
            try await scratch.execute(unsafeSQL: "COMMIT")
            return result
        } catch {
            _ = try? await scratch.execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    /// Runs statements inside the open transaction, as the plan will (statements no transaction
    /// can hold commit it and run between two); returns the data statements the scratch could not run.
    /// - Throws: ``GodwitError`` at the file:line:column of a schema statement that failed.
    private static func execute(_ statements: [LocatedStatement], on scratch: any DatabaseDriver, side: String) async throws -> [String] {
        var skipped: [String] = []
        do {
            for (statement, location) in statements where statement.transactionControl == nil {
                if statement.mustRunOutsideTransaction(engine: scratch.engine) {
                    try await scratch.execute(unsafeSQL: "COMMIT")
                    try await located(location, statement.text) { try await scratch.execute(unsafeSQL: statement.text) }
                    try await scratch.execute(unsafeSQL: "BEGIN")
                } else if statement.isDataStatement {
                    try await scratch.execute(unsafeSQL: "SAVEPOINT godwit_scratch")
                    do {
                        try await scratch.execute(unsafeSQL: statement.text)
                    } catch {
                        try await scratch.execute(unsafeSQL: "ROLLBACK TO SAVEPOINT godwit_scratch")
                        skipped.append(location)
                    }
                    try await scratch.execute(unsafeSQL: "RELEASE SAVEPOINT godwit_scratch")
                } else {
                    try await located(location, statement.text) { try await scratch.execute(unsafeSQL: statement.text) }
                }
            }
        } catch var error as GodwitError {
            error.summary = "The \(side) SQL does not run on a copy of the schema: " + error.summary
            throw error
        }
        return skipped
    }

    /// The renames the SQL spells out (`ALTER TABLE t RENAME [COLUMN] a TO b`, `ALTER TABLE t
    /// RENAME TO u`), so the diff keeps them renames instead of a drop and an add.
    static func renames(in statements: [SQLStatement]) -> [RenameHint] {
        statements.compactMap { statement in
            guard statement.starts(with: "ALTER", "TABLE"), let rename = statement.firstIndex(of: "RENAME"),
                  let to = statement.firstIndex(of: "TO", from: rename), to + 1 < statement.tokens.count,
                  let tableAt = statement.nameIndex(after: 2), let table = statement.qualifiedName(at: tableAt) else { return nil }
            let newName = statement.tokens[to + 1].name(on: statement.engine)
            let names = statement.tokens[(rename + 1)..<to].filter { $0.isName && !$0.isKeyword("COLUMN") }
            if let column = names.last {
                return .column(table: table.name, from: column.name(on: statement.engine), to: newName)
            }
            return .table(from: table.name, to: newName)
        }
    }

    private static func located(_ location: String, _ statement: String, _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch let error as GodwitError {
            throw PlanStepRunner.locating(error, at: location, statement: statement)
        }
    }
}
