import ArgumentParser
import Foundation
import GodwitCore
import GodwitEngine

/// `godwit status DIR --db URL`: where every migration stands in the database.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where every migration of DIR stands in the database.",
        discussion: "Read-only. Exit code 2 when a migration's file changed after it was applied (drift)."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    struct Entry: Encodable {
        var id: String
        var name: String
        var file: String?
        var state: String
        var phase: String?
        var completedSteps: Int?
        var startedAt: Date?
        var finishedAt: Date?
        var operatorName: String?
        var totalSteps: Int?
        /// What it waits for: a gate's approval, a soak time, the retention window.
        var waitingFor: String?
        /// The step under way, with batch progress.
        var current: Progress?
        var drift: Bool
    }

    struct Progress: Encodable {
        var step: Int
        var title: String
        var rowsDone: Int64
        var rowsTotal: Int64
        var percent: Double
        var rowsPerSecond: Double?
        var etaSeconds: Double?
    }

    @Argument(help: "The migrations directory.")
    var directory: String

    @Option(name: .long, help: "Database URL (default: $DATABASE_URL).")
    var db: String?

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var format: Format = .text

    @Flag(name: .long, help: "Print the audit log instead (the migration-planning guide's events; one JSON object per line with --format json).")
    var audit = false

    func run() async throws {
        try await CommandRunner.run {
            let url = try DatabaseURLResolver.resolve(db)
            let migrations = try MigrationDirectory.load(directory)
            if audit {
                let events = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await StateStore(driver: $0).events() }
                let lines = try events.map { format == .json ? try $0.jsonLine() : $0.line }
                Terminal().write(lines.map { $0 + "\n" }.joined())
                return
            }
            let legacy = try await DatabaseConnector.withDriver(url, access: .readOnly) { try await LegacyHistory.read(on: $0) }
            let (records, progress) = try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
                let store = StateStore(driver: driver)
                let records = try await store.records()
                var progress: [String: Progress] = [:]
                for record in records where [.running, .failed, .waitingAtGate].contains(record.state) {
                    guard let step = try await store.stepProgress(migration: record.id).last(where: { $0.finishedAt == nil && $0.rowsTotal > 0 })
                    else { continue }
                    let rate = step.rowsPerSecond
                    let measured = ExecutionEvent.Progress(rowsDone: step.rowsDone, rowsTotal: step.rowsTotal, rowsPerSecond: rate ?? 0, batchSize: 0)
                    progress[record.id] = Progress(
                        step: step.step, title: step.title, rowsDone: step.rowsDone, rowsTotal: step.rowsTotal,
                        percent: measured.fraction * 100, rowsPerSecond: rate, etaSeconds: measured.secondsLeft)
                }
                return (records, progress)
            }
            let entries = migrations.map { migration -> Entry in
                var record = records.first { $0.id == migration.id }
                if record == nil, let legacy, legacy.contains(migration) {
                    record = MigrationRecord(id: migration.id, name: migration.name, checksum: migration.source?.checksum ?? "", state: .applied,
                                             startedAt: Date(), operatorName: "adopted from \(legacy.tool.rawValue)")
                }
                let adoptedFrom = record.flatMap { $0.operatorName.hasPrefix("adopted from ") ? $0.operatorName : nil }
                return Entry(
                    id: migration.id, name: migration.name, file: migration.source?.path,
                    state: adoptedFrom.map { "applied (\($0))" } ?? record?.state.rawValue ?? "pending",
                    phase: record?.phase?.rawValue, completedSteps: adoptedFrom == nil ? record?.completedSteps : nil, startedAt: adoptedFrom == nil ? record?.startedAt : nil,
                    finishedAt: adoptedFrom == nil ? record?.finishedAt : nil, operatorName: adoptedFrom == nil ? record?.operatorName : nil,
                    totalSteps: record?.totalSteps,
                    waitingFor: record?.waitingFor, current: progress[migration.id],
                    drift: record.map { $0.state != .rolledBack && $0.checksum != migration.source?.checksum } ?? false
                )
            }
            switch format {
            case .text:
                let width = entries.map(\.id.count).max() ?? 0
                let nameWidth = entries.map(\.name.count).max() ?? 0
                var lines = entries.map { entry -> String in
                    var line = entry.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + entry.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + entry.state
                    if let phase = entry.phase { line += ", phase \(phase)" }
                    if let steps = entry.completedSteps, entry.state != "pending" {
                        line += ", \(steps)" + (entry.totalSteps.flatMap { $0 > 0 ? " of \($0)" : nil } ?? "") + " steps done"
                    }
                    if let current = entry.current {
                        line += String(format: ", step %d %.0f%% (%lld of %lld rows", current.step, current.percent, current.rowsDone, current.rowsTotal)
                        if let rate = current.rowsPerSecond { line += String(format: ", %.0f rows/s", rate) }
                        if let eta = current.etaSeconds { line += ", ETA " + ProgressPrinter.eta(eta) }
                        line += ")"
                    }
                    if let waiting = entry.waitingFor { line += ", waiting for \(waiting)" }
                    if let who = entry.operatorName, let started = entry.startedAt {
                        line += ", started \(ISO8601DateFormatter().string(from: started)) by \(who)"
                    }
                    if entry.drift { line += "  DRIFT: the file changed after it was applied" }
                    return line
                }
                for record in records where !migrations.contains(where: { $0.id == record.id }) {
                    let why = ToolLayouts.isRepeatable(record.id) ? "an earlier version of a repeatable script" : "no file for it in \(directory)"
                    lines.append("\(record.id)  \(record.name)  \(record.state.rawValue)  (\(why))")
                }
                Terminal().write(lines.joined(separator: "\n") + "\n")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                Terminal().write(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
            }
            if entries.contains(where: \.drift) { throw ExitCode(2) }
        }
    }
}
