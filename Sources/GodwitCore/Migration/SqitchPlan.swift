import Crypto
public import struct Foundation.Data
import Foundation

/// A sqitch project's `sqitch.plan`, read as sqitch reads it: pragmas (`%project`, `%uri`),
/// changes with their dependencies, planned time, planner and note, and the tags after them.
/// Each change and tag gets sqitch's own id — a SHA-1 over its description, chained to the
/// change before it — so Godwit finds in `sqitch.changes` exactly what sqitch deployed and writes
/// rows sqitch accepts as its own.
public struct SqitchPlan: Hashable, Sendable {
    public var project: String
    public var uri: String?
    public var changes: [Change]

    /// One change of the plan.
    public struct Change: Hashable, Sendable {
        public var name: String
        public var requires: [String]
        public var conflicts: [String]
        /// As written: `2024-01-01T12:00:00Z`.
        public var plannedAt: String
        public var plannerName: String
        public var plannerEmail: String
        public var note: String
        public var tags: [Tag]
        /// sqitch's change id (hex SHA-1).
        public var id: String
        /// For a change planned again later (reworked): the tag its scripts are named after
        /// (`deploy/<name>@<tag>.sql`).
        public var reworkTag: String?
        /// The line of the plan it is on.
        public var line: Int

        public init(name: String, requires: [String], conflicts: [String], plannedAt: String, plannerName: String, plannerEmail: String,
                    note: String, tags: [Tag], id: String, reworkTag: String?, line: Int) {
            self.name = name
            self.requires = requires
            self.conflicts = conflicts
            self.plannedAt = plannedAt
            self.plannerName = plannerName
            self.plannerEmail = plannerEmail
            self.note = note
            self.tags = tags
            self.id = id
            self.reworkTag = reworkTag
            self.line = line
        }
    }

    /// A tag on the change before it.
    public struct Tag: Hashable, Sendable {
        /// Without the `@`.
        public var name: String
        public var plannedAt: String
        public var plannerName: String
        public var plannerEmail: String
        public var note: String
        public var id: String
    }

    /// Parses the plan's text.
    /// - Throws: ``GodwitError`` at the plan's line when a change or tag line lacks its planned
    ///   time or planner.
    public static func parse(_ text: String, file: String) throws -> SqitchPlan {
        var plan = SqitchPlan(project: "", uri: nil, changes: [])
        var indexOfName: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw).trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            guard let first = line.first, first != "#" else { continue }
            var note = ""
            if let hash = line.firstIndex(of: "#") {
                note = Self.unescaped(String(line[line.index(after: hash)...]).trimmingCharacters(in: .whitespaces))
                line = String(line[..<hash]).trimmingCharacters(in: .whitespaces)
            }
            if first == "%" {
                let pragma = line.dropFirst().split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pragma.count == 2, pragma[0] == "project" { plan.project = pragma[1] }
                if pragma.count == 2, pragma[0] == "uri" { plan.uri = pragma[1] }
                continue
            }
            guard let planned = line.range(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"#, options: .regularExpression),
                  let open = line.range(of: "<", range: planned.upperBound..<line.endIndex),
                  let close = line.range(of: ">", range: open.upperBound..<line.endIndex) else {
                throw GodwitError(.invalidMigration, "A sqitch.plan line lacks its planned time or planner", location: "\(file):\(offset + 1):1",
                                  reason: "sqitch writes `name [dependencies] 2024-01-01T12:00:00Z Name <email> # note`",
                                  remedy: "Fix the line as `sqitch add` would have written it.")
            }
            let head = line[..<planned.lowerBound].trimmingCharacters(in: .whitespaces)
            let plannerName = line[planned.upperBound..<open.lowerBound].trimmingCharacters(in: .whitespaces)
            let plannerEmail = String(line[open.upperBound..<close.lowerBound])
            if first == "@" {
                guard !plan.changes.isEmpty else { continue }
                var tag = Tag(name: String(head.dropFirst()), plannedAt: String(line[planned]), plannerName: plannerName,
                              plannerEmail: plannerEmail, note: note, id: "")
                tag.id = Self.sha1(kind: "tag", Self.lines(project: plan.project, uri: plan.uri, ["tag @\(tag.name)", "change \(plan.changes[plan.changes.count - 1].id)",
                                   "planner \(plannerName) <\(plannerEmail)>", "date \(tag.plannedAt)"], note: note))
                plan.changes[plan.changes.count - 1].tags.append(tag)
                continue
            }
            var name = head
            var dependencies: [String] = []
            if let bracket = head.firstIndex(of: "["), let end = head.lastIndex(of: "]") {
                name = head[..<bracket].trimmingCharacters(in: .whitespaces)
                dependencies = head[head.index(after: bracket)..<end].split(whereSeparator: \.isWhitespace).map(String.init)
            }
            if name.hasPrefix("+") { name = name.dropFirst().trimmingCharacters(in: .whitespaces) }
            let requires = dependencies.filter { !$0.hasPrefix("!") }
            let conflicts = dependencies.filter { $0.hasPrefix("!") }.map { String($0.dropFirst()) }
            var body = ["change \(name)"]
            if let parent = plan.changes.last { body.append("parent \(parent.id)") }
            body += ["planner \(plannerName) <\(plannerEmail)>", "date \(String(line[planned]))"]
            if !requires.isEmpty { body.append("requires\n  + " + requires.joined(separator: "\n  + ")) }
            if !conflicts.isEmpty { body.append("conflicts\n  - " + conflicts.joined(separator: "\n  - ")) }
            let change = Change(name: name, requires: requires, conflicts: conflicts, plannedAt: String(line[planned]), plannerName: plannerName,
                                plannerEmail: plannerEmail, note: note, tags: [],
                                id: Self.sha1(kind: "change", Self.lines(project: plan.project, uri: plan.uri, body, note: note)),
                                reworkTag: nil, line: offset + 1)
            if let earlier = indexOfName[name] { plan.markReworked(earlier) }
            indexOfName[name] = plan.changes.count
            plan.changes.append(change)
        }
        return plan
    }

    /// The change at `index` is planned again: its scripts carry the first tag after it.
    private mutating func markReworked(_ index: Int) {
        changes[index].reworkTag = changes[index...].lazy.flatMap(\.tags).first?.name
    }

    /// The id of the change named `name` last planned before `index`, for a dependency.
    public func id(ofChange name: String, before index: Int) -> String? {
        changes[..<index].last { $0.name == name }?.id
    }

    private static func lines(project: String, uri: String?, _ body: [String], note: String) -> String {
        var lines = ["project \(project)"]
        if let uri { lines.append("uri \(uri)") }
        lines += body
        if !note.isEmpty { lines += ["", note] }
        return lines.joined(separator: "\n")
    }

    private static func sha1(kind: String, _ content: String) -> String {
        let bytes = Data(content.utf8)
        let digest = Insecure.SHA1.hash(data: Data("\(kind) \(bytes.count)\0".utf8) + bytes)
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    private static func unescaped(_ note: String) -> String {
        var result = ""
        var escaping = false
        for character in note {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "\\": result.append("\\")
                default: result.append("\\"); result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// SHA-1 of a deploy script's bytes: sqitch's `script_hash`.
    public static func scriptHash(_ data: Data) -> String {
        Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
