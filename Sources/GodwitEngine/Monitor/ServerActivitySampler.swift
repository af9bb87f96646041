public import Foundation
public import GodwitCore

/// Samples what the database server is doing beside a run (``SQLDialect/serverActivity``), on
/// a session of its own, and turns the database's running totals of commits and rollbacks into
/// rates between samples. Engines without such views give nothing.
public actor ServerActivitySampler {
    private let session: KeptSession
    private var previous: (at: Date, commits: Int64, rollbacks: Int64)?

    public init(url: DatabaseURL) {
        session = KeptSession(url: url)
    }

    /// One sample; nil where the engine has none, or when the server could not be read (the
    /// next call tries a new session).
    public func sample(now: Date = Date()) async -> ServerActivity? {
        do {
            let driver = try await session.driver()
            guard let sql = driver.dialect.serverActivity, let row = try await driver.query(unsafeSQL: sql).first else { return nil }
            let values = row.values
            let commits = values[2].integerValue ?? 0
            let rollbacks = values[3].integerValue ?? 0
            var commitRate: Double?
            var rollbackRate: Double?
            if let previous, now > previous.at {
                let seconds = now.timeIntervalSince(previous.at)
                commitRate = Double(max(0, commits - previous.commits)) / seconds
                rollbackRate = Double(max(0, rollbacks - previous.rollbacks)) / seconds
            }
            previous = (now, commits, rollbacks)
            return ServerActivity(
                sampledAt: now, lockWaitingSessions: Int(values[0].integerValue ?? 0), longestLockWaitSeconds: values[1].doubleValue ?? 0,
                transactionsPerSecond: commitRate.map { $0 + (rollbackRate ?? 0) }, rollbacksPerSecond: rollbackRate,
                replicationLagBytes: values[4].integerValue, replicationLagSeconds: values[5].doubleValue,
                longQueries: Int(values[6].integerValue ?? 0), longestQuerySeconds: values[7].doubleValue ?? 0)
        } catch {
            await close()
            return nil
        }
    }

    /// Ends the sampling session.
    public func close() async {
        await session.close()
    }
}
