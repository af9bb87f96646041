import GRDB
import GodwitCore

/// Turns GRDB and SQLite errors into ``GodwitError``s that name the file and say what to do,
/// without statement arguments (GRDB hides them by default; only SQLite's own message is kept).
enum SQLiteErrorTranslator {
    static func translate(_ error: any Error, path: String, opening: Bool = false) -> any Error {
        if error is GodwitError || error is CancellationError { return error }
        guard let error = error as? DatabaseError else {
            return GodwitError(.internalError, "SQLite failed", location: path, reason: "\(type(of: error))")
        }
        switch error.resultCode {
        case .SQLITE_NOTADB:
            return GodwitError(
                .notADatabase, "Not a SQLite database", location: path,
                reason: "the file exists but is not in SQLite format",
                remedy: "Check the path; Godwit opens SQLite 3 database files."
            )
        case .SQLITE_CANTOPEN:
            return GodwitError(
                .permissionDenied, "Cannot open the SQLite database", location: path,
                reason: "the operating system refused access",
                remedy: "Check that the file and its directory are readable (and writable for changes) by this user."
            )
        case .SQLITE_PERM, .SQLITE_AUTH:
            return GodwitError(
                .permissionDenied, "Permission denied by SQLite", location: path,
                reason: error.message ?? "access denied",
                remedy: "Check the file's permissions."
            )
        case .SQLITE_READONLY:
            return GodwitError(
                .permissionDenied, "The SQLite database is read-only", location: path,
                reason: error.message ?? "attempt to write a readonly database",
                remedy: "Make the file and its directory writable by this user, or point Godwit at a writable copy."
            )
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return GodwitError(
                .queryFailed, "The SQLite database is locked by another connection", location: path,
                reason: error.message ?? "database is locked",
                remedy: "Wait for the other writer to finish, or raise the lock timeout.",
                engineCode: error.resultCode == .SQLITE_BUSY ? "SQLITE_BUSY" : "SQLITE_LOCKED"
            )
        case .SQLITE_INTERRUPT:
            return GodwitError(.cancelled, "The SQLite statement was interrupted", location: path)
        default:
            return GodwitError(
                .queryFailed, opening ? "Cannot open the SQLite database" : "SQLite rejected a statement",
                location: path, reason: error.message ?? "error \(error.resultCode.rawValue)",
                remedy: opening ? "Check the path." : nil
            )
        }
    }
}
