public import GodwitCore

/// Plans every migration of a directory against a live database, in order: each migration is
/// planned against the schema the previous ones lead to.
public enum MigrationPlanning {
    /// One planned migration and the schema it was planned against.
    public struct Planned: Sendable {
        public var plan: Plan
        public var schemaBefore: Schema
    }

    /// Reads the directory, inspects the database read-only, and plans.
    public static func planAll(directory: String, database url: DatabaseURL) async throws -> [Planned] {
        let migrations = try MigrationDirectory.load(directory)
        let live = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
        let planner = DatabaseConnector.planner(for: live.engine)
        var schema = live
        var planned: [Planned] = []
        for migration in migrations {
            let plan = try planner.plan(migration, against: schema)
            planned.append(Planned(plan: plan, schemaBefore: schema))
            schema = plan.target
        }
        return planned
    }
}
