import Foundation

/// Writes a plan as the Markdown document users read before they let Godwit touch production:
/// the sections of the migration plan template and the migration-planning guide, each filled from facts — the migration, the live
/// schema, its statistics and the classification.
public struct PlanMarkdownRenderer: Sendable {
    /// A safe description of the database (a redacted URL).
    public var source: String

    public init(source: String) { self.source = source }

    /// - Parameter measured: what the latest rehearsal of this file on this database measured;
    ///   step times then come from it instead of estimates.
    /// - Parameter dataCounts: what the plan's checks find in the live data now; each is a row of
    ///   the risk table and stops the plan from being called ready.
    public func render(_ plan: Plan, against schema: Schema, measured: RehearsalMeasurement? = nil, dataCounts: [DataCount] = []) -> String {
        let assessment = MigrationAssessment(plan.migration, engine: plan.engine, schema: schema)
        let decision = StrategySelector.decide(plan.migration, assessment)
        let migration = plan.migration
        let gates = MigrationGates.gates(of: plan, before: schema)
        var out: [String] = []
        out.append("# Migration Plan: \(migration.name)")
        out.append("")
        out += overview(plan)
        out += classification(plan, assessment, measured: measured)
        out += schemaChanges(plan, schema: schema, assessment: assessment)
        out += breakingChanges(assessment)
        out += strategy(decision)
        out += phases(plan, gates: gates)
        out += gatesSection(plan, gates: gates)
        out += sequence(plan, measured: measured)
        out += dataSection(plan, dataCounts)
        out += validations(plan)
        out += risks(assessment)
        out += rollback(plan)
        out += runbook(plan, gates: gates)
        out += tasks(plan, gates: gates)
        out += acceptance(plan)
        return out.joined(separator: "\n") + "\n"
    }

    private func overview(_ plan: Plan) -> [String] {
        let migration = plan.migration
        var rows = [("Migration", "`\(migration.id)` \(migration.name)")]
        if let source = migration.source {
            rows.append(("File", "`\(source.path)` (sha256 `\(source.checksum.prefix(12))…`)"))
        }
        rows.append(("Database", "\(plan.engine) — `\(source)`"))
        if let goal = migration.goal { rows.append(("Goal", goal)) }
        if let context = migration.context { rows.append(("Context", context)) }
        rows.append(("Type", migration.kind.rawValue))
        rows.append(("Downtime allowed", migration.downtime.rawValue))
        if let owner = migration.owner { rows.append(("Owner", owner)) }
        if !migration.stakeholders.isEmpty { rows.append(("Stakeholders", migration.stakeholders.joined(separator: ", "))) }
        if let notes = migration.notes { rows.append(("Notes", notes)) }
        return ["## Overview", "", "| | |", "|---|---|"] + rows.map { "| **\($0.0)** | \(cell($0.1)) |" } + [""]
    }

