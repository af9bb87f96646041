public import GodwitCore

/// Plans every migration of a directory against a live database, in order: each migration is
/// planned against the schema the previous ones lead to.
public enum MigrationPlanning {
    /// One planned migration and the schema it was planned against.
    public struct Planned: Sendable {
        public var plan: Plan
        public var schemaBefore: Schema
        /// What its steps' checks find in the live data now (``DataProbe``); empty without a database.
        public var dataCounts: [DataCount] = []
    }

    /// Reads the directory, inspects the database read-only, learns what its SQL files do on a
    /// scratch copy, and plans the migrations not yet applied there.
    /// - Parameter checkingDown: whether each SQL file's `down` is tried on the scratch too.
    /// - Parameter reading: the live schema as this command has just read it (`diff` planning
    ///   the migration it wrote), so it is not read again; nil: read now.
    public static func planAll(directory: String, database url: DatabaseURL, checkingDown: Bool = true,
                               reading: Schema? = nil) async throws -> [Planned] {
        let all = try MigrationDirectory.load(directory)
        let (live, records, legacy, unfinishedTargets) = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let store = StateStore(driver: driver)
            let records = try await store.records()
            // A migration stopped part-way (at a gate, or interrupted) finishes before the next
            // one runs, so the next is planned against where it arrives, not where it stands.
            var targets: [Schema] = []
            for record in records where Self.hasBegun(record) && record.state != .applied {
                if let stored = try await store.plan(migration: record.id) { targets.append(stored.target) }
            }
            let live: Schema
            if let reading { live = reading } else { live = try await driver.inspect(InspectionOptions()) }
            return (live, records, try await LegacyHistory.read(on: driver), targets)
        }
        // A changed file that is already in the database is refused here as apply refuses it.
        try DriftCheck.check(all, against: records)
        let pending = all.filter { migration in
            !records.contains { $0.id == migration.id && Self.hasBegun($0) }
                && !(legacy?.contains(migration) == true && !records.contains { $0.id == migration.id })
        }
        let migrations = try await SQLEffectAnalyzer.analyze(pending, from: live, like: url, checkingDown: checkingDown)
        let planner = DatabaseConnector.planner(for: live.engine)
        var schema = unfinishedTargets.last ?? live
        var planned: [Planned] = []
        for migration in migrations {
            let plan = try planner.plan(migration, against: schema)
            planned.append(Planned(plan: plan, schemaBefore: schema))
            schema = plan.target
        }
        let counts = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await DataProbe.counts(for: planned.map { ($0.plan, $0.schemaBefore) }, on: $0) }
        for index in planned.indices { planned[index].dataCounts = counts[index] }
        return planned
    }

    /// Whether a migration is in the database, wholly or part-way: applied (its cleanup may still
    /// wait for the retention window), stopped at a gate, or interrupted. Rolled back, or failed
    /// before any step finished, it is not: it is planned again.
    static func hasBegun(_ record: MigrationRecord) -> Bool {
        record.state != .rolledBack && !(record.state == .failed && record.failedBeforeAnyStep)
    }

    /// Plans every migration of a directory with no database at all, for a lint that needs none
    /// (in CI, say): each migration against what the ones before it create, starting from an
    /// empty schema. SQL files are not run anywhere, so what they create stays unknown; a table
    /// that is not known is then taken to exist (``LintRules/Context/schemaIsComplete``).
    /// - Throws: ``GodwitError`` when a YAML operation names a table the directory never creates.
    public static func planWithoutDatabase(directory: String, engine: Engine) throws -> [Planned] {
        let planner = DatabaseConnector.planner(for: engine)
        var schema = Schema(engine: engine)
        var planned: [Planned] = []
        for migration in try MigrationDirectory.load(directory) {
            do {
                let plan = try planner.plan(migration, against: schema)
                planned.append(Planned(plan: plan, schemaBefore: schema))
                schema = plan.target
            } catch var error as GodwitError {
                error.summary = "Without a database, migration \(migration.id) cannot be planned: " + error.summary
                error.remedy = "Pass --db with a database this directory applies to (its tables give YAML operations their context)."
                throw error
            }
        }
        return planned
    }
}
