import Foundation

/// Finds PostgreSQL's client programs (`psql`, `pg_dump`, `pg_restore`) of the newest major
/// version on the machine: a newer `pg_dump` reads any older server, an older one refuses a newer
/// server. Looked in, in order: `$GODWIT_PG_BIN`, every directory on `PATH`, Debian's
/// `/usr/lib/postgresql/N/bin`, and the copies `scripts/with-postgres --version N` unpacks.
enum PostgresClientTools {
    /// The path of `tool` with the highest major version, or the bare name when none is found
    /// (the shell's error then says so).
    static func path(of tool: String) -> String {
        if let known = cache.withLock({ $0[tool] }) { return known }
        let found = candidates(tool).max { major(of: $0) < major(of: $1) } ?? tool
        cache.withLock { $0[tool] = found }
        return found
    }

    /// The major version `tool --version` reports (`pg_dump (PostgreSQL) 18.6` → 18), 0 when unknown.
    static func major(of executable: String) -> Int {
        guard let result = try? ExternalProcess.run(executable, ["--version"]), result.status == 0,
              let number = result.standardOutput.split(separator: " ").last?.split(separator: ".").first else { return 0 }
        return Int(number.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private static let cache = LockedDictionary()

    private static func candidates(_ tool: String) -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let bin = environment["GODWIT_PG_BIN"], !bin.isEmpty { directories.append(bin) }
        directories += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for root in ["/usr/lib/postgresql", "/var/cache/godwit"] {
            let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            directories += versions.map { "\(root)/\($0)/bin" }
        }
        var seen = Set<String>()
        return directories.map { "\($0)/\(tool)" }.filter { FileManager.default.isExecutableFile(atPath: $0) && seen.insert($0).inserted }
    }
}

/// A dictionary behind a lock, for a process-wide cache.
final class LockedDictionary: @unchecked Sendable {
    private var values: [String: String] = [:]
    private let lock = NSLock()

    func withLock<T>(_ body: (inout [String: String]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&values)
    }
}
