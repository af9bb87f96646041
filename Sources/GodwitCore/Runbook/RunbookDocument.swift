public import Foundation

/// The documents `godwit runbook plan` writes: the migration spec (goal, context, types, scope,
/// risks, acceptance) and the plan guide's sections (overview From/To per layer, timeline, abort
/// criteria, stage definitions, stage graph, gap → stage mapping, verification per stage), in
/// Markdown and JSON. What a rehearsal showed fills the "Rollback tested" column; without one
/// it says "not yet".
public struct RunbookDocument: Sendable {
    public let runbook: Runbook
    /// The last rehearsal's results by stage.
    public let rehearsals: [String: StageRehearsal]

    public init(runbook: Runbook, rehearsals: [StageRehearsal] = []) {
        self.runbook = runbook
        self.rehearsals = Dictionary(rehearsals.map { ($0.stage, $0) }, uniquingKeysWith: { _, last in last })
    }

    // MARK: Words for each part

    /// What the stage's work does, in a line.
    public static func workSummary(_ work: Stage.Work) -> String {
        switch work {
        case .migrations(let directory, let database): "godwit applies the migrations of `\(directory)` to \(DatabaseURL.redacting(database)) (planned, verified after each phase)"
        case .copy(let move): "godwit copies \(DatabaseURL.redacting(move.from)) into \(DatabaseURL.redacting(move.to))" + (move.with.map { " with `\($0)`" } ?? "") + ", capturing changes for sync"
        case .sync(let move): "godwit syncs the changes captured on \(DatabaseURL.redacting(move.from)) into \(DatabaseURL.redacting(move.to))"
        case .cutover(let move): "godwit cuts over from \(DatabaseURL.redacting(move.from)) to \(DatabaseURL.redacting(move.to)): source read-only, final sync, verified equal" + (move.reverse.map { ", reverse sync prepared in `\($0)`" } ?? "")
        case .run(let commands): commands.map { "`\($0)`" }.joined(separator: ", then ")
        case .checkpoint(let words): "checkpoint: \(words) (waits for `godwit runbook confirm`)"
        case .gate(let gate):
            if let soak = gate.soak { "soak: \(soak) must pass after the stage before" + (gate.reason.map { " (\($0))" } ?? "") }
            else { "approval (waits for `godwit runbook confirm`)" + (gate.reason.map { ": \($0)" } ?? "") }
        case .watch(let watch):
            "watch for \(watch.duration): every \(DurationText.words(watch.interval)), " + watch.probes.map(\.summary).joined(separator: "; ")
                + String(format: "; at most %g%% of probes may fail", watch.maxFailureRate * 100)
        }
    }

    /// How the stage is undone.
    public static func rollbackSummary(_ stage: Stage) -> String {
        switch stage.work {
        case .migrations: "godwit rolls back the stage's migrations, newest first, each verified against the digests taken before it"
        case .copy(let move): "godwit removes change capture from the source and drops the tables it copied into \(DatabaseURL.redacting(move.to))" + commands(stage)
        case .sync: stage.rollback.isEmpty ? "nothing to undo: the source is unchanged (the copy stage's rollback empties the target)" : listed(stage.rollback)
        case .cutover(let move):
            move.reverse != nil ? "godwit syncs the changes made on \(DatabaseURL.redacting(move.to)) since the switch back to \(DatabaseURL.redacting(move.from)) (reverse sync), then removes capture from the target" + commands(stage)
                : (stage.rollback.isEmpty ? "none: give the cutover reverse: FILE to sync back, or rollback: commands" : listed(stage.rollback))
        case .checkpoint, .gate: "nothing to undo"
        case .watch: "nothing to undo"
        case .run: stage.rollback.isEmpty ? "nothing to undo (declared)" : listed(stage.rollback)
        }
    }

    /// A stage's own rollback commands after Godwit's part: `, then `a`, then `b``.
    private static func commands(_ stage: Stage) -> String {
        stage.rollback.map { ", then `\($0)`" }.joined()
    }

