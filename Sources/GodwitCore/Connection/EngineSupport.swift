import Foundation

/// Whether a command may change the database it opens.
public enum DatabaseAccess: Sendable {
    case readOnly
    case readWrite
    /// Read-write, creating a SQLite file when it is missing.
    case create
}

/// Everything one engine brings to Godwit beyond the SQL it speaks: each driver module supplies
/// one (`PostgresEngineSupport`, `SQLiteEngineSupport`), and the engine reaches every
/// engine-specific part through it instead of asking which engine it has.
public protocol EngineSupport: Sendable {
    /// The engine this supports.
    var engine: Engine { get }
    /// Opens a connection.
    /// - Throws: ``GodwitError`` with the driver's words for what went wrong.
    func open(_ url: DatabaseURL, access: DatabaseAccess) async throws -> any DatabaseDriver
    /// Stages migrations into plans.
    var planner: any MigrationPlanner { get }
    /// Writes DDL.
    var schemaWriter: any SchemaScriptWriter { get }
    /// One Godwit runner at a time per database.
    var locking: any RunnerLocking { get }
    /// Throwaway databases: scratch copies of a schema, rehearsal clones, restored backups.
    var cloning: any DatabaseCloning { get }
    /// How a copy fills this engine's tables (the rows themselves go through ``BulkLoading``).
    var bulkLoad: BulkLoadTraits { get }
}

/// How a copy fills an engine's tables, around the rows themselves.
public struct BulkLoadTraits: Sendable {
    /// Whether several connections may load at once (SQLite has one writer).
    public var concurrentLoaders: Bool
    /// Statements each loading session runs before rows arrive (SQLite turns foreign keys off:
    /// tables load one after another while keys may form cycles).
    public var loadingSessionSetup: [String]
    /// Whether keys, uniques and checks are added by ALTER TABLE after the data (PostgreSQL:
    /// faster, and an index built once), rather than written with the table (SQLite, which
    /// cannot add them later).
    public var constraintsAfterData: Bool
    /// A query whose rows name rows whose foreign key points nowhere, for an engine that loads
    /// with foreign keys unchecked (SQLite's `PRAGMA foreign_key_check`): table, rowid, parent.
    public var foreignKeyCheck: String?
    /// Whether identity counters live apart from the rows and must be moved past the keys a copy
    /// or sync wrote (PostgreSQL's sequences; SQLite's rowid follows the largest key by itself).
    public var countersApart: Bool
    /// The statement that makes foreign keys wait for the commit of the transaction it runs in,
    /// so a sync pass may write parents and children in any order; nil where they already wait
    /// or are checked otherwise.
    public var deferForeignKeys: String?

    public init(concurrentLoaders: Bool, loadingSessionSetup: [String], constraintsAfterData: Bool, foreignKeyCheck: String?,
                countersApart: Bool, deferForeignKeys: String?) {
        self.concurrentLoaders = concurrentLoaders
        self.loadingSessionSetup = loadingSessionSetup
        self.constraintsAfterData = constraintsAfterData
        self.foreignKeyCheck = foreignKeyCheck
        self.countersApart = countersApart
        self.deferForeignKeys = deferForeignKeys
    }
}

/// What came of asking for the runner lock.
public enum RunnerLockAttempt: Sendable {
    /// Held now; `release` gives it back (and must be safe to call on a dead session).
    case granted(release: @Sendable () async -> Void)
    /// Another runner holds it; `label` is what that runner wrote about itself, when readable.
    case held(label: String?)
}

/// One runner at a time per database, held so that it goes away with the process that holds it
/// (a crashed runner leaves no stale lock behind).
public protocol RunnerLocking: Sendable {
    /// Takes the lock, labelled with `label` (who holds it, for a refusal to name), without waiting.
    func acquire(_ url: DatabaseURL, label: String) async throws -> RunnerLockAttempt
    /// Whether a runner holds the lock now, without taking it.
    func isHeld(_ url: DatabaseURL) async throws -> Bool
}

/// A copy of a database made for a while, removed by ``remove``.
public struct DatabaseCopy: Sendable {
    /// Where the copy is.
    public let url: DatabaseURL
    /// How it was made, for reports: `SQLite online backup API`, `CREATE DATABASE … TEMPLATE`, …
    public let method: String
    /// Tables holding only a sample (`--sample`); empty for a full copy.
    public var sampledTables: [RehearsalReport.SampledTable]
    /// Removes it; throws when it could not (the error names what is left and how to remove it).
    /// Safe to call more than once.
    public let remove: @Sendable () async throws -> Void

    public init(url: DatabaseURL, method: String, sampledTables: [RehearsalReport.SampledTable] = [],
                remove: @escaping @Sendable () async throws -> Void) {
        self.url = url
        self.method = method
        self.sampledTables = sampledTables
        self.remove = remove
    }
}

/// Throwaway databases and proven backups, each the engine's own way.
public protocol DatabaseCloning: Sendable {
    /// Runs `body` on a new empty database of the engine of `url` (on its server), removed
    /// afterwards even when `body` throws.
    func withScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result
    /// Runs `body` on a new empty database that several connections share (SQLite: a temporary
    /// file, not `:memory:`), removed afterwards even when `body` throws.
    func withSharedScratch<Result: Sendable>(like url: DatabaseURL, _ body: (DatabaseURL) async throws -> Result) async throws -> Result
    /// A full copy of `source` next to it.
    func clone(_ source: DatabaseURL) async throws -> DatabaseCopy
    /// A copy with tables of more than `rowLimit` rows cut down to a sample of about that many;
    /// nil when the engine copies whole (the caller then says so).
    func sampledClone(_ source: DatabaseURL, schema: Schema, rowLimit: Int64) async throws -> DatabaseCopy?
    /// A copy of `source` written where the user says (`--clone-on`): emptied or removed afterwards.
    func clone(_ source: DatabaseURL, into target: DatabaseURL) async throws -> DatabaseCopy
    /// Where a backup goes when the user names no file.
    func defaultBackupPath(for url: DatabaseURL, stamp: String) throws -> String
    /// Writes a backup of `url` to `path` and reads it back; returns what proved it readable.
    func writeBackup(of url: DatabaseURL, to path: String) async throws -> [String]
    /// Runs `body` on a database restored from the backup at `path`; returns what the restore
    /// proved with `body`'s result.
    func withRestoredBackup<Result: Sendable>(at path: String, of url: DatabaseURL,
                                              _ body: (DatabaseURL) async throws -> Result) async throws -> (proof: [String], result: Result)
}
