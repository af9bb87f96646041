import Foundation

/// Reads a migrations directory: versioned YAML files (`001_add_email.yaml`), and for projects
/// that adopt Godwit, SQL in the layouts of the tools they come from — pairs (`002_x.up.sql` with
/// `002_x.down.sql` as golang-migrate writes them, or diesel's folder `003_x/` holding `up.sql`
/// and `down.sql`), dbmate's and goose's single files with up and down sections, sqlx's numbered
/// files with neither, and Flyway's `V…__x.sql` with its `U…__x.sql` undo and `R__x.sql`
/// repeatables (see ``ToolLayouts``).
///
/// The version is what comes before the first `_` of the name; migrations are returned in
/// ascending version order (numbers compared as numbers). Other files (a README, a `schema.sql`)
/// are ignored, unless nothing else is there.
public enum MigrationDirectory {
    /// Loads and validates every migration in `path`.
    /// - Throws: ``GodwitError`` naming the file and what is wrong: a missing directory, an
    ///   invalid file, a `down.sql` without its `up.sql`, two migrations with one version. An
    ///   `up.sql` without a `down.sql` gets a down Godwit writes (``RawSQL/generatesDown``).
    public static func load(_ path: String) throws -> [Migration] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GodwitError(.fileNotFound, "No migrations directory", location: path, reason: "it does not exist or is not a directory",
                              remedy: "Pass the directory that holds the migration files.")
        }
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("sqitch.plan")) {
            return try ToolLayouts.sqitch(directory: path) { try read($0, display: $0) }
        }
        let base = URL(fileURLWithPath: path)
        let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        var migrations: [Migration] = []
        var pairs: [String: (up: String?, down: String?)] = [:]
        var flyway: [(version: String, title: String, path: String)] = []
        var flywayUndo: [String: String] = [:]
        // SQL files no layout claims: a directory of nothing else is most likely the wrong one.
        var unread: [String] = []
        for name in names where !name.hasPrefix(".") {
            let url = base.appendingPathComponent(name)
            let display = (path as NSString).appendingPathComponent(name)
            var entryIsDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &entryIsDirectory)
            if entryIsDirectory.boolValue {
                let up = url.appendingPathComponent("up.sql"), down = url.appendingPathComponent("down.sql")
                let prisma = url.appendingPathComponent("migration.sql")
                if !FileManager.default.fileExists(atPath: up.path), FileManager.default.fileExists(atPath: prisma.path) {
                    // Locations name the file as the directory was given (relative stays relative).
                    migrations.append(try ToolLayouts.prisma(stem: name, text: try read(prisma.path, display: display),
                                                             path: (display as NSString).appendingPathComponent("migration.sql")))
                    continue
                }
                guard FileManager.default.fileExists(atPath: up.path) else { continue }
                migrations.append(try sqlPair(stem: name, up: up.path, down: down.path, display: display))
            } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let stem = String(name[..<name.lastIndex(of: ".")!])
                let (version, title) = versionAndName(stem)
                let text = try read(url.path, display: display)
                migrations.append(try MigrationFileParser().parse(text, file: display, defaultID: version, defaultName: title))
            } else if let (stem, isUp) = Self.pairHalf(name) {
                if isUp { pairs[stem, default: (nil, nil)].up = url.path } else { pairs[stem, default: (nil, nil)].down = url.path }
            } else if let (version, title) = ToolLayouts.flywayVersion(name) {
                flyway.append((version, title, display))
            } else if let (version, _) = ToolLayouts.flywayVersion(name, prefix: "U") {
                flywayUndo[version] = display
            } else if name.hasPrefix("R__"), name.hasSuffix(".sql"),
                      let repeatable = try ToolLayouts.flywayRepeatable(name: name, text: try read(url.path, display: display), path: display) {
                migrations.append(repeatable)
            } else if name.hasSuffix(".sql") {
                if let migration = try ToolLayouts.singleFile(name: name, text: try read(url.path, display: display), path: url.path, display: display) {
                    migrations.append(migration)
                } else {
                    unread.append(name)
                }
            }
        }
        for (version, title, path) in flyway {
            let undo = flywayUndo[version]
            migrations.append(try ToolLayouts.flyway(version: version, title: title, upText: try read(path, display: path), upPath: path,
                                                 downText: try undo.map { try read($0, display: $0) }, downPath: undo))
        }
        for (stem, pair) in pairs.sorted(by: { $0.key < $1.key }) {
            guard let up = pair.up else {
                throw GodwitError(.invalidMigration, "Invalid migration", location: (path as NSString).appendingPathComponent("\(stem).down.sql"),
                                  reason: "there is no \(stem).up.sql beside it", remedy: "Add the forward SQL in \(stem).up.sql, or remove the file.")
            }
            migrations.append(try sqlPair(stem: stem, up: up, down: pair.down ?? base.appendingPathComponent("\(stem).down.sql").path,
                                          display: (path as NSString).appendingPathComponent((up as NSString).lastPathComponent)))
        }
        if migrations.isEmpty, !unread.isEmpty {
            throw GodwitError(.invalidMigration, "No migration Godwit can read", location: path,
                              reason: "its SQL files (\(unread.prefix(3).joined(separator: ", "))\(unread.count > 3 ? ", …" : "")) carry no version in a layout Godwit reads",
                              remedy: "Name each migration <version>_<name>.sql (the version in digits), or as golang-migrate, dbmate, goose, Flyway, diesel, Prisma, sqitch or sqlx lay them out; see the README's \"Migration files\".")
        }
        var seen: [String: String] = [:]
        for migration in migrations {
            let file = migration.source?.path ?? migration.id
            if let other = seen[migration.id] {
                throw GodwitError(.invalidMigration, "Two migrations have version \(migration.id)", location: file,
                                  reason: "\(other) has it too", remedy: "Give each migration its own version.")
            }
            seen[migration.id] = file
        }
        // Flyway's repeatables run after every version, in the order of their descriptions.
        let versioned = migrations.filter { !ToolLayouts.isRepeatable($0.id) }
        let repeatable = migrations.filter { ToolLayouts.isRepeatable($0.id) }
        return versioned.sorted { VersionOrder.precedes($0.id, $1.id) } + repeatable.sorted { $0.id < $1.id }
    }

    /// `001_add_email` → (`001`, `add email`).
    static func versionAndName(_ stem: String) -> (String, String) {
        guard let underscore = stem.firstIndex(of: "_") else { return (stem, stem) }
        return (String(stem[..<underscore]), stem[stem.index(after: underscore)...].replacingOccurrences(of: "_", with: " "))
    }

    private static func sqlPair(stem: String, up: String, down: String, display: String) throws -> Migration {
        let upText = try read(up, display: display)
        guard FileManager.default.fileExists(atPath: down) else {
            // golang-migrate's down files are optional, and many projects write none: Godwit
            // writes the down itself, as for Prisma's migrations, and marks it for review.
            return try ToolLayouts.upOnly(stem: stem, text: upText, path: display.hasSuffix(".sql") ? display : (display as NSString).appendingPathComponent("up.sql"),
                                          display: display)
        }
        let downText = try read(down, display: display)
        // An empty file is taken as written (tools such as diesel leave them): an empty up does
        // nothing; an empty down, like one holding only a comment, means the migration cannot be
        // undone, and the plan says so.
        let (version, title) = versionAndName(stem)
        let checksum = MigrationChecksum.sha256(Data(upText.utf8) + Data([0]) + Data(downText.utf8))
        return Migration(
            id: version, name: title, downtime: try SQLDowntimeDirective.downtime(in: upText, file: display),
            operations: [.rawSQL(RawSQL(up: upText, down: downText, upSource: SQLSource(file: display.hasSuffix(".sql") ? display : up),
                                        downSource: SQLSource(file: down)))],
            source: Migration.Source(path: display, checksum: checksum, upChecksum: MigrationChecksum.sha256(Data(upText.utf8))),
            suppressions: LintSuppression.scan(upText)
        )
    }

    /// The largest migration file Godwit reads: 64 MiB, far past any hand-written migration, so a
    /// data dump or a wrong file given by mistake is refused before it is read into memory.
    public static let maximumFileBytes: Int64 = 64 << 20

    private static func read(_ path: String, display: String) throws -> String {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.int64Value > maximumFileBytes {
            throw GodwitError(
                .invalidMigration, "The migration file is too large to read", location: display,
                reason: "\(size.int64Value / 1_048_576) MiB, over the \(maximumFileBytes >> 20) MiB Godwit reads",
                remedy: "A migration holds statements, not data: load data with godwit copy, or split the file."
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GodwitError(.ioFailure, "Cannot read the migration", location: display, remedy: "Check the file's permissions.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GodwitError(.invalidMigration, "Invalid migration", location: display, reason: "the file is not UTF-8 text")
        }
        return text
    }
}

/// Orders versions with their numbers compared as numbers: `2` before `10`, `2026_1` before `2026_02`.
/// Dashes are read as punctuation inside one number, as diesel reads them: `2026-07-30-140000`
/// is `20260730140000`, after `20140924113530`.
public enum VersionOrder {
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        let left = parts(lhs.replacingOccurrences(of: "-", with: "")), right = parts(rhs.replacingOccurrences(of: "-", with: ""))
        for (l, r) in zip(left, right) where l != r {
            if let a = Int(l), let b = Int(r), a != b { return a < b }
            if l != r { return l < r }
        }
        return left.count < right.count
    }

    private static func parts(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var inDigits: Bool?
        for character in text {
            let isDigit = character.isNumber
            if let state = inDigits, state != isDigit {
                result.append(current)
                current = ""
            }
            current.append(character)
            inDigits = isDigit
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}

extension MigrationDirectory {
    /// The stem and direction of one half of a pair: `002_x.up.sql`, `002_x.down.sql`, or as
    /// golang-migrate reads names (`<version>_<name>.<up|down>.<anything>`), `30_x.up..sql` too.
    static func pairHalf(_ name: String) -> (stem: String, isUp: Bool)? {
        guard name.hasSuffix(".sql") else { return nil }
        for (marker, isUp) in [(".up.", true), (".down.", false)] {
            guard let range = name.range(of: marker, options: .backwards) else { continue }
            let stem = String(name[..<range.lowerBound])
            let rest = name[range.upperBound...]
            // Only dots may stand between the direction and `sql` (golang-migrate's own names).
            if !stem.isEmpty, rest.drop(while: { $0 == "." }) == "sql" { return (stem, isUp) }
        }
        return nil
    }
}
