import Foundation
import GodwitCore
import GodwitTesting
import Testing

/// Golden files live beside this test; `GODWIT_UPDATE_GOLDEN=1 swift test` rewrites them.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ actual: String, against name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["GODWIT_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "differs from Golden/\(name); rerun with GODWIT_UPDATE_GOLDEN=1 and review the diff", sourceLocation: sourceLocation)
    }
}

@Suite("Classification")
struct ClassificationGoldenTests {
    /// The complete example plus the variants whose verdicts differ.
    static let variants = """
        name: variants
        operations:
          - add_column: {table: users, column: {name: token, type: uuid, default: gen_random_uuid()}}
          - add_column: {table: users, column: {name: tier, type: text, nullable: false}}
          - add_column: {table: users, column: {name: joined, type: timestamp, default: CURRENT_TIMESTAMP}}
          - add_column: {table: users, column: {name: total, type: numeric, generated: balance * 2}}
          - alter_column: {table: users, column: name, type: varchar(100)}
          - alter_column: {table: users, column: name, type: text}
          - alter_column: {table: users, column: balance, type: "numeric(14,2)"}
          - alter_column: {table: users, column: balance, type: "numeric(10,4)"}
          - alter_column: {table: users, column: email, nullable: true}
          - update_rows: {table: users, set: "email = lower(email)"}
          - add_constraint: {table: teams, name: teams_pk, primary_key: [id]}
        """

    static func render(_ assessment: MigrationAssessment, engine: Engine) -> String {
        var lines = ["# \(engine): \(assessment.level.rawValue), risk \(assessment.risk.rawValue), about \(String(format: "%.1f", assessment.estimatedSeconds)) s, zero downtime \(assessment.isZeroDowntimePossible ? "possible" : "not possible")"]
        for item in assessment.items {
            let c = item.classification
            var line = "\(item.operation.kind.rawValue) \(item.operation.table?.description ?? "-"): \(c.kind.rawValue) | \(c.lock.sqlName) | \(c.duration.rawValue)"
            line += " | \(c.isTransactional ? "in transaction" : "outside transaction") | \(c.isZeroDowntimePossible ? "online" : "offline") | risk \(c.risk.rawValue)"
            if let rows = c.rowsAffected { line += " | \(rows) rows" }
            line += " | \(String(format: "%.2f", item.estimatedSeconds)) s"
            lines.append(line)
            if let technique = c.technique { lines.append("    technique: \(technique)") }
            lines.append(contentsOf: c.reasons.map { "    - \($0)" })
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("Every operation on both engines classifies as the golden file says", arguments: Engine.allCases)
    func golden(engine: Engine) throws {
        let parser = MigrationFileParser()
        var text = ""
        for (name, yaml) in [("complete", completeMigration), ("variants", Self.variants)] {
            let migration = try parser.parse(yaml, file: "\(name).yaml", defaultID: name == "complete" ? nil : "1")
            text += Self.render(MigrationAssessment(migration, engine: engine, schema: LiveSchemas.make(engine)), engine: engine) + "\n"
        }
        try Golden.check(text, against: "classification-\(engine.rawValue).txt")
    }

    @Test("A table created earlier in the migration is empty, not large")
    func createdInMigration() throws {
        let migration = try MigrationFileParser().parse("""
            name: x
            operations:
              - create_table: {table: users, columns: [{name: id, type: bigint}]}
              - create_index: {table: users, name: users_id, columns: [id]}
            """, file: "x.yaml", defaultID: "1")
        var schema = LiveSchemas.make(.sqlite)
        schema.tables.removeAll { $0.name.name == "users" }
        let assessment = MigrationAssessment(migration, engine: .sqlite, schema: schema)
        #expect(assessment.items[1].classification.rowsAffected == 0)
        #expect(assessment.items[1].classification.risk == .low)
        #expect(assessment.items[1].classification.reasons.last == "users is created by this migration, so it is empty.")
    }

    @Test("Risk follows the table's real size")
    func riskBySize() {
        var schema = LiveSchemas.make(.postgresql)
        let operation = Operation.createIndex(table: QualifiedName("users"), index: Index(name: "i", elements: [.column("email")]))
        let classifier = ChangeClassifier()
        for (rows, risk) in [(Int64(1000), Risk.low), (500_000, .medium), (20_000_000, .high)] {
            schema.tables[0].statistics = TableStatistics(estimatedRowCount: rows)
            #expect(classifier.classify(operation, in: ClassificationContext(engine: .postgresql, schema: schema)).risk == risk)
        }
    }

    @Test("Plan level: additive, breaking or mixed")
    func level() throws {
        let schema = LiveSchemas.make(.postgresql)
        func level(_ yaml: String) throws -> ChangeLevel {
            MigrationAssessment(try MigrationFileParser().parse(yaml, file: "x.yaml", defaultID: "1"), engine: .postgresql, schema: schema).level
        }
        #expect(try level("name: x\noperations:\n  - add_column: {table: users, column: {name: a, type: text}}\n") == .additive)
        #expect(try level("name: x\noperations:\n  - drop_column: {table: users, column: email}\n") == .breaking)
        #expect(try level("name: x\noperations:\n  - drop_column: {table: users, column: email}\n  - add_column: {table: users, column: {name: a, type: text}}\n") == .mixed)
    }
}

@Suite("Plan order")
struct PlanOrderTests {
    @Test("A rename that would overtake an earlier step on the same table is refused")
    func renameOvertakes() throws {
        let migration = try MigrationFileParser().parse("""
            name: x
            operations:
              - add_constraint: {table: users, name: c, check: "id > 0"}
              - rename_table: {table: users, to: members}
            """, file: "11_x.yaml", defaultID: "11")
        let schema = LiveSchemas.make(.postgresql)
        let error = #expect(throws: GodwitError.self) {
            try StagedPlanBuilder(engine: .postgresql).build(migration, against: schema) { operation, _, _ in
                switch operation {
                case .addConstraint: [PlanStep(phase: .expand, title: "a", forward: [], reverse: [], lock: .none, duration: .instant),
                                      PlanStep(phase: .verify, title: "v", forward: [], reverse: [], lock: .none, duration: .scan)]
                default: [PlanStep(phase: .expand, title: "r", forward: [], reverse: [], lock: .none, duration: .instant)]
                }
            }
        }
        #expect(error?.description == "Operations 0 and 1 on users would run out of order at 11_x.yaml: operation 1 runs in expand, before operation 0's verify step. Split them into two migrations.")
    }
}
