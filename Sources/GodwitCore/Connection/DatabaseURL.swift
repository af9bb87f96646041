public import Foundation

/// Where a database is: a SQLite file or a PostgreSQL server.
///
/// Accepted forms:
/// - `sqlite:path/to.db`, `sqlite://path/to.db`, `sqlite:///absolute/path.db`, `sqlite::memory:`,
///   or a plain path ending in `.db`, `.sqlite`, `.sqlite3`;
/// - `postgres://user:password@host:port/database?sslmode=disable` (`postgresql://` too); a
///   `host=/socket/dir` query item selects a unix socket.
///
/// ``description`` never shows the password.
public enum DatabaseURL: Hashable, Sendable, CustomStringConvertible {
    case sqlite(SQLiteLocation)
    case postgres(PostgresEndpoint)

    /// A SQLite database file, or an in-memory database.
    public struct SQLiteLocation: Hashable, Sendable {
        /// The file path, or `:memory:`.
        public var path: String

        public init(path: String) { self.path = path }

        public var isInMemory: Bool { path == ":memory:" }
    }

    /// How a PostgreSQL connection uses TLS, by libpq's `sslmode` names.
    public enum SSLMode: String, Hashable, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A PostgreSQL server, user and database.
    public struct PostgresEndpoint: Hashable, Sendable {
        public var host: String
        public var port: Int
        /// The directory holding the server's unix socket, when connecting through it.
        public var socketDirectory: String?
        public var user: String
        public var password: String?
        public var database: String
        public var sslMode: SSLMode
        /// Seconds to wait for the server to accept and answer a new connection
        /// (`connect_timeout`, as libpq reads it: 0 waits as long as it takes, and less than 2
        /// counts as 2); nil for the default, ``defaultConnectTimeout``.
        public var connectTimeout: Int?

        /// How long a connection waits for the server when the URL does not say: long enough
        /// for a busy server to fork a session, short enough that a dead host is reported.
        public static let defaultConnectTimeout = 30

        /// The wait in seconds, nil for no limit.
        public var connectTimeoutSeconds: Int? {
            guard let connectTimeout else { return Self.defaultConnectTimeout }
            return connectTimeout <= 0 ? nil : max(connectTimeout, 2)
        }

        public init(
            host: String = "localhost",
            port: Int = 5432,
            socketDirectory: String? = nil,
            user: String,
            password: String? = nil,
            database: String,
            sslMode: SSLMode = .prefer
        ) {
            self.host = host
            self.port = port
            self.socketDirectory = socketDirectory
            self.user = user
            self.password = password
            self.database = database
            self.sslMode = sslMode
        }

        /// The same endpoint naming another database on the same server.
        public func selectingDatabase(_ name: String) -> PostgresEndpoint {
            var copy = self
            copy.database = name
            return copy
        }

        /// `host:port`, or the socket path.
        public var serverDescription: String {
            if let socketDirectory { return "\(socketDirectory)/.s.PGSQL.\(port)" }
            return "\(host):\(port)"
        }
    }

    /// Where the database is, for an error's location: `host:port/database`, or the file's path.
    public var place: String {
        switch self {
        case .sqlite(let location): location.path
        case .postgres(let endpoint): endpoint.serverDescription + "/" + endpoint.database
        }
    }

