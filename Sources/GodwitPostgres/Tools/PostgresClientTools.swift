import Foundation
import GodwitCore

/// Finds PostgreSQL's client programs (`psql`, `pg_dump`, `pg_restore`) for a server: those of
/// its own major version, else the oldest newer one (a newer `pg_dump` reads an older server, but
/// what it writes for `pg_restore` may set parameters the older server lacks), never an older one,
/// which refuses a newer server. Looked in, in order: `$GODWIT_PG_BIN`, every directory on
/// `PATH`, Debian's `/usr/lib/postgresql/N/bin`, and the copies `scripts/with-postgres --version N`
/// unpacks.
enum PostgresClientTools {
    /// The path of `tool` for a server of major version `serverMajor` (any version when nil);
    /// nil when only older versions are installed.
    static func path(of tool: String, serverMajor: Int?) -> String? {
        let key = "\(tool)#\(serverMajor ?? 0)"
        if let known = cache.withLock({ $0[key] }) { return known }
        let versions = candidates(tool).map { ($0, major(of: $0)) }
        let found: String?
        if let serverMajor {
            found = versions.first { $0.1 == serverMajor }?.0
                ?? versions.filter { $0.1 > serverMajor }.min { $0.1 < $1.1 }?.0
        } else {
            found = versions.max { $0.1 < $1.1 }?.0
        }
        if let found { cache.withLock { $0[key] = found } }
        return found
    }

    /// The newest major version of `tool` installed, 0 when none.
    static func newestMajor(of tool: String) -> Int {
        candidates(tool).map(major(of:)).max() ?? 0
    }

    /// A server's major version from its `server_version_num` (`180006` → 18).
    static func major(serverVersionNumber: Int) -> Int { serverVersionNumber / 10000 }

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