    private func classification(_ plan: Plan, _ assessment: MigrationAssessment, measured: RehearsalMeasurement?) -> [String] {
        var out = ["## Change Classification", "", "| Attribute | Value |", "|---|---|"]
        out.append("| **Change Type** | \(assessment.level.rawValue) |")
        out.append("| **Risk Level** | \(assessment.risk.rawValue) |")
        out.append("| **Zero-Downtime Required** | \(plan.migration.downtime == .zero ? "yes" : "no") |")
        out.append("| **Zero-Downtime Possible** | \(assessment.isZeroDowntimePossible ? "yes" : "no") |")
        if let measured {
            out.append("| **Estimated Migration Time** | \(DurationFormat.bucket(measured.totalSeconds)) (\(DurationFormat.text(measured.totalSeconds)) measured on a rehearsal on \(measured.day); estimated from table sizes: \(DurationFormat.text(assessment.estimatedSeconds))) |")
        } else {
            out.append("| **Estimated Migration Time** | \(DurationFormat.bucket(assessment.estimatedSeconds)) (about \(DurationFormat.text(assessment.estimatedSeconds)), estimated from table sizes) |")
        }
        out.append("")
        out.append("Locks below are those each operation would take as plain DDL; the steps in Migration Sequence use the online technique where one exists, with their own locks.")
        out.append("")
        out.append("| # | Operation | Kind | Lock | Held for | In transaction | Rows | Risk | Estimate |")
        out.append("|---:|---|---|---|---|---|---:|---|---:|")
        for (index, item) in assessment.items.enumerated() {
            let c = item.classification
            out.append("| \(index) | \(cell(OperationText.describe(item.operation))) | \(c.kind.rawValue) | \(c.lock.sqlName) | \(c.duration.rawValue) | \(c.isTransactional ? "yes" : "no") | \(c.rowsAffected.map { QuantityFormat.count($0) } ?? "—") | \(c.risk.rawValue) | \(DurationFormat.text(item.estimatedSeconds)) |")
        }
        out.append("")
        out.append("**Rationale**:")
        for (index, item) in assessment.items.enumerated() {
            out.append("- \(index): " + item.classification.reasons.joined(separator: " "))
        }
        out.append("")
        return out
    }

    private func schemaChanges(_ plan: Plan, schema: Schema, assessment: MigrationAssessment) -> [String] {
        var out = ["## Schema Changes", "", "### New Tables", ""]
        let created = plan.migration.effectiveOperations.compactMap { operation -> Table? in
            if case .createTable(let table) = operation { return plan.target.table(named: SchemaTransformer().resolve(table.name, in: plan.target) ?? table.name) ?? table }
            return nil
        }
        if created.isEmpty { out += ["*No new tables required*", ""] }
        for table in created {
            out += ["#### Table: `\(table.name)`", "", "| Column | Type | Constraints |", "|---|---|---|"]
            for column in table.columns {
                var constraints: [String] = []
                if table.isPrimaryKeyColumn(column.name) { constraints.append("PK") }
                if !column.isNullable { constraints.append("NOT NULL") }
                if let value = column.defaultExpression { constraints.append("DEFAULT \(value)") }
                out.append("| `\(column.name)` | \(cell(column.type)) | \(cell(constraints.joined(separator: ", "))) |")
            }
            let relations = table.foreignKeys.map { "- `\($0.columns.joined(separator: ", "))` FK -> `\($0.referencedTable)`(\($0.referencedColumns.joined(separator: ", "))) (ON DELETE \($0.onDelete.sql))" }
            if !relations.isEmpty { out += ["", "**Relationships**:"] + relations }
            let indexes = table.indexes.map { index in
                "- `\(index.name)`\(index.isUnique ? " (unique)" : ""): \(index.elements.map(\.expression).joined(separator: ", "))"
            }
            if !indexes.isEmpty { out += ["", "**Indexes**:"] + indexes }
            out.append("")
        }
        out += ["### Modified Tables", ""]
        // A table the migration creates is described whole above, its indexes with it.
        let createdNames = Set(created.map(\.name))
        var byTable: [(QualifiedName, [String])] = []
        for item in assessment.items {
            let breaking = item.classification.kind == .additive ? "No" : "Yes"
            // Hand-written SQL shows the changes its run on a scratch copy found.
            let operations = item.operation.effect.map(\.operations) ?? [item.operation]
            for operation in operations {
                guard let name = operation.table, !createdNames.contains(name),
                      let rows = modificationRows(operation, breaking: breaking, schema: schema) else { continue }
                if let index = byTable.firstIndex(where: { $0.0 == name }) { byTable[index].1 += rows } else { byTable.append((name, rows)) }
            }
        }
        if byTable.isEmpty { out += ["*No table modifications required*", ""] }
        for (name, rows) in byTable {
            out += ["#### Table: `\(name)`", "", "| Change | Column | From | To | Breaking |", "|---|---|---|---|---|"] + rows + [""]
        }
        return out
    }

