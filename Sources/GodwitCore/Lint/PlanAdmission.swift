/// What `apply` and `rehearse` refuse before a migration touches the database: the lint errors
/// of its plan that no `godwit-lint-ignore CODE: reason` comment accepts. Lint, rehearse and apply
/// therefore agree by construction: a plan lint rejects (an offline step under `downtime: zero`,
/// data destroyed before the gate, …) never runs, and the refusal names each finding.
public enum PlanAdmission {
    /// The findings that stop the migration: errors nobody accepted in the file.
    public static func blocking(_ migration: Migration, plan: Plan, against schema: Schema) -> [LintFinding] {
        Linter().lint(migration, plan: plan, against: schema).filter { $0.severity == .error && $0.suppressedBecause == nil }
    }

    /// Throws when the plan has blocking findings.
    /// - Throws: ``GodwitError`` (`invalid-migration`) listing them, located at the first one.
    public static func check(_ migration: Migration, plan: Plan, against schema: Schema) throws {
        let findings = blocking(migration, plan: plan, against: schema)
        guard let first = findings.first else { return }
        throw GodwitError(
            .invalidMigration, "Migration \(migration.id) breaks what its plan may do: \(findings.count) lint \(findings.count == 1 ? "error" : "errors")",
            location: first.location,
            reason: findings.map { "\($0.code) \($0.rule) at \($0.location): \($0.message)" }.joined(separator: "\n"),
            remedy: "Change the migration as each finding's remedy says (godwit lint shows them), or accept one where you know better"
                + " with a comment on the line above it: `# godwit-lint-ignore CODE: the reason` in YAML, `-- godwit-lint-ignore CODE: the reason` in SQL."
        )
    }
}
