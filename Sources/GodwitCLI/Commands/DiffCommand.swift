import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit diff --from URL --to FILE.sql`: the migration that turns a live schema into a desired one.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Write the migration that turns a database's schema into the one a DDL file describes.",
        discussion: """
            The desired DDL runs in a scratch database of the same engine (SQLite in memory; \
            PostgreSQL a temporary database, dropped afterwards), both schemas are read, and the \
            difference is written as a migration file. Renames come only from hints: --rename \
            table.old=new (or old_table=new_table), or a line `-- godwit:rename table.old=new` in \
            the file. Without one, a drop and an add stay so, and a warning names the likely rename. \
            With --plan, the migration written with --output into a migrations directory is planned \
            there and then, as `godwit plan` would plan that directory, from the schema diff has \
            just read.
            """
    )

    @Option(name: .long, help: "The database as it is (default: $DATABASE_URL).")
    var from: String?

    @Option(name: .long, help: "A SQL file with the desired schema.")
    var to: String

    @Option(name: .long, parsing: .singleValue, help: "A rename: table.old_column=new_column or old_table=new_table. Repeatable.")
    var rename: [String] = []

    @Option(name: .long, help: "The new migration's name.")
    var name: String = "Reach the desired schema"

    @Option(name: .shortAndLong, help: "Write the migration to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Also write the plan of the --output file's directory to this file (as godwit plan does).")
    var plan: String?

    @Option(name: .long, help: "The plan's format with --plan: markdown, json or sql.")
    var planFormat: PlanCommand.Format = .markdown

    func validate() throws {
        if plan != nil, output == nil {
            throw ValidationError("--plan plans the migrations directory the new file goes to: name that file with --output.")
        }
    }

    /// The schema `sql` (read from `file`) makes in a scratch database like `url`'s. Its tables
    /// are empty, so their sizes are not read.
    private static func readDesired(_ sql: String, file: String, like url: DatabaseURL) async throws -> Schema {
        try await ScratchDatabase.with(like: url) { scratch in
            do {
                try await ScratchDatabase.load(sql, into: scratch)
            } catch var error as GodwitError {
                error.summary = "The desired schema does not load: " + error.summary
                error.location = [file, error.location].compactMap { $0 }.joined(separator: ", ")
                throw error
            }
            return try await scratch.inspect(InspectionOptions(tableSizes: false))
        }
    }

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(from)
            guard let data = FileManager.default.contents(atPath: to), let desiredSQL = String(data: data, encoding: .utf8) else {
                throw GodwitError(.fileNotFound, "Cannot read the desired schema", location: to, remedy: "Pass a readable .sql file with --to.")
            }
            let hints = try rename.map(RenameHint.init(parsing:)) + RenameHint.annotations(in: desiredSQL)
            // The desired schema loads into its scratch while the live one is read: two databases,
            // two sessions. A failure of the live reading waits for the scratch to be dropped.
            async let desiredReading = Self.readDesired(desiredSQL, file: to, like: url)
            let current: Schema
            do {
                current = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
            } catch {
                _ = try? await desiredReading
                throw error
            }
            let desired = try await desiredReading
            let result = try await DiffMigration.write(from: current, to: desired, source: to, renames: hints, name: name, on: url)
            for warning in result.warnings { Terminal().writeError("godwit: warning: \(warning)") }
            guard !result.migration.operations.isEmpty else {
                Terminal().writeError("godwit: the database already matches \(to).")
                return
            }
            let yaml = result.yaml
            if let output {
                try yaml.write(toFile: output, atomically: true, encoding: .utf8)
            } else {
                Terminal().write(yaml)
            }
            if let plan, let output {
                let directory = (output as NSString).deletingLastPathComponent
                let planned = try await MigrationPlanning.planAll(directory: directory.isEmpty ? "." : directory, database: url, reading: current)
                try await PlanCommand.write(planned, of: directory, on: url, format: planFormat, to: plan)
            }
        }
    }
}
