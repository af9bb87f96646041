public import Foundation

/// A whole migration as a runbook: what moves from where to where, why, the risks, the
/// criteria for calling it done or abandoning it, the gaps it closes, and the stages that do the
/// work. It covers what a schema migration file cannot: platform moves, major-version upgrades,
/// dependency upgrades, each stage deployable, verifiable and reversible on its own.
public struct Runbook: Hashable, Sendable, Codable {
    public var name: String
    public var goal: String
    public var context: String?
    public var motivation: String?
    public var types: [MigrationKind] = []
    /// The From/To state of each layer the runbook changes.
    public var layers: [LayerChange] = []
    public var filesAffected: [String] = []
    public var risks: [Risk] = []
    public var acceptance: [String] = []
    public var timeline: Timeline = Timeline()
    public var abortCriteria: [AbortCriterion] = []
    public var gaps: [Gap] = []
    public var stages: [Stage]
    /// The file it was read from.
    public var file: String?
    /// The checksum of the file's text: a run refuses to go on with a file changed under it.
    public var checksum: String?

    public init(name: String, goal: String, stages: [Stage]) {
        self.name = name
        self.goal = goal
        self.stages = stages
    }

    /// The stage with `id`.
    public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// The estimate the timeline criterion measures against: the timeline's own, else the sum of
    /// the stages' efforts; nil when neither is given.
    public var estimatedSeconds: Double? {
        if let total = timeline.totalSeconds { return total }
        let efforts = stages.compactMap(\.effortSeconds)
        return efforts.isEmpty ? nil : efforts.reduce(0, +)
    }

    /// The migration types of the spec template.
    public enum MigrationKind: String, Hashable, Sendable, Codable, CaseIterable {
        case schema, codebase, data, infrastructure, api

        /// The words of the spec template's checklist.
        public var title: String {
            switch self {
            case .schema: "Database schema migration"
            case .codebase: "Codebase migration (library upgrade)"
            case .data: "Data transformation"
            case .infrastructure: "Infrastructure migration"
            case .api: "API version migration"
            }
        }
    }

    /// The layers of the plan guide's stages.
    public enum Layer: String, Hashable, Sendable, Codable, CaseIterable {
        case infrastructure, data, dependencies, code, config, consumers
    }

    /// One layer's state before and after.
    public struct LayerChange: Hashable, Sendable, Codable {
        public var layer: Layer
        public var from: String
        public var to: String

        public init(layer: Layer, from: String, to: String) {
            self.layer = layer
            self.from = from
            self.to = to
        }
    }

    /// Low, medium or high, for risks, likelihoods and impacts.
    public enum Level: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
        case low, medium, high

        public static func < (a: Level, b: Level) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct Risk: Hashable, Sendable, Codable {
        public var risk: String
        public var likelihood: Level
        public var impact: Level
        public var mitigation: String

        public init(risk: String, likelihood: Level, impact: Level, mitigation: String) {
            self.risk = risk
            self.likelihood = likelihood
            self.impact = impact
            self.mitigation = mitigation
        }
    }

    public struct Timeline: Hashable, Sendable, Codable {
        public var planning: String?
        public var execution: String?
        public var cutover: String?
        public var cleanup: String?
        /// The whole estimate, as written (`3h`), and in seconds.
        public var total: String?
        public var totalSeconds: Double?

        public init() {}
    }

    /// A condition that stops the run with a report when it is met.
    public enum AbortCriterion: Hashable, Sendable, Codable {
        /// More than `count` stages failed on their first attempt.
        case firstAttemptFailures(moreThan: Int)
        /// The time since the run began exceeds `factor` × the estimate.
        case timelineOver(factor: Double)
        /// The named stage failed (a data-integrity stage, say): no retry is worth it.
        case stageFails(stage: String)
        /// Words only: a person judges it.
        case judgement(words: String)

        /// What the criterion says, for documents and reports.
        public var summary: String {
            switch self {
            case .firstAttemptFailures(let count): "more than \(count) stage\(count == 1 ? "" : "s") fail on their first attempt"
            case .timelineOver(let factor): "the run takes longer than \(DurationText.factor(factor)) the estimate"
            case .stageFails(let stage): "stage \(stage) fails"
            case .judgement(let words): words
            }
        }

        /// Whether Godwit checks it by itself (a judgement is for people).
        public var isAutomatic: Bool {
            if case .judgement = self { false } else { true }
        }
    }

    /// A difference between where the system is and where it must be, and the stage that closes it.
    public struct Gap: Hashable, Sendable, Codable {
        public var gap: String
        public var risk: Level?
        public var effort: String?
        /// The stage that closes it; nil with a reason (accepted risk, deferred, not applicable).
        public var stage: String?
        public var reason: String?
        public var notes: String?

        public init(gap: String, stage: String?, reason: String? = nil) {
            self.gap = gap
            self.stage = stage
            self.reason = reason
        }
    }
}

