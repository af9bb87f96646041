public import GodwitCore

/// Row counts and checksums of every table of a database (Godwit's own tables aside), to
/// compare two states of it.
public enum DatabaseDigests {
    public static func all(_ url: DatabaseURL) async throws -> [TableDigest] {
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let schema = try await driver.inspect(InspectionOptions())
            return try await TableDigester.digests(of: schema.tables.map(\.name), in: schema, on: driver)
        }
    }
}
