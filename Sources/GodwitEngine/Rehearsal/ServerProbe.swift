import Foundation
import GodwitCore

/// What a PostgreSQL rehearsal measures on the server: a ``LockSampler`` watching the clone's
/// sessions from the maintenance database, and a session in the clone reading a ``ServerMark``
/// at every step boundary. Started before the first pass, stopped before the clone is dropped.
final class ServerProbe: Sendable {
    let sampler: LockSampler
    private let marks: any DatabaseDriver

    private init(sampler: LockSampler, marks: any DatabaseDriver) {
        self.sampler = sampler
        self.marks = marks
    }

    /// A probe for `clone`, or nil on SQLite (where the step's transaction is the lock).
    static func start(for clone: DatabaseURL, interval: Double = 0.01) async throws -> ServerProbe? {
        guard case .postgres(let endpoint) = clone else { return nil }
        let sampler = LockSampler(database: endpoint.database, server: .postgres(endpoint.selectingDatabase("postgres")), interval: interval)
        try await sampler.start()
        do {
            return ServerProbe(sampler: sampler, marks: try await DatabaseConnector.open(clone))
        } catch {
            await sampler.stop()
            throw error
        }
    }

    /// Reads the clock and storage now. Steps run one at a time, so marks never overlap.
    func mark() async throws -> ServerMark { try await ServerMark.read(on: marks) }

    /// Waits two samples, so a lock released just now is seen to have ended.
    func settle() async { try? await Task.sleep(for: .seconds(sampler.interval * 2)) }

    func stop() async {
        await sampler.stop()
        try? await marks.close()
    }
}
