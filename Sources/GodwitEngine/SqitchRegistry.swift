import Foundation
public import GodwitCore

/// Writes sqitch's registry rows for a change Godwit deployed or reverted, as sqitch's own
/// engines do: the change with its script hash, its dependencies with the ids they resolve to,
/// its tags, and an event; a revert deletes the first three and logs a `revert` event. sqitch
/// then sees the database as if it had run the change (`sqitch status`, `sqitch revert`).
///
/// On PostgreSQL the registry is the schema `sqitch`. On SQLite sqitch keeps it in a file of its
/// own beside the database (`sqitch.db` for `app.db`); Godwit attaches that file to its session
/// as `sqitch` (``attach(on:)``), so the same tables are read and written, with SQLite's forms:
/// times as `YYYY-MM-DD HH:MM:SS` text, lists as text (tags joined by spaces, dependencies by
/// commas), as sqitch writes them there.
struct SqitchRegistry {
    let driver: any DatabaseDriver
    let committerName: String
    let committerEmail: String

    init(driver: any DatabaseDriver, operatorName: String) {
        self.driver = driver
        committerName = operatorName
        committerEmail = operatorName.contains("@") ? operatorName : ""
    }

    /// Where sqitch keeps a SQLite database's registry: beside it, named `sqitch` with the
    /// database file's extension (`/data/app.db` → `/data/sqitch.db`; `/data/app` → `/data/sqitch`).
    static func sqliteRegistryPath(for database: String) -> String {
        let url = URL(fileURLWithPath: database)
        let name = url.lastPathComponent
        let registry = name.contains(".") ? "sqitch." + name.split(separator: ".", maxSplits: 1)[1] : "sqitch"
        return url.deletingLastPathComponent().appendingPathComponent(registry).path
    }

    /// Gives a SQLite copy of a database (a rehearsal's clone) a copy of the registry kept
    /// beside the original, where Godwit looks for it beside the copy; the copy's rehearsal then
    /// adopts what sqitch deployed, as `apply` on the original does.
    /// - Returns: the registry copy's path, to remove with the clone; nil when the original has
    ///   no registry file (or on PostgreSQL, where the registry is a schema the clone holds).
    /// - Throws: ``GodwitError`` (`refused`) when the copy's registry would be the original's
    ///   own file (a copy in the same directory, with the same extension), or is there already.
    static func copyRegistry(of original: DatabaseURL, beside copy: DatabaseURL) async throws -> String? {
        guard case .sqlite(let source) = original, case .sqlite(let target) = copy, !source.isInMemory else { return nil }
        let registry = sqliteRegistryPath(for: source.path), copied = sqliteRegistryPath(for: target.path)
        guard FileManager.default.fileExists(atPath: registry) else { return nil }
        guard URL(fileURLWithPath: registry).standardizedFileURL != URL(fileURLWithPath: copied).standardizedFileURL,
              !FileManager.default.fileExists(atPath: copied) else {
            throw GodwitError(.refused, "The copy's sqitch registry would be \(copied), which is there already", location: target.path,
                              reason: "sqitch keeps a SQLite database's registry beside it, and the copy's run writes that file",
                              remedy: "Put the copy in a directory of its own (--clone-on DIR/NAME.db, with no sqitch file in DIR).")
        }
        try await DatabaseConnector.withDriver(.sqlite(.init(path: registry)), access: .readOnly) { driver in
            _ = try await driver.execute(unsafeSQL: "VACUUM INTO \(SQLIdentifierQuoter.literal(copied))")
        }
        return copied
    }

    /// Makes the registry readable as schema `sqitch` in this session: on SQLite, attaches the
    /// registry file beside the database when there is one (outside a transaction). Returns
    /// whether the session can see a registry.
    @discardableResult
    static func attach(on driver: any DatabaseDriver) async throws -> Bool {
        guard driver.engine == .sqlite else { return true }
        let attached = try await driver.query(unsafeSQL: "SELECT count(*) FROM pragma_database_list WHERE name = 'sqitch'").first?[0].integerValue ?? 0
        if attached > 0 { return true }
        guard case .sqlite(let file) = driver.url, file.path != ":memory:" else { return false }
        let path = sqliteRegistryPath(for: file.path)
        guard FileManager.default.fileExists(atPath: path) else { return false }
        try await driver.execute(unsafeSQL: "ATTACH DATABASE \(SQLIdentifierQuoter.literal(path)) AS sqitch")
        return true
    }

