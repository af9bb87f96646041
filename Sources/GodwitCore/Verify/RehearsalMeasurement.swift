public import Foundation

/// What a rehearsal measured for one migration file on one database, for plans to show instead
/// of estimates: each step's time in the first apply, and the rows its batches walked.
public struct RehearsalMeasurement: Hashable, Codable, Sendable {
    public struct Step: Hashable, Codable, Sendable {
        public var seconds: Double
        public var rows: Int64?
        /// The longest write-blocking lock seen (PostgreSQL): `ACCESS EXCLUSIVE on public.users < 25 ms`.
        public var lock: String?

        public init(seconds: Double, rows: Int64? = nil, lock: String? = nil) {
            self.seconds = seconds
            self.rows = rows
            self.lock = lock
        }
    }

    public var date: Date
    /// By step number (from 1).
    public var steps: [Int: Step]

    public init(date: Date, steps: [Int: Step]) {
        self.date = date
        self.steps = steps
    }

    public var totalSeconds: Double { steps.values.reduce(0) { $0 + $1.seconds } }

    /// `2026-11-21` (UTC).
    public var day: String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }

    /// `measured on a rehearsal on 2026-11-21: 1,000 rows in 0.4 s`, with the lock held when
    /// one was seen (`; held ACCESS EXCLUSIVE on public.users < 25 ms`).
    public func describe(_ step: Int) -> String? {
        guard let measured = steps[step] else { return nil }
        let rows = measured.rows.map { "\(QuantityFormat.count($0)) rows in " } ?? ""
        let lock = measured.lock.map { "; held \($0)" } ?? ""
        return "measured on a rehearsal on \(day): \(rows)\(DurationFormat.text(measured.seconds))\(lock)"
    }
}
