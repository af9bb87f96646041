import Foundation

/// Reads migration files in the layouts of the tools teams come from, in place and unconverted:
///
/// - dbmate: `<version>_<name>.sql` holding `-- migrate:up` and `-- migrate:down` sections
///   (`transaction:false` on the marker line runs it outside a transaction);
/// - goose: `<version>_<name>.sql` holding `-- +goose Up` and `-- +goose Down` sections
///   (`-- +goose NO TRANSACTION` runs it outside one; `StatementBegin`/`StatementEnd` lines are
///   comments to Godwit, whose lexer finds statement ends itself);
/// - Flyway: `V<version>__<description>.sql` with an optional undo `U<version>__<description>.sql`
///   (`V1_1__x.sql` is version 1.1). Without an undo file the migration cannot be undone.
///   Repeatable `R__<description>.sql` files run after the versioned ones, in description order,
///   and again whenever they change: their id carries Flyway's checksum of the script
///   (`R__views@-1249003453`), so a changed file is a new migration, pending until it runs.
/// - Prisma: `<timestamp>_<name>/migration.sql` folders, with no down (Godwit writes one);
/// - sqitch: `sqitch.plan` with `deploy/`, `revert/` and `verify/` scripts;
/// - sqlx: `<version>_<name>.sql` with neither tool's markers (a "simple" migration, no down:
///   Godwit writes one), or the `.up.sql`/`.down.sql` pairs golang-migrate also writes.
///
/// diesel's `<version>_<name>/up.sql` folders and golang-migrate's `<version>_<name>.up.sql` pairs
/// are the pair forms ``MigrationDirectory`` reads itself.
public enum ToolLayouts {
    /// One section of a file: its text and the line its first line is on.
    struct Section {
        var text: String
        var firstLine: Int
        var options: String
    }

