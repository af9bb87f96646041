import Foundation
import GodwitCore

/// The server's clock and the storage of every user relation, read at a step boundary: two
/// marks bracket a step, so the locks ``LockSampler`` saw can be assigned to it and the bytes it
/// wrote to new storage (a table rewritten, an index built) or to existing storage can be told.
struct ServerMark: Sendable {
    struct Storage: Hashable, Sendable {
        var fileNode: Int64
        var bytes: Int64
        var name: String
    }

    /// Seconds since 1970 by the server's clock.
    var time: Double
    /// By relation oid.
    var storage: [Int64: Storage]

    /// Reads a mark on a session in the database whose steps are measured.
    static func read(on driver: any DatabaseDriver) async throws -> ServerMark {
        let rows = try await driver.query(unsafeSQL: """
            SELECT extract(epoch FROM clock_timestamp())::float8, c.oid::int8, c.relfilenode::int8,
                   pg_relation_size(c.oid)::int8,
                   coalesce(owner_n.nspname || '.' || owner.relname || CASE c.relkind WHEN 'i' THEN ' (its TOAST index)' ELSE ' (its TOAST table)' END,
                            n.nspname || '.' || c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            -- A TOAST table or its index goes by the table whose long values it keeps.
            LEFT JOIN pg_index toast_index ON c.relkind = 'i' AND n.nspname = 'pg_toast' AND toast_index.indexrelid = c.oid
            LEFT JOIN pg_class owner ON owner.reltoastrelid = CASE WHEN c.relkind = 't' THEN c.oid ELSE toast_index.indrelid END
            LEFT JOIN pg_namespace owner_n ON owner_n.oid = owner.relnamespace
            WHERE c.relkind IN ('r', 'i', 't', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'godwit')
            UNION ALL SELECT extract(epoch FROM clock_timestamp())::float8, NULL, NULL, NULL, NULL
            """)
        var storage: [Int64: Storage] = [:]
        for row in rows.dropLast() {
            guard let oid = row[1].integerValue, let node = row[2].integerValue, let bytes = row[3].integerValue,
                  let name = row[4].textValue else { continue }
            storage[oid] = Storage(fileNode: node, bytes: bytes, name: name)
        }
        return ServerMark(time: rows.last?[0].doubleValue ?? 0, storage: storage)
    }

    /// What happened to storage between `earlier` and this mark.
    func written(since earlier: ServerMark) -> (rewritten: Int64, grown: Int64) {
        var rewritten: Int64 = 0, grown: Int64 = 0
        for (oid, now) in storage {
            if let before = earlier.storage[oid], before.fileNode == now.fileNode {
                grown += max(0, now.bytes - before.bytes)
            } else {
                rewritten += now.bytes  // new storage: a rewrite, a new index, a table made by copying
            }
        }
        return (rewritten, grown)
    }
}
