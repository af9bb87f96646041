import Foundation
import GRDB
import GodwitCore

/// `godwit_digest(form, value…)`: the aggregate that computes a ``CanonicalDigest`` of its rows
/// inside SQLite, for checksums compared with PostgreSQL's. `form` is the JSON of the
/// ``CanonicalForm`` of the values that follow (a constant of the query, read once per group).
/// Returns the digest's ``CanonicalDigest/payload``.
struct CanonicalDigestAggregate: DatabaseAggregate {
    private var digest: CanonicalDigest?

    static let function = DatabaseFunction("godwit_digest", pure: true, aggregate: Self.self)

    mutating func step(_ dbValues: [GRDB.DatabaseValue]) throws {
        if digest == nil {
            guard let json = String.fromDatabaseValue(dbValues[0]),
                  let form = try? JSONDecoder().decode(CanonicalForm.self, from: Data(json.utf8)) else {
                throw DatabaseError(message: "godwit_digest: the first argument is not a canonical form")
            }
            digest = CanonicalDigest(form: form)
        }
        digest?.add(dbValues.dropFirst().map(SQLiteDriver.value))
    }

    func finalize() throws -> (any DatabaseValueConvertible)? {
        digest?.payload
    }
}
