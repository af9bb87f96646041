import Foundation
public import GodwitCore

/// Writes sqitch's registry rows for a change Godwit deployed or reverted, as sqitch's own
/// engine does on PostgreSQL (schema `sqitch`): the change with its script hash, its
/// dependencies with the ids they resolve to, its tags, and an event; a revert deletes the first
/// three and logs a `revert` event. sqitch then sees the database as if it had run the change
/// (`sqitch status`, `sqitch revert`). sqitch's registry for SQLite is a separate file next to
/// the database, which Godwit does not write.
struct SqitchRegistry {
    let driver: any DatabaseDriver
    let committerName: String
    let committerEmail: String

    init(driver: any DatabaseDriver, operatorName: String) {
        self.driver = driver
        committerName = operatorName
        committerEmail = operatorName.contains("@") ? operatorName : ""
    }

    /// Whether Godwit writes sqitch's rows on this engine.
    static func isWritable(on engine: Engine) -> Bool { engine == .postgresql }

    func deployed(_ record: SqitchRecord) async throws {
        let change = record.change
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO sqitch.projects (project, uri, creator_name, creator_email)
            SELECT $1, NULL, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM sqitch.projects WHERE project = $1)
            """, bindings: [.text(record.project), .text(committerName), .text(committerEmail)])
        _ = try await driver.execute(unsafeSQL: """
            INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email,
                                        planned_at, planner_name, planner_email, committed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9, $10, clock_timestamp())
            """, bindings: [.text(change.id), .text(record.scriptHash), .text(change.name), .text(record.project), .text(change.note),
                            .text(committerName), .text(committerEmail), .text(change.plannedAt), .text(change.plannerName), .text(change.plannerEmail)])
        for name in change.requires {
            _ = try await driver.execute(unsafeSQL: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES ($1, 'require', $2, $3)",
                                         bindings: [.text(change.id), .text(name), record.requiredIDs[name].map(DatabaseValue.text) ?? .null])
        }
        for name in change.conflicts {
            _ = try await driver.execute(unsafeSQL: "INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES ($1, 'conflict', $2, NULL)",
                                         bindings: [.text(change.id), .text(name)])
        }
        for tag in change.tags {
            _ = try await driver.execute(unsafeSQL: """
                INSERT INTO sqitch.tags (tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9, $10, clock_timestamp())
                """, bindings: [.text(tag.id), .text("@" + tag.name), .text(record.project), .text(change.id), .text(tag.note),
                                .text(committerName), .text(committerEmail), .text(tag.plannedAt), .text(tag.plannerName), .text(tag.plannerEmail)])
        }
        try await event("deploy", record, tags: change.tags.map { "@" + $0.name }, requires: change.requires, conflicts: change.conflicts)
    }

    /// Reverts the newest deployed change of that name (a rollback knows the migration's name,
    /// not its plan), with the details its row holds.
    func reverted(changeNamed name: String) async throws {
        guard let row = try await driver.query(unsafeSQL: """
            SELECT change_id, project, note, to_char(planned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), planner_name, planner_email
            FROM sqitch.changes WHERE change = $1 ORDER BY committed_at DESC LIMIT 1
            """, bindings: [.text(name)]).first, let changeID = row[0].textValue else { return }
        let id = DatabaseValue.text(changeID)
        let tags = try await driver.query(unsafeSQL: "SELECT tag FROM sqitch.tags WHERE change_id = $1 ORDER BY tag", bindings: [id]).compactMap { $0[0].textValue }
        let dependencies = try await driver.query(unsafeSQL: "SELECT type, dependency FROM sqitch.dependencies WHERE change_id = $1 ORDER BY dependency", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.tags WHERE change_id = $1", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.dependencies WHERE change_id = $1", bindings: [id])
        _ = try await driver.execute(unsafeSQL: "DELETE FROM sqitch.changes WHERE change_id = $1", bindings: [id])
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
            VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8::text[], $9, $10, $11::timestamptz, $12, $13, clock_timestamp())
            """, bindings: [.text(kind), .text(change.id), .text(change.name), .text(record.project), .text(change.note),
                            .text(Self.array(tags)), .text(Self.array(requires)), .text(Self.array(conflicts)),
                            .text(committerName), .text(committerEmail), .text(change.plannedAt), .text(change.plannerName), .text(change.plannerEmail)])
    }

    /// A PostgreSQL array literal of text values.
    private static func array(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }
}
