public import Foundation
import Yams

/// Reads a runbook file (`godwit runbook … FILE`). Every error names `file:line:column`, the
/// field and what was expected; the whole file is checked before anything runs: unknown stage
/// references, dependency cycles, gaps left without a stage or a reason.
public struct RunbookParser: Sendable {
    public init() {}

    static let title = "Invalid runbook"

    /// Reads the file at `path`.
    public func parse(contentsOf path: String) throws -> Runbook {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GodwitError(.fileNotFound, "No runbook file", location: path, reason: "the file does not exist or cannot be read",
                              remedy: "Check the path (relative paths start from \(FileManager.default.currentDirectoryPath)).")
        }
        var runbook = try parse(String(decoding: data, as: UTF8.self), file: path)
        runbook.checksum = MigrationChecksum.sha256(data)
        return runbook
    }

    /// Reads runbook text; `file` names it in errors.
    public func parse(_ text: String, file: String) throws -> Runbook {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw GodwitError(.invalidMigration, Self.title, location: file, reason: "the file is empty",
                                  remedy: "Start from the example in the README's Runbooks section.")
            }
            root = node
        } catch let error as YamlError {
            let translated = MigrationFileParser.translate(error, file: file)
            throw GodwitError(.invalidMigration, Self.title, location: translated.location, reason: translated.reason, remedy: translated.remedy)
        }
        let reader = YAMLReader(node: root, field: "", file: file, title: Self.title)
        let document = try reader.mapping("a runbook (runbook, goal, stages, …)", allowed: [
            "runbook", "goal", "context", "motivation", "types", "layers", "files", "risks", "acceptance", "timeline", "abort", "gaps", "stages",
        ])
        var runbook = Runbook(name: try document.required("runbook", "the runbook's name").nonEmptyString("the runbook's name"),
                              goal: try document.required("goal", "what the migration achieves").nonEmptyString("what the migration achieves"),
                              stages: [])
        runbook.file = file
        runbook.context = try document.optional("context")?.string("text")
        runbook.motivation = try document.optional("motivation")?.string("text")
        runbook.types = try document.optional("types")?.list().map { try $0.choice(Runbook.MigrationKind.self) } ?? []
        if let layers = document.optional("layers") {
            let entries = try layers.mapping("a mapping from layer to {from, to}", allowed: Runbook.Layer.allCases.map(\.rawValue))
            for key in entries.keys {
                let fields = try entries.required(key, "{from, to}").mapping("{from: …, to: …}", allowed: ["from", "to"])
                runbook.layers.append(.init(layer: Runbook.Layer(rawValue: key)!, from: try fields.required("from", "the state before").string("text"),
                                            to: try fields.required("to", "the state after").string("text")))
            }
        }
        runbook.filesAffected = try document.optional("files")?.stringList("a path") ?? []
        runbook.risks = try document.optional("risks")?.list().map(Self.risk) ?? []
        runbook.acceptance = try document.optional("acceptance")?.stringList("a criterion") ?? []
        if let timeline = document.optional("timeline") { runbook.timeline = try Self.timeline(timeline) }
        runbook.abortCriteria = try document.optional("abort")?.list().map(Self.abortCriterion) ?? []
        runbook.gaps = try document.optional("gaps")?.list().map(Self.gap) ?? []
        let stages = try document.required("stages", "a list of stages").list()
        guard !stages.isEmpty else { throw try document.required("stages", "").error("at least one stage") }
        for (index, stage) in stages.enumerated() {
            runbook.stages.append(try Self.stage(stage, previous: index > 0 ? runbook.stages[index - 1].id : nil, taken: Set(runbook.stages.map(\.id))))
        }
        try Self.checkReferences(runbook, stages: stages, gaps: try document.optional("gaps")?.list() ?? [], abort: try document.optional("abort")?.list() ?? [])
        return runbook
    }

    private static func risk(_ reader: YAMLReader) throws -> Runbook.Risk {
        let fields = try reader.mapping("{risk, likelihood, impact, mitigation}", allowed: ["risk", "likelihood", "impact", "mitigation"])
        return .init(risk: try fields.required("risk", "the risk").nonEmptyString("the risk"),
                     likelihood: try fields.required("likelihood", "low, medium or high").choice(Runbook.Level.self),
                     impact: try fields.required("impact", "low, medium or high").choice(Runbook.Level.self),
                     mitigation: try fields.required("mitigation", "how the risk is reduced").nonEmptyString("how the risk is reduced"))
    }

    private static func timeline(_ reader: YAMLReader) throws -> Runbook.Timeline {
        let fields = try reader.mapping("{planning, execution, cutover, cleanup, total}", allowed: ["planning", "execution", "cutover", "cleanup", "total"])
        var timeline = Runbook.Timeline()
        timeline.planning = try fields.optional("planning")?.string("text")
        timeline.execution = try fields.optional("execution")?.string("text")
        timeline.cutover = try fields.optional("cutover")?.string("text")
        timeline.cleanup = try fields.optional("cleanup")?.string("text")
        if let total = fields.optional("total") {
            let (text, seconds) = try duration(total)
            timeline.total = text
            timeline.totalSeconds = seconds
        }
        return timeline
    }

    private static func duration(_ reader: YAMLReader) throws -> (String, Double) {
        let text = try reader.string("a duration such as 90s, 10m, 2h or 1h30m")
        guard let seconds = DurationText.compound(text), seconds > 0 else { throw reader.error("a duration such as 90s, 10m, 2h or 1h30m") }
        return (text, seconds)
    }

    private static func abortCriterion(_ reader: YAMLReader) throws -> Runbook.AbortCriterion {
        if case .scalar = reader.node { return .judgement(words: try reader.nonEmptyString("a criterion")) }
        let fields = try reader.mapping("a criterion: first_attempt_failures: N, timeline_over: FACTOR, stage_fails: STAGE, or words",
                                        allowed: ["first_attempt_failures", "timeline_over", "stage_fails"])
        guard fields.keys.count == 1, let key = fields.keys.first else {
            throw reader.error(reason: "one criterion per entry", remedy: "Write each criterion as its own list item.")
        }
        let value = try fields.required(key, "a value")
        switch key {
        case "first_attempt_failures": return .firstAttemptFailures(moreThan: Int(try value.int("a number of stages", range: 0...1000)))
        case "timeline_over":
            let factor = try value.double("a factor of the estimate, such as 2")
            guard factor > 0 else { throw value.error("a factor of the estimate, such as 2") }
            return .timelineOver(factor: factor)
        default: return .stageFails(stage: try value.nonEmptyString("a stage id"))
        }
    }

    private static func gap(_ reader: YAMLReader) throws -> Runbook.Gap {
        let fields = try reader.mapping("{gap, risk, effort, stage or reason, notes}", allowed: ["gap", "risk", "effort", "stage", "reason", "notes"])
        var gap = Runbook.Gap(gap: try fields.required("gap", "what is missing").nonEmptyString("what is missing"),
                              stage: try fields.optional("stage")?.nonEmptyString("a stage id"),
                              reason: try fields.optional("reason")?.nonEmptyString("why no stage closes it"))
        gap.risk = try fields.optional("risk")?.choice(Runbook.Level.self)
        gap.effort = try fields.optional("effort")?.string("an estimate")
        gap.notes = try fields.optional("notes")?.string("text")
        if gap.stage == nil, gap.reason == nil {
            throw reader.error(reason: "the gap '\(gap.gap)' is assigned to no stage",
                               remedy: "Name the stage that closes it (stage: ID), or say why none does (reason: accepted risk, deferred, not applicable).")
        }
        return gap
    }

    static let workKinds = ["migrations", "copy", "sync", "cutover", "run", "checkpoint", "gate", "watch"]

    private static func stage(_ reader: YAMLReader, previous: String?, taken: Set<String>) throws -> Stage {
        let fields = try reader.mapping("a stage (id, name, and one of \(workKinds.joined(separator: ", ")))", allowed: [
            "id", "name", "what", "changes", "layers", "risk", "effort", "after", "db", "verify", "manual_check", "rollback",
            "verify_rollback", "rehearse", "rehearse_rollback",
        ] + workKinds)
        let idReader = try fields.required("id", "a short stage id")
        let id = try idReader.nonEmptyString("a short stage id")
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw idReader.error(reason: "the id '\(id)' has characters other than letters, digits, - and _",
                                 remedy: "Use a short word, such as copy-data.")
        }
        guard !taken.contains(id) else { throw idReader.error(reason: "the stage id '\(id)' is used twice") }
        let kinds = workKinds.filter(fields.isPresent)
        guard kinds.count == 1, let kind = kinds.first else {
            throw reader.error(reason: kinds.isEmpty ? "stage \(id) has no work" : "stage \(id) has \(kinds.joined(separator: " and ")): one kind of work per stage",
                               remedy: "Give it exactly one of \(workKinds.joined(separator: ", ")).")
        }
        let value = try fields.required(kind, "the stage's work")
        let work: Stage.Work
        switch kind {
        case "migrations":
            work = .migrations(directory: try value.nonEmptyString("the migrations directory"),
                               database: try fields.required("db", "the database URL the migrations apply to").nonEmptyString("a database URL"))
        case "copy", "sync", "cutover":
            let move = try value.mapping(kind == "cutover" ? "{from: URL, to: URL, with: COPY-FILE, reverse: FILE}" : "{from: URL, to: URL, with: COPY-FILE}",
                                         allowed: kind == "cutover" ? ["from", "to", "with", "reverse"] : ["from", "to", "with"])
            let data = Stage.DataMove(from: try move.required("from", "the source database URL").nonEmptyString("a database URL"),
                                      to: try move.required("to", "the target database URL").nonEmptyString("a database URL"),
                                      with: try move.optional("with")?.nonEmptyString("a copy file"),
                                      reverse: try move.optional("reverse")?.nonEmptyString("where the reverse copy file goes"))
            work = kind == "copy" ? .copy(move: data) : kind == "sync" ? .sync(move: data) : .cutover(move: data)
        case "run": work = .run(commands: try value.stringList("a command"))
        case "checkpoint": work = .checkpoint(words: try value.nonEmptyString("what a person confirms"))
        case "gate": work = .gate(gate: try gate(value))
        default: work = .watch(watch: try watch(value))
        }
        if case .migrations = work {} else if fields.isPresent("db") {
            throw try fields.required("db", "").error(reason: "db belongs to a migrations stage", remedy: "Remove it, or make the stage migrations: DIR.")
        }
        var stage = Stage(id: id, name: try fields.optional("name")?.nonEmptyString("the stage's name") ?? id, work: work)
        stage.summary = try fields.optional("what")?.string("what changes")
        stage.changes = try fields.optional("changes")?.stringList("a change") ?? []
        stage.layers = try fields.optional("layers")?.list().map { try $0.choice(Runbook.Layer.self) } ?? []
        stage.risk = try fields.optional("risk")?.choice(Runbook.Level.self) ?? .low
        if let effort = fields.optional("effort") { (stage.effort, stage.effortSeconds) = try duration(effort) }
        stage.dependsOn = try fields.optional("after")?.stringList("a stage id") ?? previous.map { [$0] } ?? []
        stage.verify = try fields.optional("verify")?.list().map(check) ?? []
        stage.manualCheck = try fields.optional("manual_check")?.string("what a person checks")
        stage.rollback = try fields.optional("rollback")?.stringList("a command") ?? []
        stage.verifyRollback = try fields.optional("verify_rollback")?.list().map(check) ?? []
        stage.rehearse = try fields.optional("rehearse")?.stringList("a command")
        stage.rehearseRollback = try fields.optional("rehearse_rollback")?.stringList("a command")
        if case .run = work, stage.rollback.isEmpty, !fields.isPresent("rollback") {
            throw reader.error(reason: "stage \(id) runs commands and has no rollback",
                               remedy: "Give it rollback: [commands that undo it], or rollback: [] to say it needs none.")
        }
        return stage
    }

    private static func gate(_ reader: YAMLReader) throws -> Stage.Gate {
        if case .scalar = reader.node {
            guard try reader.string("approval, or {soak: DURATION}") == "approval" else { throw reader.error("approval, or {soak: DURATION}") }
            return Stage.Gate()
        }
        let fields = try reader.mapping("approval, or {soak: DURATION, reason: …}", allowed: ["soak", "approval", "reason"])
        var gate = Stage.Gate(reason: try fields.optional("reason")?.string("why the gate is there"))
        if let soak = fields.optional("soak") { (gate.soak, gate.soakSeconds) = try duration(soak) }
        return gate
    }

    private static func watch(_ reader: YAMLReader) throws -> Stage.Watch {
        let fields = try reader.mapping("{for: DURATION, every: DURATION, probes: […], max_failure_rate: 0.1%}",
                                        allowed: ["for", "every", "probes", "max_failure_rate"])
        let (text, seconds) = try duration(try fields.required("for", "how long to watch"))
        let interval = try fields.optional("every").map { try duration($0).1 } ?? 5
        let probes = try fields.required("probes", "the checks made at each interval").list().map(check)
        guard !probes.isEmpty else { throw try fields.required("probes", "").error("at least one probe") }
        var rate = 0.0
        if let limit = fields.optional("max_failure_rate") {
            let words = try limit.string("a share of failed probes, such as 0.1% or 0.001")
            let number = words.hasSuffix("%") ? Double(words.dropLast()).map { $0 / 100 } : Double(words)
            guard let number, (0...1).contains(number) else { throw limit.error("a share of failed probes, such as 0.1% or 0.001") }
            rate = number
        }
        return Stage.Watch(duration: text, seconds: seconds, interval: interval, probes: probes, maxFailureRate: rate)
    }

    private static func check(_ reader: YAMLReader) throws -> Stage.Check {
        if case .scalar = reader.node { return .command(command: try reader.nonEmptyString("a command")) }
        let fields = try reader.mapping("a check: a command, {sql, db, expect} or {http, status}",
                                        allowed: ["command", "sql", "db", "expect", "http", "status"])
        if let command = fields.optional("command") { return .command(command: try command.nonEmptyString("a command")) }
        if let sql = fields.optional("sql") {
            return .sql(database: try fields.required("db", "the database URL the query runs on").nonEmptyString("a database URL"),
                        query: try sql.nonEmptyString("a query"),
                        expect: try fields.required("expect", "the first value the query must return").string("a value"))
        }
        if let http = fields.optional("http") {
            return .http(url: try http.nonEmptyString("a URL"),
                         status: Int(try fields.optional("status")?.int("an HTTP status", range: 100...599) ?? 200))
        }
        throw reader.error("a check: a command, {sql, db, expect} or {http, status}")
    }

    /// Stage references (after, stage_fails, gaps) name stages of the file, and no stage depends
    /// on one after it: the order of the file is the order of the run.
    private static func checkReferences(_ runbook: Runbook, stages: [YAMLReader], gaps: [YAMLReader], abort: [YAMLReader]) throws {
        let ids = runbook.stages.map(\.id)
        for (index, stage) in runbook.stages.enumerated() {
            for dependency in stage.dependsOn {
                guard let position = ids.firstIndex(of: dependency) else {
                    throw stages[index].error(reason: "stage \(stage.id) comes after '\(dependency)', which is no stage of this runbook",
                                              remedy: "Stages: \(ids.joined(separator: ", ")).")
                }
                guard position < index else {
                    throw stages[index].error(reason: "stage \(stage.id) comes after \(dependency), which is listed later",
                                              remedy: "List the stages in the order they run.")
                }
            }
        }
        for (index, gap) in runbook.gaps.enumerated() {
            if let stage = gap.stage, !ids.contains(stage) {
                throw gaps[index].error(reason: "the gap '\(gap.gap)' names stage '\(stage)', which is no stage of this runbook",
                                        remedy: "Stages: \(ids.joined(separator: ", ")).")
            }
        }
        for (index, criterion) in runbook.abortCriteria.enumerated() {
            if case .stageFails(let stage) = criterion, !ids.contains(stage) {
                throw abort[index].error(reason: "stage_fails names '\(stage)', which is no stage of this runbook")
            }
        }
    }
}
