import NIOCore
import NIOPosix
import PostgresNIO
import GodwitCore

/// Turns postgres-nio and NIO errors into ``GodwitError``s: one line saying what failed, where
/// (server address, never the password), why, and what to do.
///
/// Only the server's primary message and SQLSTATE are kept; the detail field, which can quote
/// row values, is dropped, and for data errors (SQLSTATE classes 22 and 23) the message is cut
/// before any quoted value.
enum PostgresErrorTranslator {
    static func translateConnect(_ error: any Error, endpoint: DatabaseURL.PostgresEndpoint) -> any Error {
        let server = endpoint.serverDescription
        if error is GodwitError || error is CancellationError { return error }
        guard let psql = error as? PSQLError else {
            return unreachable(reason: describeNetwork(error, endpoint: endpoint), server: server)
        }
        switch psql.code {
        case .server:
            return translateServer(psql, endpoint: endpoint, whileConnecting: true)
        case .authMechanismRequiresPassword:
            return authenticationFailed(
                endpoint, reason: "the server asks for a password and the URL has none",
                remedy: "Add it to the URL: postgres://\(endpoint.user):PASSWORD@\(endpoint.host):\(endpoint.port)/\(endpoint.database)."
            )
        case .sslUnsupported:
            return GodwitError(
                .tlsFailed, "Cannot use TLS with PostgreSQL", location: server,
                reason: "the server does not support TLS and sslmode=\(endpoint.sslMode.rawValue) requires it",
                remedy: "Use sslmode=disable or sslmode=prefer for a server without TLS, or enable ssl on the server."
            )
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return GodwitError(
                .tlsFailed, "Cannot use TLS with PostgreSQL", location: server,
                reason: "the TLS handshake failed",
                remedy: "Check the server's certificate, or use sslmode=require to skip verification."
            )
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return unreachable(reason: describeNetwork(psql.underlying ?? psql, endpoint: endpoint), server: server)
        case .unsupportedAuthMechanism, .saslError:
            return authenticationFailed(
                endpoint, reason: "the server asked for an authentication method Godwit cannot use",
                remedy: "Use password, md5 or scram-sha-256 authentication for this user in pg_hba.conf."
            )
        default:
            return unreachable(reason: "the connection failed (\(psql.code))", server: server)
        }
    }

    static func translateQuery(_ error: any Error, endpoint: DatabaseURL.PostgresEndpoint, statement: String? = nil) -> any Error {
        if error is GodwitError || error is CancellationError { return error }
        // postgres-nio's older query API reports server errors as PostgresError.
        if let legacy = error as? PostgresError {
            switch legacy {
            case .server(let response):
                let state = response.fields[.sqlState] ?? ""
                let message = safeMessage(response.fields[.message] ?? "no message", sqlState: state)
                return GodwitError(.queryFailed, "PostgreSQL rejected a statement", location: statement, reason: "\(message) (SQLSTATE \(state))",
                                   engineCode: state)
            case .connectionClosed:
                return GodwitError(.serverUnreachable, "Lost the connection to PostgreSQL", location: endpoint.serverDescription,
                                   reason: "the server closed it", remedy: "Check the server's log; rerun when it is back.")
            default:
                return GodwitError(.queryFailed, "PostgreSQL failed", location: statement, reason: "a protocol error")
            }
        }
        guard let psql = error as? PSQLError else {
            // A socket error or a closed channel outside postgres-nio's own errors (a server
            // restart, a reset connection) is a lost session: transient, retried on a new one.
            if error is IOError || error is ChannelError {
                return lostConnection(endpoint, reason: describeNetwork(error, endpoint: endpoint))
            }
            return GodwitError(.queryFailed, "PostgreSQL failed", location: statement ?? endpoint.serverDescription, reason: "\(type(of: error))")
        }
        switch psql.code {
        case .server:
            var translated = translateServer(psql, endpoint: endpoint, whileConnecting: false)
            if let statement, var godwit = translated as? GodwitError, godwit.code == .queryFailed {
                godwit.location = statement
                translated = godwit
            }
            return translated
        case .queryCancelled:
            return GodwitError(.cancelled, "The PostgreSQL statement was cancelled", location: statement)
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return lostConnection(endpoint, reason: "the server closed it or the network failed")
        default:
            return GodwitError(.queryFailed, "PostgreSQL failed", location: statement, reason: "\(psql.code)")
        }
    }

