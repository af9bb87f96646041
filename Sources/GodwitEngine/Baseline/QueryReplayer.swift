public import Foundation
public import GodwitCore

/// Runs the baseline's queries on a database, read-only, and measures them: one untimed warm-up
/// run, then `runs` timed ones, each in a read-only transaction that is rolled back; and the plan
/// of each. A statement without sample parameters is only planned (generically, where the
/// engine can). A query that fails is recorded with the database's reason, not thrown.
public struct QueryReplayer: Sendable {
    public var runs: Int

    public init(runs: Int = 10) {
        self.runs = max(1, runs)
    }

    public func measure(_ queries: [CapturedQuery], on url: DatabaseURL) async throws -> [QueryMeasurement] {
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            var measured: [QueryMeasurement] = []
            for query in queries { measured.append(await measure(query, on: driver)) }
            return measured
        }
    }

    /// Measures `queries` on `url` and compares each with its measurement `before`. A query that
    /// looks slower is measured again, up to `confirmations` more times, and the comparison
    /// with the quietest machine is kept: a burst of other work on the machine is not taken for
    /// a regression, and a real one (a lost index) stays one however often it is measured.
    public func compare(_ queries: [CapturedQuery], with before: [QueryMeasurement], on url: DatabaseURL, threshold: PerformanceThreshold,
                        accepted: [AcceptedRegression], confirmations: Int = 2) async throws -> [QueryComparison] {
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            var compared: [QueryComparison] = []
            for (query, earlier) in zip(queries, before) {
                var best = QueryComparison(before: earlier, after: await measure(query, on: driver), threshold: threshold, accepted: accepted)
                var tries = 0
                while best.regressed, best.failure == nil, !best.turnedSequential, best.ratio != nil, tries < confirmations {
                    tries += 1
                    let again = QueryComparison(before: earlier, after: await measure(query, on: driver), threshold: threshold, accepted: accepted)
                    if (again.ratio ?? .infinity) < (best.ratio ?? .infinity) { best = again }
                }
                compared.append(best)
            }
            return compared
        }
    }

    private func measure(_ query: CapturedQuery, on driver: any DatabaseDriver) async -> QueryMeasurement {
        let bindings = query.parameters.map(\.value)
        do {
            guard query.isReplayable else {
                // Planned without values where the engine can; a plan that cannot be made is no failure.
                let plan = try? await self.plan(query.sql, generic: true, bindings: [], on: driver)
                return QueryMeasurement(name: query.name, timing: nil, plan: plan ?? nil)
            }
            // The query and the calibration work take turns, so both see the same machine.
            var samples: [Double] = [], calibration: [Double] = []
            for run in 0...runs {
                let calibrated = try await timed(driver.dialect.calibration, bindings: [], on: driver)
                let elapsed = try await timed(query.sql, bindings: bindings, on: driver)
                if run > 0 {
                    samples.append(elapsed)
                    calibration.append(calibrated)
                }
            }
            let plan = try await self.plan(query.sql, generic: false, bindings: bindings, on: driver)
            return QueryMeasurement(name: query.name, timing: QueryTiming(samples: samples, calibration: calibration), plan: plan)
        } catch let error as GodwitError {
            return QueryMeasurement(name: query.name, timing: nil, plan: nil, failure: error.reason ?? error.summary)
        } catch {
            return QueryMeasurement(name: query.name, timing: nil, plan: nil, failure: "\(type(of: error))")
        }
    }

    /// Milliseconds `sql` takes, in a read-only transaction (its start and end not counted).
    private func timed(_ sql: String, bindings: [DatabaseValue], on driver: any DatabaseDriver) async throws -> Double {
        try await readOnly(driver) { driver in
            let clock = ContinuousClock()
            let started = clock.now
            _ = try await driver.query(unsafeSQL: sql, bindings: bindings)
            let took = clock.now - started
            return Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
        }
    }

    /// The plan of `sql`, nil where the engine cannot explain it.
    private func plan(_ sql: String, generic: Bool, bindings: [DatabaseValue], on driver: any DatabaseDriver) async throws -> QueryPlan? {
        guard let statements = driver.dialect.explain(sql, generic: generic) else { return nil }
        let rows = try await readOnly(driver) { driver in
            for statement in statements.before { try await driver.execute(unsafeSQL: statement) }
            let values = bindings.isEmpty ? Array(repeating: DatabaseValue.null, count: QueryParameter.placeholders(in: sql)) : bindings
            let rows = try await driver.query(unsafeSQL: statements.explain, bindings: statements.bindsParameters ? values : [])
            for statement in statements.after { try await driver.execute(unsafeSQL: statement) }
            return rows
        }
        return driver.dialect.queryPlan(from: rows)
    }

    /// Runs `work` in a read-only transaction, rolled back whatever happens.
    private func readOnly<T: Sendable>(_ driver: any DatabaseDriver, _ work: (any DatabaseDriver) async throws -> T) async throws -> T {
        try await driver.execute(unsafeSQL: driver.dialect.readOnlyBegin)
        do {
            let result = try await work(driver)
            try await driver.execute(unsafeSQL: "ROLLBACK")
            return result
        } catch {
            _ = try? await driver.execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }
}

