public import Foundation

/// The application's performance baseline (the strategy template's "current performance
/// baseline"): its top queries with their timing over several runs and their plans, captured by
/// `godwit baseline capture`, replayed by `rehearse` before and after the migration and by
/// `verify --baseline` after a real apply. Holds SQL and sample parameters the team wrote, never
/// rows.
public struct PerformanceBaseline: Codable, Sendable, Equatable {
    public var capturedAt: Date
    public var engine: Engine
    /// The database it was captured on, without its password.
    public var database: String
    /// Timed runs per query (after one untimed warm-up run).
    public var runs: Int
    public var queries: [CapturedQuery]

    public init(capturedAt: Date, engine: Engine, database: String, runs: Int, queries: [CapturedQuery]) {
        self.capturedAt = capturedAt
        self.engine = engine
        self.database = database
        self.runs = runs
        self.queries = queries
    }

    /// Reads a baseline file.
    public static func load(_ path: String) throws -> PerformanceBaseline {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GodwitError(.fileNotFound, "Cannot read the performance baseline", location: path,
                              remedy: "Capture one first: godwit baseline capture --db URL --queries FILE --output \(path)")
        }
        do {
            return try decoder.decode(PerformanceBaseline.self, from: data)
        } catch {
            throw GodwitError(.invalidArgument, "Not a performance baseline", location: path,
                              reason: "the file is not the JSON godwit baseline capture writes",
                              remedy: "Capture it again with godwit baseline capture.")
        }
    }

    /// The file's text.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

/// One query of the baseline.
public struct CapturedQuery: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable {
        /// Named in the queries file, with sample parameters.
        case queriesFile = "queries-file"
        /// From `pg_stat_statements`: normalized text and the server's statistics.
        case statementStatistics = "pg_stat_statements"
    }

    public var name: String
    public var sql: String
    public var parameters: [QueryParameter]
    public var source: Source
    /// What the server counted (pg_stat_statements): calls, mean and deviation in milliseconds,
    /// rows per call.
    public var statistics: Statistics?
    /// The timing measured at capture; nil for a statement that cannot be replayed.
    public var timing: QueryTiming?
    /// The plan at capture.
    public var plan: QueryPlan?

    public struct Statistics: Codable, Sendable, Equatable {
        public var calls: Int64
        public var meanMilliseconds: Double
        public var stddevMilliseconds: Double
        public var rowsPerCall: Double

        public init(calls: Int64, meanMilliseconds: Double, stddevMilliseconds: Double, rowsPerCall: Double) {
            self.calls = calls
            self.meanMilliseconds = meanMilliseconds
            self.stddevMilliseconds = stddevMilliseconds
            self.rowsPerCall = rowsPerCall
        }
    }

    /// Whether it can be run: it has no parameters, or sample values for all of them.
    public var isReplayable: Bool { QueryParameter.placeholders(in: sql) <= parameters.count }

    public init(name: String, sql: String, parameters: [QueryParameter] = [], source: Source = .queriesFile, statistics: Statistics? = nil,
                timing: QueryTiming? = nil, plan: QueryPlan? = nil) {
        self.name = name
        self.sql = sql
        self.parameters = parameters
        self.source = source
        self.statistics = statistics
        self.timing = timing
        self.plan = plan
    }
}

/// A sample parameter value, bound with its type (`customer_id = $1` with `42`, an integer).
public enum QueryParameter: Codable, Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null

    public var value: DatabaseValue {
        switch self {
        case .integer(let value): .integer(value)
        case .real(let value): .real(value)
        case .text(let value): .text(value)
        case .null: .null
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let integer = try? container.decode(Int64.self) {
            self = .integer(integer)
        } else if let real = try? container.decode(Double.self) {
            self = .real(real)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .integer(let value): try container.encode(value)
        case .real(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The highest `$n` placeholder in `sql`, outside quotes (0 when none).
    public static func placeholders(in sql: String) -> Int {
        var highest = 0
        var quote: Character?
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "$" {
                var digits = ""
                var next = sql.index(after: index)
                while next < sql.endIndex, sql[next].isNumber {
                    digits.append(sql[next])
                    next = sql.index(after: next)
                }
                if let number = Int(digits) { highest = max(highest, number) }
            }
            index = sql.index(after: index)
        }
        return highest
    }
}

/// Milliseconds a query took over its timed runs.
public struct QueryTiming: Codable, Sendable, Equatable {
    public var runs: Int
    public var minimum: Double
    public var median: Double
    public var mean: Double
    public var p95: Double
    /// The fastest run of the engine's calibration work (``SQLDialect/calibration``), timed
    /// between the query's runs: the machine's speed at that moment. Nil in baselines written
    /// before it was kept.
    public var calibration: Double?

    public init(runs: Int, minimum: Double, median: Double, mean: Double, p95: Double, calibration: Double? = nil) {
        self.runs = runs
        self.minimum = minimum
        self.median = median
        self.mean = mean
        self.p95 = p95
        self.calibration = calibration
    }

    /// The timing of `samples` (milliseconds), with the calibration runs timed between them;
    /// nil when there are none.
    public init?(samples: [Double], calibration: [Double] = []) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        self.init(runs: sorted.count, minimum: sorted[0],
                  median: sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
                  mean: sorted.reduce(0, +) / Double(sorted.count),
                  p95: sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)],
                  calibration: calibration.min())
    }
}

/// What a plan does, as far as regressions go: its node types, the indexes it uses and the
/// tables it reads whole.
public struct QueryPlan: Codable, Sendable, Equatable {
    public var nodes: [String]
    public var indexes: [String]
    public var sequentialScans: [String]

    public init(nodes: [String], indexes: [String], sequentialScans: [String]) {
        self.nodes = nodes
        self.indexes = indexes
        self.sequentialScans = sequentialScans
    }
}

/// One query measured at one moment: its timing and plan, or why it failed.
public struct QueryMeasurement: Codable, Sendable, Equatable {
    public var name: String
    public var timing: QueryTiming?
    public var plan: QueryPlan?
    /// What the database said when the query failed (a column moved, a table gone).
    public var failure: String?

    public init(name: String, timing: QueryTiming?, plan: QueryPlan?, failure: String? = nil) {
        self.name = name
        self.timing = timing
        self.plan = plan
        self.failure = failure
    }
}
