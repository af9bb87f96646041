public import Foundation
public import GodwitCore

/// What `godwit cutover` did, and what the operator does next.
public struct CutoverResult: Sendable {
    public var sync: SyncSummary
    public var report: ReconciliationReport
    public var at: Date
    /// The switch, step by step.
    public var steps: [String]
    /// The copy file for the way back (`--reverse-sync`), when written.
    public var reverseFile: String?
}

/// `godwit cutover --from URL --to URL`: holds the source read-only (PostgreSQL: every copied
/// table locked EXCLUSIVE, which lets reads through; SQLite: the write lock), runs a final sync
/// to zero lag, verifies the two databases equal, records the cutover in the target, and prints
/// the switch. With `reverseFile`, change capture is installed on the target first and the
/// copy file that maps the target back onto the source is written, so `godwit sync` from the
/// target keeps the old side current as the way back. A failed sync or verification releases the
/// source and changes nothing.
public struct Cutover: Sendable {
    public let source: DatabaseURL
    public let target: DatabaseURL
    public let spec: CopySpec
    public var reverseFile: String?
    public let observer: (any ExecutionObserver)?

    public init(source: DatabaseURL, target: DatabaseURL, spec: CopySpec = CopySpec(), reverseFile: String? = nil,
                observer: (any ExecutionObserver)? = nil) {
        self.source = source
        self.target = target
        self.spec = spec
        self.reverseFile = reverseFile
        self.observer = observer
    }

    public func run() async throws -> CutoverResult {
        // A cutover happens once: a second would freeze a source the application left, and sync
        // its stale rows over the target's new ones.
        if let earlier = try await DatabaseConnector.withDriver(target, access: .readOnly, { try await CopyProgressStore(driver: $0).marks(startingWith: "cutover ") }).first {
            throw GodwitError(
                .refused, "This target was cut over already, at \(earlier.name.dropFirst("cutover ".count))", location: target.description,
                reason: "the target is where the application writes now; cutting over again would sync the old source's rows over its changes",
                remedy: "Nothing to do. To go back, stop the writers, run the reverse sync once more, and point them at the source."
            )
        }
        let schema = try await DatabaseConnector.withDriver(source, access: .readOnly) { try await $0.inspect(.dataMove) }
        let plan = try CopyPlan(source: schema, target: target.engine, spec: spec, targetSchema: nil)
        let freeze = try await DatabaseConnector.open(source)
        do {
            try await hold(freeze, tables: plan.tables)
            observer?.observe(ExecutionEvent(kind: .notice, migration: "cutover", message: "the source is read-only: writers wait"))
            var sync = DataSync(source: source, target: target, spec: spec, observer: observer)
            sync.maximumLag = 0
            let synced = try await sync.run()
            let report = try await CrossVerification(source: source, target: target, spec: spec, observer: observer).run()
            guard report.passes else {
                let missing = report.tables.flatMap { table in table.missingConstraints.map { "\(table.target): \($0)" } }
                let differing = report.tables.filter { !$0.isEqual && $0.missingConstraints.isEmpty }.map(\.source)
                let reason = ((differing.isEmpty ? [] : [differing.joined(separator: ", ") + " differ"])
                              + (missing.isEmpty ? [] : ["the target does not enforce " + missing.joined(separator: "; ")])).joined(separator: ", and ")
                throw GodwitError(.integrityFailure, "The databases differ after the final sync: no cutover", reason: reason,
                                  remedy: missing.isEmpty
                                      ? "Run godwit verify --source … --target … for the report; the source is writable again."
                                      : "The source is writable again. A constraint the rows break must be fixed in the source's rows (then godwit sync adds it); one the target cannot read must be added by hand. Then cut over.")
            }
            if let reverseFile { try await prepareWayBack(plan, schema: schema, file: reverseFile) }
            let at = Date()
            try await DatabaseConnector.withDriver(target) { driver in
                let store = CopyProgressStore(driver: driver)
                try await store.install()
                try await store.mark("cutover \(ISO8601DateFormatter().string(from: at))")
            }
            _ = try? await freeze.execute(unsafeSQL: "ROLLBACK")
            try? await freeze.close()
            return CutoverResult(sync: synced, report: report, at: at, steps: steps(reverse: reverseFile), reverseFile: reverseFile)
        } catch {
            _ = try? await freeze.execute(unsafeSQL: "ROLLBACK")
            try? await freeze.close()
            throw error
        }
    }

    /// Holds the source's write lock on `driver` until it rolls back.
    private func hold(_ driver: any DatabaseDriver, tables: [TableCopy]) async throws {
        for statement in driver.dialect.freezingWrites(to: tables.map(\.source.name)) { try await driver.execute(unsafeSQL: statement) }
    }

    /// Change capture on the target and the copy file that maps it back onto the source.
    private func prepareWayBack(_ plan: CopyPlan, schema: Schema, file: String) async throws {
        var reverse = CopySpec()
        reverse.chunkRows = spec.chunkRows
        var text = ["# Written by godwit cutover: the target's tables and columns mapped back onto the source.",
                    "# Keep the old side current: godwit sync --from TARGET --to SOURCE --with \(file)", "tables:"]
        for table in plan.tables {
            var rule = CopySpec.TableRule(to: table.source.name.name)
            text.append("  \(Self.yaml(table.target.name.name)):")
            text.append("    to: \(Self.yaml(table.source.name.name))")
            text.append("    columns:")
            for column in table.columns {
                guard let name = column.sourceName, let original = table.source.column(named: name) else { continue }
                rule.columns[column.target.name] = .init(to: name, type: original.type)
                text.append("      \(Self.yaml(column.target.name)): {to: \(Self.yaml(name)), type: \(Self.yaml(original.type))}")
            }
            reverse.tables[table.target.name.name] = rule
        }
        try await DatabaseConnector.withDriver(target) { driver in
            let targetSchema = try await driver.inspect(.dataMove)
            let back = try CopyPlan(source: targetSchema, target: source.engine, spec: reverse, targetSchema: nil)
            try await driver.withWriteTransaction {
                try await ChangeCapture(driver: driver).install(for: back.tables)
            }
        }
        do {
            try (text.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        } catch {
            throw GodwitError(.ioFailure, "Cannot write the reverse copy file", location: file, reason: error.localizedDescription,
                              remedy: "Check that the directory exists and is writable.")
        }
    }

    private func steps(reverse: String?) -> [String] {
        var steps = [
            "Point the application's writers at \(target.description) (its DATABASE_URL) and restart them now: the source took writes again when cutover ended, and what is written there from now on is not on the target (stop the writers first if they may not write at all meanwhile).",
            "Watch the application's errors and latency on the target.",
        ]
        if let reverse {
            steps.append("Keep the old side current as the way back: godwit sync --from \(target.description) --to \(source.description) --with \(reverse) (repeat, or run it on a schedule).")
            steps.append("To go back: stop the writers, run that sync once more, and point them at \(source.description) again.")
        } else {
            steps.append("Keep \(source.description) unchanged for the retention window: it is the way back (changes made on the target since are not on it).")
        }
        return steps
    }

    private static func yaml(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
