import Foundation
import GodwitCore
import GodwitTesting
import Testing

@Suite("sqitch.plan")
struct SqitchPlanTests {
    @Test("Change and tag ids are sqitch's: SHA-1 over project, uri, change, parent, planner, date, dependencies and note")
    func ids() throws {
        let plan = try SqitchPlan.parse(try String(contentsOfFile: Fixtures.url("layouts/sqitch/sqitch.plan").path, encoding: .utf8), file: "sqitch.plan")
        #expect(plan.project == "library")
        #expect(plan.uri == "https://example.com/library/")
        #expect(plan.changes.map(\.name) == ["authors", "books", "country"])
        // Computed independently (Python's hashlib over the same description sqitch builds).
        #expect(plan.changes[0].id == "292aae22567a3a9e431e4f742d62b88a7299ca5d")
        #expect(plan.changes[1].id == "9a5670f023fca90f4b6024e7781d267116c1c35e")
        #expect(plan.changes[1].requires == ["authors"])
        #expect(plan.changes[1].tags.map(\.name) == ["v1.0"])
        #expect(plan.changes[1].tags.first?.id == "729686b5117f71606fb46bde0ae6a788b55e00f8")
        #expect(plan.changes[0].note == "Adds authors.")
        #expect(plan.id(ofChange: "authors", before: 2) == plan.changes[0].id)
    }

    @Test("A reworked change reads its earlier scripts from name@tag; notes are unescaped; conflicts are kept apart")
    func reworked() throws {
        try TemporaryDirectory.with { directory in
            let text = """
                %project=shop
                # a header note
                prices 2024-01-01T00:00:00Z Ann <ann@example.com> # first\\nline two
                @v1 2024-01-02T00:00:00Z Ann <ann@example.com>
                audit [!legacy_audit] 2024-01-03T00:00:00Z Ann <ann@example.com>
                prices [prices@v1] 2024-01-04T00:00:00Z Ann <ann@example.com> # reworked
                """
            try text.write(toFile: directory.path("sqitch.plan"), atomically: true, encoding: .utf8)
            for folder in ["deploy", "revert"] {
                try FileManager.default.createDirectory(atPath: directory.path(folder), withIntermediateDirectories: true)
                for name in ["prices@v1", "audit", "prices"] {
                    try "SELECT 1; -- \(folder) \(name)\n".write(toFile: directory.path("\(folder)/\(name).sql"), atomically: true, encoding: .utf8)
                }
            }
            let plan = try SqitchPlan.parse(text, file: "sqitch.plan")
            #expect(plan.changes.map(\.reworkTag) == ["v1", nil, nil])
            #expect(plan.changes[0].note == "first\nline two")
            #expect(plan.changes[1].conflicts == ["legacy_audit"] && plan.changes[1].requires.isEmpty)
            #expect(plan.changes[0].id != plan.changes[2].id)
            let migrations = try MigrationDirectory.load(directory.url.path)
            #expect(migrations.map(\.name) == ["prices", "audit", "prices"])
            guard case .rawSQL(let first) = migrations[0].operations[0], case .rawSQL(let last) = migrations[2].operations[0] else {
                Issue.record("not SQL"); return
            }
            #expect(first.up.contains("deploy prices@v1") && first.down.contains("revert prices@v1"))
            #expect(last.up.contains("deploy prices\n"))
            #expect(migrations[2].sqitch?.requiredIDs["prices@v1"] == nil)  // a tagged dependency names a change in the plan as of that tag
        }
    }

    @Test("A change line without its planned time or planner is refused at its line")
    func malformed() {
        let error = #expect(throws: GodwitError.self) { try SqitchPlan.parse("%project=x\nlonely\n", file: "sqitch.plan") }
        #expect(error?.location == "sqitch.plan:2:1")
    }
}
