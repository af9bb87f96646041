public import Foundation

/// Work as issues for a tracker: an epic, an issue per phase and per stage, rollback as its own
/// issue, and the dependencies between them. Built from a runbook (``RunbookTasks``) or a
/// migration plan (``PlanTasks``), written as Beads' JSONL or as GitHub Markdown task lists.
public struct TaskList: Hashable, Sendable {
    public struct Task: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable { case epic, task, chore }

        /// A key unique in the list (`prep`, `stage-copy`); ids are made from it.
        public var key: String
        public var title: String
        public var description: String
        public var kind: Kind
        /// 0 (critical) to 4.
        public var priority: Int
        public var labels: [String]
        /// The epic it belongs to.
        public var parent: String?
        /// Tasks that must be closed before it can start.
        public var blockedBy: [String]

        public init(key: String, title: String, description: String, kind: Kind = .task, priority: Int = 2, labels: [String] = [],
                    parent: String? = nil, blockedBy: [String] = []) {
            self.key = key
            self.title = title
            self.description = description
            self.kind = kind
            self.priority = priority
            self.labels = labels
            self.parent = parent
            self.blockedBy = blockedBy
        }
    }

    public var title: String
    public var tasks: [Task]

    public init(title: String, tasks: [Task]) {
        self.title = title
        self.tasks = tasks
    }

    /// Ids as Beads writes them: `prefix-1`, `prefix-2`, … in list order.
    public func ids(prefix: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.key, "\(prefix)-\($0 + 1)") })
    }

    /// A Beads prefix from a title: lower-case letters and digits, words joined by `-`.
    public static func prefix(for title: String) -> String {
        let words = title.lowercased().split { !($0.isLetter && $0.isASCII || $0.isNumber) }.prefix(3)
        let joined = words.joined(separator: "-")
        return joined.isEmpty ? "gw" : String(joined.prefix(24))
    }

    /// Beads' issue format: one JSON object per line with `id`, `title`, `description`,
    /// `status`, `priority`, `issue_type`, `labels`, `created_at`, `updated_at` and
    /// `dependencies` (`blocks` for order, `parent-child` for an epic's members).
    public func beadsJSONL(prefix: String, at date: Date, by author: String) throws -> String {
        let ids = ids(prefix: prefix)
        let stamp = ISO8601DateFormatter().string(from: date)
        struct Dependency: Encodable {
            var issue_id: String
            var depends_on_id: String
            var type: String
            var created_at: String
            var created_by: String
        }
        struct Issue: Encodable {
            var id: String
            var title: String
            var description: String
            var status = "open"
            var priority: Int
            var issue_type: String
            var labels: [String]
            var created_at: String
            var updated_at: String
            var created_by: String
            var dependencies: [Dependency]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try tasks.map { task in
            let id = ids[task.key]!
            var dependencies = task.blockedBy.map { Dependency(issue_id: id, depends_on_id: ids[$0]!, type: "blocks", created_at: stamp, created_by: author) }
            if let parent = task.parent {
                dependencies.append(Dependency(issue_id: id, depends_on_id: ids[parent]!, type: "parent-child", created_at: stamp, created_by: author))
            }
            let issue = Issue(id: id, title: task.title, description: task.description, priority: task.priority, issue_type: task.kind.rawValue,
                              labels: task.labels, created_at: stamp, updated_at: stamp, created_by: author, dependencies: dependencies)
            return String(decoding: try encoder.encode(issue), as: UTF8.self) + "\n"
        }.joined()
    }

    /// GitHub Markdown: a section per epic with its tasks as a task list; each names what it
    /// waits for.
    public func githubMarkdown() -> String {
        let titles = Dictionary(uniqueKeysWithValues: tasks.map { ($0.key, $0.title) })
        var out = "# \(title)\n"
        let epics = tasks.filter { $0.kind == .epic }
        let epicKeys = Set(epics.map(\.key))
        let loose = tasks.filter { $0.kind != .epic && !epicKeys.contains($0.parent ?? "") }
        func item(_ task: Task) -> String {
            var line = "- [ ] **\(task.title)**"
            if !task.labels.isEmpty { line += " " + task.labels.map { "`\($0)`" }.joined(separator: " ") }
            if !task.blockedBy.isEmpty { line += " — after: " + task.blockedBy.compactMap { titles[$0] }.joined(separator: "; ") }
            line += "\n"
            if !task.description.isEmpty {
                line += task.description.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
            }
            return line
        }
        for epic in epics {
            out += "\n## \(epic.title)\n\n"
            if !epic.description.isEmpty { out += epic.description + "\n\n" }
            out += tasks.filter { $0.parent == epic.key && $0.kind != .epic }.map(item).joined()
        }
        if !loose.isEmpty { out += "\n## Other tasks\n\n" + loose.map(item).joined() }
        return out
    }
}

