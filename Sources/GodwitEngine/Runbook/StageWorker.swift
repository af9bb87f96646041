public import Foundation
public import GodwitCore

/// Does, checks, undoes and rehearses one stage's work. Database stages go through Godwit's own
/// machinery (apply, rehearsal, rollback, copy, sync, cutover, verify); command stages through
/// the shell; a watch probes for its window.
public struct StageWorker: Sendable {
    public let checks: StageChecks
    /// The directory the runbook's relative paths start from.
    public let directory: URL
    public let operatorName: String

    public init(directory: URL, operatorName: String, rehearsal: Bool = false) {
        self.directory = directory
        self.operatorName = operatorName
        self.checks = StageChecks(directory: directory, environment: ["GODWIT_REHEARSAL": rehearsal ? "1" : "0"])
    }

    /// A stage's work or check failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var stage: String
        public var reason: String
        public var description: String { "stage \(stage): \(reason)" }
    }

    private func path(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : directory.appendingPathComponent(relative).path
    }

    private func url(_ text: String) throws -> DatabaseURL {
        try RunbookEnvironment.databaseURL(text, relativeTo: directory)
    }

    private func spec(_ move: Stage.DataMove) throws -> CopySpec {
        guard let file = move.with else { return CopySpec() }
        guard let text = FileManager.default.contents(atPath: path(file)) else {
            throw GodwitError(.fileNotFound, "No copy file", location: path(file), remedy: "Check the stage's with: path (relative to the runbook).")
        }
        return try CopySpecParser().parse(String(decoding: text, as: UTF8.self), file: path(file))
    }

    /// Does the stage's work.
    public func perform(_ stage: Stage) async throws {
        do {
            switch stage.work {
            case .run(let commands):
                try await checks.run(commands, stage: stage.id)
            case .migrations(let directory, let database):
                // As `godwit apply` by default: only what was rehearsed (godwit runbook rehearse),
                // its gates approved by the runbook's own checkpoints.
                var settings = ExecutionSettings()
                settings.approveGates = true
                settings.requireRehearsal = true
                settings.operatorName = operatorName
                let outcome = try await MigrationApplier(url: try url(database), settings: settings).apply(directory: path(directory))
                switch outcome.stop {
                case .completed: break
                case .waiting(let migration, let reason): throw Failure(stage: stage.id, reason: "migration \(migration) waits for \(reason)")
                case .rolledBack(let migration, let reason, _): throw Failure(stage: stage.id, reason: "migration \(migration) was rolled back: \(reason)")
                }
            case .copy(let move):
                var copy = DataCopy(source: try url(move.from), target: try url(move.to), spec: try spec(move))
                copy.capture = true
                _ = try await copy.run()
            case .sync(let move):
                _ = try await DataSync(source: try url(move.from), target: try url(move.to), spec: try spec(move)).run()
            case .cutover(let move):
                _ = try await Cutover(source: try url(move.from), target: try url(move.to), spec: try spec(move), reverseFile: move.reverse.map(path)).run()
            case .watch(let watch):
                try await self.watch(watch, stage: stage.id)
            case .checkpoint, .gate:
                break
            }
        } catch let failure as StageChecks.CommandFailure {
            throw Failure(stage: stage.id, reason: "`\(failure.command)` exited \(failure.status)" + (failure.tail.isEmpty ? "" : ": \(failure.tail)"))
        }
    }

    /// What is wrong after the stage's work: its own checks, and Godwit's verification of its
    /// migrations. Right after a copy or cutover (`rightAfter`), also that the two databases are
    /// equal — which stops being true by design once the application writes to the target, so a
    /// later check against production leaves it out. Empty when it passed.
    public func verify(_ stage: Stage, rightAfter: Bool = true) async -> [String] {
        var failures: [String] = []
        switch stage.work {
        case .migrations(let directory, let database):
            do {
                let migrations = try MigrationDirectory.load(path(directory))
                for report in try await OnDemandVerification.run(url: try url(database), migrations: migrations, only: nil) where !report.passed {
                    failures.append("godwit verify: " + report.failures.map { "\($0.name) (\($0.detail))" }.joined(separator: "; "))
                }
            } catch {
                failures.append("godwit verify: \(error)")
            }
        case .copy(let move) where rightAfter, .cutover(let move) where rightAfter:
            do {
                let report = try await CrossVerification(source: try url(move.from), target: try url(move.to), spec: try spec(move)).run()
                if !report.passes { failures.append("godwit verify: the two databases differ in " + report.tables.filter { !$0.isEqual }.map(\.source).joined(separator: ", ")) }
            } catch {
                failures.append("godwit verify: \(error)")
            }
        default: break
        }
        failures += await checks.failures(of: stage.verify, stage: stage.id)
        return failures
    }

    /// For a migrations stage, the migrations its database holds now (applied or begun, not
    /// rolled back); nil for other stages.
    public func migrationsInDatabase(_ stage: Stage) async throws -> [String]? {
        guard case .migrations(_, let database) = stage.work else { return nil }
        let target = try url(database)
        // A SQLite file that does not exist holds nothing; looking must not create it.
        if case .sqlite(let location) = target, !location.isInMemory, !FileManager.default.fileExists(atPath: location.path) { return [] }
        return try await DatabaseConnector.withDriver(target, access: .readOnly) { try await StateStore(driver: $0).records() }
            .filter { $0.state != .rolledBack }.map(\.id)
    }

    /// Undoes the stage's work. A migrations stage rolls back, newest first, the migrations it
    /// applied: those in the database now that were not before it first ran (`before`).
    public func undo(_ stage: Stage, migrationsBefore before: [String]? = nil) async throws {
        do {
            switch stage.work {
            case .migrations(let directory, let database):
                let target = try url(database)
                let migrations = try MigrationDirectory.load(path(directory))
                let records = try await DatabaseConnector.withDriver(target, access: .readOnly) { try await StateStore(driver: $0).records() }
                let kept = Set(before ?? [])
                for migration in migrations.reversed() where !kept.contains(migration.id) && records.contains(where: { $0.id == migration.id && $0.state != .rolledBack }) {
                    var settings = ExecutionSettings()
                    settings.operatorName = operatorName
                    let (_, report) = try await MigrationRollback(url: target, settings: settings).rollback(migration.id)
                    guard report.passed else {
                        throw Failure(stage: stage.id, reason: "the rollback of migration \(migration.id) left differences: " + report.failures.map(\.name).joined(separator: "; "))
                    }
                }
            case .copy(let move):
                try await DataMoveRollback.undoCopy(source: try url(move.from), target: try url(move.to), spec: try spec(move))
                try await checks.run(stage.rollback, stage: stage.id)
            case .cutover(let move):
                if let reverse = move.reverse {
                    let file = path(reverse)
                    guard let text = FileManager.default.contents(atPath: file) else {
                        throw Failure(stage: stage.id, reason: "the reverse copy file \(file) the cutover wrote is gone: the changes made since cannot be synced back")
                    }
                    let spec = try CopySpecParser().parse(String(decoding: text, as: UTF8.self), file: file)
                    try await DataMoveRollback.undoCutover(source: try url(move.from), target: try url(move.to), reverse: spec)
                }
                try await checks.run(stage.rollback, stage: stage.id)
            default:
                try await checks.run(stage.rollback, stage: stage.id)
            }
        } catch let failure as StageChecks.CommandFailure {
            throw Failure(stage: stage.id, reason: "rollback `\(failure.command)` exited \(failure.status)" + (failure.tail.isEmpty ? "" : ": \(failure.tail)"))
        }
    }

    /// Rehearses the stage: a database stage on clones (rolled back there too: migrations as
    /// `godwit rehearse` does, data moves by ``DataMoveRehearsal``), a command stage through its
    /// `rehearse:` commands and then its `rehearse_rollback:` (or `rollback:`) commands; anything
    /// else is not rehearsed.
    public func rehearse(_ stage: Stage) async -> StageRehearsal {
        let now = Date()
        switch stage.work {
        case .migrations(let directory, let database):
            do {
                let report = try await Rehearsal(url: try url(database)).run(directory: path(directory))
                let note = report.isGo ? nil : report.problems.first
                return StageRehearsal(stage: stage.id, work: report.applyFailed ? .failed : .passed,
                                      rollback: report.rollbackIdentical ? .passed : .failed, at: now, note: note)
            } catch {
                return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now, note: "\(error)")
            }
        case .checkpoint, .gate, .watch:
            return StageRehearsal(stage: stage.id, work: .notRehearsed, rollback: .notRehearsed, at: now)
        case .copy(let move) where stage.rehearse == nil, .sync(let move) where stage.rehearse == nil, .cutover(let move) where stage.rehearse == nil:
            do {
                return await DataMoveRehearsal(stage: stage, source: try url(move.from), target: try url(move.to), spec: try spec(move)).run()
            } catch {
                return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now, note: "\(error)")
            }
        default:
            guard let commands = stage.rehearse else {
                return StageRehearsal(stage: stage.id, work: .notRehearsed, rollback: .notRehearsed, at: now, note: "no rehearse: commands")
            }
            do {
                try await checks.run(commands, stage: stage.id)
            } catch let failure as StageChecks.CommandFailure {
                return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now, note: "`\(failure.command)` exited \(failure.status)")
            } catch {
                return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now, note: "\(error)")
            }
            do {
                try await checks.run(stage.rehearseRollback ?? stage.rollback, stage: stage.id)
                return StageRehearsal(stage: stage.id, work: .passed, rollback: .passed, at: now)
            } catch let failure as StageChecks.CommandFailure {
                return StageRehearsal(stage: stage.id, work: .passed, rollback: .failed, at: now, note: "rollback `\(failure.command)` exited \(failure.status)")
            } catch {
                return StageRehearsal(stage: stage.id, work: .passed, rollback: .failed, at: now, note: "\(error)")
            }
        }
    }

    /// Probes every interval for the window; fails as soon as more probes failed than the
    /// window can allow, or at its end when the share is over the limit.
    private func watch(_ watch: Stage.Watch, stage: String) async throws {
        let rounds = max(1, Int((watch.seconds / watch.interval).rounded(.up)))
        let allowed = Int((Double(rounds * watch.probes.count) * watch.maxFailureRate).rounded(.down))
        var failed = 0, done = 0
        var lastFailure = ""
        for round in 0..<rounds {
            if round > 0 { try await Task.sleep(for: .seconds(watch.interval)) }
            let failures = await checks.failures(of: watch.probes, stage: stage)
            done += watch.probes.count
            failed += failures.count
            if let first = failures.first { lastFailure = first }
            if failed > allowed {
                throw Failure(stage: stage, reason: "\(failed) of \(done) probes failed, more than the \(allowed) the window allows (\(String(format: "%g%%", watch.maxFailureRate * 100))); the last: \(lastFailure)")
            }
        }
    }
}
