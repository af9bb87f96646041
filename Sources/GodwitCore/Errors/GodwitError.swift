/// The one error type users meet: what failed, where, and what to do about it.
///
/// The data (code, subject, location, remedy) is kept apart from the wording; ``description``
/// composes one line from it. Messages never contain passwords or bound row values: drivers
/// translate their own errors at their boundary and keep only safe facts.
public struct GodwitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable code. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedURL = "malformed-url"
            case unsupportedURL = "unsupported-url"
            case fileNotFound = "file-not-found"
            case notADatabase = "not-a-database"
            case serverUnreachable = "server-unreachable"
            case authenticationFailed = "authentication-failed"
            case databaseNotFound = "database-not-found"
            case permissionDenied = "permission-denied"
            case tlsFailed = "tls-failed"
            case queryFailed = "query-failed"
            case invalidArgument = "invalid-argument"
            case refused
            case invalidMigration = "invalid-migration"
            case ioFailure = "io-failure"
            case cancelled
            case integrityFailure = "integrity-failure"
            case internalError = "internal-error"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A database URL that cannot be parsed.
        public static let malformedURL = Code(.malformedURL)
        /// A URL for an engine Godwit does not drive.
        public static let unsupportedURL = Code(.unsupportedURL)
        /// A SQLite database file that does not exist.
        public static let fileNotFound = Code(.fileNotFound)
        /// A file that exists but is not a SQLite database.
        public static let notADatabase = Code(.notADatabase)
        /// A server that refuses or does not answer connections.
        public static let serverUnreachable = Code(.serverUnreachable)
        /// Wrong user or password.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// A database name the server does not know.
        public static let databaseNotFound = Code(.databaseNotFound)
        /// The user or the operating system refused access.
        public static let permissionDenied = Code(.permissionDenied)
        /// TLS could not be set up as `sslmode` asked.
        public static let tlsFailed = Code(.tlsFailed)
        /// The engine rejected a statement.
        public static let queryFailed = Code(.queryFailed)
        /// A command-line argument or option value that cannot be used.
        public static let invalidArgument = Code(.invalidArgument)
        /// What was asked is well formed, but the database or Godwit's records do not allow it
        /// now: another runner holds the lock, no passing rehearsal, nothing to roll back, a
        /// copy target that is not empty (exit code 1, not a usage error).
        public static let refused = Code(.refused)
        /// A migration file or directory that cannot be read as a migration.
        public static let invalidMigration = Code(.invalidMigration)
        /// Reading or writing a local file failed.
        public static let ioFailure = Code(.ioFailure)
        /// The run was interrupted.
        public static let cancelled = Code(.cancelled)
        /// Data does not satisfy a check: violating rows, a mismatch, a failed validation.
        public static let integrityFailure = Code(.integrityFailure)
        /// A bug in Godwit.
        public static let internalError = Code(.internalError)

        /// The code as a stable string (`server-unreachable`).
        public var description: String { base.rawValue }

        /// Whether the error is a mistake in what the user typed (exit code 64).
        public var isUsageError: Bool {
            [.malformedURL, .unsupportedURL, .invalidArgument].contains(base)
        }

        /// The process exit status for the error: 64 a usage error, 4 a refusal the database's
        /// state calls for (another runner, no rehearsal, nothing to roll back, …), 1 any other
        /// failure.
        public var exitStatus: Int32 {
            if isUsageError { return 64 }
            return base == .refused ? 4 : 1
        }
    }

    public var code: Code
    /// What failed, naming the subject (`cannot connect to PostgreSQL`).
    public var summary: String
    /// Where: a redacted URL, a file path, `table.column`, `file:line:column`.
    public var location: String?
    /// Why, in safe words (never a password or a row value).
    public var reason: String?
    /// What the user can do next.
    public var remedy: String?
    /// The engine's own error code when it gave one: PostgreSQL's SQLSTATE (`55P03`), or
    /// `SQLITE_BUSY`-style names for SQLite.
    public var engineCode: String?
    /// The error this one follows from, when Godwit puts a failure in its own words (a scratch
    /// database it could not make, behind it the server's refusal); ``description`` ends with it.
    public var cause: GodwitError? {
        get { causes.first }
        set { causes = newValue.map { [$0] } ?? [] }
    }
    private var causes: [GodwitError] = []

    /// A new error in Godwit's words with `self` as its ``cause``, keeping the engine's code (so
    /// retries and exit codes still see what the engine said) and, unless given, the location.
    public func explained(_ summary: String, code: Code? = nil, location: String? = nil, reason: String? = nil, remedy: String? = nil) -> GodwitError {
        var error = GodwitError(code ?? self.code, summary, location: location ?? self.location, reason: reason, remedy: remedy, engineCode: engineCode)
        error.cause = self
        return error
    }

    public init(_ code: Code, _ summary: String, location: String? = nil, reason: String? = nil, remedy: String? = nil,
                engineCode: String? = nil) {
        self.code = code
        self.summary = summary
        self.location = location
        self.reason = reason
        self.remedy = remedy
        self.engineCode = engineCode
    }

    /// Whether running the same work again may succeed: a lock wait that timed out, a deadlock
    /// or serialization failure, a lost connection, a busy SQLite file. Data errors are not.
    public var isTransient: Bool {
        if code == .serverUnreachable { return true }
        guard let engineCode else { return false }
        return Self.transientEngineCodes.contains(engineCode) || engineCode.hasPrefix("08")
    }

    private static let transientEngineCodes: Set<String> = [
        "55P03", // lock_not_available: lock_timeout expired
        "40P01", // deadlock_detected
        "40001", // serialization_failure
        "57P01", // admin_shutdown: pg_terminate_backend
        "57014", // query_canceled: statement_timeout or pg_cancel_backend
        "SQLITE_BUSY", "SQLITE_LOCKED",
    ]

    /// Whether the session is gone with the error (a lost connection, a terminated backend):
    /// the connection must be opened again, not used.
    public var endsSession: Bool {
        code == .serverUnreachable || engineCode == "57P01" || engineCode == "57P02" || (engineCode?.hasPrefix("08") ?? false)
    }

    /// Whether the engine refused a lock it waited too long for (`lock_timeout`, a busy file).
    public var isLockTimeout: Bool {
        engineCode == "55P03" || engineCode == "SQLITE_BUSY" || engineCode == "SQLITE_LOCKED"
    }

    /// One line: `summary at location: reason. remedy Caused by: …`
    public var description: String {
        var line = summary
        if let location { line += " at \(location)" }
        if let reason { line += ": \(reason)" }
        line += "."
        if let remedy { line += " \(remedy)" }
        if let cause { line += " Caused by: " + cause.description }
        return line
    }
}
