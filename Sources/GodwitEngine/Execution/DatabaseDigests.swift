public import GodwitCore

/// Row counts and checksums of every table of a database (Godwit's own tables aside), to
/// compare two states of it.
public enum DatabaseDigests {
    /// - Parameter earlier: digests taken before: a table that still has their columns is
    ///   digested over them, in their order, so columns that came back in another order (a
    ///   down re-adding a dropped column) compare by their values.
    public static func all(_ url: DatabaseURL, like earlier: [TableDigest] = []) async throws -> [TableDigest] {
        try await DatabaseConnector.withDriver(url, access: .readOnly) { driver in
            let schema = try await driver.inspect(InspectionOptions())
            let comparable = earlier.filter { digest in
                schema.table(named: digest.table).map { table in digest.columns.allSatisfy { table.column(named: $0) != nil } } ?? false
            }
            let rest = schema.tables.map(\.name).filter { name in !comparable.contains { $0.table == name } }
            let alike = comparable.isEmpty ? [] : try await TableDigester.digests(like: comparable, in: schema, on: driver)
            return (alike + (try await TableDigester.digests(of: rest, in: schema, on: driver))).sorted { $0.table < $1.table }
        }
    }
}
