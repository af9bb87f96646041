import Foundation
import GodwitCore
import GodwitTesting
import Testing

/// The published JSON Schema (docs/migration.schema.json) must accept what the parser accepts and
/// reject what it rejects. Checked with Python's `jsonschema` and PyYAML, on this machine's image.
@Suite("Migration JSON Schema")
struct MigrationSchemaTests {
    static let schemaPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/migration.schema.json").path

    /// Validates YAML text against the schema; returns nil when valid, else the validator's message.
    static func validate(_ yaml: String, against schemaPath: String = schemaPath) throws -> String? {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try directory.write("m.yaml", yaml)
        let script = """
            import json, sys, yaml, jsonschema
            schema = json.load(open(sys.argv[1]))
            document = yaml.safe_load(open(sys.argv[2]))
            errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
            print(errors[0].message if errors else "valid")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schemaPath, "\(directory.path)/m.yaml"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GodwitError(.internalError, "schema check failed", reason: text) }
        let result = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return result == "valid" ? nil : result
    }

    @Test("The schema accepts the complete example the parser reads")
    func acceptsComplete() throws {
        _ = try MigrationFileParser().parse(completeMigration, file: "m.yaml")
        #expect(try Self.validate(completeMigration) == nil)
    }

    @Test("The schema names every operation kind the parser knows")
    func everyOperation() throws {
        let schema = try String(contentsOfFile: Self.schemaPath, encoding: .utf8)
        for kind in OperationKind.allCases {
            #expect(schema.contains("\"\(kind.rawValue)\""), "\(kind.rawValue)")
        }
    }

    @Test("The schema rejects what the parser rejects", arguments: [
        "name: x\noperations:\n  - sql: {up: DROP TABLE t}\n",
        "name: x\noperations:\n  - drop_table: {tabel: t}\n",
        "name: x\ndowntime: sometimes\noperations:\n  - drop_table: {table: t}\n",
        "name: x\noperations: []\n",
        "name: x\noperations:\n  - alter_column: {table: t, column: c}\n",
        "name: x\noperations:\n  - update_rows: {table: t, set: a = 1, batch_size: 0}\n",
    ])
    func rejects(yaml: String) throws {
        #expect(throws: GodwitError.self) { try MigrationFileParser().parse(yaml, file: "m.yaml", defaultID: "1") }
        #expect(try Self.validate(yaml) != nil)
    }
}
