import Foundation
import Synchronization
import GodwitCore
#if canImport(Glibc)
import Glibc
#endif

/// Free disk space where the database keeps its files, when Godwit can see it: the SQLite
/// file's directory, or a PostgreSQL data directory on this machine that the user may read.
enum FreeSpace {
    /// Bytes free, or nil when the engine does not let Godwit see it.
    static func available(for driver: any DatabaseDriver) async -> Int64? {
        switch driver.url {
        case .sqlite(let location):
            guard !location.isInMemory else { return nil }
            return bytesFree(at: (location.path as NSString).deletingLastPathComponent.isEmpty
                             ? "." : (location.path as NSString).deletingLastPathComponent)
        case .postgres(let endpoint):
            guard endpoint.socketDirectory != nil || ["localhost", "127.0.0.1", "::1"].contains(endpoint.host) else { return nil }
            let key = endpoint.serverDescription
            if let known = dataDirectories.withLock({ $0[key] }) { return known.map(bytesFree) ?? nil }
            let rows = try? await driver.query(unsafeSQL: "SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            let directory = rows?.first?[0].textValue.flatMap { $0.isEmpty ? nil : $0 }
            dataDirectories.withLock { $0[key] = .some(directory) }
            return directory.map(bytesFree) ?? nil
        }
    }

    /// Each server's data directory, asked once per process (nil inside: not visible to this role).
    private static let dataDirectories = Mutex<[String: String?]>([:])

    private static func bytesFree(at path: String) -> Int64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Bytes a table takes on disk (with its indexes), from the engine's statistics.
    static func tableBytes(_ table: QualifiedName, on driver: any DatabaseDriver) async -> Int64 {
        if let bytes = try? await driver.query(unsafeSQL: driver.dialect.tableSize(table)).first?[0].integerValue { return bytes }
        // SQLite built without dbstat: the whole file, an upper bound.
        let whole = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        return (try? await driver.query(unsafeSQL: whole).first?[0].integerValue) ?? 0
    }
}
