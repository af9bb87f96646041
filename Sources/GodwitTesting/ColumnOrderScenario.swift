import Foundation
public import GodwitCore
public import GodwitEngine

/// A down that gives a dropped column back at the end of its table, as real projects' downs
/// do (`ADD COLUMN` cannot put it where it was). Every column and row returns, in another order:
/// the plan says "up to column order", and the rehearsal and rollback count it as restored and
/// name the table, also for older migrations rolled back after it — one of which makes a
/// `SELECT *` view again, over the columns in their new order (PostgreSQL spells them out).
public enum ColumnOrderScenario {
    /// Runs the scenario on a database without the table; returns what failed, in words.
    public static func run(on url: DatabaseURL, in directory: TemporaryDirectory) async throws -> [String] {
        var problems: [String] = []
        try await DatabaseConnector.withDriver(url) { driver in
            try await driver.executeScript(unsafeSQL: """
                CREATE TABLE settings (id integer PRIMARY KEY, captcha boolean NOT NULL DEFAULT false, name text);
                INSERT INTO settings (id, name) VALUES (1, 'a'), (2, NULL), (3, 'c');
                CREATE VIEW settings_all AS SELECT * FROM settings;
                """)
        }
        let folder = directory.path("column-order")
        let files = [
            ("000_drop_view", "DROP VIEW settings_all;\n", "CREATE VIEW settings_all AS SELECT * FROM settings;\n"),
            ("001_note", "ALTER TABLE settings ADD COLUMN note text;\n", "ALTER TABLE settings DROP COLUMN note;\n"),
            ("002_drop_captcha", "ALTER TABLE settings DROP COLUMN captcha;\n", "ALTER TABLE settings ADD COLUMN captcha boolean NOT NULL DEFAULT false;\n"),
        ]
        for (name, up, down) in files {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
            try up.write(toFile: folder + "/\(name)/up.sql", atomically: true, encoding: .utf8)
            try down.write(toFile: folder + "/\(name)/down.sql", atomically: true, encoding: .utf8)
        }
        let table = url.engine == .postgresql ? "public.settings" : "settings"
        // SQLite keeps a view's text as written (`*`); PostgreSQL lists the columns.
        let tableAndView = url.engine == .postgresql ? [table, "public.settings_all"] : [table]
        let planned = try await MigrationPlanning.planAll(directory: folder, database: url)
        let reversals = planned.map { $0.plan.migration.operations.first?.effect?.reversal }
        if reversals != [.identical, .identical, .columnOrderOnly(tables: [table])] { problems.append("reversals on the scratch: \(reversals)") }

        let rehearsal = try await Rehearsal(url: url, settings: SQLCorpus.settings).run(directory: folder)
        if !rehearsal.isGo || !rehearsal.rollbackIdentical { problems.append("rehearsal: \(rehearsal.problems)") }
        if rehearsal.reorderedColumns != tableAndView { problems.append("rehearsal's reordered tables: \(rehearsal.reorderedColumns)") }
        if !rehearsal.markdown().contains("identical up to column order") { problems.append("the report does not say the order changed") }

        _ = try await MigrationApplier(url: url, settings: SQLCorpus.settings).apply(directory: folder)
        for expected in [("002", "equal up to column order (\(table))"), ("001", "equal up to column order (\(table))"),
                         ("000", "equal up to column order (\(tableAndView.joined(separator: ", ")))")] {
            let (id, report) = try await MigrationRollback(url: url, settings: SQLCorpus.settings).rollback(nil)
            let structure = report.checks.first { $0.name == "schema equals the schema before the run" }
            if id != expected.0 || !report.passed || structure?.detail != expected.1 {
                problems.append("rollback of \(id): \(report.failures.map(\.detail)), structure: \(structure?.detail ?? "none")")
            }
        }
        let rows = try await DatabaseConnector.withDriver(url) { driver in
            try await driver.query(unsafeSQL: "SELECT id, name, captcha FROM settings ORDER BY id").map { row in
                "\(row[0].integerValue ?? -1) \(row[1].textValue ?? "NULL") \(row[2].textValue ?? row[2].integerValue.map(String.init) ?? "?")"
            }
        }
        if rows.count != 3 { problems.append("rows after rollback: \(rows)") }
        return problems
    }
}
