import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit baseline capture --db URL [--queries FILE] --output FILE`.
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "The application's performance baseline: its top queries, timed and planned.",
        subcommands: [Capture.self]
    )

    struct Capture: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capture",
            abstract: "Record the application's top queries with their timing and plans.",
            discussion: """
                Takes the named queries of --queries FILE (name, sql, params: sample values for $1, \
                $2…) and, on PostgreSQL with pg_stat_statements loaded, the --top reading \
                statements by total time (normalized text, calls, mean and deviation, rows). Each \
                runs once untimed, then --runs times, in read-only transactions that are rolled \
                back, and its plan is kept (nodes, indexes used, tables read whole). Statements \
                without sample values are planned only. godwit rehearse --baseline FILE replays \
                them on the clone before and after the migration and after its rollback; godwit \
                verify --baseline FILE compares the live database with them after a real apply.
                """
        )

        @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
        var db: String?

        @Option(name: .long, help: "A queries file: queries: [{name, sql, params}].")
        var queries: String?

        @Option(name: .long, help: "How many of pg_stat_statements' top reading statements to take (default 20; 0 for none).")
        var top = 20

        @Option(name: .long, help: "Timed runs per query (default 10).")
        var runs = 10

        @Option(name: .shortAndLong, help: "Where to write the baseline (default godwit-baseline.json).")
        var output = "godwit-baseline.json"

        func run() async throws {
            try await CommandRunner.run {
                let url = try DatabaseURLResolver.resolve(db)
                let named = try queries.map { path -> [CapturedQuery] in
                    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                        throw GodwitError(.fileNotFound, "Cannot read the queries file", location: path, remedy: "Check the path.")
                    }
                    return try QueriesFileParser().parse(text, file: path)
                } ?? []
                let baseline = try await BaselineCapture(url: url, queries: named, top: max(0, top), runs: max(1, runs)).run()
                do {
                    try baseline.json().write(toFile: output, atomically: true, encoding: .utf8)
                } catch {
                    throw GodwitError(.ioFailure, "Cannot write the baseline", location: output, remedy: "Check that the directory exists and is writable.")
                }
                var lines = ["Captured \(baseline.queries.count) queries into \(output) (fastest of \(baseline.runs) runs each):"]
                for query in baseline.queries {
                    let timing = query.timing.map { String(format: "%.2f ms", $0.minimum) } ?? "planned only (no sample values)"
                    let indexes = query.plan.map { $0.indexes.isEmpty ? "no index" : "indexes " + $0.indexes.joined(separator: ", ") } ?? "no plan"
                    lines.append("  \(query.name): \(timing), \(indexes)")
                }
                Terminal().write(lines.joined(separator: "\n") + "\n")
            }
        }
    }
}

/// `--baseline FILE` with its threshold, for `rehearse` and `verify`.
struct BaselineOptions: ParsableArguments {
    @Option(name: .long, help: "A performance baseline (godwit baseline capture): its queries are replayed and compared.")
    var baseline: String?

    @Option(name: .long, help: "With --baseline: a query this many times slower (and by more than --regression-slack) regressed (default 1.5).")
    var regressionRatio: Double?

    @Option(name: .long, help: "With --baseline: a query must also be slower by more than this to regress (default 5ms).")
    var regressionSlack: DurationArgument?

    var threshold: PerformanceThreshold {
        var threshold = PerformanceThreshold()
        if let regressionRatio { threshold.ratio = max(1, regressionRatio) }
        if let regressionSlack { threshold.slackMilliseconds = regressionSlack.seconds * 1000 }
        return threshold
    }

    func load() throws -> PerformanceBaseline? {
        try baseline.map(PerformanceBaseline.load)
    }
}