    private func modificationRows(_ operation: Operation, breaking: String, schema: Schema) -> [String]? {
        let live = operation.table.flatMap { SchemaTransformer().resolve($0, in: schema) }.flatMap { schema.table(named: $0) }
        switch operation {
        case .addColumn(let change):
            var spec = change.column.type + (change.column.isNullable ? "" : " NOT NULL")
            if let value = change.column.defaultExpression { spec += " DEFAULT \(value)" }
            return ["| ADD | `\(change.column.name)` | - | `\(spec)` | \(breaking) |"]
        case .dropColumn(_, let column):
            return ["| DROP | `\(column)` | `\(live?.column(named: column)?.type ?? "?")` | - | \(breaking) |"]
        case .renameColumn(_, let from, let to):
            return ["| RENAME | `\(from)` | - | `\(to)` | \(breaking) |"]
        case .alterColumn(let change):
            let column = live?.column(named: change.column)
            var rows: [String] = []
            if let type = change.type { rows.append("| MODIFY | `\(change.column)` | `\(column?.type ?? "?")` | `\(type)` | \(breaking) |") }
            if let nullable = change.isNullable {
                rows.append("| MODIFY | `\(change.column)` | \(column?.isNullable == false ? "NOT NULL" : "NULL") | \(nullable ? "NULL" : "NOT NULL") | \(breaking) |")
            }
            if let value = change.defaultChange {
                let to: String = switch value { case .set(let expression): "DEFAULT \(expression)"; case .drop: "no default" }
                rows.append("| MODIFY | `\(change.column)` | \(column?.defaultExpression.map { "DEFAULT \(cell($0))" } ?? "no default") | \(cell(to)) | \(breaking) |")
            }
            if let check = change.check { rows.append("| ADD CHECK | `\(change.column)` | - | \(cell(check.expression)) | \(breaking) |") }
            if change.isUnique == true { rows.append("| ADD UNIQUE | `\(change.column)` | - | UNIQUE | \(breaking) |") }
            if let key = change.references { rows.append("| ADD FK | `\(change.column)` | - | → `\(key.referencedTable)` | \(breaking) |") }
            return rows
        case .createIndex(_, let index):
            return ["| ADD INDEX | \(index.elements.map { "`\($0.expression)`" }.joined(separator: ", ")) | - | `\(index.name)` | \(breaking) |"]
        case .dropIndex(_, let name):
            return ["| DROP INDEX | - | `\(name)` | - | \(breaking) |"]
        case .addConstraint(_, let constraint):
            return ["| ADD CONSTRAINT | - | - | `\(constraint.name ?? "unnamed")` | \(breaking) |"]
        case .dropConstraint(_, let name):
            return ["| DROP CONSTRAINT | - | `\(name)` | - | \(breaking) |"]
        case .renameTable(let name, let to):
            return ["| RENAME TABLE | - | `\(name)` | `\(to)` | \(breaking) |"]
        case .dropTable(let name):
            return ["| DROP TABLE | - | `\(name)` | - | \(breaking) |"]
        case .updateRows(let update):
            return ["| UPDATE ROWS | \(cell(SQLText.assignedColumns(update.set).map { "`\($0)`" }.joined(separator: ", "))) | - | \(cell(update.set)) | \(breaking) |"]
        case .createTable, .rawSQL:
            return nil
        }
    }

    private func breakingChanges(_ assessment: MigrationAssessment) -> [String] {
        let breaking = assessment.items.filter { $0.classification.kind != .additive }
        guard !breaking.isEmpty else {
            return ["## Breaking Change Analysis", "", "### No Breaking Changes", "",
                    "All changes are **additive** and backward compatible: old application code keeps working.", ""]
        }
        var out = ["## Breaking Change Analysis", "", "### Breaking Changes Detected", "",
                   "| Change | Impact | Risk | Migration Strategy |", "|---|---|---|---|"]
        for item in breaking {
            let c = item.classification
            out.append("| \(cell(OperationText.describe(item.operation))) | \(cell(c.reasons.first ?? "")) | \(c.risk.rawValue) | \(cell(c.technique ?? (c.isZeroDowntimePossible ? "expand-contract" : "needs downtime"))) |")
        }
        out.append("")
        return out
    }