/// One stage of a runbook: a change to one layer that can be done, checked and undone on its own.
public struct Stage: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    /// What changes, in a sentence, and the specific changes.
    public var summary: String?
    public var changes: [String] = []
    public var layers: [Runbook.Layer] = []
    public var risk: Runbook.Level = .low
    /// The estimate as written (`2h`) and in seconds.
    public var effort: String?
    public var effortSeconds: Double?
    /// The stages that must be done first (by default, the one before it).
    public var dependsOn: [String] = []
    public var work: Work
    /// How the stage is checked after its work, and against production by `runbook verify`.
    public var verify: [Check] = []
    /// What a person looks at, for the verification table.
    public var manualCheck: String?
    /// Commands that undo a `run` stage.
    public var rollback: [String] = []
    /// How the undo is checked; by default the verification of the stage before.
    public var verifyRollback: [Check] = []
    /// Commands a rehearsal runs instead of `run` (on a copy, against staging); nil: not rehearsed.
    public var rehearse: [String]?
    /// Commands a rehearsal runs instead of `rollback`.
    public var rehearseRollback: [String]?

    public init(id: String, name: String, work: Work) {
        self.id = id
        self.name = name
        self.work = work
    }

    /// What a stage does.
    public enum Work: Hashable, Sendable, Codable {
        /// Godwit's own migrations: plan, rehearse, apply, verify and roll back.
        case migrations(directory: String, database: String)
        /// A data move between databases: copy, then sync or cut over.
        case copy(move: DataMove)
        case sync(move: DataMove)
        case cutover(move: DataMove)
        /// Commands run by the shell in the runbook's directory, in order.
        case run(commands: [String])
        /// Stops until someone confirms with `godwit runbook confirm`, naming who.
        case checkpoint(words: String)
        /// An approval (as a checkpoint), or a soak: a time that must pass after the stage before.
        case gate(gate: Gate)
        /// A monitoring window: probes every `interval` seconds for `seconds`; passes when at most
        /// `maxFailureRate` of them fail.
        case watch(watch: Watch)

        /// The kind's word, as the file writes it.
        public var kind: String {
            switch self {
            case .migrations: "migrations"
            case .copy: "copy"
            case .sync: "sync"
            case .cutover: "cutover"
            case .run: "run"
            case .checkpoint: "checkpoint"
            case .gate: "gate"
            case .watch: "watch"
            }
        }

        /// Whether the stage stops the run until a person says so.
        public var needsConfirmation: Bool {
            switch self {
            case .checkpoint: true
            case .gate(let gate): gate.soakSeconds == nil
            default: false
            }
        }
    }

    public struct DataMove: Hashable, Sendable, Codable {
        public var from: String
        public var to: String
        /// A copy file (`godwit copy --with`), relative to the runbook.
        public var with: String?
        /// For a cutover: where it writes the reverse copy file, whose sync is its rollback.
        public var reverse: String?

        public init(from: String, to: String, with: String? = nil, reverse: String? = nil) {
            self.from = from
            self.to = to
            self.with = with
            self.reverse = reverse
        }
    }

    public struct Gate: Hashable, Sendable, Codable {
        public var soak: String?
        public var soakSeconds: Double?
        public var reason: String?

        public init(soakSeconds: Double? = nil, soak: String? = nil, reason: String? = nil) {
            self.soakSeconds = soakSeconds
            self.soak = soak
            self.reason = reason
        }
    }

    public struct Watch: Hashable, Sendable, Codable {
        public var duration: String
        public var seconds: Double
        public var interval: Double
        public var probes: [Check]
        /// The share of failed probes allowed (0.001 for 0.1%).
        public var maxFailureRate: Double

        public init(duration: String, seconds: Double, interval: Double, probes: [Check], maxFailureRate: Double) {
            self.duration = duration
            self.seconds = seconds
            self.interval = interval
            self.probes = probes
            self.maxFailureRate = maxFailureRate
        }
    }

    /// One automated check.
    public enum Check: Hashable, Sendable, Codable {
        /// A command that must exit 0.
        case command(command: String)
        /// A query whose first value must equal `expect` as text.
        case sql(database: String, query: String, expect: String)
        /// A GET whose status must be `status`.
        case http(url: String, status: Int)

        /// The check in a few words, for documents and reports (a URL without its password).
        public var summary: String {
            switch self {
            case .command(let command): "`\(command)` exits 0"
            case .sql(let database, let query, let expect): "`\(query)` on \(DatabaseURL.redacting(database)) returns \(expect)"
            case .http(let url, let status): "GET \(DatabaseURL.redacting(url)) answers \(status)"
            }
        }
    }
}

extension DurationText {
    /// Durations as runbooks write them, one unit or several: `90s`, `10m`, `2h`, `1h30m` →
    /// seconds; nil when it is not one.
    public static func compound(_ text: String) -> Double? {
        var total = 0.0, piece = ""
        for character in text.replacingOccurrences(of: " ", with: "") {
            piece.append(character)
            if "smhd".contains(character) {
                guard let seconds = interval(piece), piece.first?.isNumber == true else { return nil }
                total += seconds
                piece = ""
            }
        }
        return piece.isEmpty && total > 0 ? total : nil
    }

    /// `2×`, `1.5×`.
    public static func factor(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))×" : String(format: "%g×", value)
    }

    /// `45s`, `12m`, `1h05m`.
    public static func words(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + (whole % 60 == 0 ? "" : String(format: "%02ds", whole % 60)) }
        return "\(whole / 3600)h" + String(format: "%02dm", (whole % 3600) / 60)
    }
}
