import ArgumentParser
import GodwitCore
import GodwitEngine

/// `godwit approve ID --db URL`: passes the gate a migration waits at.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve the gate migration ID waits at, so the next apply goes on.",
        discussion: "The approval is recorded in the audit log with who gave it. Soak times and gate checks still apply."
    )

    @Argument(help: "The migration's version.")
    var id: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .long, help: "Approve the gate before this phase ahead of time.")
    var phase: Phase?

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let approved = try await GateApproval.approve(id, phase: phase, url: url)
            Terminal().write("Approved the gate before \(approved.rawValue) of migration \(id); run godwit apply to go on.\n")
        }
    }
}