    private func strategy(_ decision: StrategyDecision) -> [String] {
        var out = ["## Strategy (ADR)", "", "**Status**: proposed", "", "**Context**:"]
        out += decision.facts.map { "- \($0)" }
        out += ["", "**Decision**: \(decision.strategy.title).", "", "**Decision criteria that applied** (the migration-planning guide):"]
        out += decision.criteria.map { "- \($0)" }
        out += ["", "**Alternatives considered**:"] + decision.alternatives.map { "- \($0)" }
        out += ["", "**Consequences**:"] + decision.consequences.map { "- \($0)" } + [""]
        return out
    }

    private func phases(_ plan: Plan, gates: [Gate]) -> [String] {
        var out = ["## Phases", "", "```mermaid", "flowchart LR"]
        var previous: String?
        for phase in Phase.allCases {
            let count = plan.steps(in: phase).count
            if let gate = gates.first(where: { $0.before.rawValue == phase.rawValue }) {
                out.append("    gate_\(phase.rawValue){{\"gate: \(gate.summary)\"}}")
                if let previous { out.append("    \(previous) --> gate_\(phase.rawValue)") }
                previous = "gate_\(phase.rawValue)"
            }
            out.append("    \(phase.rawValue)[\"\(phase.rawValue): \(count) step\(count == 1 ? "" : "s")\"]")
            if let previous { out.append("    \(previous) --> \(phase.rawValue)") }
            previous = phase.rawValue
        }
        out += ["```", ""]
        return out
    }

    /// The gates `apply` stops at, computed as it computes them.
    private func gatesSection(_ plan: Plan, gates: [Gate]) -> [String] {
        var out = ["## Gates", ""]
        if gates.isEmpty {
            let reason = plan.migration.downtime == .zero
                ? "no contract step breaks old code or destroys data, and the file declares none"
                : "the file declares none (under `downtime: \(plan.migration.downtime.rawValue)` the steps run in one window)"
            return out + ["`apply` runs every phase without stopping: \(reason).", ""]
        }
        for gate in gates {
            let implied = !plan.migration.gates.contains(gate)
            out.append("- Before **\(gate.before.rawValue)**: \(gate.summary)"
                + (implied ? " — added by Godwit: under `downtime: zero` a contract that breaks old code or destroys data waits until someone says the old code is gone" : ""))
        }
        return out + ["", "`apply` stops there and exits 0; `godwit approve \(plan.migration.id)` (or `apply --yes`) passes an approval.", ""]
    }

    private func sequence(_ plan: Plan, measured: RehearsalMeasurement?) -> [String] {
        var out = ["## Migration Sequence", ""]
        for (number, step) in plan.steps.enumerated() {
            out.append("### Step \(number + 1) (\(step.phase.rawValue)): \(step.title)")
            out.append("")
            let time = measured?.describe(number + 1) ?? "about \(DurationFormat.text(step.estimatedSeconds))"
            out.append("Lock \(step.lock.sqlName), held for \(step.duration.rawValue); \(step.isTransactional ? "in one transaction" : "outside a transaction"); \(time).")
            if let backfill = step.backfill {
                out.append("Runs in batches of \(backfill.batchSize) rows by \(backfill.keyColumns.joined(separator: ", ")).")
            }
            out += ["", "Upgrade:", "", "```sql"] + PlanScripts.runnable(step, step.forward) + ["```", ""]
            if let reverse = step.reverse {
                out += ["Downgrade:", "", "```sql"] + (reverse.isEmpty ? ["-- nothing to undo"] : PlanScripts.runnable(step, reverse)) + ["```", ""]
            } else {
                out += ["Downgrade: none — this step is past the point of no return.", ""]
            }
            if !step.checks.isEmpty {
                out += ["Checks (each must return 0):", ""] + step.checks.map { "- \($0.isPrecondition ? "(before the step) " : "")\($0.name): `\($0.sql)`" } + [""]
            }
        }
        return out
    }

