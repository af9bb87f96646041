/// Runs the lint rules over a migration and its plan, pins each finding to the operation's
/// place in the file, and applies the author's `# godwit-lint-ignore CODE: reason` comments.
/// A suppression without a reason is itself a finding (GW001).
public struct Linter: Sendable {
    public var rules: [LintRules.Rule]

    public init(rules: [LintRules.Rule] = LintRules.all) {
        self.rules = rules
    }

    /// The findings for one migration, in file order.
    /// - Parameter schemaIsComplete: false when `schema` is not a database's but only what the
    ///   directory's own migrations create (a lint with no database).
    /// - Parameter dataCounts: what the plan's checks find in the live data now (``DataCount``).
    public func lint(_ migration: Migration, plan: Plan, against schema: Schema, schemaIsComplete: Bool = true,
                     dataCounts: [DataCount] = []) -> [LintFinding] {
        let assessment = MigrationAssessment(migration, engine: plan.engine, schema: schema)
        let context = LintRules.Context(migration: migration, plan: plan, assessment: assessment, schema: schema,
                                        schemaIsComplete: schemaIsComplete, dataCounts: dataCounts)
        let file = migration.source?.path ?? migration.id
        var findings: [LintFinding] = []
        var seen = Set<String>()
        for rule in rules {
            for hit in rule.check(context) {
                // The same words at two statements are two findings.
                let key = "\(rule.code)#\(hit.index ?? -1)#\(hit.position.map { "\($0.line):\($0.column)" } ?? "")#\(hit.message)"
                guard seen.insert(key).inserted else { continue }
                let position = hit.position.map { hit.source?.filePosition(of: $0) ?? $0 }
                    ?? hit.index.flatMap { $0 < migration.operationPositions.count ? migration.operationPositions[$0] : nil }
                var finding = LintFinding(code: rule.code, rule: rule.name, severity: hit.severity ?? rule.severity, message: hit.message,
                                          remedy: hit.remedy ?? rule.remedy, file: hit.source?.file ?? file, position: position, operationIndex: hit.index)
                finding.statement = hit.statement
                if let position, let suppression = migration.suppressions.first(where: {
                    $0.code == rule.code && ($0.line == position.line || $0.line == position.line - 1)
                }), !suppression.reason.isEmpty {
                    finding.suppressedBecause = suppression.reason
                }
                findings.append(finding)
            }
        }
        for suppression in migration.suppressions where suppression.reason.isEmpty || suppression.code.isEmpty {
            findings.append(LintFinding(
                code: "GW001", rule: "suppression-needs-reason", severity: .error,
                message: "the comment silences \(suppression.code.isEmpty ? "no code" : suppression.code) without saying why",
                remedy: "Write `# godwit-lint-ignore CODE: the reason`.", file: file,
                position: FilePosition(line: suppression.line, column: 1)
            ))
        }
        return findings.sorted { ($0.position?.line ?? 0, $0.code) < ($1.position?.line ?? 0, $1.code) }
    }
}
