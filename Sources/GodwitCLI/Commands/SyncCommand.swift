import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit sync --from URL --to URL [--with FILE]`: the changes made on the source since the copy.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Carry over the inserts, updates and deletes made on the source since godwit copy --capture began.",
        discussion: """
            Reads the source's change table in order, re-reads the current row of every key a \
            change touched, and in one target transaction per pass writes the rows that exist and \
            deletes the ones that are gone, recording how far it got: a crash or Ctrl-C loses and \
            repeats nothing. Passes repeat until at most --lag changes wait.
            """
    )

    @OptionGroup var databases: DataMoveOptions

    @Option(name: .long, help: "Stop once at most this many changes wait (default 0).")
    var lag: Int64 = 0

    @Flag(name: .long, help: "Print one JSON object per progress event on standard error.")
    var json = false

    @Flag(name: .long, help: "Print no progress.")
    var quiet = false

    @OptionGroup var serving: ServeOptions

    func run() async throws {
        try await CommandRunner.run {
            let interrupt = InterruptSignal()
            interrupt.trapSignals()
            let source = try databases.source(), target = try databases.target(), spec = try databases.spec()
            let printer = quiet ? nil : ProgressPrinter(json: json, onStandardError: true)
            do {
                let summary = try await serving.watching("sync", records: target, printer: printer) { [lag] observer in
                    var sync = DataSync(source: source, target: target, spec: spec, observer: observer, interrupt: interrupt)
                    sync.maximumLag = max(0, lag)
                    return try await sync.run()
                }
                Terminal().write(summary.text())
            } catch is GodwitErrorInterrupted {
                Terminal().writeError("godwit: sync interrupted; every applied pass is recorded in the target. Run the same command again to go on.")
                throw ExitCode(130)
            }
        }
    }
}

/// `godwit cutover --from URL --to URL [--with FILE] [--reverse-sync FILE]`.
struct CutoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "Hold the source read-only, sync to zero lag, verify, record the cutover and print the switch.",
        discussion: """
            PostgreSQL: every copied table is locked EXCLUSIVE (reads go on, writes wait); SQLite: \
            the write lock is held. Then a final sync, the reconciliation (godwit verify), and the \
            cutover recorded in the target. With --reverse-sync FILE, change capture is installed \
            on the target and FILE maps it back onto the source, so godwit sync --from TARGET --to \
            SOURCE --with FILE keeps the old side current as the way back. Exit code 2 when the \
            databases differ (nothing is recorded and the source is released).
            """
    )

    @OptionGroup var databases: DataMoveOptions

    @Option(name: .long, help: "Capture changes on the target and write the copy file for syncing back to the source.")
    var reverseSync: String?

    @OptionGroup var serving: ServeOptions

    func run() async throws {
        try await CommandRunner.run {
            let source = try databases.source(), target = try databases.target(), spec = try databases.spec()
            let result: CutoverResult
            do {
                result = try await serving.watching("cutover", records: target, printer: ProgressPrinter(json: false, onStandardError: true)) { [reverseSync] observer in
                    try await Cutover(source: source, target: target, spec: spec, reverseFile: reverseSync, observer: observer).run()
                }
            } catch let error as GodwitError where error.code == .integrityFailure {
                Terminal().writeError("godwit: error: \(error.description)")
                throw ExitCode(2)
            }
            var lines = ["Cut over at \(ISO8601DateFormatter().string(from: result.at)): final sync of \(result.sync.changes) changes, "
                         + "\(result.report.tables.count) tables verified equal (\(QuantityFormat.count(result.report.tables.reduce(0) { $0 + $1.targetSide.rows })) rows).", "",
                         "The switch:"]
            lines += result.steps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
            Terminal().write(lines.joined(separator: "\n") + "\n")
        }
    }
}

/// `--from`, `--to` and `--with` of copy, sync and cutover.
struct DataMoveOptions: ParsableArguments {
    @Option(name: .long, help: "The source database URL.")
    var from: String

    @Option(name: .long, help: "The target database URL (a SQLite file is created when copying into one that is missing).")
    var to: String

    @Option(name: .long, help: "The copy file: names, conversions, filters, computed columns, rejects (the same for copy, sync and cutover).")
    var with: String?

    func source() throws -> DatabaseURL { try DatabaseURL(parsing: from) }
    func target() throws -> DatabaseURL { try DatabaseURL(parsing: to) }
    func spec() throws -> CopySpec { try CopyFileOption.load(with) }
}

/// Reads `--with FILE` for copy, sync, cutover and verify.
enum CopyFileOption {
    static func load(_ path: String?) throws -> CopySpec {
        guard let path else { return CopySpec() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GodwitError(.fileNotFound, "Cannot read the copy file", location: path, remedy: "Check the path.")
        }
        return try CopySpecParser().parse(text, file: path)
    }
}
