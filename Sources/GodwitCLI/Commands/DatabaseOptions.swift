public import ArgumentParser
import Foundation
public import GodwitCore

/// Resolves the database URL of a command: the argument, else `DATABASE_URL`.
enum DatabaseURLResolver {
    /// The URL given with the option or in DATABASE_URL, if either is.
    static func resolveIfGiven(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseURL? {
        if let argument { return try DatabaseURL(parsing: argument) }
        if let fromEnvironment = environment["DATABASE_URL"], !fromEnvironment.isEmpty {
            return try DatabaseURL(parsing: fromEnvironment)
        }
        return nil
    }

    static func resolve(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DatabaseURL {
        if let url = try resolveIfGiven(argument, environment: environment) { return url }
        throw GodwitError(
            .invalidArgument, "No database given",
            remedy: "Pass a URL (godwit inspect sqlite:app.db) or set DATABASE_URL."
        )
    }
}

extension SchemaFormat: ExpressibleByArgument {}
extension Engine: ExpressibleByArgument {}
