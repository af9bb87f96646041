import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A scratch database's drop waits for every session on the server, and one stuck sending rows
/// to a client that stopped reading never answers: on a server of its own, since the stall holds
/// up every drop on that server while it lasts.
@Suite("A scratch drop behind a stalled session")
struct StalledDropTests {
    @Test("plan gives up on the drop after its time limit, names the database left and how to drop it; rehearse is no-go saying why and that its clone is left behind; plan works once the stall is gone")
    func stalledDrop() async throws {
        let (result, lines) = try await Scenario.run("stalled-drop.sh")
        let output = result.standardOutput
        #expect(result.status == 0, "\(result.standardError)")
        // Not 124 (the scenario's own time-out: the drop waited for ever) and not 0.
        let exit = lines.first { $0.hasPrefix("plan exit ") }.flatMap { Int($0.dropFirst("plan exit ".count)) }
        #expect(exit != nil && exit != 0 && exit != 124, "\(output)")
        let seconds = lines.first { $0.hasPrefix("plan seconds ") }.flatMap { Int($0.dropFirst("plan seconds ".count)) } ?? 999
        #expect(seconds < 60, "\(output)")
        #expect(output.contains("The temporary database godwit_scratch_"), "\(output)")
        #expect(output.contains("could not be dropped"), "\(output)")
        #expect(output.contains("WITH (FORCE)"), "\(output)")
        // The rehearsal's own scratch cannot be dropped either: no-go, saying why; and its clone
        // left behind is said to be, with how to drop it, not "dropped".
        #expect(lines.contains("rehearse exit 2"), "\(output)")
        #expect(output.contains("Apply on the clone failed: The temporary database godwit_scratch_"), "\(output)")
        #expect(lines.contains { $0.contains("the clone godwit_rehearsal_") && $0.contains("is left behind") && $0.contains("WITH (FORCE)") }, "\(output)")
        #expect(!lines.contains { $0.contains("dropped the clone") }, "\(output)")
        #expect(lines.contains("plan after exit 0"), "\(output)")
    }
}
