import ArgumentParser
import GodwitCore
import GodwitEngine

/// `godwit inspect URL`: the schema model and statistics of a live database.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Read a database's schema and table statistics.",
        discussion: """
            Formats: text (for people), json (the schema model), sql (DDL that recreates the schema \
            on the same engine, in dependency order), markdown (a data-architecture document with a \
            Mermaid ER diagram). The database is opened read-only where the engine allows it.
            """
    )

    @Argument(help: "Database URL: sqlite:path.db, a path ending in .db/.sqlite, or postgres://user@host:port/db. Defaults to $DATABASE_URL.")
    var url: String?

    @Option(name: .long, help: "The database, as the other commands take it: the same as the URL argument.")
    var db: String?

    @Option(name: .shortAndLong, help: "Output format: text, json, sql or markdown.")
    var format: SchemaFormat = .text

    @Flag(name: .long, help: "Count every table's rows exactly (slow on large tables); estimates are always shown.")
    var exactCounts = false

    @Option(name: .long, parsing: .upToNextOption, help: "PostgreSQL schemas to read (default: all but the system ones).")
    var schema: [String] = []

    func run() async throws {
        try await CommandRunner.run {
            if let url, let db, url != db {
                throw GodwitError(.invalidArgument, "Two databases to inspect", location: "--db",
                                  reason: "the URL argument and --db name different databases", remedy: "Name the database once, as the argument or with --db.")
            }
            let databaseURL = try DatabaseURLResolver.resolve(url ?? db)
            let schemaModel = try await DatabaseConnector.withDriver(databaseURL, access: .readOnly) { driver in
                try await driver.inspect(InspectionOptions(exactRowCounts: exactCounts, schemas: schema))
            }
            Terminal().write(try SchemaPresenter.render(schemaModel, as: format, source: databaseURL.description))
        }
    }
}

/// Turns a schema into the text of one output format.
enum SchemaPresenter {
    static func render(_ schema: Schema, as format: SchemaFormat, source: String) throws -> String {
        switch format {
        case .text:
            return SchemaTextRenderer(source: source).render(schema)
        case .json:
            return try SchemaJSON.encode(schema) + "\n"
        case .sql:
            let header = "-- Schema of \(source), written by godwit inspect --format sql\n\n"
            return header + DatabaseConnector.schemaWriter(for: schema.engine).createScript(for: schema)
        case .markdown:
            return SchemaMarkdownRenderer(source: source).render(schema)
        }
    }
}
