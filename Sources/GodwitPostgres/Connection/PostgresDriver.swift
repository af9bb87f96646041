import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization
public import GodwitCore

/// A connection to a PostgreSQL server, through postgres-nio.
///
/// One session: statements run in the order they are awaited, and a transaction begun with
/// `BEGIN` covers every statement until `COMMIT` or `ROLLBACK`.
public final class PostgresDriver: DatabaseDriver {
    public var dialect: any SQLDialect { PostgresDialect() }

    public let engine = Engine.postgresql
    public let url: DatabaseURL
    /// Where the connection goes, password included: never print it (``DatabaseURL`` redacts).
    public let endpoint: DatabaseURL.PostgresEndpoint
    let connection: PostgresConnection
    let logger: Logger
    /// Server-side prepared statements of this session, by their SQL (see ``queryPrepared(unsafeSQL:)``).
    private let prepared = Mutex<[String: String]>([:])
    /// `server_version_num`, asked once per session.
    private let serverVersion = Mutex<Int?>(nil)
    /// Whether this database notes its schema changes (``SchemaChangeLog``), installed by ``trackSchemaChanges()``.
    private let tracking = Mutex<Bool>(false)

    private init(endpoint: DatabaseURL.PostgresEndpoint, connection: PostgresConnection, logger: Logger) {
        self.url = .postgres(endpoint)
        self.endpoint = endpoint
        self.connection = connection
        self.logger = logger
    }

