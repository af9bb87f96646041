import Foundation
import GodwitCore
import Testing

/// The runbook file, its documents and its tasks as issues, without running anything.
@Suite("Runbook files and documents")
struct RunbookFileTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/runbooks")

    static func example(_ name: String) throws -> Runbook {
        try RunbookParser().parse(contentsOf: examples.appendingPathComponent("\(name)/runbook.yaml").path)
    }

    static func error(_ text: String) -> GodwitError? {
        do {
            _ = try RunbookParser().parse(text, file: "rb.yaml")
            return nil
        } catch let error as GodwitError {
            return error
        } catch {
            return nil
        }
    }

    static let minimal = """
        runbook: r
        goal: g
        stages:
          - {id: one, run: "true", rollback: []}

        """

    @Test("The example reads whole: layers, risks, abort criteria, gaps, stages with their kinds and dependencies")
    func example() throws {
        let runbook = try Self.example("dependency-upgrade")
        #expect(runbook.types == [.codebase])
        #expect(runbook.layers.map(\.layer) == [.dependencies, .code])
        #expect(runbook.stages.map(\.work.kind) == ["run", "run", "run", "checkpoint", "run", "watch", "run", "run"])
        #expect(runbook.stages[1].dependsOn == ["shims"])
        #expect(runbook.abortCriteria == [.firstAttemptFailures(moreThan: 2), .timelineOver(factor: 2), .judgement(words: "A test fails in production after the switch")])
        #expect(runbook.estimatedSeconds == 7200)
        #expect(runbook.gaps.last?.stage == nil && runbook.gaps.last?.reason != nil)
        #expect(runbook.checksum?.count == 64)
        if case .watch(let watch) = runbook.stages[5].work {
            #expect(watch.seconds == 2 && watch.interval == 1 && watch.maxFailureRate == 0)
        } else {
            Issue.record("stage 6 is no watch")
        }
    }

    @Test("Bad runbooks are refused with the place and what to do", arguments: [
        ("runbook: r\ngoal: g\ngaps: [{gap: x}]\nstages: [{id: a, checkpoint: ok}]\n", "rb.yaml:3:8", "assigned to no stage"),
        ("runbook: r\ngoal: g\nstages: [{id: a, checkpoint: ok, run: x}]\n", "rb.yaml:3:10", "one kind of work per stage"),
        ("runbook: r\ngoal: g\nstages: [{id: a, run: x}]\n", "rb.yaml:3:10", "has no rollback"),
        ("runbook: r\ngoal: g\nstages: [{id: a, checkpoint: ok, after: [b]}]\n", "rb.yaml:3:10", "no stage of this runbook"),
        ("runbook: r\ngoal: g\nstages: [{id: a, checkpoint: ok}, {id: a, checkpoint: ok}]\n", "rb.yaml:3:", "used twice"),
        ("runbook: r\ngoal: g\nstages: [{id: a, gate: {soak: soon}}]\n", "rb.yaml:3:", "a duration"),
        ("runbook: r\ngoal: g\nabort: [{stage_fails: zz}]\nstages: [{id: a, checkpoint: ok}]\n", "rb.yaml:3:9", "no stage"),
        ("runbook: r\ngoal: g\nstages: [{id: a, run: x, rollback: [], db: sqlite:x}]\n", "rb.yaml:3:", "db belongs to a migrations stage"),
        ("runbook: r\nstages: [{id: a, checkpoint: ok}]\n", "rb.yaml:1:1", "missing field 'goal'"),
        ("runbook: r\ngoal: g\nstagse: []\n", "rb.yaml:3:1", "did you mean 'stages'"),
    ])
    func refusals(text: String, place: String, words: String) throws {
        let error = try #require(Self.error(text), "accepted: \(text)")
        #expect(error.code == .invalidMigration)
        #expect(error.location?.hasPrefix(place) == true, "\(error.description)")
        #expect(error.description.contains(words), "\(error.description)")
    }

    @Test("Durations: one unit or several")
    func durations() {
        #expect(DurationText.compound("90s") == 90)
        #expect(DurationText.compound("1h30m") == 5400)
        #expect(DurationText.compound("2d") == 172_800)
        #expect(DurationText.compound("soon") == nil)
        #expect(DurationText.compound("10") == nil)
        #expect(DurationText.compound("300ms") == nil)
    }

    @Test("Every example's documents are golden: Markdown, JSON and the GitHub tasks", arguments: ["dependency-upgrade", "platform-move", "postgres-upgrade"])
    func exampleDocuments(name: String) throws {
        var runbook = try Self.example(name)
        runbook.file = "runbook.yaml"
        runbook.checksum = nil
        let document = RunbookDocument(runbook: runbook)
        try Golden.check(document.markdown(), against: "runbook-\(name).md")
        try Golden.check(try document.json(), against: "runbook-\(name).json")
        try Golden.check(RunbookTasks.list(runbook, file: "runbook.yaml").githubMarkdown(), against: "runbook-\(name)-tasks.md")
    }

    @Test("The plan documents show what a rehearsal found")
    func documents() throws {
        var runbook = try Self.example("dependency-upgrade")
        runbook.file = "runbook.yaml"
        runbook.checksum = nil
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let rehearsals = [StageRehearsal(stage: "shims", work: .passed, rollback: .passed, at: at),
                          StageRehearsal(stage: "dev-dependency", work: .passed, rollback: .failed, at: at, note: "rollback `x` exited 1")]
        let document = RunbookDocument(runbook: runbook, rehearsals: rehearsals)
        try Golden.check(document.markdown(), against: "runbook-dependency-upgrade-rehearsed.md")
        let markdown = document.markdown()
        #expect(markdown.contains("| 1 Add compatibility shims | `sh app/test.sh dev` exits 0; `sh app/test.sh prod` exits 0 | The application starts | yes (2027-01-15) |"))
        #expect(markdown.contains("| 2 Update the development dependency | `sh app/test.sh dev` exits 0 |  | failed (2027-01-15): rollback `x` exited 1 |"))
        #expect(markdown.contains("| 4 Confirm before production | none |  | N/A |"))
        #expect(markdown.contains("none: deferred: the guide is rewritten after the release"))
    }

    @Test("Passwords never reach a document")
    func redaction() throws {
        let text = """
            runbook: r
            goal: g
            stages:
              - {id: schema, migrations: db/migrations, db: "postgres://app:s3cret@db.example/app", verify: [{sql: "SELECT 1", db: "postgres://app:s3cret@db.example/app", expect: "1"}]}
              - {id: copy, copy: {from: "postgres://app:s3cret@old/app", to: "postgres://app:s3cret@new/app"}}

            """
        let document = RunbookDocument(runbook: try RunbookParser().parse(text, file: "rb.yaml"))
        for output in [document.markdown(), try document.json(), RunbookTasks.list(try RunbookParser().parse(text, file: "rb.yaml"), file: "rb.yaml").githubMarkdown()] {
            #expect(!output.contains("s3cret"))
            #expect(output.contains("app:***@"))
        }
    }

    @Test("The Beads export is JSONL with the fields Beads reads; every dependency names an issue of the file, in the harness's order")
    func beads() throws {
        let runbook = try Self.example("dependency-upgrade")
        let text = try RunbookTasks.list(runbook, file: "runbook.yaml").beadsJSONL(prefix: "tk", at: Date(timeIntervalSince1970: 1_800_000_000), by: "alice")
        let lines = text.split(separator: "\n")
        let issues = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(issues.count == runbook.stages.count + 5)  // epic, preparation, checkpoint, stages, validation, rollback
        let ids = Set(issues.compactMap { $0["id"] as? String })
        #expect(ids.count == issues.count)
        for issue in issues {
            for field in ["id", "title", "description", "status", "priority", "issue_type", "created_at", "updated_at"] {
                #expect(issue[field] != nil, "\(issue["id"] ?? "?") has no \(field)")
            }
            #expect(issue["status"] as? String == "open")
            #expect((issue["created_at"] as? String)?.hasSuffix("Z") == true)
            for dependency in issue["dependencies"] as? [[String: Any]] ?? [] {
                #expect(dependency["issue_id"] as? String == issue["id"] as? String)
                #expect(ids.contains(dependency["depends_on_id"] as? String ?? ""), "a dependency on no issue")
                #expect(["blocks", "parent-child"].contains(dependency["type"] as? String ?? ""))
            }
        }
        func blockers(_ title: String) -> [String] {
            let issue = issues.first { ($0["title"] as? String)?.hasPrefix(title) == true }
            let dependencies = issue?["dependencies"] as? [[String: Any]] ?? []
            return dependencies.filter { $0["type"] as? String == "blocks" }.compactMap { dependency in
                issues.first { $0["id"] as? String == dependency["depends_on_id"] as? String }?["title"] as? String
            }
        }
        #expect(blockers("Stage 1:") == ["Checkpoint: confirm before execution"], "execution waits for the checkpoint after preparation")
        #expect(blockers("Checkpoint") == ["Preparation: review the plan, rehearse every stage and its rollback"])
        #expect(blockers("Stage 3:") == ["Stage 2: Update the development dependency"])
        #expect(blockers("Verification:") == ["Stage 8: Clean up"])
        #expect(issues.first { ($0["title"] as? String)?.hasPrefix("Rollback") == true }?["priority"] as? Int == 0)
        #expect(issues.first?["issue_type"] as? String == "epic")
    }

    @Test("The GitHub export lists every stage as a task under the epic, with what it waits for")
    func github() throws {
        let runbook = try Self.example("dependency-upgrade")
        let text = RunbookTasks.list(runbook, file: "runbook.yaml").githubMarkdown()
        #expect(text.hasPrefix("# Runbook: Upgrade textkit from 1 to 2\n"))
        #expect(text.components(separatedBy: "\n- [ ] ").count - 1 == runbook.stages.count + 4)
        #expect(text.contains("- [ ] **Stage 5: Update the production dependency** `phase:execution` `stage` `risk:medium` `layer:dependencies` — after: Stage 4: Confirm before production"))
    }

    @Test("Abort criteria: failures on first attempt, the timeline, a named stage; words never stop a run")
    func abort() throws {
        var runbook = try RunbookParser().parse(Self.minimal, file: "rb.yaml")
        runbook.abortCriteria = [.judgement(words: "people decide"), .firstAttemptFailures(moreThan: 1), .timelineOver(factor: 2), .stageFails(stage: "one")]
        runbook.timeline.totalSeconds = 100
        let start = Date(timeIntervalSince1970: 0)
        var failed = StageRecord(stage: "a")
        failed.failedFirstAttempt = true
        #expect(RunbookAbort.met(runbook, records: ["a": failed], startedAt: start, now: start.addingTimeInterval(10)) == nil)
        #expect(RunbookAbort.met(runbook, records: ["a": failed, "b": failed], startedAt: start, now: start.addingTimeInterval(10)) == .firstAttemptFailures(moreThan: 1))
        #expect(RunbookAbort.met(runbook, records: [:], startedAt: start, now: start.addingTimeInterval(201)) == .timelineOver(factor: 2))
        #expect(RunbookAbort.met(runbook, records: [:], startedAt: start, now: start.addingTimeInterval(199)) == nil)
        #expect(RunbookAbort.met(runbook, records: [:], startedAt: start, now: start, failedStage: "one") == .stageFails(stage: "one"))
    }
}