    /// Commands in a line: `` `a`, then `b` ``.
    private static func listed(_ commands: [String]) -> String {
        commands.map { "`\($0)`" }.joined(separator: ", then ")
    }

    /// The verification's automated tests, in a line.
    public static func automatedTest(_ stage: Stage) -> String {
        var tests = stage.verify.map(\.summary)
        switch stage.work {
        case .migrations: tests.insert("godwit verifies structure, validations and checksums after each phase", at: 0)
        case .copy, .cutover: tests.insert("godwit verify: the two databases compare equal", at: 0)
        case .sync: tests.insert("no changes left waiting", at: 0)
        case .watch(let watch): tests.insert("probes during \(watch.duration)", at: 0)
        case .checkpoint, .gate, .run: break
        }
        return tests.isEmpty ? "none" : tests.joined(separator: "; ")
    }

    /// The "Rollback tested" column: from the last rehearsal.
    public func rollbackTested(_ stage: Stage) -> String {
        switch stage.work {
        case .checkpoint, .gate, .watch: return "N/A"
        default: break
        }
        guard Self.isRehearsable(stage) else { return "no: nothing rehearses it (give it rehearse: commands)" }
        guard let rehearsal = rehearsals[stage.id] else { return "not yet (run godwit runbook rehearse)" }
        switch rehearsal.rollback {
        case .passed: return "yes (\(Self.day(rehearsal.at)))"
        case .failed: return "failed (\(Self.day(rehearsal.at)))" + (rehearsal.note.map { ": \($0)" } ?? "")
        case .notRehearsed: return "no: not rehearsed"
        }
    }

    private static func day(_ date: Date) -> String {
        String(ISO8601DateFormatter().string(from: date).prefix(10))
    }

    // MARK: Markdown