    /// The live data the steps would stop on, counted before anything runs.
    private func dataSection(_ plan: Plan, _ counts: [DataCount]) -> [String] {
        guard !counts.isEmpty else { return [] }
        var out = ["## Data the Plan Meets", "",
                   "Counted in the live database before anything runs, with the checks the steps themselves run: exactly up to a bound (rows and time), from a sample of a bigger table, and marked when not counted (past the bound, or rows an earlier pending migration writes first). Rows found must be fixed first, or the run stops at that step.", "",
                   "| Step | Check | Rows now | Fix |", "|---|---|---:|---|"]
        for count in counts {
            out.append("| \(count.step + 1). \(cell(count.stepTitle)) | \(cell(count.check)) | \(cell(count.rowsText)) | \(cell(Self.fixCell(count))) |")
        }
        return out + [""]
    }

    private static func fixCell(_ count: DataCount) -> String {
        switch count.basis {
        case .notCounted: return "count it outside busy hours, or rehearse: the rehearsal runs the check on a copy"
        case .afterEarlierMigration(let writer): return "rehearse: the rehearsal runs \(writer) on a copy, then this check"
        case .sampled where count.rows == 0: return "none in the sample; rows outside it may still fail (rehearse to be sure)"
        default: return count.fix ?? "an `update_rows` before this operation, or a change the rows fit"
        }
    }

    private func validations(_ plan: Plan) -> [String] {
        var out = ["## Data Validation Queries", "", "```sql"]
        let tables = Set(plan.migration.operations.compactMap(\.table))
        out.append("-- Before and after: row counts of the tables the migration touches")
        for table in tables.sorted() where plan.target.table(named: SchemaTransformer().resolve(table, in: plan.target) ?? table) != nil {
            let quoter = plan.engine.quoter
            out.append("SELECT count(*) FROM \(quoter.quote(SchemaTransformer().resolve(table, in: plan.target) ?? table));")
        }
        for step in plan.steps { for check in step.checks { out += ["-- \(check.name): expect 0", check.sql + ";"] } }
        for validation in plan.migration.validations {
            out += ["-- \(validation.name): expect \(validation.expected)", validation.sql + ";"]
        }
        out += ["```", ""]
        return out
    }

    private func risks(_ assessment: MigrationAssessment) -> [String] {
        var out = ["## Risk Assessment", "", "| Risk | Likelihood | Impact | Mitigation |", "|---|---|---|---|"]
        for item in assessment.items where item.classification.risk != .low || item.classification.kind != .additive {
            let c = item.classification
            let impact = c.kind == .destructive ? "High" : (c.lock.blocksWrites && c.duration != .instant ? "High" : "Medium")
            let likelihood = c.risk == .high ? "High" : (c.risk == .medium ? "Med" : "Low")
            out.append("| \(cell(OperationText.describe(item.operation))): \(cell(c.reasons.first ?? "")) | \(likelihood) | \(impact) | \(cell(c.technique ?? "rehearse on a clone; gate before contract")) |")
        }
        if out.count == 4 { out.append("| No operation carries more than a low risk | Low | Low | Rehearse on a clone before applying |") }
        out.append("")
        return out
    }

