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
    public static func planAll(directory: String, database url: DatabaseURL, checkingDown: Bool = true) async throws -> [Planned] {
        let (live, records, legacy) = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            (try await driver.inspect(InspectionOptions()), try await StateStore(driver: driver).records(), try await LegacyHistory.read(on: driver))
        }
        let applied = Set(records.filter { $0.state == .applied && $0.completedSteps == $0.totalSteps }.map(\.id))
        let pending = try MigrationDirectory.load(directory).filter { migration in
            !applied.contains(migration.id) && !(legacy?.contains(migration) == true && !records.contains { $0.id == migration.id })
        }
        let migrations = try await SQLEffectAnalyzer.analyze(pending, from: live, like: url, checkingDown: checkingDown)
        let planner = DatabaseConnector.planner(for: live.engine)
        var schema = live
        var planned: [Planned] = []
        for migration in migrations {
            let plan = try planner.plan(migration, against: schema)
            planned.append(Planned(plan: plan, schemaBefore: schema))
            schema = plan.target
        }
        let counts = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await DataProbe.counts(for: planned.map(\.plan), on: $0) }
        for index in planned.indices { planned[index].dataCounts = counts[index] }
        return planned
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