    /// The migration in a single `.sql` file: dbmate's or goose's sections, or, with neither
    /// tool's markers and a version of digits, sqlx's simple migration, whose down Godwit
    /// writes. Nil for any other `.sql` file (a `schema.sql` dump beside the migrations).
    static func singleFile(name: String, text: String, path: String, display: String) throws -> Migration? {
        let stem = String(name.dropLast(".sql".count))
        let (version, title) = MigrationDirectory.versionAndName(stem)
        if let (up, down) = sections(text, upMarker: "-- migrate:up", downMarker: "-- migrate:down") {
            return try migration(version: version, title: title, text: text, up: up, down: down, path: path, display: display,
                             isTransactional: !up.options.contains("transaction:false"))
        }
        if let (up, down) = sections(text, upMarker: "-- +goose Up", downMarker: "-- +goose Down") {
            return try migration(version: version, title: title, text: text, up: up, down: down, path: path, display: display,
                             isTransactional: !text.contains("-- +goose NO TRANSACTION"))
        }
        if !version.isEmpty, version != stem, version.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return try upOnly(stem: stem, text: text, path: display, display: display)
        }
        return nil
    }

    /// `V1_1__add_email.sql` → (`1.1`, `add email`); nil for any other name.
    static func flywayVersion(_ name: String, prefix: Character = "V") -> (version: String, title: String)? {
        guard name.first == prefix, name.hasSuffix(".sql"), let separator = name.range(of: "__") else { return nil }
        let version = name[name.index(after: name.startIndex)..<separator.lowerBound].replacingOccurrences(of: "_", with: ".")
        guard !version.isEmpty, version.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        let title = name[separator.upperBound...].dropLast(".sql".count).replacingOccurrences(of: "_", with: " ")
        return (version, title)
    }

    /// A Flyway versioned file with its undo file, when there is one.
    static func flyway(version: String, title: String, upText: String, upPath: String, downText: String?, downPath: String?) throws -> Migration {
        let checksum = MigrationChecksum.sha256(Data(upText.utf8) + Data([0]) + Data((downText ?? "").utf8))
        return Migration(
            id: version, name: title, downtime: try SQLDowntimeDirective.downtime(in: upText, file: upPath),
            operations: [.rawSQL(RawSQL(up: upText, down: downText ?? "", upSource: SQLSource(file: upPath),
                                        downSource: downPath.map { SQLSource(file: $0) }))],
            source: Migration.Source(path: upPath, checksum: checksum),
            suppressions: LintSuppression.scan(upText)
        )
    }

    /// A Flyway repeatable file `R__<description>.sql`: its id is `R__<description>@<checksum>`
    /// (Flyway's CRC32 of the script), which sorts after every version. It has no down: Flyway
    /// never undoes a repeatable; an earlier version of it comes back by running that file again.
    static func flywayRepeatable(name: String, text: String, path: String) throws -> Migration? {
        guard name.hasPrefix("R__"), name.hasSuffix(".sql"), name.count > "R__.sql".count else { return nil }
        let stem = String(name.dropLast(".sql".count))
        let description = String(stem.dropFirst(3))
        return Migration(
            id: "\(stem)@\(FlywayChecksum.of(text))", name: description.replacingOccurrences(of: "_", with: " "),
            downtime: try SQLDowntimeDirective.downtime(in: text, file: path),
            operations: [.rawSQL(RawSQL(up: text, down: "", upSource: SQLSource(file: path)))],
            source: Migration.Source(path: path, checksum: MigrationChecksum.sha256(Data(text.utf8))),
            suppressions: LintSuppression.scan(text)
        )
    }

    /// Whether an id is a Flyway repeatable's (``flywayRepeatable(name:text:path:)``): it runs after
    /// every version, is never undone, and does not hold back a rollback of the versions before it.
    public static func isRepeatable(_ id: String) -> Bool {
        id.hasPrefix("R__") && id.contains("@")
    }

    /// A Prisma folder `<timestamp>_<name>/migration.sql`. Prisma writes no down: Godwit writes
    /// one from what the file does on the scratch copy and marks it for review; a `down.sql`
    /// written beside it makes the folder a diesel-style pair instead.
    static func prisma(stem: String, text: String, path: String) throws -> Migration {
        try withGeneratedDown(stem: stem, text: text, path: path, display: path)
    }

    /// An `up.sql` with no `down.sql` beside it (golang-migrate's `<v>_<name>.up.sql` alone, or a
    /// diesel-style folder without one): as for Prisma, Godwit writes the down and marks it for
    /// review. Its checksum is the up file's alone; a `down.sql` added later changes it.
    static func upOnly(stem: String, text: String, path: String, display: String) throws -> Migration {
        try withGeneratedDown(stem: stem, text: text, path: path, display: display)
    }

    private static func withGeneratedDown(stem: String, text: String, path: String, display: String) throws -> Migration {
        let (version, title) = MigrationDirectory.versionAndName(stem)
        return Migration(
            id: version, name: title, downtime: try SQLDowntimeDirective.downtime(in: text, file: display),
            operations: [.rawSQL(RawSQL(up: text, down: "", upSource: SQLSource(file: path), generatesDown: true))],
            source: Migration.Source(path: display, checksum: MigrationChecksum.sha256(Data(text.utf8))),
            suppressions: LintSuppression.scan(text)
        )
    }

    /// A sqitch project: the changes of `sqitch.plan` in plan order, each `deploy/<change>.sql`
    /// as up and `revert/<change>.sql` as down, and each statement of `verify/<change>.sql` (its
    /// BEGIN/ROLLBACK wrapper left out) as a validation that must run without an error. sqitch has
    /// no versions: a change's place in the plan is its id (`0001`), its name the change's. A
    /// change planned again later (reworked) reads its earlier scripts from
    /// `deploy/<change>@<tag>.sql`, as sqitch does.
    static func sqitch(directory: String, read: (String) throws -> String) throws -> [Migration] {
        let planPath = (directory as NSString).appendingPathComponent("sqitch.plan")
        let plan = try SqitchPlan.parse(try read(planPath), file: planPath)
        var migrations: [Migration] = []
        for (index, change) in plan.changes.enumerated() {
            let script = change.reworkTag.map { "\(change.name)@\($0)" } ?? change.name
            func file(_ folder: String) -> String { (directory as NSString).appendingPathComponent("\(folder)/\(script).sql") }
            guard FileManager.default.fileExists(atPath: file("deploy")) else {
                throw GodwitError(.invalidMigration, "No deploy script for sqitch change \(change.name)", location: "\(planPath):\(change.line):1",
                                  reason: "\(file("deploy")) does not exist",
                                  remedy: change.reworkTag == nil ? "Add the deploy script, or remove the change from the plan."
                                      : "A reworked change keeps its earlier scripts as deploy/, revert/ and verify/\(script).sql (sqitch rework writes them).")
            }
            let up = try read(file("deploy"))
            let down = FileManager.default.fileExists(atPath: file("revert")) ? try read(file("revert")) : ""
            var validations: [Validation] = []
            if FileManager.default.fileExists(atPath: file("verify")) {
                validations = SQLScript.statements(in: try read(file("verify")), engine: .postgresql)
                    .filter { $0.transactionControl == nil && !$0.isMetaCommand }
                    .map { Validation(name: "verify/\(script).sql:\($0.position.line)", sql: $0.text, expectation: .runs) }
            }
            let checksum = MigrationChecksum.sha256(Data(up.utf8) + Data([0]) + Data(down.utf8))
            var migration = Migration(
                id: String(format: "%04d", index + 1), name: change.name, downtime: try SQLDowntimeDirective.downtime(in: up, file: file("deploy")),
                operations: [.rawSQL(RawSQL(up: up, down: down, upSource: SQLSource(file: file("deploy")), downSource: SQLSource(file: file("revert"))))],
                validations: validations,
                source: Migration.Source(path: file("deploy"), checksum: checksum),
                suppressions: LintSuppression.scan(up)
            )
            var required: [String: String] = [:]
            for name in change.requires { required[name] = plan.id(ofChange: name, before: index) }
            migration.sqitch = SqitchRecord(project: plan.project, change: change, requiredIDs: required,
                                            scriptHash: SqitchPlan.scriptHash(FileManager.default.contents(atPath: file("deploy")) ?? Data(up.utf8)))
            migrations.append(migration)
        }
        return migrations
    }

    private static func migration(version: String, title: String, text: String, up: Section, down: Section?, path: String, display: String,
                                  isTransactional: Bool) throws -> Migration {
        Migration(
            id: version, name: title, downtime: try SQLDowntimeDirective.downtime(in: up.text, file: display),
            operations: [.rawSQL(RawSQL(up: up.text, down: down?.text ?? "", isTransactional: isTransactional,
                                        upSource: SQLSource(file: display, firstLine: up.firstLine),
                                        downSource: down.map { SQLSource(file: display, firstLine: $0.firstLine) }))],
            source: Migration.Source(path: display, checksum: MigrationChecksum.sha256(Data(text.utf8))),
            suppressions: LintSuppression.scan(up.text)
        )
    }

    /// The up and down sections after their marker lines; nil when the up marker is missing.
    private static func sections(_ text: String, upMarker: String, downMarker: String) -> (Section, Section?)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let upAt = lines.firstIndex(where: { $0.trimmingWhitespace().hasPrefix(upMarker) }) else { return nil }
        let downAt = lines.firstIndex(where: { $0.trimmingWhitespace().hasPrefix(downMarker) })
        func section(from marker: Int, to end: Int) -> Section {
            let body = lines[(marker + 1)..<end].map(String.init).joined(separator: "\n")
            return Section(text: body, firstLine: marker + 2, options: String(lines[marker].trimmingWhitespace()))
        }
        if let downAt, downAt > upAt {
            return (section(from: upAt, to: downAt), section(from: downAt, to: lines.count))
        }
        if let downAt {
            return (section(from: upAt, to: lines.count), section(from: downAt, to: upAt))
        }
        return (section(from: upAt, to: lines.count), nil)
    }
}