/// `godwit baseline capture`: the queries of a queries file and, on PostgreSQL with
/// `pg_stat_statements`, the top reading statements, measured now on the database.
public struct BaselineCapture: Sendable {
    public var url: DatabaseURL
    public var queries: [CapturedQuery]
    /// How many of `pg_stat_statements`' top statements to take (0: none).
    public var top: Int
    public var runs: Int

    public init(url: DatabaseURL, queries: [CapturedQuery], top: Int = 20, runs: Int = 10) {
        self.url = url
        self.queries = queries
        self.top = top
        self.runs = runs
    }

    public func run(now: Date = Date()) async throws -> PerformanceBaseline {
        var all = queries
        for statement in try await topStatements() where !all.contains(where: { $0.sql == statement.sql }) {
            all.append(statement)
        }
        guard !all.isEmpty else {
            throw GodwitError(.invalidArgument, "Nothing to capture", location: url.description,
                              reason: "no queries file was given, and the database has no pg_stat_statements statistics to read",
                              remedy: "Name the application's queries in a file (--queries FILE: name, sql, params), or load pg_stat_statements (shared_preload_libraries) and CREATE EXTENSION pg_stat_statements.")
        }
        let measured = try await QueryReplayer(runs: runs).measure(all, on: url)
        if let failed = zip(all, measured).first(where: { $0.1.failure != nil && $0.0.source == .queriesFile }) {
            throw GodwitError(.invalidArgument, "A baseline query fails on the database", location: "query '\(failed.0.name)'",
                              reason: failed.1.failure, remedy: "Fix the query or its sample parameters in the queries file.")
        }
        let captured = zip(all, measured).filter { $0.1.failure == nil }.map { query, measurement in
            var query = query
            query.timing = measurement.timing
            query.plan = measurement.plan
            return query
        }
        return PerformanceBaseline(capturedAt: now, engine: url.engine, database: url.description, runs: runs, queries: captured)
    }

    /// The top reading statements from `pg_stat_statements`; none where it is not there.
    private func topStatements() async throws -> [CapturedQuery] {
        guard top > 0 else { return [] }
        return try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            guard let sql = driver.dialect.topStatements,
                  let rows = try? await driver.query(unsafeSQL: sql, bindings: [.integer(Int64(top))]) else { return [] }
            return rows.enumerated().compactMap { index, row in
                guard let text = row.values[0].textValue else { return nil }
                return CapturedQuery(
                    name: "statement \(index + 1)", sql: text, source: .statementStatistics,
                    statistics: .init(calls: row.values[1].integerValue ?? 0, meanMilliseconds: row.values[2].doubleValue ?? 0,
                                      stddevMilliseconds: row.values[3].doubleValue ?? 0, rowsPerCall: row.values[4].doubleValue ?? 0))
            }
        }
    }
}

/// `verify --baseline`: the baseline's queries measured on the live database now, each compared
/// with its timing and plan at capture.
public enum BaselineVerification {
    public static func run(_ baseline: PerformanceBaseline, on url: DatabaseURL, threshold: PerformanceThreshold = .init(),
                           accepted: [AcceptedRegression] = [], now: Date = Date()) async throws -> BaselineReport {
        guard baseline.engine == url.engine else {
            throw GodwitError(.invalidArgument, "The performance baseline is of another engine",
                              reason: "it was captured on \(baseline.engine.rawValue), and this database is \(url.engine.rawValue)",
                              remedy: "Compare it with the database it was captured on.")
        }
        let captured = baseline.queries.map { QueryMeasurement(name: $0.name, timing: $0.timing, plan: $0.plan) }
        let compared = try await QueryReplayer(runs: baseline.runs).compare(baseline.queries, with: captured, on: url, threshold: threshold,
                                                                            accepted: accepted)
        return BaselineReport(database: url.description, capturedAt: baseline.capturedAt, measuredAt: now, threshold: threshold, queries: compared)
    }
}