    private func rollback(_ plan: Plan) -> [String] {
        var out = ["## Rollback Plan", "", "**Triggers**:"]
        for trigger in RollbackTrigger.documented(for: plan.migration) {
            out.append("- When \(trigger.condition.summary): \(trigger.action == .rollback ? "roll back automatically" : "pause and wait for an operator").")
        }
        out += ["", "**Steps** (last step first):"]
        for (number, step) in plan.steps.enumerated().reversed() where step.reverse != nil {
            out.append("- Undo step \(number + 1): \(step.title)")
        }
        let pointOfNoReturn = plan.steps.firstIndex { $0.reverse == nil }
        let lossyDowns = plan.migration.operations.compactMap(\.effect).filter { !$0.reversal.restoresSchema }
        // Hand-written SQL that destroys data is planned in contract: its down brings back
        // structure, never the rows or values it removed.
        let destructiveSQL = plan.steps.firstIndex { step in
            step.phase == .contract && step.operationIndex.map { plan.migration.operations[$0].kind == .sql } == true
        }
        var verdict: String
        if let index = destructiveSQL, pointOfNoReturn.map({ $0 >= index }) ?? true {
            let effect = plan.steps[index].operationIndex.flatMap { plan.migration.operations[$0].effect }
            verdict = "step \(index + 1) (\(plan.steps[index].title)): it destroys data, and its down gives back the structure at most"
                + (effect.map { " (\($0.reversal.summary))." } ?? ".")
        } else if let index = pointOfNoReturn {
            let step = plan.steps[index]
            verdict = step.phase == .cleanup
                ? "step \(index + 1) (\(step.title)), in cleanup. Until then every step can be undone, contract included."
                : "step \(index + 1) (\(step.title)): it has no down, so nothing undoes it."
        } else if let lossy = lossyDowns.first {
            verdict = "the first step: its down does not give the schema back (\(lossy.reversal.summary))."
        } else {
            verdict = "none: every step can be undone."
        }
        out += ["", "**Point of no return**: " + verdict, ""]
        for effect in plan.migration.operations.compactMap(\.effect) {
            if let generated = effect.generatedDown {
                out += ["**Down generated by Godwit — review it**: the file's tool writes no down, so Godwit wrote one "
                    + "from what the file does on a scratch copy of the schema:", "", "```sql", generated.sql.isEmpty ? "-- nothing to undo" : generated.sql, "```", ""]
                if !generated.losses.isEmpty {
                    out += ["Undoing with it loses data: " + generated.losses.joined(separator: "; ") + ".", ""]
                }
            }
            out += ["**Down, tried on a scratch copy of the schema**: \(effect.reversal.summary).", ""]
            if !effect.skippedDataStatements.isEmpty {
                out += ["Data statements that need rows the empty copy lacks (not tried there): \(effect.skippedDataStatements.joined(separator: ", ")).", ""]
            }
        }
        return out
    }

    private func runbook(_ plan: Plan, gates: [Gate]) -> [String] {
        var out = ["## Runbook", "", "### Pre-flight checklist", "",
                   "`godwit apply` evaluates it and records it in the audit log before it touches the database; "
                   + "`--require-checklist` makes an open item stop it.", "",
                   "- [ ] Backups verified and restorable: `godwit backup` (checked by Godwit: one within 24 h)",
                   "- [ ] Rollback procedure tested: `godwit rehearse` (checked by Godwit: apply refuses an unrehearsed file)",
                   "- [ ] No other runner and enough free space (checked by Godwit)"]
        for item in ChecklistItem.allCases {
            if let acknowledged = plan.migration.checklist.first(where: { $0.item == item }) {
                out.append("- [x] \(item.wording): \(acknowledged.note)")
            } else {
                out.append("- [ ] \(item.wording): acknowledge under `checklist:` as `\(item.rawValue): who, when or where`")
            }
        }
        var commands = ["", "```bash",
                        "godwit plan migrations --db \"$DATABASE_URL\"              # this document",
                        "godwit rehearse migrations --db \"$DATABASE_URL\"          # clone, apply, verify, roll back, prove identical"]
        let stops = gates.filter { gate in plan.steps.contains { $0.phase.rawValue == gate.before.rawValue } }
        if let first = stops.first {
            commands.append("godwit apply migrations --db \"$DATABASE_URL\"             # runs until the gate before \(first.before.rawValue)")
            for gate in stops {
                commands.append("godwit verify --db \"$DATABASE_URL\"                       # integrity report")
                if gate.requiresApproval {
                    commands.append("godwit approve \(plan.migration.id) --db \"$DATABASE_URL\"  # pass the gate before \(gate.before.rawValue)")
                }
                commands.append("godwit apply migrations --db \"$DATABASE_URL\"             # \(gate.before.rawValue) onwards (cleanup after the retention window)")
            }
        } else {
            commands += ["godwit apply migrations --db \"$DATABASE_URL\"             # every phase (cleanup after the retention window)",
                         "godwit verify --db \"$DATABASE_URL\"                       # integrity report"]
        }
        commands += ["godwit rollback \(plan.migration.id) --db \"$DATABASE_URL\" # at any point before cleanup", "```", ""]
        return out + commands
    }