/// The published runbook schema (docs/runbook.schema.json) accepts what the parser accepts and
/// rejects what it rejects.
@Suite("Runbook JSON Schema")
struct RunbookSchemaTests {
    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/runbook.schema.json").path

    @Test("Every example runbook is valid under the schema and reads")
    func examples() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: RunbookFileTests.examples.path).sorted()
        #expect(names.count >= 1)
        for name in names {
            let text = try String(contentsOf: RunbookFileTests.examples.appendingPathComponent("\(name)/runbook.yaml"), encoding: .utf8)
            _ = try RunbookParser().parse(text, file: "\(name)/runbook.yaml")
            #expect(try MigrationSchemaTests.validate(text, against: Self.schemaPath) == nil, "\(name)")
        }
    }

    @Test("The schema names every kind of work the parser knows")
    func kinds() throws {
        let schema = try String(contentsOfFile: Self.schemaPath, encoding: .utf8)
        for kind in ["migrations", "copy", "sync", "cutover", "run", "checkpoint", "gate", "watch"] { #expect(schema.contains("\"\(kind)\"")) }
    }

    @Test("The schema rejects what the parser rejects", arguments: [
        "runbook: r\ngoal: g\nstages: [{id: a, run: x}]\n",
        "runbook: r\ngoal: g\nstages: [{id: a, checkpoint: ok, run: x, rollback: []}]\n",
        "runbook: r\ngoal: g\nstages: [{id: a}]\n",
        "runbook: r\ngoal: g\ngaps: [{gap: x}]\nstages: [{id: a, checkpoint: ok}]\n",
        "runbook: r\ngoal: g\nstages: [{id: a, migrations: db}]\n",
        "runbook: r\ngoal: g\nstages: [{id: a, gate: {soak: soon}}]\n",
        "runbook: r\ngoal: g\nstages: []\n",
        "runbook: r\ngoal: g\nstages: [{id: a, checkpoint: ok, db: sqlite:x}]\n",
        "runbook: r\ngoal: g\nrisks: [{risk: x, likelihood: maybe, impact: low, mitigation: y}]\nstages: [{id: a, checkpoint: ok}]\n",
    ])
    func rejects(yaml: String) throws {
        #expect(throws: GodwitError.self) { try RunbookParser().parse(yaml, file: "rb.yaml") }
        #expect(try MigrationSchemaTests.validate(yaml, against: Self.schemaPath) != nil)
    }
}
