public import ArgumentParser

/// The `godwit` command: plans, rehearses, runs, verifies and rolls back database migrations.
public struct GodwitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "godwit",
        abstract: "Plan, rehearse, run, verify and roll back database migrations on SQLite and PostgreSQL.",
        version: "0.1.0",
        subcommands: [InspectCommand.self, DiffCommand.self, PlanCommand.self, LintCommand.self, RehearseCommand.self, ApplyCommand.self, ApproveCommand.self,
                      StatusCommand.self, WatchCommand.self, RunbookCommand.self, BaselineCommand.self, VerifyCommand.self, RollbackCommand.self, BackupCommand.self, CopyCommand.self, SyncCommand.self, CutoverCommand.self]
    )

    public init() {}
}

extension GodwitCommand {
    /// Parses the process's arguments, runs the command and exits with its code.
    public static func runMain() async {
        await main()
    }
}
