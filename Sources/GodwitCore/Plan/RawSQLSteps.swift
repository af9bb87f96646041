/// The plan steps that run hand-written SQL as psql or the sqlite3 shell would: statement by
/// statement, inside the migration's transaction.
///
/// A file's own `BEGIN`/`COMMIT` marks where one transaction ends and the next begins; a
/// statement the engine refuses inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`) is
/// a step of its own, run outside one, so a crash resumes after the last one that finished.
/// `down` undoes the whole file and belongs to the first step (rollback runs steps last first).
public enum RawSQLSteps {
    /// The statements of one side of `raw`, each with where it was written.
    /// - Throws: ``GodwitError`` naming file:line:column for a psql meta-command.
    public static func statements(of sql: String, source: SQLSource?, engine: Engine, side: String) throws -> [(statement: SQLStatement, location: String)] {
        try SQLScript.statements(in: sql, engine: engine).map { statement in
            let location = source?.location(of: statement.position) ?? "\(side) SQL, line \(statement.position.line)"
            if statement.isMetaCommand {
                let command = statement.text.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? statement.text
                throw GodwitError(.invalidMigration, "psql meta-command \(command) in a migration", location: location,
                                  reason: "only psql understands backslash commands; the server never sees them",
                                  remedy: command == "\\copy"
                                      ? "Load the rows with COPY … FROM STDIN outside the migration, or with INSERT statements."
                                      : "Write the SQL itself in the file (inline an \\i file, spell out a \\set variable).")
            }
            return (statement, location)
        }
    }

    /// The steps for `raw`, planned against the schema `before` it: in contract when it
    /// destroys data (after the gate), in expand otherwise, with the lock and duration its
    /// classification found.
    /// - Parameter frame: what the engine runs around SQL that changes the schema (SQLite's
    ///   foreign keys off, then checked); nil where SQL runs as written.
    public static func make(_ raw: RawSQL, engine: Engine, before: Schema, frame: ForeignKeyFrame? = nil,
                            operationIndex: Int? = nil) throws -> [PlanStep] {
        let verdict = RawSQLClassifier(context: ClassificationContext(engine: engine, schema: before)).classify(raw)
        return try make(raw, engine: engine, phase: verdict.kind == .destructive ? .contract : .expand, lock: verdict.lock,
                        duration: verdict.duration, isOnline: verdict.isZeroDowntimePossible, frame: frame, operationIndex: operationIndex)
    }

    static func make(_ raw: RawSQL, engine: Engine, phase: Phase, lock: TableLock, duration: LockDuration,
                     isOnline: Bool, frame: ForeignKeyFrame? = nil, operationIndex: Int? = nil) throws -> [PlanStep] {
        let up = try statements(of: raw.up, source: raw.upSource, engine: engine, side: "up")
        let down = try statements(of: raw.down, source: raw.downSource, engine: engine, side: "down")
            .filter { $0.statement.transactionControl == nil }
        if let rollback = up.first(where: { $0.statement.transactionControl == .rollback }) {
            throw GodwitError(.invalidMigration, "The SQL rolls back its own work", location: rollback.location,
                              reason: "a ROLLBACK in a migration throws away what came before it",
                              remedy: "Remove the ROLLBACK, or the statements it undoes.")
        }
        var segments: [(statements: [(statement: SQLStatement, location: String)], isTransactional: Bool)] = []
        var open: [(statement: SQLStatement, location: String)] = []
        func close() {
            if !open.isEmpty { segments.append((open, raw.isTransactional)) }
            open = []
        }
        for item in up {
            if item.statement.transactionControl != nil {
                close()
            } else if item.statement.mustRunOutsideTransaction(engine: engine) || !raw.isTransactional {
                close()
                segments.append(([item], false))
            } else {
                open.append(item)
            }
        }
        close()
        if segments.isEmpty { segments = [([], raw.isTransactional)] }
        let file = raw.upSource.map { $0.file.split(separator: "/").last.map(String.init) ?? $0.file } ?? "SQL"
        let doesNothing = up.allSatisfy { $0.statement.transactionControl != nil }
        let keys = frame?.keys(in: segments.map { $0.statements.map(\.statement) })
        let switchesKeys = frame?.isSwitched(by: up.map(\.statement)) ?? false
        return segments.enumerated().map { number, segment in
            let isFirst = number == 0
            let lines = segment.statements.map(\.statement.position.line)
            let span = lines.isEmpty ? "no statements" : lines.first == lines.last ? "line \(lines[0])" : "lines \(lines[0])–\(lines[lines.count - 1])"
            let title = segments.count == 1
                ? "Run \(file) (\(segment.statements.count) statement\(segment.statements.count == 1 ? "" : "s"))"
                : "Run \(file), part \(number + 1) of \(segments.count) (\(span))"
            var step = PlanStep(
                phase: phase, title: title,
                forward: segment.statements.map(\.statement.text),
                // A file of comments only does nothing, so nothing is to undo.
                reverse: isFirst ? (down.isEmpty ? (doesNothing ? [] : nil) : down.map(\.statement.text)) : [],
                isTransactional: segment.isTransactional,
                lock: lock, duration: duration, operationIndex: operationIndex, isOnline: isOnline,
                forwardLocations: segment.statements.map(\.location),
                reverseLocations: isFirst ? down.map(\.location) : []
            )
            if let frame, let keys {
                switch keys[number] {
                case .checked: break
                case .offByGodwit:
                    step.setup = [frame.off]
                    step.teardown = [frame.on]
                    step.checks = [frame.check]
                case .offByFile:
                    step.checks = [frame.check]
                }
                // A file that switched keys leaves the session as Godwit runs it: keys on.
                if switchesKeys, number == segments.count - 1 { step.teardown = [frame.on] }
            }
            return step
        }
    }
}

