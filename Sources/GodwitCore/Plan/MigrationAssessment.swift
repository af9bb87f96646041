/// A migration's overall character, as the plan's "Change Classification" table states it.
public enum ChangeLevel: String, Hashable, Codable, Sendable {
    /// Every change is additive.
    case additive
    /// Every change is breaking or destructive.
    case breaking
    /// Some of each.
    case mixed
}

/// Rows per second for each kind of work, used to estimate durations until a rehearsal measures
/// them.
///
/// Measured on this project's machines (2 cores, PostgreSQL 15, 1,000,000 rows of six columns,
/// `../shared/docs/machine-facts.md`): one `UPDATE` of every row took 3.1–3.9 s, so a rewrite
/// runs at about 280,000 rows/s; `count(*)` took 0.035 s and a checksum scan 0.18 s, so a plain
/// scan runs at 5,000,000 rows/s or more. Index builds and validations, which sort or probe, are
/// taken at 1,000,000 rows/s until rehearsals measure them.
public struct ThroughputRates: Hashable, Sendable {
    public var rewriteRowsPerSecond: Double = 280_000
    public var scanRowsPerSecond: Double = 1_000_000
    /// A catalog-only change, with its lock wait on an idle table.
    public var instantSeconds: Double = 0.01

    public init() {}

    /// Seconds for one classified operation. A backfill or a batched update writes every row,
    /// so it runs at the rewrite rate even though it holds no long lock.
    public func seconds(for classification: Classification, of operation: Operation) -> Double {
        let rows = Double(classification.rowsAffected ?? 0)
        if operation.writesEveryRow, classification.duration != .instant {
            return instantSeconds + rows / rewriteRowsPerSecond
        }
        switch classification.duration {
        case .instant: return instantSeconds
        case .scan: return instantSeconds + rows / scanRowsPerSecond
        case .rewrite: return instantSeconds + rows / rewriteRowsPerSecond
        }
    }
}

/// Every operation of a migration classified in order, and the verdict on the whole.
public struct MigrationAssessment: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        public var operation: Operation
        public var classification: Classification
        public var estimatedSeconds: Double
        /// Whether the operation works on a table that was there before the migration and whose
        /// rows the database has no statistics for yet (never analyzed).
        public var rowsUnknown = false
    }

    public var items: [Item]
    public var level: ChangeLevel
    public var risk: Risk
    public var estimatedSeconds: Double
    /// Whether every operation can run with old and new application versions working.
    public var isZeroDowntimePossible: Bool

    /// Classifies `migration` against the live `schema`; tables it creates count as empty for the
    /// operations after the one that creates them.
    public init(
        _ migration: Migration,
        engine: Engine,
        schema: Schema,
        classifier: ChangeClassifier = ChangeClassifier(),
        rates: ThroughputRates = ThroughputRates()
    ) {
        var context = ClassificationContext(engine: engine, schema: schema)
        var items: [Item] = []
        for operation in migration.operations {
            let classification = classifier.classify(operation, in: context)
            let unknown = operation.table.map { table in
                !context.tablesCreatedInMigration.contains(table) && context.liveTable(table) != nil && context.rowCount(table) == nil
            } ?? false
            items.append(Item(operation: operation, classification: classification, estimatedSeconds: rates.seconds(for: classification, of: operation),
                              rowsUnknown: unknown))
            if case .createTable(let table) = operation { context.tablesCreatedInMigration.insert(table.name) }
        }
        self.items = items
        let kinds = Set(items.map { $0.classification.kind == .additive })
        level = kinds == [true] ? .additive : (kinds == [false] ? .breaking : .mixed)
        risk = items.map(\.classification.risk).max() ?? .low
        estimatedSeconds = items.reduce(0) { $0 + $1.estimatedSeconds }
        isZeroDowntimePossible = items.allSatisfy(\.classification.isZeroDowntimePossible)
    }
}