    /// The spec and plan in Markdown.
    public func markdown() -> String {
        var out = "# Runbook: \(runbook.name)\n\n"
        out += "## Goal\n\n\(runbook.goal)\n\n"
        if let context = runbook.context { out += "## Context\n\n\(context)\n\n" }
        out += "## Migration type\n\n"
        for kind in Runbook.MigrationKind.allCases { out += "- [\(runbook.types.contains(kind) ? "x" : " ")] \(kind.title)\n" }
        out += "\n## Overview\n\n### From\n\n"
        out += runbook.layers.isEmpty ? "- (no layers described)\n" : runbook.layers.map { "- **\($0.layer.rawValue)**: \($0.from)\n" }.joined()
        out += "\n### To\n\n"
        out += runbook.layers.isEmpty ? "- (no layers described)\n" : runbook.layers.map { "- **\($0.layer.rawValue)**: \($0.to)\n" }.joined()
        if let motivation = runbook.motivation { out += "\n### Motivation\n\n\(motivation)\n" }
        out += "\n### Timeline\n\n"
        let timeline = runbook.timeline
        for (label, value) in [("Planning", timeline.planning), ("Execution", timeline.execution), ("Cutover", timeline.cutover), ("Cleanup", timeline.cleanup)] {
            if let value { out += "- \(label): \(value)\n" }
        }
        if let estimate = runbook.estimatedSeconds {
            out += "- Total: \(timeline.total ?? DurationText.words(estimate))" + (timeline.total == nil ? " (the stages' efforts added up)" : "") + "\n"
        } else {
            out += "- Total: not estimated\n"
        }
        out += "\n### Abort criteria\n\nThe run stops with a report when:\n\n"
        out += runbook.abortCriteria.isEmpty ? "- (none given)\n"
            : runbook.abortCriteria.map { "- \($0.summary)" + ($0.isAutomatic ? " — checked by godwit at every stage" : " — judged by a person") + "\n" }.joined()
        if !runbook.filesAffected.isEmpty {
            out += "\n### Files affected\n\n" + runbook.filesAffected.map { "- `\($0)`\n" }.joined()
        }
        out += "\n## Stages\n"
        for (index, stage) in runbook.stages.enumerated() {
            out += "\n### Stage \(index + 1) — \(stage.name)\n\n"
            out += "**What changes**: \(stage.summary ?? (stage.changes.isEmpty ? stage.name : stage.changes.joined(separator: "; ")))\n"
            out += "**Layers affected**: \(stage.layers.isEmpty ? "none named" : stage.layers.map(\.rawValue).joined(separator: " / "))\n"
            out += "**Risk**: \(stage.risk.rawValue)\n"
            out += "**Estimated effort**: \(stage.effort ?? "not estimated")\n"
            out += "**Dependencies**: \(stage.dependsOn.isEmpty ? "none" : stage.dependsOn.map { self.stageTitle($0) }.joined(separator: ", "))\n\n"
            out += "**Work** (`\(stage.work.kind)`, stage id `\(stage.id)`): \(Self.workSummary(stage.work))\n\n"
            if !stage.changes.isEmpty { out += "**Changes**:\n" + stage.changes.map { "- \($0)\n" }.joined() + "\n" }
            out += "**Verification**:\n- \(Self.automatedTest(stage))\n" + (stage.manualCheck.map { "- by hand: \($0)\n" } ?? "") + "\n"
            out += "**Rollback**:\n- \(Self.rollbackSummary(stage))\n"
            out += stage.verifyRollback.isEmpty ? "" : "- checked by: " + stage.verifyRollback.map(\.summary).joined(separator: "; ") + "\n"
            out += "\n**Rehearsal**: " + (Self.isRehearsable(stage) ? (stage.rehearse.map { $0.map { "`\($0)`" }.joined(separator: ", then ") } ?? "on clones: the work and its rollback") : "not rehearsed (no rehearse: variant)") + "\n"
            out += "**Rollback tested**: \(rollbackTested(stage))\n"
        }
        out += "\n## Stage graph\n\n```mermaid\n" + mermaid() + "```\n"
        out += "\n## Gap → stage mapping\n\n"
        if runbook.gaps.isEmpty {
            out += "No gaps listed.\n"
        } else {
            out += "| Gap | Risk | Effort | Stage | Notes |\n|---|---|---|---|---|\n"
            for gap in runbook.gaps {
                let stage = gap.stage.map { stageTitle($0) } ?? "none: \(gap.reason ?? "")"
                out += "| \(Self.cell(gap.gap)) | \(gap.risk?.rawValue ?? "") | \(gap.effort ?? "") | \(Self.cell(stage)) | \(Self.cell(gap.notes ?? "")) |\n"
            }
        }
        out += "\n## Verification per stage\n\n| Stage | Automated test | Manual check | Rollback test |\n|---|---|---|---|\n"
        for (index, stage) in runbook.stages.enumerated() {
            out += "| \(index + 1) \(Self.cell(stage.name)) | \(Self.cell(Self.automatedTest(stage))) | \(Self.cell(stage.manualCheck ?? "")) | \(Self.cell(rollbackTested(stage))) |\n"
        }
        out += "\n## Risk assessment\n\n"
        if runbook.risks.isEmpty {
            out += "No risks listed.\n"
        } else {
            out += "| Risk | Likelihood | Impact | Mitigation |\n|---|---|---|---|\n"
            for risk in runbook.risks {
                out += "| \(Self.cell(risk.risk)) | \(risk.likelihood.rawValue) | \(risk.impact.rawValue) | \(Self.cell(risk.mitigation)) |\n"
            }
        }
        out += "\n## Acceptance criteria\n\n"
        out += runbook.acceptance.isEmpty ? "- [ ] (none given)\n" : runbook.acceptance.map { "- [ ] \($0)\n" }.joined()
        out += "\n## How it runs\n\n"
        out += "`godwit runbook rehearse` tries every stage and its rollback where it can (database stages on clones, command stages through their `rehearse:` commands). "
        out += "`godwit runbook run` goes stage by stage, records each in its state file, stops at checkpoints and approvals until `godwit runbook confirm`, and stops when an abort criterion is met. "
        out += "`godwit runbook rollback` undoes the completed stages newest first, checking each. A stage is *verified* only after `godwit runbook verify` passed against production.\n"
        return out
    }

