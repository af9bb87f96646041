import Synchronization
import Foundation
import GRDB
import GRDBSQLite
public import GodwitCore

/// A connection to a SQLite database file, through GRDB.
///
/// One serial connection (a GRDB `DatabaseQueue`): statements run in the order they are
/// awaited, and `BEGIN` … `COMMIT` issued through ``execute(unsafeSQL:bindings:)`` span calls.
public final class SQLiteDriver: DatabaseDriver {
    public var dialect: any SQLDialect { SQLiteDialect() }

    /// How to open the file.
    public enum OpenMode: Sendable {
        /// An existing database, for reading and writing.
        case readWrite
        /// An existing database, for reading only: nothing can change it.
        case readOnly
        /// A database that is created when missing.
        case create
    }

    public let engine = Engine.sqlite
    public let url: DatabaseURL
    /// The file path (or `:memory:`).
    public let path: String
    let queue: DatabaseQueue
    private let closed = Mutex(false)

    private init(url: DatabaseURL, path: String, queue: DatabaseQueue) {
        self.url = url
        self.path = path
        self.queue = queue
    }

    /// Opens a SQLite database.
    ///
    /// - Throws: ``GodwitError`` `fileNotFound` when the file is missing (unless `mode` is
    ///   `.create`), `notADatabase` when it is not SQLite, `permissionDenied` when it cannot be
    ///   read.
    public static func open(_ location: DatabaseURL.SQLiteLocation, mode: OpenMode = .readWrite) throws -> SQLiteDriver {
        let path = location.path
        if !location.isInMemory, mode != .create {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw GodwitError(
                    .fileNotFound, "No SQLite database", location: path,
                    reason: "the file does not exist",
                    remedy: "Check the path (relative paths start from \(FileManager.default.currentDirectoryPath)); "
                        + "for a new database, create it as an empty file first (touch \(path))."
                )
            }
            if isDirectory.boolValue {
                throw GodwitError(
                    .notADatabase, "Not a SQLite database", location: path,
                    reason: "the path is a directory",
                    remedy: "Name the database file inside it."
                )
            }
            if !FileManager.default.isReadableFile(atPath: path) {
                throw GodwitError(
                    .permissionDenied, "Cannot read the SQLite database", location: path,
                    reason: "permission denied",
                    remedy: "Check that the file is readable by this user (ls -l \(path))."
                )
            }
        }
        var configuration = Configuration()
        configuration.readonly = mode == .readOnly
        configuration.busyMode = .timeout(5)
        // A driver is a session: BEGIN and COMMIT may come in separate calls (see DatabaseDriver).
        configuration.allowsUnsafeTransactions = true
        configuration.label = "godwit"
        configuration.prepareDatabase { db in
            db.add(function: RowHashFunction.function)
        }
        do {
            let queue = location.isInMemory
                ? try DatabaseQueue(configuration: configuration)
                : try DatabaseQueue(path: path, configuration: configuration)
            // Reading the schema surfaces "not a database" at once rather than at first use.
            try queue.inDatabase { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema") }
            return SQLiteDriver(url: .sqlite(location), path: path, queue: queue)
        } catch {
            throw SQLiteErrorTranslator.translate(error, path: path, opening: true)
        }
    }

    public func inspect(_ options: InspectionOptions) async throws -> Schema {
        try await run { db in try SQLiteInspector(options: options).inspect(db) }
    }

    @discardableResult
    public func execute(unsafeSQL sql: String, bindings: [GodwitCore.DatabaseValue]) async throws -> Int {
        try await run { db in
            try db.execute(sql: sql, arguments: Self.arguments(bindings))
            return db.changesCount
        }
    }

    public func executeScript(unsafeSQL script: String) async throws {
        try await run { db in try db.execute(sql: script) }
    }