    private static func translateServer(
        _ error: PSQLError,
        endpoint: DatabaseURL.PostgresEndpoint,
        whileConnecting: Bool
    ) -> any Error {
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = safeMessage(error.serverInfo?[.message] ?? "no message", sqlState: state)
        let server = endpoint.serverDescription
        switch state {
        case "28P01":
            return authenticationFailed(endpoint, reason: "wrong password or no such user", remedy: "Check the user and password in the URL.")
        case "28000":
            return authenticationFailed(
                endpoint, reason: message,
                remedy: "Check the user name, or ask the server's administrator to allow this login in pg_hba.conf."
            )
        case "3D000":
            return GodwitError(
                .databaseNotFound, "Database '\(endpoint.database)' does not exist", location: server,
                remedy: "Create it (createdb \(endpoint.database)) or check the database name in the URL."
            )
        case "42501":
            return GodwitError(
                .permissionDenied, "Permission denied for user '\(endpoint.user)'", location: whileConnecting ? server : nil,
                reason: message,
                remedy: whileConnecting
                    ? "Ask the database owner to run GRANT CONNECT ON DATABASE \(endpoint.database) TO \(endpoint.user)."
                    : "Ask the object's owner to grant the privilege, or run Godwit as a user that has it."
            )
        case "53300":
            return GodwitError(
                .serverUnreachable, "PostgreSQL refused the connection", location: server,
                reason: "too many connections",
                remedy: "Wait for connections to close, or raise max_connections."
            )
        case "57P03":
            return GodwitError(
                .serverUnreachable, "PostgreSQL is not accepting connections", location: server,
                reason: message, remedy: "Wait until the server has finished starting up."
            )
        default:
            return GodwitError(
                .queryFailed, "PostgreSQL rejected a statement",
                reason: "\(message) (SQLSTATE \(state))", engineCode: state
            )
        }
    }

    /// The server's message, cut before quoted values for data errors.
    static func safeMessage(_ message: String, sqlState: String) -> String {
        guard sqlState.hasPrefix("22") || sqlState.hasPrefix("23") else { return message }
        if let colon = message.firstIndex(of: ":") { return String(message[..<colon]) }
        return message
    }

    private static func authenticationFailed(_ endpoint: DatabaseURL.PostgresEndpoint, reason: String, remedy: String) -> GodwitError {
        GodwitError(
            .authenticationFailed, "Authentication failed for user '\(endpoint.user)'",
            location: endpoint.serverDescription, reason: reason, remedy: remedy
        )
    }

    /// The session is gone mid-work; `apply` retries it with backoff on a new one.
    static func lostConnection(_ endpoint: DatabaseURL.PostgresEndpoint, reason: String) -> GodwitError {
        GodwitError(
            .serverUnreachable, "Lost the connection to PostgreSQL", location: endpoint.serverDescription, reason: reason,
            remedy: "Check the server's log; rerun when it is back (Godwit records where it stopped)."
        )
    }

    private static func unreachable(reason: String, server: String) -> GodwitError {
        GodwitError(
            .serverUnreachable, "Cannot connect to PostgreSQL", location: server, reason: reason,
            remedy: "Check that the server is running and accepts connections on that host and port."
        )
    }

    private static func describeNetwork(_ error: any Error, endpoint: DatabaseURL.PostgresEndpoint) -> String {
        if let failure = error as? NIOConnectionError {
            if failure.connectionErrors.isEmpty, failure.dnsAError != nil || failure.dnsAAAAError != nil {
                return "host '\(endpoint.host)' not found"
            }
            if let first = failure.connectionErrors.first { return describeNetwork(first.error, endpoint: endpoint) }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "no answer within \(endpoint.connectTimeoutSeconds ?? 0) seconds (connect_timeout in the URL sets the wait)"
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ENOENT: return "no server socket at that path"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            case ETIMEDOUT: return "no answer"
            case ECONNRESET: return "connection reset"
            case EPIPE: return "connection closed"
            default: return "network error \(ioError.errnoCode)"
            }
        }
        if let nested = (error as? PSQLError)?.underlying { return describeNetwork(nested, endpoint: endpoint) }
        let text = "\(error)".lowercased()
        if text.contains("refused") { return "connection refused" }
        if text.contains("resolve") || text.contains("not known") || text.contains("no address") { return "host '\(endpoint.host)' not found" }
        return "the connection failed"
    }
}
