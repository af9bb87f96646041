import GodwitCore
import GodwitEngine

/// Library calls the CLI tests compare the binary's output with.
enum GodwitEngineFacade {
    static func inspect(_ path: String) async throws -> Schema {
        try await DatabaseConnector.withDriver(.sqlite(.init(path: path)), access: .readOnly) { try await $0.inspect(InspectionOptions()) }
    }

    static func executeScript(_ script: String, on path: String) async throws {
        try await DatabaseConnector.withDriver(.sqlite(.init(path: path)), access: .create) { try await $0.executeScript(unsafeSQL: script) }
    }
}
