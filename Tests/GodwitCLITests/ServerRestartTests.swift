import Foundation
import GodwitCore
import GodwitEngine
import GodwitTesting
import Testing

/// A real PostgreSQL restart (fast shutdown: every session ended) under a running `apply`, on a
/// server of its own so no other test loses its sessions.
@Suite("A PostgreSQL restart under apply")
struct ServerRestartTests {
    @Test("The server restarts mid-backfill: apply goes on with a new session after the restart, finishes with exit 0, and every row is filled")
    func restartMidBackfill() async throws {
        let (result, lines) = try await Scenario.run("server-restart.sh")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(lines.contains("restarts 1"), "the backfill ended before the restart: \(result.standardOutput)")
        #expect(lines.contains("apply exit 0"), "\(result.standardOutput)")
        #expect(lines.contains("wrong rows 0"), "\(result.standardOutput)")
        // The restart ended apply's session while it was still at work (a session found closed
        // between batches is opened again; one lost inside a statement is retried).
        #expect(lines.contains("running after the restart"), "the restart missed the run: \(result.standardOutput)")
    }
}
