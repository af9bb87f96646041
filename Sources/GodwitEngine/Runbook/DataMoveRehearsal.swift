import Foundation
public import GodwitCore

/// Rehearses a runbook's data-move stage on throwaway databases: a clone of the source and an
/// empty scratch database of the target's engine (on the target's server). The stage's work runs
/// there — a copy (with change capture), a copy then a sync, or a copy then a cutover with its
/// reverse copy file — and is checked equal; then its rollback runs there and is checked: the
/// clone carries no capture and the scratch no copied table. Nothing touches the real databases.
struct DataMoveRehearsal {
    let stage: Stage
    let source: DatabaseURL
    let target: DatabaseURL
    let spec: CopySpec

    /// What the rehearsal found.
    func run() async -> StageRehearsal {
        let now = Date()
        do {
            let clone = try await DatabaseClone.make(of: source)
            do {
                let result = try await DatabaseConnector.support(for: target.engine).cloning.withSharedScratch(like: target) { scratch in
                    try await rehearse(from: clone.url, into: scratch, at: now)
                }
                await clone.drop()
                return result
            } catch {
                await clone.drop()
                throw error
            }
        } catch {
            return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now, note: Self.words(error))
        }
    }

    private func rehearse(from source: DatabaseURL, into target: DatabaseURL, at now: Date) async throws -> StageRehearsal {
        var copy = DataCopy(source: source, target: target, spec: spec)
        copy.capture = true
        _ = try await copy.run()
        let reverseFile = FileManager.default.temporaryDirectory.appendingPathComponent("godwit-reverse-\(UUID().uuidString.prefix(8)).yaml").path
        defer { try? FileManager.default.removeItem(atPath: reverseFile) }
        switch stage.work {
        case .sync:
            var sync = DataSync(source: source, target: target, spec: spec)
            sync.maximumLag = 0
            _ = try await sync.run()
        case .cutover:
            _ = try await Cutover(source: source, target: target, spec: spec, reverseFile: reverseFile).run()
        default:
            break
        }
        let equal = try await CrossVerification(source: source, target: target, spec: spec).run()
        guard equal.passes else {
            return StageRehearsal(stage: stage.id, work: .failed, rollback: .notRehearsed, at: now,
                                  note: "the two databases differ in " + equal.tables.filter { !$0.isEqual }.map(\.source).joined(separator: ", "))
        }
        do {
            if case .cutover = stage.work {
                let reverse = try CopySpecParser().parse(try String(contentsOfFile: reverseFile, encoding: .utf8), file: reverseFile)
                try await DataMoveRollback.undoCutover(source: source, target: target, reverse: reverse)
            }
            try await DataMoveRollback.undoCopy(source: source, target: target, spec: spec)
            let captured = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await ChangeCapture(driver: $0).isInstalled() }
            let left = try await DatabaseConnector.withDriver(target, access: .readOnly) { try await $0.inspect(.dataMove).tables.count }
            guard !captured, left == 0 else {
                return StageRehearsal(stage: stage.id, work: .passed, rollback: .failed, at: now,
                                      note: captured ? "change capture is still on the source" : "\(left) tables are still on the target")
            }
            return StageRehearsal(stage: stage.id, work: .passed, rollback: .passed, at: now)
        } catch {
            return StageRehearsal(stage: stage.id, work: .passed, rollback: .failed, at: now, note: Self.words(error))
        }
    }

    private static func words(_ error: any Error) -> String {
        (error as? GodwitError)?.description ?? "\(error)"
    }
}