    public func forEachPage(
        unsafeSQL sql: String,
        bindings: [GodwitCore.DatabaseValue],
        pageSize: Int,
        _ body: @Sendable ([GodwitCore.Row]) async throws -> Void
    ) async throws {
        try await forEachEncodedPage(unsafeSQL: sql, bindings: bindings, pageSize: pageSize, newPage: { [] }, encode: { page, row in
            page.append(GodwitCore.Row(columns: row.columnNames, values: (0..<row.count).map(row.value)))
        }, body)
    }

    /// Copies the database to a new file through SQLite's online backup API, a thousand pages
    /// at a time so writers are not held up for long.
    public func backup(toPath destination: String) async throws {
        let source = queue
        do {
            let target = try DatabaseQueue(path: destination)
            try source.backup(to: target, pagesPerStep: 1000)
            try target.close()
        } catch {
            throw SQLiteErrorTranslator.translate(error, path: destination)
        }
    }

    public func close() async throws {
        try queue.close()
        closed.withLock { $0 = true }
    }

    public var isClosed: Bool { closed.withLock { $0 } }

    /// Runs one prepared statement once per row of `rows`, in the current transaction: bulk
    /// loading without preparing the statement again for every row.
    public func executeEach(unsafeSQL sql: String, rows: [[GodwitCore.DatabaseValue]]) async throws {
        try await run { db in
            let statement = try db.cachedStatement(sql: sql)
            for row in rows { try statement.execute(arguments: Self.arguments(row)) }
        }
    }

    /// Runs `work` on the connection, translating errors.
    func run<T: Sendable>(_ work: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        do {
            return try await queue.writeWithoutTransaction(work)
        } catch {
            throw SQLiteErrorTranslator.translate(error, path: path)
        }
    }

    static func arguments(_ values: [DatabaseValue]) -> StatementArguments {
        StatementArguments(values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: nil
            case .integer(let integer): integer
            case .real(let real): real
            case .text(let text): text
            case .blob(let bytes): Data(bytes)
            }
        })
    }

    static func value(_ value: GRDB.DatabaseValue) -> GodwitCore.DatabaseValue {
        switch value.storage {
        case .null: .null
        case .int64(let integer): .integer(integer)
        case .double(let real): .real(real)
        case .string(let text): .text(text)
        case .blob(let data): .blob([UInt8](data))
        }
    }
}

extension SQLiteDriver: BoundedCounting {
    /// SQLite has no statement time limit here: the probe bounds SQLite counts by rows only.
    public func count(unsafeSQL sql: String, within seconds: Double) async throws -> Int64? {
        try await query(unsafeSQL: sql).first?.values.first?.integerValue
    }

    /// Twenty evenly spaced rowid windows that hold about `sampleRows` rows together (each read
    /// through the rowid B-tree, so the rest of the table is never touched); nil for a table
    /// without rowids.
    public func sampledCount(of table: QualifiedName, where condition: String, sampleRows: Int64, totalRows: Int64,
                             within seconds: Double) async throws -> (rows: Int64, share: Double)? {
        let name = SQLIdentifierQuoter(foldsUnquotedToLowercase: false).quote(table)
        guard let bounds = try? await query(unsafeSQL: "SELECT min(rowid), max(rowid) FROM \(name)").first,
              let low = bounds[0].integerValue, let high = bounds[1].integerValue, high >= low else { return nil }
        let windows: Int64 = 20
        let span = high - low + 1
        let width = max(1, Int64(Double(span) * min(1, Double(sampleRows) / Double(max(totalRows, 1))) / Double(windows)))
        let parts = (0..<windows).map { index -> String in
            let start = low + index * (span / windows)
            return "SELECT (\(condition)) AS hit FROM \(name) WHERE rowid BETWEEN \(start) AND \(start + width - 1)"
        }
        let row = try await query(unsafeSQL: "SELECT coalesce(sum(CASE WHEN hit THEN 1 ELSE 0 END), 0), count(*) FROM (\(parts.joined(separator: " UNION ALL ")))").first
        return Self.scaled(matching: row?[0].integerValue ?? 0, of: row?[1].integerValue ?? 0, totalRows: totalRows)
    }
}
