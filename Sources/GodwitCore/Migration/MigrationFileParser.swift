import Foundation
import Yams

/// Reads a YAML migration file into a ``Migration``.
///
/// The format is published as a JSON Schema in `docs/migration.schema.json`. Every error names
/// `file:line:column`, the field (`operations[2].add_column.column.type`) and what was expected;
/// unknown fields are errors, so a typo cannot silently drop part of a migration.
public struct MigrationFileParser: Sendable {
    public init() {}

    static let topLevelFields = [
        "id", "name", "goal", "context", "type", "downtime", "owner", "stakeholders", "notes", "operations",
        "validations", "rollback_triggers", "gates", "checklist", "accept_regressions",
    ]

    /// Parses one file's text.
    /// - Parameters:
    ///   - text: the YAML.
    ///   - file: the path shown in errors.
    ///   - defaultID: the version taken from the file name, used when the file has no `id`.
    public func parse(_ text: String, file: String, defaultID: String? = nil, defaultName: String? = nil) throws -> Migration {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw GodwitError(.invalidMigration, "Invalid migration", location: file, reason: "the file is empty",
                                  remedy: "Write at least `name:` and `operations:`.")
            }
            root = node
        } catch let error as YamlError {
            throw Self.translate(error, file: file)
        }
        let document = try YAMLReader(node: root, field: "", file: file).mapping(
            "a mapping of migration fields (name, goal, operations, …)", allowed: Self.topLevelFields
        )
        let id = try document.optional("id")?.nonEmptyString("the migration's version, such as 20261121_001") ?? defaultID
        guard let id else {
            throw document.owner.error(reason: "missing field 'id': expected the migration's version",
                                       remedy: "Add `id:` or start the file name with the version (001_name.yaml).")
        }
        if let defaultID, let given = document.optional("id"), try given.string("") != defaultID {
            throw given.error(reason: "the id '\(try given.string(""))' differs from the version '\(defaultID)' in the file name",
                              remedy: "Make them equal, or drop `id:` and let the file name give it.")
        }
        let name = try document.optional("name")?.nonEmptyString("a short name for the migration") ?? defaultName
        guard let name else { throw document.owner.error(reason: "missing field 'name': expected a short name for the migration") }
        let operations = try document.required("operations", "a list of operations").list()
        guard !operations.isEmpty else {
            throw try document.required("operations", "").error("at least one operation")
        }
        var migration = Migration(
            id: id,
            name: name,
            goal: try document.optional("goal")?.string("a sentence saying what the migration achieves"),
            context: try document.optional("context")?.string("why the migration is needed"),
            kind: try document.optional("type")?.choice(Migration.Kind.self) ?? .schema,
            downtime: try document.optional("downtime")?.choice(Migration.Downtime.self) ?? .zero,
            owner: try document.optional("owner")?.string("who owns the migration"),
            stakeholders: try document.optional("stakeholders")?.stringList("a list of names") ?? [],
            notes: try document.optional("notes")?.string("free text"),
            operations: try operations.map(OperationReader.read),
            validations: try document.optional("validations")?.list().map(Self.validation) ?? [],
            rollbackTriggers: try document.optional("rollback_triggers")?.list().map(Self.rollbackTrigger) ?? [],
            gates: try document.optional("gates")?.list().map(Self.gate) ?? [],
            checklist: try document.optional("checklist").map(Self.checklist) ?? [],
            source: Migration.Source(path: file, checksum: MigrationChecksum.sha256(Data(text.utf8))),
            operationPositions: operations.map { reader in
                FilePosition(line: reader.node.mark?.line ?? 1, column: reader.node.mark?.column ?? 1)
            },
            suppressions: LintSuppression.scan(text)
        )
        migration.acceptedRegressions = try document.optional("accept_regressions")?.list().map(Self.acceptedRegression) ?? []
        return migration
    }

    /// `accept_regressions: [{query: NAME, reason: TEXT}]`: a baseline query allowed to get slower.
    private static func acceptedRegression(_ reader: YAMLReader) throws -> AcceptedRegression {
        let fields = try reader.mapping("an accepted regression: query, reason", allowed: ["query", "reason"])
        return AcceptedRegression(query: try fields.required("query", "the name of a baseline query").nonEmptyString("the name of a baseline query"),
                                  reason: try fields.required("reason", "why the slower query is acceptable").nonEmptyString("why the slower query is acceptable"))
    }

    /// `checklist: {stakeholders_notified: "…", window_agreed: "…"}`: each item with who, when or where.
    private static func checklist(_ reader: YAMLReader) throws -> [ChecklistAcknowledgment] {
        let fields = try reader.mapping("the checklist items people acknowledge, each with who, when or where",
                                        allowed: ChecklistItem.allCases.map(\.rawValue))
        return try ChecklistItem.allCases.compactMap { item in
            try fields.optional(item.rawValue).map {
                ChecklistAcknowledgment(item: item, note: try $0.nonEmptyString("who acknowledged it, when or where, such as \"alice, #db-changes, 2026-11-19\""))
            }
        }
    }

    private static func validation(_ reader: YAMLReader) throws -> Validation {
        let fields = try reader.mapping("a validation: name, sql, expect", allowed: ["name", "sql", "expect"])
        let expectReader = try fields.required("expect", "the result the query must give: a value, {at_most: N}, {at_least: N} or no_rows")
        let expectation: Validation.Expectation
        switch expectReader.node {
        case .scalar:
            let text = try expectReader.string("a value")
            expectation = text == "no_rows" ? .noRows : .equals(text)
        case .mapping:
            let bound = try expectReader.mapping("{at_most: N} or {at_least: N}", allowed: ["at_most", "at_least", "equals"])
            if let value = bound.optional("at_most") {
                expectation = .atMost(try value.int("a whole number"))
            } else if let value = bound.optional("at_least") {
                expectation = .atLeast(try value.int("a whole number"))
            } else if let value = bound.optional("equals") {
                expectation = .equals(try value.string("a value"))
            } else {
                throw expectReader.error("one of at_most, at_least, equals")
            }
        default:
            throw expectReader.error("a value, {at_most: N}, {at_least: N} or no_rows")
        }
        return Validation(
            name: try fields.required("name", "a name for the check").nonEmptyString("a name for the check"),
            sql: try fields.required("sql", "the SQL query that checks").nonEmptyString("the SQL query that checks"),
            expectation: expectation
        )
    }

    private enum TriggerKind: String, CaseIterable {
        case integrityFailure = "integrity_failure"
        case failedBatches = "failed_batches"
        case latency
        case validation
    }

    private static func rollbackTrigger(_ reader: YAMLReader) throws -> RollbackTrigger {
        // `when`, not `on`: YAML 1.1 readers take a bare `on` for the boolean true.
        let fields = try reader.mapping("a rollback trigger: when, percent, validation, action",
                                        allowed: ["when", "percent", "validation", "action"])
        let kind = try fields.required("when", "what fires the trigger").choice(TriggerKind.self)
        let condition: RollbackTrigger.Condition
        switch kind {
        case .integrityFailure:
            condition = .integrityFailure
        case .failedBatches:
            condition = .failedBatches(percent: try fields.optional("percent")?.double("a percentage") ?? 5)
        case .latency:
            condition = .latency(aboveBaselinePercent: try fields.optional("percent")?.double("a percentage") ?? 50)
        case .validation:
            condition = .validation(try fields.required("validation", "the name of a validation").nonEmptyString("the name of a validation"))
        }
        return RollbackTrigger(condition: condition, action: try fields.optional("action")?.choice(RollbackTrigger.Action.self) ?? .rollback)
    }

    private static func gate(_ reader: YAMLReader) throws -> Gate {
        let fields = try reader.mapping("a gate: before, approval, soak, checks", allowed: ["before", "approval", "soak", "checks"])
        var soak = 0
        if let soakReader = fields.optional("soak") {
            guard let seconds = DurationText.seconds(try soakReader.string("a duration such as 30m, 24h or 2d")) else {
                throw soakReader.error("a duration such as 90s, 30m, 24h or 2d")
            }
            soak = seconds
        }
        return Gate(
            before: try fields.required("before", "the phase the gate stands before").choice(Gate.Phase.self),
            requiresApproval: try fields.optional("approval")?.bool() ?? true,
            soakSeconds: soak,
            checks: try fields.optional("checks")?.stringList("validation names") ?? []
        )
    }

    static func translate(_ error: YamlError, file: String) -> GodwitError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return GodwitError(.invalidMigration, "Invalid migration", location: "\(file):\(mark.line):\(mark.column)",
                               reason: "this is not valid YAML (\(what))", remedy: "Check the indentation and quoting near that place.")
        default:
            return GodwitError(.invalidMigration, "Invalid migration", location: file, reason: "this is not valid YAML")
        }
    }
}

/// `90s`, `30m`, `24h`, `2d` → seconds.
public enum DurationText {
    public static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let unit = trimmed.last, let value = Int(trimmed.dropLast()), value >= 0 else { return Int(trimmed) }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return nil
        }
    }

    /// Seconds written back as a migration file writes them: `7d`, `24h`, `30m`, `90s`.
    public static func text(_ seconds: Double) -> String {
        for (unit, size) in [("d", 86400.0), ("h", 3600.0), ("m", 60.0)] where seconds >= size && seconds.truncatingRemainder(dividingBy: size) == 0 {
            return "\(Int(seconds / size))\(unit)"
        }
        return String(format: "%gs", seconds)
    }

    /// `300ms`, `0.5s`, `10m`, `7d` (or a plain number of seconds) → seconds, fractions kept.
    public static func interval(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            guard let value = Double(trimmed.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            return value * scale
        }
        return Double(trimmed).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil }
    }
}
