public import GodwitCore

/// Undoes a data move, for a runbook's rollback of its copy and cutover stages.
public enum DataMoveRollback {
    /// Undoes `godwit copy`: removes change capture from the source and drops the tables the copy
    /// created on the target, with its progress records, so the source is as it was and a copy
    /// can run again from nothing. (A copy only ever fills an empty target.)
    public static func undoCopy(source: DatabaseURL, target: DatabaseURL, spec: CopySpec) async throws {
        let plan = try await CopyPlan.make(from: source, into: target.engine, spec: spec)
        try await DatabaseConnector.withDriver(source) { driver in
            try await driver.withWriteTransaction { try await ChangeCapture(driver: driver).remove(for: plan.tables) }
        }
        try await DatabaseConnector.withDriver(target) { driver in
            let quoter = target.engine.quoter
            let existing = Set(try await driver.inspect(.dataMove).tables.map(\.name))
            try await driver.withWriteTransaction {
                for table in plan.tables.reversed() where existing.contains(table.target.name) {
                    try await driver.execute(unsafeSQL: driver.dialect.dropTable(quoter.quote(table.target.name)))
                }
                try await CopyProgressStore(driver: driver).clear()
                try await SyncPosition(driver: driver).remove()
            }
        }
    }

    /// Undoes `godwit cutover --reverse-sync FILE`: syncs what was written on the target since the
    /// switch back onto the source (the reverse copy file maps the target's tables onto the
    /// source's), then removes the change capture the cutover put on the target.
    public static func undoCutover(source: DatabaseURL, target: DatabaseURL, reverse: CopySpec, observer: (any ExecutionObserver)? = nil) async throws {
        var sync = DataSync(source: target, target: source, spec: reverse, observer: observer)
        sync.maximumLag = 0
        _ = try await sync.run()
        let plan = try await CopyPlan.make(from: target, into: source.engine, spec: reverse)
        try await DatabaseConnector.withDriver(target) { driver in
            try await driver.withWriteTransaction {
                try await ChangeCapture(driver: driver).remove(for: plan.tables)
                try await CopyProgressStore(driver: driver).removeMarks(startingWith: "cutover ")
            }
        }
        // The reverse sync kept its position in the source; it is done with it.
        try await DatabaseConnector.withDriver(source) { driver in
            try await driver.withWriteTransaction { try await SyncPosition(driver: driver).remove() }
        }
    }
}
