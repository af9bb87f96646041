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
///
/// - Prisma: `<timestamp>_<name>/migration.sql` folders, with no down.
///
/// diesel's `<version>_<name>/up.sql` folders and golang-migrate's `<version>_<name>.up.sql` pairs
/// are the pair forms ``MigrationDirectory`` reads itself.
enum ToolLayouts {
    /// One section of a file: its text and the line its first line is on.
    struct Section {
        var text: String
        var firstLine: Int
        var options: String
    }

    /// The migration in a single `.sql` file of dbmate or goose, or nil when the file has neither
    /// tool's markers.
    static func singleFile(name: String, text: String, path: String, display: String) -> Migration? {
        let stem = String(name.dropLast(".sql".count))
        let (version, title) = MigrationDirectory.versionAndName(stem)
        if let (up, down) = sections(text, upMarker: "-- migrate:up", downMarker: "-- migrate:down") {
            return migration(version: version, title: title, text: text, up: up, down: down, path: path, display: display,
                             isTransactional: !up.options.contains("transaction:false"))
        }
        if let (up, down) = sections(text, upMarker: "-- +goose Up", downMarker: "-- +goose Down") {
            return migration(version: version, title: title, text: text, up: up, down: down, path: path, display: display,
                             isTransactional: !text.contains("-- +goose NO TRANSACTION"))
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
    static func flyway(version: String, title: String, upText: String, upPath: String, downText: String?, downPath: String?) -> Migration {
        let checksum = MigrationChecksum.sha256(Data(upText.utf8) + Data([0]) + Data((downText ?? "").utf8))
        return Migration(
            id: version, name: title,
            operations: [.rawSQL(RawSQL(up: upText, down: downText ?? "", upSource: SQLSource(file: upPath),
                                        downSource: downPath.map { SQLSource(file: $0) }))],
            source: Migration.Source(path: upPath, checksum: checksum),
            suppressions: LintSuppression.scan(upText)
        )
    }

    /// A Prisma folder `<timestamp>_<name>/migration.sql`. Prisma writes no down: the migration
    /// cannot be undone until one is written beside it as `down.sql` (then it is a diesel-style pair).
    static func prisma(stem: String, text: String, path: String) -> Migration {
        let (version, title) = MigrationDirectory.versionAndName(stem)
        return Migration(
            id: version, name: title,
            operations: [.rawSQL(RawSQL(up: text, down: "", upSource: SQLSource(file: path)))],
            source: Migration.Source(path: path, checksum: MigrationChecksum.sha256(Data(text.utf8))),
            suppressions: LintSuppression.scan(text)
        )
    }

    private static func migration(version: String, title: String, text: String, up: Section, down: Section?, path: String, display: String,
                                  isTransactional: Bool) -> Migration {
        Migration(
            id: version, name: title,
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
