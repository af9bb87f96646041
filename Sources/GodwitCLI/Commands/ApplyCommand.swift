import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit apply DIR --db URL`: runs the migrations phase by phase with zero downtime.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run the migrations of DIR on the database, phase by phase, resumably.",
        discussion: """
            One runner at a time (a lock that names its holder). Every statement runs under a lock \
            timeout and is retried with backoff; backfills run in batches that resume after a crash; \
            each phase is verified before the next. Apply stops at every gate and exits 0 saying \
            what it waits for: godwit approve (or --yes) lets the next apply go on. Ctrl-C stops \
            cleanly after the current batch; the next apply resumes there.
            Exit codes: 0 done or waiting at a gate, 1 failed (or rolled back by a trigger), 130 interrupted.
            """
    )

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Flag(name: .long, help: "Approve every gate (for CI). Soak times still apply unless --waive-soak.")
    var yes = false

    @Flag(name: .long, help: "Do not wait for gates' soak times (rehearsals, tests).")
    var waiveSoak = false

    @Option(name: .long, help: "Keep archives and parked columns this long before cleanup drops them (default 7d).")
    var retention: DurationArgument?

    @Option(name: .long, help: "Stop after this phase: expand, backfill, verify, contract or cleanup.")
    var through: Phase?

    @Flag(name: .long, help: "Run VACUUM after a SQLite backfill.")
    var vacuum = false

    @Flag(name: .long, help: "Apply migrations that have no passing rehearsal on this database (godwit rehearse).")
    var unrehearsed = false

    @Flag(name: .long, help: "Refuse to start while the pre-flight checklist has an open item: no backup verified in the last day, or a human item the migration file does not acknowledge under checklist:.")
    var requireChecklist = false

    @OptionGroup var execution: ExecutionOptions

    @OptionGroup var serving: ServeOptions

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            var settings = execution.settings()
            settings.approveGates = yes
            settings.waiveSoak = waiveSoak
            if let retention { settings.retention = retention.seconds }
            if let through { settings.through = through }
            settings.vacuumAfterBackfill = vacuum
            settings.requireRehearsal = !unrehearsed
            settings.requireChecklist = requireChecklist
            let interrupt = InterruptSignal()
            interrupt.trapSignals()
            let printer = ProgressPrinter(json: execution.json)
            let migrations = try MigrationDirectory.load(directory)
            let outcome: ApplyOutcome
            do {
                outcome = try await serving.watching("apply", records: url, printer: printer, migrations: migrations) { [settings] observer in
                    try await MigrationApplier(url: url, settings: settings, observer: observer, interrupt: interrupt).apply(migrations)
                }
            } catch let interrupted as GodwitErrorInterrupted {
                Terminal().writeError("godwit: \(interrupted.description)")
                throw ExitCode(130)
            }
            let terminal = Terminal()
            // With --json, standard output carries only events; the summary goes to standard error.
            let say: (String) -> Void = execution.json ? { terminal.writeError($0) } : { terminal.write($0 + "\n") }
            for (migration, reason) in outcome.awaitingCleanup {
                say("\(migration) is applied; its cleanup waits for \(reason).")
            }
            switch outcome.stop {
            case .completed:
                say(outcome.ran.isEmpty ? "Nothing to apply: every migration is applied." : "Applied: \(outcome.ran.joined(separator: ", ")).")
            case .waiting(let migration, let reason):
                say("Migration \(migration) waits for \(reason).")
            case .rolledBack(let migration, let reason, let report):
                terminal.writeError("godwit: migration \(migration) was rolled back: \(reason)")
                terminal.writeError(report.passed ? "godwit: the rollback was verified: schema and checksums equal the start."
                                                  : "godwit: the rollback left differences: " + report.failures.map(\.name).joined(separator: "; "))
                throw ExitCode(1)
            }
        }
    }
}
