import Foundation
public import GodwitCore

/// A throwaway copy of a database to rehearse on, made by the engine's ``DatabaseCloning``: on
/// SQLite through the online backup API into a temporary file; on PostgreSQL with
/// `CREATE DATABASE … TEMPLATE` when nobody else is connected to the source, otherwise
/// `pg_dump --format=custom` restored with `pg_restore` into a new database.
/// ``drop()`` removes it; callers drop it on every path, failure and interruption included.
public struct DatabaseClone: Sendable {
    private let copy: DatabaseCopy
    /// Files made beside a SQLite copy for it (sqitch's registry), removed with it.
    private var companions: [String] = []

    /// Where the copy is.
    public var url: DatabaseURL { copy.url }
    /// How it was made: `backup API`, `CREATE DATABASE … TEMPLATE`, `pg_dump | pg_restore`.
    public var method: String { copy.method }
    /// Tables holding only a sample (`--sample`); empty for a full copy.
    public var sampledTables: [RehearsalReport.SampledTable] { copy.sampledTables }

    /// Makes the copy; with `sample`, tables of more rows than that hold a sample of about that
    /// many, and the others are copied whole (PostgreSQL only).
    /// - Parameter target: where to put the copy when Godwit may not create databases on the
    ///   source's server (`--clone-on`): an empty PostgreSQL database the user may fill, emptied
    ///   again afterwards, or a SQLite file path that does not exist yet, removed afterwards.
    public static func make(of source: DatabaseURL, sample: Int64? = nil, on target: DatabaseURL? = nil) async throws -> DatabaseClone {
        var clone = try await copy(of: source, sample: sample, on: target)
        do {
            if let registry = try await SqitchRegistry.copyRegistry(of: source, beside: clone.url) { clone.companions.append(registry) }
        } catch {
            await clone.drop()
            throw error
        }
        return clone
    }

    private static func copy(of source: DatabaseURL, sample: Int64?, on target: DatabaseURL?) async throws -> DatabaseClone {
        let cloning = DatabaseConnector.support(for: source.engine).cloning
        if let target {
            guard target.engine == source.engine else {
                throw GodwitError(.invalidArgument, "The clone target is of another engine", location: target.description,
                                  remedy: "Name a \(source.engine) database for --clone-on.")
            }
            return DatabaseClone(copy: try await cloning.clone(source, into: target))
        }
        if let sample {
            let schema = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await $0.inspect(InspectionOptions()) }
            if let sampled = try await cloning.sampledClone(source, schema: schema, rowLimit: sample) { return DatabaseClone(copy: sampled) }
        }
        return DatabaseClone(copy: try await cloning.clone(source))
    }

    /// The clone's database name (PostgreSQL) or file (SQLite).
    public var name: String {
        switch url {
        case .postgres(let endpoint): endpoint.database
        case .sqlite(let file): file.path
        }
    }

    /// Removes the copy. Safe to call more than once.
    /// - Returns: nil once it is gone, else why it is still there and how to remove it.
    @discardableResult
    public func drop() async -> String? {
        do {
            try await copy.remove()
            for file in companions where FileManager.default.fileExists(atPath: file) { try FileManager.default.removeItem(atPath: file) }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
