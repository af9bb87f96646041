import Foundation
import GodwitCore
import Testing

/// How a query before and after is judged, without a database.
@Suite("Performance comparison")
struct PerformanceComparisonTests {
    static func measured(_ name: String = "lookup", ms: Double?, calibration: Double? = nil, indexes: [String] = [], scans: [String] = [],
                         failure: String? = nil) -> QueryMeasurement {
        QueryMeasurement(name: name, timing: ms.map { QueryTiming(runs: 5, minimum: $0, median: $0 * 1.1, mean: $0 * 1.2, p95: $0 * 2, calibration: calibration) },
                         plan: QueryPlan(nodes: [], indexes: indexes, sequentialScans: scans), failure: failure)
    }

    @Test("Past both the ratio and the slack is a regression; past only one is not")
    func threshold() {
        let threshold = PerformanceThreshold()
        #expect(QueryComparison(before: Self.measured(ms: 0.2), after: Self.measured(ms: 14), threshold: threshold).regressed)
        // 35×, but 3.3 ms more: under the slack.
        #expect(!QueryComparison(before: Self.measured(ms: 0.1), after: Self.measured(ms: 3.4), threshold: threshold).regressed)
        // 60 ms more, but 1.3×.
        #expect(!QueryComparison(before: Self.measured(ms: 200), after: Self.measured(ms: 260), threshold: threshold).regressed)
        let strict = PerformanceThreshold(ratio: 1.2, slackMilliseconds: 1)
        #expect(QueryComparison(before: Self.measured(ms: 200), after: Self.measured(ms: 260), threshold: strict).regressed)
    }

    @Test("The plan change is named: the index lost, the table read whole; the summary says it with the ratio")
    func planChange() {
        let compared = QueryComparison(before: Self.measured(ms: 0.2, indexes: ["idx_orders_customer"]),
                                       after: Self.measured(ms: 14, scans: ["orders"]), threshold: .init())
        #expect(compared.lostIndexes == ["idx_orders_customer"] && compared.newSequentialScans == ["orders"])
        #expect(compared.summary == "0.20 ms → 14.00 ms (70.00×); index idx_orders_customer no longer used; orders read whole (sequential scan)")
        #expect(compared.blocks)
    }

    @Test("An index scan turned sequential is a regression even when the clock says otherwise; a lost index alone is judged by time")
    func turnedSequential() {
        let busy = QueryComparison(before: Self.measured(ms: 13, calibration: 5, indexes: ["idx_orders_customer"]),
                                   after: Self.measured(ms: 28, calibration: 15, scans: ["orders"]), threshold: .init())
        #expect(busy.ratio.map { $0 < 1.5 } == true)
        #expect(busy.turnedSequential && busy.regressed && busy.blocks)
        // Another index took over: no table read whole, and no slower.
        let swapped = QueryComparison(before: Self.measured(ms: 0.2, indexes: ["idx_a"]), after: Self.measured(ms: 0.25, indexes: ["idx_b"]), threshold: .init())
        #expect(!swapped.turnedSequential && !swapped.regressed && swapped.lostIndexes == ["idx_a"])
    }

    @Test("A busier machine after divides the ratio; an idler one never raises it")
    func calibration() {
        // Twice as slow with the machine twice as busy: no regression.
        let busy = QueryComparison(before: Self.measured(ms: 20, calibration: 5), after: Self.measured(ms: 40, calibration: 10), threshold: .init())
        #expect(busy.ratio == 1 && busy.machineLoad == 2 && !busy.regressed)
        #expect(busy.summary.contains("with the machine 2.00× as busy"))
        // The machine idler after: the raw ratio stands.
        let idle = QueryComparison(before: Self.measured(ms: 20, calibration: 10), after: Self.measured(ms: 26, calibration: 5), threshold: .init())
        #expect(idle.ratio == 1.3 && !idle.regressed)
        // Lost index: far past any load.
        let lost = QueryComparison(before: Self.measured(ms: 0.2, calibration: 5), after: Self.measured(ms: 30, calibration: 7.5), threshold: .init())
        #expect(lost.regressed && lost.ratio == 100)
    }

    @Test("A query that fails after is a regression with the database's reason; one that failed before is not new")
    func failures() {
        let moved = QueryComparison(before: Self.measured(ms: 0.3), after: Self.measured(ms: nil, failure: "column \"customer_id\" does not exist"), threshold: .init())
        #expect(moved.regressed && moved.summary == "fails: column \"customer_id\" does not exist")
        #expect(moved.after == nil && moved.lostIndexes.isEmpty)
        let already = QueryComparison(before: Self.measured(ms: nil, failure: "x"), after: Self.measured(ms: nil, failure: "x"), threshold: .init())
        #expect(!already.regressed)
    }

    @Test("Not timed (no sample values): judged by the plan alone")
    func planOnly() {
        #expect(QueryComparison(before: Self.measured(ms: nil, indexes: ["i"]), after: Self.measured(ms: nil, scans: ["t"]), threshold: .init()).regressed)
        #expect(!QueryComparison(before: Self.measured(ms: nil, indexes: ["i"]), after: Self.measured(ms: nil, indexes: ["i"]), threshold: .init()).regressed)
    }

    @Test("An accepted regression is reported with its reason and does not block")
    func accepted() {
        let compared = QueryComparison(before: Self.measured(ms: 0.2), after: Self.measured(ms: 14), threshold: .init(),
                                       accepted: [AcceptedRegression(query: "lookup", reason: "moving to search")])
        #expect(compared.regressed && !compared.blocks && compared.acceptedBecause == "moving to search")
    }

    @Test("Timing of samples: min, median, p95; placeholders counted outside quotes")
    func timingAndPlaceholders() {
        let timing = QueryTiming(samples: [5, 1, 3, 2, 4], calibration: [9, 7, 8])
        #expect(timing == QueryTiming(runs: 5, minimum: 1, median: 3, mean: 3, p95: 5, calibration: 7))
        #expect(QueryTiming(samples: []) == nil)
        #expect(QueryParameter.placeholders(in: "SELECT * FROM t WHERE a = $1 AND b = $12 AND c = '$99'") == 12)
        #expect(QueryParameter.placeholders(in: "SELECT 1") == 0)
    }

    @Test("The queries file: typed parameters, reading statements only, positions in errors")
    func queriesFile() throws {
        let queries = try QueriesFileParser().parse("""
            queries:
              - {name: by id, sql: "SELECT * FROM t WHERE id = $1 AND v = $2 AND w = $3 AND x = $4", params: [7, 2.5, 'seven', null]}
              - {name: all, sql: "WITH x AS (SELECT 1) SELECT * FROM x"}
            """, file: "q.yaml")
        #expect(queries.map(\.name) == ["by id", "all"])
        #expect(queries[0].parameters == [.integer(7), .real(2.5), .text("seven"), .null])
        #expect(queries[0].parameters.map(\.value) == [.integer(7), .real(2.5), .text("seven"), .null])
        let error = #expect(throws: GodwitError.self) {
            try QueriesFileParser().parse("queries:\n  - {name: w, sql: \"WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone\"}\n", file: "q.yaml")
        }
        #expect(error?.location == "q.yaml:2:20", "\(String(describing: error?.location))")
    }
}
