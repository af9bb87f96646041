import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit runbook …`: a whole migration as stages beyond SQL, with checkpoints, rollback per
/// stage and tasks exported as issues.
struct RunbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Plan, rehearse, run, verify and roll back a whole migration written as a runbook of stages.",
        discussion: """
            A runbook file (YAML; schema in docs/runbook.schema.json) names the goal, the layers' \
            From and To, risks, abort criteria, gaps and the stages: migrations, copy, sync, \
            cutover, run (commands), checkpoint, gate and watch. Its state (each stage's record \
            and the audit log) lives in FILE.state.db beside it, or in --state URL.
            Exit codes: 0 done or waiting at a checkpoint, 1 a stage failed, 3 aborted by a criterion, \
            4 refused by the state, 64 usage.
            """,
        subcommands: [RunbookPlanCommand.self, RunbookRehearseCommand.self, RunbookRunCommand.self, RunbookStatusCommand.self,
                      RunbookConfirmCommand.self, RunbookRollbackCommand.self, RunbookVerifyCommand.self]
    )
}

/// The runbook file and where its state lives.
struct RunbookOptions: ParsableArguments {
    @Argument(help: "The runbook file.")
    var file: String

    @Option(name: .long, help: "Where the runbook's state lives: a database URL (default: sqlite:FILE.state.db).")
    var state: String?

    func load() throws -> Runbook {
        try RunbookParser().parse(contentsOf: file)
    }

    func stateURL() throws -> DatabaseURL {
        guard let state else { return RunbookStore.defaultURL(for: file) }
        return try DatabaseURL(parsing: state)
    }

    /// Reads the runbook's state; nil when it was never run (its state file does not exist, and
    /// a read-only look does not create it).
    func readState<T: Sendable>(_ runbook: Runbook, _ body: (RunbookStore) async throws -> T) async throws -> T? {
        let url = try stateURL()
        if case .sqlite(let location) = url, !FileManager.default.fileExists(atPath: location.path) { return nil }
        return try await DatabaseConnector.withDriver(url, access: .readOnly) { try await body(RunbookStore(driver: $0, runbook: runbook.name)) }
    }

    func runner(_ runbook: Runbook, rehearsal: Bool = false, quiet: Bool = false) throws -> RunbookRunner {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        var runner = RunbookRunner(runbook: runbook, state: try stateURL(), worker: StageWorker(directory: directory, operatorName: ExecutionSettings.defaultOperator, rehearsal: rehearsal))
        if !quiet {
            let terminal = Terminal()
            runner.observer = { terminal.writeError("godwit: " + RunbookEventText.line($0, in: runbook)) }
        }
        return runner
    }
}

/// The words for a runbook's events.
enum RunbookEventText {
    static func line(_ event: RunbookEvent, in runbook: Runbook) -> String {
        let field = { (name: String) in event.fields.first { $0.name == name }?.value ?? "" }
        let stages = { (count: String) in count == "1" ? "1 stage" : "\(count) stages" }
        let title = runbook.stage(event.stage).map { "stage \($0.id) (\($0.name))" } ?? "stage \(event.stage)"
        switch event.kind {
        case .runStarted: return "runbook '\(runbook.name)' begins: \(stages(field("stages")))"
        case .stageStarted: return "\(title) begins" + (field("attempt") == "1" ? "" : ", attempt \(field("attempt"))")
        case .stageDone: return "\(title) done and verified"
        case .stageVerified, .productionVerified: return "\(title) verified against production"
        case .stageFailed: return "\(title) failed\(field("during").isEmpty ? "" : " during \(field("during"))"): \(field("reason"))"
        case .stageWaiting: return "\(title) waits for \(field("waiting_for"))"
        case .stageConfirmed: return "\(title) confirmed by \(field("by"))"
        case .runAborted: return "runbook aborted at \(title): \(field("criterion")) (\(field("reason")))"
        case .runFinished: return "runbook '\(runbook.name)' finished: every stage done and checked"
        case .rollbackStarted: return "rolling back: \(field("stages").split(separator: " ").joined(separator: ", "))"
        case .stageRolledBack: return "\(title) rolled back and checked"
        case .rollbackFinished: return "runbook '\(runbook.name)' rolled back: \(stages(field("stages"))) undone"
        case .stageRehearsed:
            return "\(title) rehearsed: work \(field("work")), rollback \(field("rollback"))" + (field("note").isEmpty ? "" : " (\(field("note")))")
        }
    }
}

struct RunbookPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write the runbook's documents: spec and plan (markdown, json), or its tasks as issues (beads, github).",
        discussion: "Reads nothing but the file and, when it exists, its state (for the rehearsal's Rollback tested column)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, json, beads, github }

    @OptionGroup var options: RunbookOptions

    @Option(name: .shortAndLong, help: "markdown, json, beads (Beads' JSONL issues) or github (Markdown task lists).")
    var format: Format = .markdown

    @Option(name: .long, help: "With --format beads: the issue id prefix (default: from the runbook's name).")
    var prefix: String?

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            let rehearsals = try await options.readState(runbook) { try await $0.rehearsalResults() } ?? []
            let text: String
            switch format {
            case .markdown: text = RunbookDocument(runbook: runbook, rehearsals: rehearsals).markdown()
            case .json: text = try RunbookDocument(runbook: runbook, rehearsals: rehearsals).json()
            case .beads:
                text = try RunbookTasks.list(runbook, file: options.file).beadsJSONL(prefix: prefix ?? TaskList.prefix(for: runbook.name), at: Date(),
                                                                                     by: ExecutionSettings.defaultOperator)
            case .github: text = RunbookTasks.list(runbook, file: options.file).githubMarkdown()
            }
            try OutputFile.write(text, to: output)
        }
    }
}

struct RunbookRehearseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Try every stage and its rollback where it can: database stages on clones, command stages through their rehearse: commands.",
        discussion: "Exit code 1 when a stage's rehearsal or its rollback failed. Stages without a rehearse: variant are marked not rehearsed."
    )

    @OptionGroup var options: RunbookOptions

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            let results = try await options.runner(runbook, rehearsal: true).rehearse()
            let tried = results.filter { $0.work != .notRehearsed }
            Terminal().write("Rehearsed \(tried.count) of \(results.count) stages; \(results.count - tried.count) not rehearsed.\n")
            if results.contains(where: { $0.work == .failed || $0.rollback == .failed }) { throw ExitCode(1) }
        }
    }
}

struct RunbookRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the stages in order from where the runbook stands; stops at checkpoints until confirmed.",
        discussion: "Resumes after an interruption at the stage under way (its work is run again: commands must be safe to repeat)."
    )

    @OptionGroup var options: RunbookOptions

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            let terminal = Terminal()
            switch try await options.runner(runbook).run() {
            case .finished, .rolledBack:
                terminal.write("Runbook '\(runbook.name)': every stage is done. Run godwit runbook verify against production to mark them verified.\n")
            case .waiting(let stage, let hold):
                terminal.write("Runbook '\(runbook.name)' waits at stage \(stage) for \(hold.reason).\n")
                if case .confirmation = hold {
                    terminal.write("When it is so: godwit runbook confirm \(options.file)" + (options.state.map { " --state '\(DatabaseURL.redacting($0))'" } ?? "") + " --by NAME\n")
                }
            case .failed(let stage, let reason):
                terminal.writeError("godwit: error: stage \(stage) failed: \(reason). Fix the cause and run again to resume, or run godwit runbook rollback.")
                throw ExitCode(1)
            case .aborted(let stage, let criterion, let reason):
                terminal.writeError("godwit: error: runbook aborted at stage \(stage): \(criterion). The last failure: \(reason). Consider godwit runbook rollback.")
                throw ExitCode(3)
            }
        }
    }
}

struct RunbookConfirmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: "Confirm the checkpoint or approval the runbook waits at, naming who confirms."
    )

    @OptionGroup var options: RunbookOptions

    @Option(name: .long, help: "The stage to confirm (default: the one the run waits at).")
    var stage: String?

    @Option(name: .long, help: "Who confirms (recorded with the time).")
    var by: String

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            let confirmed = try await options.runner(runbook, quiet: true).confirm(stage: stage, by: by)
            Terminal().write("Stage \(confirmed) confirmed by \(by). Run godwit runbook run to go on.\n")
        }
    }
}

struct RunbookRollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Undo the completed stages newest first, checking each."
    )

    @OptionGroup var options: RunbookOptions

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            switch try await options.runner(runbook).rollback() {
            case .failed(let stage, let reason):
                Terminal().writeError("godwit: error: the rollback of stage \(stage) failed: \(reason). Fix the cause and run godwit runbook rollback again.")
                throw ExitCode(1)
            default:
                Terminal().write("Runbook '\(runbook.name)' is rolled back.\n")
            }
        }
    }
}

struct RunbookVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run the completed stages' verifications against production; those that pass are marked verified.",
        discussion: "Exit code 2 when a verification fails."
    )

    @OptionGroup var options: RunbookOptions

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            let results = try await options.runner(runbook).verifyProduction()
            let terminal = Terminal()
            for (stage, failures) in results {
                terminal.write(failures.isEmpty ? "\(stage): verified\n" : "\(stage): FAILED: \(failures.joined(separator: "; "))\n")
            }
            if results.isEmpty { terminal.write("No stage with checks is done yet: nothing to verify.\n") }
            if results.contains(where: { !$0.failures.isEmpty }) { throw ExitCode(2) }
        }
    }
}

struct RunbookStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where every stage stands, or the audit log."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: RunbookOptions

    @Option(name: .shortAndLong, help: "text or json.")
    var format: Format = .text

    @Flag(name: .long, help: "Print the audit log instead.")
    var audit = false

    func run() async throws {
        try await CommandRunner.run {
            let runbook = try options.load()
            // Never run: every stage pending.
            let (progress, records, events) = try await options.readState(runbook) { store in
                (try await store.progress(), try await store.records(), try await store.events())
            } ?? (nil, [:], [])
            let terminal = Terminal()
            if audit {
                terminal.write(events.map { $0.line + "\n" }.joined())
                return
            }
            let rows = runbook.stages.map { records[$0.id] ?? StageRecord(stage: $0.id) }
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                struct Status: Encodable { var runbook: String; var state: String; var stages: [StageRecord] }
                terminal.write(String(decoding: try encoder.encode(Status(runbook: runbook.name, state: progress?.state.rawValue ?? "not started", stages: rows)), as: UTF8.self) + "\n")
                return
            }
            terminal.write("Runbook '\(runbook.name)': \(progress?.state.rawValue ?? "not started")\n")
            let width = runbook.stages.map(\.id.count).max() ?? 0
            for (index, stage) in runbook.stages.enumerated() {
                let record = rows[index]
                var line = "\(index + 1). " + stage.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + record.state.rawValue
                if record.attempts > 1 { line += ", \(record.attempts) attempts" }
                if let by = record.confirmedBy { line += ", confirmed by \(by)" }
                if let note = record.note { line += ": \(note)" }
                terminal.write(line + "\n")
            }
        }
    }
}

/// Writes a command's text to a file, or to standard output.
enum OutputFile {
    static func write(_ text: String, to path: String?) throws {
        guard let path else { return Terminal().write(text) }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw GodwitError(.ioFailure, "Cannot write the output", location: path, remedy: "Check that the directory exists and is writable.")
        }
    }
}
