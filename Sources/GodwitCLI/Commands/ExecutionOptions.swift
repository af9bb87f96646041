public import ArgumentParser
public import GodwitCore
import GodwitEngine

/// A duration on the command line: `300ms`, `5s`, `10m`, `24h`, `7d`.
struct DurationArgument: ExpressibleByArgument {
    var seconds: Double

    init?(argument: String) {
        guard let seconds = DurationText.interval(argument) else { return nil }
        self.seconds = seconds
    }
}

extension Phase: ExpressibleByArgument {}

/// The options of commands that change the database (`apply`, `rollback`, and `rehearse` on its clone).
struct ExecutionOptions: ParsableArguments {
    @Option(name: .long, help: "The longest a statement waits for a lock before it is retried (default 300ms).")
    var lockTimeout: DurationArgument?

    @Option(name: .long, help: "The longest a DDL statement or check may run (default 1h).")
    var statementTimeout: DurationArgument?

    @Option(name: .long, help: "How many times a step or batch is tried when it fails for a transient reason (default 12).")
    var attempts: Int?

    @Option(name: .long, help: "Rows per backfill batch to start with (default: the plan's, 1000).")
    var batchSize: Int?

    @Option(name: .long, help: "Batches grow or shrink so each takes about this long; 0 keeps the size (default 50ms): a batch holds its rows' locks that long.")
    var batchTarget: DurationArgument?

    @Option(name: .long, help: "Rest between batches (default 0).")
    var batchPause: DurationArgument?

    @Flag(name: .long, help: "Print one JSON object per event instead of progress lines.")
    var json = false

    @Flag(name: .long, help: "Leave another tool's history table (diesel's __diesel_schema_migrations, Flyway's flyway_schema_history, …) unwritten. What that tool applied is still adopted; by default Godwit also writes its rows, so the team can switch back. For a table that refuses Godwit's rows (a trigger of the application's), or a tool left for good.")
    var noLegacyHistory = false

    func settings() -> ExecutionSettings {
        var settings = ExecutionSettings()
        if let lockTimeout { settings.lockTimeout = lockTimeout.seconds }
        if let statementTimeout { settings.statementTimeout = statementTimeout.seconds }
        if let attempts { settings.attempts = max(1, attempts) }
        if let batchSize { settings.batchSize = max(1, batchSize) }
        if let batchTarget { settings.batchTarget = batchTarget.seconds }
        if let batchPause { settings.batchPause = batchPause.seconds }
        settings.keepsLegacyHistory = !noLegacyHistory
        return settings
    }
}
