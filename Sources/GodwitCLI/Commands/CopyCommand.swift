import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit copy --from URL --to URL [--with FILE]`: data between engines, resumable.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy a database's tables and rows into another database, of either engine.",
        discussion: """
            Creates the target tables through the documented type mapping (docs/type-mapping.md) and \
            the copy file's renames and conversions, streams every table in committed chunks \
            (PostgreSQL: COPY; SQLite: prepared inserts), several tables or key ranges at once, then \
            adds keys, constraints, foreign keys and indexes and sets identity counters past the \
            copied values. Progress is recorded in the target with each chunk: after a crash or \
            Ctrl-C, the same command resumes. Rows the target cannot take go to the reject file; \
            exit code 3 when rows were rejected.
            """
    )

    @OptionGroup var databases: DataMoveOptions

    @Option(name: .long, help: "Tables (or key ranges of one big table) copied at once (default 2; 1 into SQLite).")
    var parallel: Int?

    @Option(name: .long, help: "Rows per committed chunk, the unit of resumption (default 50000).")
    var chunkRows: Int?

    @Option(name: .long, help: "What a rejected row does: stop (default) or continue.")
    var rejects: String?

    @Option(name: .long, help: "Where rejected rows' keys and reasons go (default godwit-rejects.jsonl).")
    var rejectFile: String?

    @Flag(name: .long, help: "Print one JSON object per progress event on standard error, and the summary as JSON.")
    var json = false

    @Flag(name: .long, help: "Print no progress.")
    var quiet = false

    @Flag(name: .long, help: "Install change capture on the source first, so godwit sync can carry over what changes during and after the copy.")
    var capture = false

    @OptionGroup var serving: ServeOptions

    func run() async throws {
        try await CommandRunner.run {
            let source = try databases.source(), target = try databases.target()
            var spec = try databases.spec()
            if let parallel { spec.parallel = max(1, parallel) }
            if let chunkRows { spec.chunkRows = max(100, chunkRows) }
            if let rejects {
                guard let action = CopySpec.RejectAction(rawValue: rejects) else {
                    throw GodwitError(.invalidArgument, "Unknown reject action '\(rejects)'", location: "--rejects", remedy: "Use stop or continue.")
                }
                spec.rejectAction = action
            }
            if let rejectFile { spec.rejectFile = rejectFile }
            let interrupt = InterruptSignal()
            interrupt.trapSignals()
            let printer = quiet ? nil : ProgressPrinter(json: json, onStandardError: true)
            let summary: CopySummary
            do {
                summary = try await serving.watching("copy", records: target, printer: printer) { [spec, capture] observer in
                    var copy = DataCopy(source: source, target: target, spec: spec, observer: observer, interrupt: interrupt)
                    copy.capture = capture
                    return try await copy.run()
                }
            } catch is GodwitErrorInterrupted {
                Terminal().writeError("godwit: copy interrupted; every committed chunk is recorded in the target. Run the same command again to resume.")
                throw ExitCode(130)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Terminal().write(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n")
            } else {
                Terminal().write(summary.text())
            }
            if summary.rejected > 0 { throw ExitCode(3) }
            // Without change capture nothing will add them later: the target is not a faithful copy.
            if !summary.notAdded.isEmpty && !summary.captures { throw ExitCode(2) }
        }
    }
}