    /// `Stage 2 (copy)`.
    private func stageTitle(_ id: String) -> String {
        guard let index = runbook.stages.firstIndex(where: { $0.id == id }) else { return id }
        return "Stage \(index + 1) (\(id))"
    }

    /// Whether a rehearsal can try the stage's work.
    public static func isRehearsable(_ stage: Stage) -> Bool {
        switch stage.work {
        case .migrations, .copy, .sync, .cutover: true
        case .checkpoint, .gate, .watch: false
        case .run: stage.rehearse != nil
        }
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    /// A Mermaid flowchart: a node per stage (its kind and risk), an edge per dependency.
    public func mermaid() -> String {
        var out = "flowchart TD\n"
        for (index, stage) in runbook.stages.enumerated() {
            let label = "\(index + 1). \(stage.name)<br/>\(stage.work.kind), \(stage.risk.rawValue) risk".replacingOccurrences(of: "\"", with: "'")
            let shape = stage.work.needsConfirmation ? "{{\"\(label)\"}}" : "[\"\(label)\"]"
            out += "    \(Self.node(stage.id))\(shape)\n"
        }
        for stage in runbook.stages {
            for dependency in stage.dependsOn { out += "    \(Self.node(dependency)) --> \(Self.node(stage.id))\n" }
        }
        return out
    }

    private static func node(_ id: String) -> String {
        "s_" + id.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    // MARK: JSON

    /// The same content as data: the runbook, its gaps and verification table, and the
    /// rehearsal facts.
    public func json() throws -> String {
        struct Document: Encodable {
            var runbook: Runbook
            var estimatedSeconds: Double?
            var verification: [Row]
            var rehearsals: [StageRehearsal]
            struct Row: Encodable {
                var stage: String
                var automatedTest: String
                var manualCheck: String?
                var rollback: String
                var rollbackTested: String
            }
        }
        let rows = runbook.stages.map { Document.Row(stage: $0.id, automatedTest: Self.automatedTest($0), manualCheck: $0.manualCheck,
                                                      rollback: Self.rollbackSummary($0), rollbackTested: rollbackTested($0)) }
        var redacted = runbook
        redacted.stages = redacted.stages.map(Self.redacted)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(Document(runbook: redacted, estimatedSeconds: runbook.estimatedSeconds, verification: rows,
                                               rehearsals: runbook.stages.compactMap { rehearsals[$0.id] }))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The stage with every database URL's password removed.
    static func redacted(_ stage: Stage) -> Stage {
        var stage = stage
        let check = { (check: Stage.Check) -> Stage.Check in
            if case .sql(let database, let query, let expect) = check { return .sql(database: DatabaseURL.redacting(database), query: query, expect: expect) }
            if case .http(let url, let status) = check { return .http(url: DatabaseURL.redacting(url), status: status) }
            return check
        }
        stage.verify = stage.verify.map(check)
        stage.verifyRollback = stage.verifyRollback.map(check)
        let move = { (move: Stage.DataMove) in Stage.DataMove(from: DatabaseURL.redacting(move.from), to: DatabaseURL.redacting(move.to), with: move.with, reverse: move.reverse) }
        switch stage.work {
        case .migrations(let directory, let database): stage.work = .migrations(directory: directory, database: DatabaseURL.redacting(database))
        case .copy(let data): stage.work = .copy(move: move(data))
        case .sync(let data): stage.work = .sync(move: move(data))
        case .cutover(let data): stage.work = .cutover(move: move(data))
        case .watch(var watch):
            watch.probes = watch.probes.map(check)
            stage.work = .watch(watch: watch)
        default: break
        }
        return stage
    }
}