    private var postgres: Bool { driver.engine == .postgresql }
    private func p(_ number: Int) -> String { driver.dialect.parameter(number) }
    /// A timestamp parameter: PostgreSQL casts sqitch's ISO text; SQLite stores it as sqitch does.
    private func time(_ number: Int) -> String { postgres ? "$\(number)::timestamptz" : "?\(number)" }
    private func timeValue(_ iso: String) -> DatabaseValue {
        postgres ? .text(iso) : .text(iso.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: ""))
    }
    private var now: String { driver.dialect.now }

    func deployed(_ record: SqitchRecord) async throws {
        let change = record.change
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO sqitch.projects (project, uri, creator_name, creator_email)
            SELECT \(p(1)), NULL, \(p(2)), \(p(3)) WHERE NOT EXISTS (SELECT 1 FROM sqitch.projects WHERE project = \(p(1)))
            """, bindings: [.text(record.project), .text(committerName), .text(committerEmail)])
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email,
                                        planned_at, planner_name, planner_email, committed_at)
            VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)), \(p(7)), \(time(8)), \(p(9)), \(p(10)), \(now))
            """, bindings: [.text(change.id), .text(record.scriptHash), .text(change.name), .text(record.project), .text(change.note),
                            .text(committerName), .text(committerEmail), timeValue(change.plannedAt), .text(change.plannerName), .text(change.plannerEmail)])
        for name in change.requires {
            _ = try await driver.execute(unsafeSQL: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES (\(p(1)), 'require', \(p(2)), \(p(3)))",
                                         bindings: [.text(change.id), .text(name), record.requiredIDs[name].map(DatabaseValue.text) ?? .null])
        }
        for name in change.conflicts {
            _ = try await driver.execute(unsafeSQL: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES (\(p(1)), 'conflict', \(p(2)), NULL)",
                                         bindings: [.text(change.id), .text(name)])
        }
        for tag in change.tags {
            _ = try await driver.execute(unsafeSQL: """
                INSERT INTO sqitch.tags (tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
                VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)), \(p(7)), \(time(8)), \(p(9)), \(p(10)), \(now))
                """, bindings: [.text(tag.id), .text("@" + tag.name), .text(record.project), .text(change.id), .text(tag.note),
                                .text(committerName), .text(committerEmail), timeValue(tag.plannedAt), .text(tag.plannerName), .text(tag.plannerEmail)])
        }
        try await event("deploy", record, tags: change.tags.map { "@" + $0.name }, requires: change.requires, conflicts: change.conflicts)
    }

    /// Reverts the newest deployed change of that name (a rollback knows the migration's name,
    /// not its plan), with the details its row holds.
    func reverted(changeNamed name: String) async throws {
        guard let row = try await driver.query(unsafeSQL: """
            SELECT change_id, project, note, \(postgres ? #"to_char(planned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"# : "strftime('%Y-%m-%dT%H:%M:%SZ', planned_at)"),
                   planner_name, planner_email
            FROM sqitch.changes WHERE change = \(p(1)) ORDER BY committed_at DESC LIMIT 1
            """, bindings: [.text(name)]).first, let changeID = row[0].textValue else { return }
        let id = DatabaseValue.text(changeID)
        let tags = try await driver.query(unsafeSQL: "SELECT tag FROM sqitch.tags WHERE change_id = \(p(1)) ORDER BY tag", bindings: [id]).compactMap { $0[0].textValue }
        let dependencies = try await driver.query(unsafeSQL: "SELECT type, dependency FROM sqitch.dependencies WHERE change_id = \(p(1)) ORDER BY dependency", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.tags WHERE change_id = \(p(1))", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.dependencies WHERE change_id = \(p(1))", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.changes WHERE change_id = \(p(1))", bindings: [id])
        let change = SqitchPlan.Change(name: name, requires: [], conflicts: [], plannedAt: row[3].textValue ?? "", plannerName: row[4].textValue ?? "",
                                       plannerEmail: row[5].textValue ?? "", note: row[2].textValue ?? "", tags: [], id: changeID, reworkTag: nil, line: 0)
        try await event("revert", SqitchRecord(project: row[1].textValue ?? "", change: change, requiredIDs: [:], scriptHash: ""), tags: tags,
                        requires: dependencies.filter { $0[0].textValue == "require" }.compactMap { $0[1].textValue },
                        conflicts: dependencies.filter { $0[0].textValue == "conflict" }.compactMap { $0[1].textValue })
    }

    private func event(_ kind: String, _ record: SqitchRecord, tags: [String], requires: [String], conflicts: [String]) async throws {
        let change = record.change
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO sqitch.events (event, change_id, change, project, note, tags, requires, conflicts, committer_name, committer_email,
                                       planned_at, planner_name, planner_email, committed_at)
            VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(list(6)), \(list(7)), \(list(8)), \(p(9)), \(p(10)), \(time(11)), \(p(12)), \(p(13)), \(now))
            """, bindings: [.text(kind), .text(change.id), .text(change.name), .text(record.project), .text(change.note),
                            .text(postgres ? Self.array(tags) : tags.joined(separator: " ")),
                            .text(postgres ? Self.array(requires) : requires.joined(separator: ",")),
                            .text(postgres ? Self.array(conflicts) : conflicts.joined(separator: ",")),
                            .text(committerName), .text(committerEmail), timeValue(change.plannedAt), .text(change.plannerName), .text(change.plannerEmail)])
    }

    /// A list parameter: a text array on PostgreSQL, joined text on SQLite.
    private func list(_ number: Int) -> String {
        postgres ? "$\(number)::text[]" : "?\(number)"
    }

    /// A PostgreSQL array literal of text values.
    private static func array(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}