    /// Connects to the server.
    ///
    /// - Throws: ``GodwitError`` `serverUnreachable`, `authenticationFailed`,
    ///   `databaseNotFound`, `permissionDenied` or `tlsFailed`, naming the server (never the
    ///   password) and what to do.
    public static func connect(
        _ endpoint: DatabaseURL.PostgresEndpoint,
        applicationName: String = "godwit"
    ) async throws -> PostgresDriver {
        let logger = Logger(label: "godwit.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            var configuration: PostgresConnection.Configuration
            if let socketDirectory = endpoint.socketDirectory {
                configuration = PostgresConnection.Configuration(
                    unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(endpoint.port)",
                    username: endpoint.user, password: endpoint.password, database: endpoint.database
                )
            } else {
                configuration = PostgresConnection.Configuration(
                    host: endpoint.host, port: endpoint.port,
                    username: endpoint.user, password: endpoint.password, database: endpoint.database,
                    tls: try tls(for: endpoint.sslMode)
                )
            }
            // No limit is a year: NIO schedules the deadline either way.
            configuration.options.connectTimeout = .seconds(Int64(endpoint.connectTimeoutSeconds ?? 365 * 86400))
            configuration.options.additionalStartupParameters = [("application_name", applicationName)]
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger
            )
            return PostgresDriver(endpoint: endpoint, connection: connection, logger: logger)
        } catch {
            throw PostgresErrorTranslator.translateConnect(error, endpoint: endpoint)
        }
    }

    private static func tls(for mode: DatabaseURL.SSLMode) throws -> PostgresConnection.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable, .allow:
            return .disable
        case .prefer, .require:
            configuration.certificateVerification = .none
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
        }
        let context = try NIOSSLContext(configuration: configuration)
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    public func inspect(_ options: InspectionOptions) async throws -> Schema {
        try await PostgresInspector(driver: self, options: options).inspect()
    }

    /// Exports the snapshot of this session's open transaction (`pg_export_snapshot()`), for
    /// other sessions to read the same moment with ``withSnapshot(_:_:)`` while it stays open.
    public func exportSnapshot() async throws -> String {
        guard let snapshot = try await query(unsafeSQL: "SELECT pg_export_snapshot()").first?[0].textValue else {
            throw GodwitError(.internalError, "The server exported no snapshot", location: url.description)
        }
        return snapshot
    }

    /// Runs `body` in a read-only transaction that sees exactly what the exporting session's
    /// transaction sees (``exportSnapshot()``), then ends it.
    public func withSnapshot<Result: Sendable>(_ snapshot: String, _ body: (PostgresDriver) async throws -> Result) async throws -> Result {
        try await execute(unsafeSQL: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            try await execute(unsafeSQL: "SET TRANSACTION SNAPSHOT " + SQLIdentifierQuoter.literal(snapshot))
            let result = try await body(self)
            try await execute(unsafeSQL: "ROLLBACK")
            return result
        } catch {
            _ = try? await execute(unsafeSQL: "ROLLBACK")
            throw error
        }
    }

    /// The server's `server_version_num` (`150018` for 15.18), asked once per session.
    public func serverVersionNumber() async throws -> Int {
        if let known = serverVersion.withLock({ $0 }) { return known }
        let rows = try await query(unsafeSQL: "SELECT current_setting('server_version_num')::int8")
        guard let number = rows.first?[0].integerValue else {
            throw GodwitError(.internalError, "The server did not say its version", location: url.description)
        }
        serverVersion.withLock { $0 = Int(number) }
        return Int(number)
    }

    /// Fails at once on a session the server already ended (a terminated backend, a restart):
    /// postgres-nio would wait forever for the answer to a query sent on it.
    func requireOpen() throws {
        guard connection.isClosed else { return }
        throw PostgresErrorTranslator.lostConnection(endpoint, reason: "the server ended the session")
    }

    @discardableResult
    public func execute(unsafeSQL sql: String, bindings: [DatabaseValue]) async throws -> Int {
        try requireOpen()
        do {
            let result = try await connection.query(sql, bindings.map(Self.legacyData)).get()
            return result.metadata.rows ?? 0
        } catch {
            throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
        }
    }

    public func executeScript(unsafeSQL script: String) async throws {
        let statements = SQLScript.statements(in: script, engine: .postgresql).map(\.text)
        for (number, statement) in statements.enumerated() {
            try requireOpen()
            do {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                let firstLine = statement.split(separator: "\n").first.map(String.init) ?? ""
                throw PostgresErrorTranslator.translateQuery(
                    error, endpoint: endpoint,
                    statement: "statement \(number + 1) of \(statements.count) (\(firstLine.prefix(60)))"
                )
            }
        }
    }

    /// Runs a query through a statement prepared once per session (`PREPARE`, then `EXECUTE`),
    /// so the server plans it once instead of on every call: the catalog queries behind
    /// inspection spend as long being planned as being run. `arguments` are SQL literals for
    /// the statement's parameters, of `parameterTypes`; only Godwit's own values, never a user's.
    func queryPrepared(unsafeSQL sql: String, parameterTypes: [String] = [], arguments: [String] = []) async throws -> [GodwitCore.Row] {
        let key = parameterTypes.joined(separator: ",") + "|" + sql
        let existing = prepared.withLock { $0[key] }
        let name: String
        if let existing {
            name = existing
        } else {
            name = "godwit_prepared_\(prepared.withLock { $0.count } + 1)"
            let types = parameterTypes.isEmpty ? "" : "(" + parameterTypes.joined(separator: ", ") + ")"
            try await execute(unsafeSQL: "PREPARE \(name)\(types) AS \(sql)")
            prepared.withLock { $0[key] = name }
        }
        do {
            return try await query(unsafeSQL: "EXECUTE \(name)" + (arguments.isEmpty ? "" : "(" + arguments.joined(separator: ", ") + ")"))
        } catch let error as GodwitError where error.engineCode == "26000" && existing != nil {
            // The session's prepared statements were dropped (DISCARD ALL, DEALLOCATE): prepare again.
            prepared.withLock { $0 = [:] }
            return try await queryPrepared(unsafeSQL: sql, parameterTypes: parameterTypes, arguments: arguments)
        }
    }

    /// Whether ``trackSchemaChanges()`` installed the change log in this database.
    var tracksSchemaChanges: Bool { tracking.withLock { $0 } }

    /// `GODWIT_WHOLE_READINGS=1` turns it off: every reading whole, as before incremental readings.
    public func trackSchemaChanges() async throws -> Bool {
        if tracksSchemaChanges { return true }
        if PostgresInspector.wholeReadingsOnly { return false }
        do {
            // All or nothing: a role that may not create event triggers leaves no table behind.
            try await withTransaction { try await executeScript(unsafeSQL: SchemaChangeLog.install) }
        } catch let error as GodwitError where error.code == .permissionDenied || error.engineCode == "42501" {
            return false
        }
        tracking.withLock { $0 = true }
        return true
    }

    public func inspect(_ options: InspectionOptions, after previous: SchemaReading?, changed: Set<QualifiedName>?) async throws -> SchemaReading {
        try await PostgresInspector(driver: self, options: options).inspect(after: previous, changed: changed)
    }

    /// Streams the result with postgres-nio's back-pressure, so memory stays bounded.
    ///
    /// When `body` throws, the error is passed through as it is; postgres-nio cannot cancel a
    /// running query on the server, so the rest of the result is read and discarded before the
    /// connection is free again. Callers that may stop early on large tables page by key range.
    public func forEachPage(
        unsafeSQL sql: String,
        bindings: [DatabaseValue],
        pageSize: Int,
        _ body: @Sendable ([GodwitCore.Row]) async throws -> Void
    ) async throws {
        var postgresBindings = PostgresBindings(capacity: bindings.count)
        for value in bindings { Self.append(value, to: &postgresBindings) }
        let pageSize = max(1, pageSize)
        try requireOpen()
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: postgresBindings), logger: logger)
            var page: [GodwitCore.Row] = []
            page.reserveCapacity(pageSize)
            var columns: [String]?
            for try await row in rows {
                let names = columns ?? row.map(\.columnName)
                columns = names
                var values: [DatabaseValue] = []
                values.reserveCapacity(names.count)
                for (position, cell) in row.enumerated() {
                    values.append(try PostgresValueDecoder.decode(cell, column: position))
                }
                page.append(GodwitCore.Row(columns: names, values: values))
                if page.count == pageSize {
                    try await Self.deliver(page, to: body)
                    page.removeAll(keepingCapacity: true)
                }
            }
            if !page.isEmpty { try await Self.deliver(page, to: body) }
        } catch let error as ConsumerError {
            throw error.underlying
        } catch {
            throw PostgresErrorTranslator.translateQuery(error, endpoint: endpoint)
        }
    }

    /// An error thrown by the caller's page handler, passed through untranslated.
    private struct ConsumerError: Error {
        var underlying: any Error
    }

    private static func deliver(_ page: [GodwitCore.Row], to body: @Sendable ([GodwitCore.Row]) async throws -> Void) async throws {
        do {
            try await body(page)
        } catch {
            throw ConsumerError(underlying: error)
        }
    }

    public func close() async throws {
        try await connection.close()
    }

    /// Whether the connection is gone (closed here, or by the server).
    public var isClosed: Bool { connection.isClosed }

    /// A driver dropped without ``close()`` (a thrown error skipped it) still closes its
    /// connection; the closure keeps the connection alive until the close has finished.
    deinit {
        let connection = self.connection
        if !connection.isClosed {
            connection.close().whenComplete { _ in _ = connection }
        }
    }

    private static func append(_ value: DatabaseValue, to bindings: inout PostgresBindings) {
        switch value {
        case .null: bindings.appendNull()
        case .integer(let integer): bindings.append(integer)
        case .real(let real): bindings.append(real)
        case .text(let text): bindings.append(text)
        case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
        }
    }

    private static func legacyData(_ value: DatabaseValue) -> PostgresData {
        switch value {
        case .null: .null
        case .integer(let integer): PostgresData(int64: integer)
        case .real(let real): PostgresData(double: real)
        case .text(let text): PostgresData(string: text)
        case .blob(let bytes): PostgresData(bytes: bytes)
        }
    }
}

