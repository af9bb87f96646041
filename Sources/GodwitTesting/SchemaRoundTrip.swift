public import GodwitCore
import GodwitEngine

/// Inspect → write DDL → apply to an empty database → inspect again: the check that the model
/// and the DDL writer lose nothing.
public enum SchemaRoundTrip {
    public struct Outcome: Sendable {
        /// The source's schema, statistics removed.
        public var original: Schema
        /// The recreated database's schema, statistics removed.
        public var recreated: Schema
        /// The DDL that was applied.
        public var script: String
    }

    /// Recreates `source`'s schema in the empty database `target`.
    public static func run(from source: any DatabaseDriver, into target: any DatabaseDriver) async throws -> Outcome {
        let original = try await source.inspect(InspectionOptions())
        let script = DatabaseConnector.schemaWriter(for: original.engine).createScript(for: original)
        try await target.executeScript(unsafeSQL: script)
        let recreated = try await target.inspect(InspectionOptions())
        return Outcome(original: original.removingStatistics(), recreated: recreated.removingStatistics(), script: script)
    }
}