    /// The engine this URL points at.
    public var engine: Engine {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgresql
        }
    }

    /// The URL with the password replaced by `***`: safe to print.
    public var description: String {
        switch self {
        case .sqlite(let location):
            return "sqlite:\(location.path)"
        case .postgres(let endpoint):
            var text = "postgres://"
            text += Self.percentEncoded(endpoint.user)
            if endpoint.password != nil { text += ":***" }
            text += "@"
            if endpoint.socketDirectory == nil {
                text += endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
                text += ":\(endpoint.port)"
            }
            text += "/" + Self.percentEncoded(endpoint.database)
            var query: [String] = []
            if let socket = endpoint.socketDirectory { query.append("host=\(socket)&port=\(endpoint.port)") }
            if endpoint.sslMode != .prefer { query.append("sslmode=\(endpoint.sslMode.rawValue)") }
            if let timeout = endpoint.connectTimeout { query.append("connect_timeout=\(timeout)") }
            if !query.isEmpty { text += "?" + query.joined(separator: "&") }
            return text
        }
    }

    /// The full URL, password included: for handing to other programs (`psql`, `pg_dump`),
    /// never for printing.
    public var unredactedString: String {
        switch self {
        case .sqlite:
            return description
        case .postgres(let endpoint):
            guard let password = endpoint.password else { return description }
            return description.replacingOccurrences(
                of: ":***@",
                with: ":\(Self.percentEncoded(password))@"
            )
        }
    }

    private static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension DatabaseURL {
    /// Parses a database URL.
    ///
    /// - Parameters:
    ///   - text: the URL as the user typed it.
    ///   - defaultUser: the user when the URL names none (libpq uses the operating-system user).
    /// - Throws: ``GodwitError`` `malformedURL` or `unsupportedURL`, naming the part that is
    ///   wrong — with the password removed from the message.
    public init(parsing text: String, defaultUser: String = ProcessInfo.processInfo.environment["USER"] ?? "postgres") throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw GodwitError(
                .malformedURL, "No database URL given",
                remedy: "Pass a URL such as sqlite:app.db or postgres://user@localhost:5432/app, or set DATABASE_URL."
            )
        }
        let lowered = trimmed.lowercased()
        if lowered.hasPrefix("sqlite:") || lowered.hasPrefix("file:") {
            var path = String(trimmed[trimmed.index(after: trimmed.firstIndex(of: ":")!)...])
            if path.hasPrefix("//") { path.removeFirst(2) }
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            guard !path.isEmpty else {
                throw GodwitError(
                    .malformedURL, "Malformed database URL", location: "\(trimmed)",
                    reason: "the SQLite URL names no file",
                    remedy: "Write sqlite:path/to/file.db."
                )
            }
            self = .sqlite(SQLiteLocation(path: path.removingPercentEncoding ?? path))
            return
        }
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            self = .postgres(try Self.parsePostgres(trimmed, defaultUser: defaultUser))
            return
        }
        if let scheme = Self.scheme(of: trimmed) {
            throw GodwitError(
                .unsupportedURL, "Unsupported database URL scheme '\(scheme)'",
                location: Self.redacting(trimmed),
                remedy: "Godwit drives SQLite (sqlite:path.db) and PostgreSQL (postgres://user@host:port/db)."
            )
        }
        let suffixes = [".db", ".sqlite", ".sqlite3", ".db3"]
        if suffixes.contains(where: { lowered.hasSuffix($0) }) || trimmed.hasPrefix("/") || trimmed.hasPrefix(".") {
            self = .sqlite(SQLiteLocation(path: trimmed))
            return
        }
        throw GodwitError(
            .malformedURL, "Not a database URL", location: Self.redacting(trimmed),
            reason: "expected sqlite:PATH, a path ending in .db or .sqlite, or postgres://…",
            remedy: "Write sqlite:\(trimmed) for a SQLite file, or a postgres:// URL."
        )
    }

    private static func scheme(of text: String) -> String? {
        guard let range = text.range(of: "://") else { return nil }
        let scheme = text[..<range.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        return String(scheme)
    }

    /// Removes passwords from URL-like text, for error messages about text that did not parse:
    /// the one in `user:password@` and any `password=` parameter of the query.
    public static func redacting(_ text: String) -> String {
        var result = text
        if let schemeEnd = result.range(of: "://"),
           let at = result.range(of: "@", options: .backwards, range: schemeEnd.upperBound..<(result.firstIndex(of: "?") ?? result.endIndex)),
           let colon = result[schemeEnd.upperBound..<at.lowerBound].firstIndex(of: ":") {
            result = String(result[..<colon]) + ":***" + String(result[at.lowerBound...])
        }
        return result.replacing(/(?i)([?&]password=)[^&#]*/) { match in "\(match.output.1)***" }
    }

    private static func parsePostgres(_ text: String, defaultUser: String) throws -> PostgresEndpoint {
        let safe = redacting(text)
        func malformed(_ reason: String, _ remedy: String) -> GodwitError {
            GodwitError(.malformedURL, "Malformed PostgreSQL URL", location: safe, reason: reason, remedy: remedy)
        }
        if let authority = text.components(separatedBy: "://").dropFirst().first?.split(separator: "/", maxSplits: 1).first,
           let hostPort = authority.split(separator: "?").first?.split(separator: "@").last, !hostPort.hasPrefix("["),
           let colon = hostPort.lastIndex(of: ":"), Int(hostPort[hostPort.index(after: colon)...]) == nil
        {
            throw malformed("the port is not a number", "Write the port as digits, for example :5432.")
        }
        guard let components = URLComponents(string: text) else {
            throw malformed(
                "it is not a valid URL",
                "Write postgres://user:password@host:5432/database, percent-encoding special characters in the password."
            )
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw malformed("port \(port) is out of range", "Use a port between 1 and 65535.")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        if database.contains("/") {
            throw malformed("the path names more than one database", "Write one database name after the host: /mydb.")
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? components.user
        let password = components.password.flatMap { $0.removingPercentEncoding } ?? components.password
        var endpoint = PostgresEndpoint(
            host: components.host.map { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost",
            port: components.port ?? 5432,
            user: (user?.isEmpty == false ? user : nil) ?? defaultUser,
            password: password,
            database: database.removingPercentEncoding ?? database,
            sslMode: .prefer
        )
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = SSLMode(rawValue: value) else {
                    throw malformed(
                        "sslmode '\(item.value ?? "")' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))",
                        "Use sslmode=disable for a local server or sslmode=require for a remote one."
                    )
                }
                endpoint.sslMode = mode
            case "host":
                if let value = item.value, value.hasPrefix("/") {
                    endpoint.socketDirectory = value
                } else if let value = item.value, !value.isEmpty {
                    endpoint.host = value
                }
            case "port":
                guard let value = item.value, let port = Int(value), (1...65535).contains(port) else {
                    throw malformed("the port is not a number", "Write the port as digits, for example port=5432.")
                }
                endpoint.port = port
            case "user":
                if let value = item.value, !value.isEmpty { endpoint.user = value }
            case "password":
                endpoint.password = item.value
            case "dbname":
                if let value = item.value, !value.isEmpty { endpoint.database = value }
            case "connect_timeout":
                guard let value = item.value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)) else {
                    throw malformed("connect_timeout '\(item.value ?? "")' is not a whole number of seconds",
                                    "Write the seconds to wait for the server as digits, for example connect_timeout=30 (0 waits as long as it takes).")
                }
                endpoint.connectTimeout = seconds
            case "application_name":
                continue
            default:
                throw malformed(
                    "unknown parameter '\(item.name)'",
                    "Godwit understands sslmode, host, port, user, password, dbname, application_name and connect_timeout."
                )
            }
        }
        if endpoint.database.isEmpty { endpoint.database = endpoint.user }
        return endpoint
    }
}