extension PostgresDriver: BoundedCounting {
    public func count(unsafeSQL sql: String, within seconds: Double) async throws -> Int64? {
        do {
            return try await withTransaction {
                try await execute(unsafeSQL: "SET LOCAL statement_timeout = \(max(1, Int(seconds * 1000)))")
                return try await query(unsafeSQL: sql).first?.values.first?.integerValue
            }
        } catch let error as GodwitError where error.engineCode == "57014" {
            return nil
        }
    }

    /// `TABLESAMPLE SYSTEM`: whole pages picked at random, about `sampleRows` rows in all.
    public func sampledCount(of table: QualifiedName, where condition: String, sampleRows: Int64, totalRows: Int64,
                             within seconds: Double) async throws -> (rows: Int64, share: Double)? {
        let percent = min(100, max(0.001, Double(sampleRows) / Double(max(totalRows, 1)) * 100))
        let sql = "SELECT count(*) FILTER (WHERE \(condition)), count(*) FROM \(SQLIdentifierQuoter(foldsUnquotedToLowercase: true).quote(table)) "
            + "TABLESAMPLE SYSTEM (\((percent * 10_000).rounded() / 10_000))"
        do {
            let row = try await withTransaction {
                try await execute(unsafeSQL: "SET LOCAL statement_timeout = \(max(1, Int(seconds * 1000)))")
                return try await query(unsafeSQL: sql).first
            }
            return Self.scaled(matching: row?[0].integerValue ?? 0, of: row?[1].integerValue ?? 0, totalRows: totalRows)
        } catch let error as GodwitError where error.engineCode == "57014" {
            return nil
        }
    }
}

extension PostgresDriver {
    /// Runs `body` on a new connection to `endpoint`, closing it afterwards whatever happens.
    package static func with<Result: Sendable>(_ endpoint: DatabaseURL.PostgresEndpoint,
                                               _ body: (PostgresDriver) async throws -> Result) async throws -> Result {
        try await connect(endpoint).closing(body)
    }
}