    private func tasks(_ plan: Plan, gates: [Gate]) -> [String] {
        var out = ["## Generated Tasks", ""]
        var number = 1
        for phase in Phase.allCases where !plan.steps(in: phase).isEmpty {
            if let gate = gates.first(where: { $0.before.rawValue == phase.rawValue }) {
                out.append("### T\(String(format: "%03d", number)): [GATE] Before \(phase.rawValue) — \(plan.migration.name)")
                if gate.soakSeconds > 0 { out.append("- [ ] Soak of \(DurationText.text(Double(gate.soakSeconds))) passed") }
                out += gate.checks.map { "- [ ] Check '\($0)' passes" }
                if gate.requiresApproval { out += ["- [ ] Old application version retired", "- [ ] `godwit approve \(plan.migration.id)`"] }
                out.append("")
                number += 1
            }
            out.append("### T\(String(format: "%03d", number)): [MIGRATION] \(phase.rawValue.capitalized) — \(plan.migration.name)")
            out += plan.steps(in: phase).map { "- [ ] \($0.title)" }
            if phase == .verify || phase == .backfill { out.append("- [ ] Checks pass (see Data Validation Queries)") }
            out.append("")
            number += 1
        }
        out += ["### T\(String(format: "%03d", number)): [ROLLBACK] Roll back — \(plan.migration.name)", "- [ ] Rollback rehearsed on a clone", "- [ ] `godwit rollback \(plan.migration.id)` ready with its triggers", ""]
        return out
    }

    private func acceptance(_ plan: Plan) -> [String] {
        var out = ["## Acceptance Criteria", "", "- [ ] All steps applied; the live schema equals the plan's target",
                   "- [ ] Row counts and checksums match before and after (no data loss)",
                   "- [ ] Every step check returned 0"]
        out += plan.migration.validations.map { "- [ ] Validation passes: \($0.name)" }
        out += ["- [ ] Rollback rehearsed and returned the database to identical", ""]
        return out
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

/// One-line descriptions of operations for plan documents.
public enum OperationText {
    public static func describe(_ operation: Operation) -> String {
        switch operation {
        case .createTable(let table): "create table \(table.name)"
        case .dropTable(let name): "drop table \(name)"
        case .renameTable(let name, let to): "rename table \(name) to \(to)"
        case .addColumn(let change): "add column \(change.table).\(change.column.name) \(change.column.type)"
        case .dropColumn(let table, let column): "drop column \(table).\(column)"
        case .renameColumn(let table, let from, let to): "rename column \(table).\(from) to \(to)"
        case .alterColumn(let change): "alter column \(change.table).\(change.column)"
        case .createIndex(let table, let index): "create index \(index.name) on \(table)"
        case .dropIndex(let table, let name): "drop index \(name) on \(table)"
        case .addConstraint(let table, let constraint): "add constraint \(constraint.name ?? "") on \(table)"
        case .dropConstraint(let table, let name): "drop constraint \(name) on \(table)"
        case .updateRows(let update): "update \(update.table) set \(update.set)"
        case .rawSQL: "raw SQL"
        }
    }
}