/// The issues of a runbook, in the spec template's harness order: an epic; preparation
/// (review the plan, rehearse, back up); a checkpoint that blocks execution until confirmed;
/// a task per stage, blocked by the stages it depends on; production validation after the last;
/// and the rollback as its own issue, ready whenever a stage fails.
public enum RunbookTasks {
    public static func list(_ runbook: Runbook, file: String) -> TaskList {
        var tasks: [TaskList.Task] = []
        tasks.append(.init(key: "epic", title: "Runbook: \(runbook.name)", description: runbook.goal, kind: .epic, priority: 1, labels: ["migration"]))
        tasks.append(.init(key: "preparation", title: "Preparation: review the plan, rehearse every stage and its rollback",
                           description: "godwit runbook plan \(file)\ngodwit runbook rehearse \(file)", priority: 1, labels: ["phase:preparation"], parent: "epic"))
        tasks.append(.init(key: "checkpoint", title: "Checkpoint: confirm before execution",
                           description: "Execution starts only after a person confirms that preparation is complete.",
                           priority: 1, labels: ["phase:preparation", "checkpoint"], parent: "epic", blockedBy: ["preparation"]))
        for (index, stage) in runbook.stages.enumerated() {
            var description = "\(RunbookDocument.workSummary(stage.work))\nVerification: \(RunbookDocument.automatedTest(stage))"
            if let manual = stage.manualCheck { description += "\nBy hand: \(manual)" }
            description += "\nRollback: \(RunbookDocument.rollbackSummary(stage))"
            let blockers = stage.dependsOn.isEmpty ? ["checkpoint"] : stage.dependsOn.map { "stage-\($0)" }
            tasks.append(.init(key: "stage-\(stage.id)", title: "Stage \(index + 1): \(stage.name)", description: description,
                               priority: stage.risk == .high ? 1 : 2, labels: ["phase:execution", "stage", "risk:\(stage.risk.rawValue)"] + stage.layers.map { "layer:\($0.rawValue)" },
                               parent: "epic", blockedBy: blockers))
        }
        let ends = runbook.stages.filter { stage in !runbook.stages.contains { $0.dependsOn.contains(stage.id) } }.map { "stage-\($0.id)" }
        tasks.append(.init(key: "validation", title: "Verification: validate against production, then mark verified",
                           description: "godwit runbook verify \(file)\n" + runbook.acceptance.map { "- \($0)" }.joined(separator: "\n"),
                           priority: 1, labels: ["phase:verification"], parent: "epic", blockedBy: ends))
        tasks.append(.init(key: "rollback", title: "Rollback: undo the completed stages, newest first",
                           description: "godwit runbook rollback \(file)\n" + runbook.stages.reversed().map { "- \($0.name): \(RunbookDocument.rollbackSummary($0))" }.joined(separator: "\n"),
                           priority: 0, labels: ["rollback"], parent: "epic", blockedBy: ["checkpoint"]))
        return TaskList(title: "Runbook: \(runbook.name)", tasks: tasks)
    }
}

/// The issues of a migration plan: an epic per migration, preparation (review, rehearse), a
/// checkpoint, a task per phase (blocked by the phase before), validation, and the rollback.
public enum PlanTasks {
    public static func list(_ plans: [Plan], directory: String) -> TaskList {
        var tasks: [TaskList.Task] = []
        var previousEpic: String?
        for plan in plans {
            let migration = plan.migration
            let epic = "m\(migration.id)"
            tasks.append(.init(key: epic, title: "Migration \(migration.id): \(migration.name)", description: migration.goal ?? "",
                               kind: .epic, priority: 1, labels: ["migration"], blockedBy: previousEpic.map { [$0] } ?? []))
            tasks.append(.init(key: "\(epic)-preparation", title: "\(migration.id) preparation: review the plan and rehearse",
                               description: "godwit plan \(directory)\ngodwit rehearse \(directory)", priority: 1, labels: ["phase:preparation"], parent: epic))
            tasks.append(.init(key: "\(epic)-checkpoint", title: "\(migration.id) checkpoint: confirm before apply",
                               description: "Apply starts only after a person confirms the rehearsal's verdict.", priority: 1,
                               labels: ["phase:preparation", "checkpoint"], parent: epic, blockedBy: ["\(epic)-preparation"]))
            var previous = "\(epic)-checkpoint"
            for phase in Phase.allCases {
                let steps = plan.steps(in: phase)
                guard !steps.isEmpty else { continue }
                let key = "\(epic)-\(phase.rawValue)"
                tasks.append(.init(key: key, title: "\(migration.id) \(phase.rawValue): \(steps.count) step\(steps.count == 1 ? "" : "s")",
                                   description: steps.map { "- \($0.title)" }.joined(separator: "\n"), priority: 2,
                                   labels: ["phase:\(phase.rawValue)"], parent: epic, blockedBy: [previous]))
                previous = key
            }
            tasks.append(.init(key: "\(epic)-validation", title: "\(migration.id) validation: verify against production",
                               description: "godwit verify \(directory)", priority: 1, labels: ["phase:verification"], parent: epic, blockedBy: [previous]))
            let irreversible = plan.steps.filter { !$0.isReversible }.map { "- \($0.title)" }
            tasks.append(.init(key: "\(epic)-rollback", title: "\(migration.id) rollback",
                               description: "godwit rollback \(migration.id)" + (irreversible.isEmpty ? "" : "\nNot undone by rollback:\n" + irreversible.joined(separator: "\n")),
                               priority: 0, labels: ["rollback"], parent: epic, blockedBy: ["\(epic)-checkpoint"]))
            previousEpic = epic
        }
        return TaskList(title: "Migrations of \(directory)", tasks: tasks)
    }
}
