/// One catalog row with the object it belongs to and its own object
/// (``CatalogQueries/ownership``): a table's column belongs to the table, an index to its table,
/// a view or a function to itself.
struct Owned<Row: Decodable & Sendable>: Decodable, Sendable {
    let owner: Int64
    let object: Int64
    let row: Row

    private enum Keys: String, CodingKey {
        case owner = "godwit_owner"
        case object = "godwit_object"
    }

    init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Keys.self)
        owner = try Self.oid(keys, .owner)
        object = try Self.oid(keys, .object)
        row = try Row(from: decoder)
    }

    /// JSON spells an `oid` as a string (kept an `oid` in the query, the owner filter can use
    /// the catalogs' indexes).
    private static func oid(_ keys: KeyedDecodingContainer<Keys>, _ key: Keys) throws -> Int64 {
        let text = try keys.decode(String.self, forKey: key)
        guard let value = Int64(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: keys, debugDescription: "\(text) is not an OID")
        }
        return value
    }
}

/// A section of the catalog as read: what an incremental reading keeps, and replaces owner by
/// owner with what it reads again.
protocol CatalogSection: Sendable {
    /// These rows without those of `owners`, plus `fresh` (rows of the same section).
    func merging(_ fresh: any CatalogSection, replacing owners: Set<Int64>) -> any CatalogSection
    /// Which owner each row's own object belongs to: how a dropped index or constraint, gone
    /// from the catalog, still leads to its table.
    var objectOwners: [(Int64, Int64)] { get }
    /// The names `owners` print in this section (see ``PrintedName``).
    func printedNames(of owners: Set<Int64>) -> [Int64: [String]]
    /// The owners whose `schema.name` is one of `names` (see ``OwnerNamed``).
    func owners(named names: Set<String>) -> Set<Int64>
}

/// The rows of one section, each with its owner.
struct OwnedRows<Row: Decodable & Sendable>: CatalogSection {
    var rows: [Owned<Row>]

    func merging(_ fresh: any CatalogSection, replacing owners: Set<Int64>) -> any CatalogSection {
        guard let fresh = fresh as? OwnedRows<Row> else { return fresh }
        return OwnedRows(rows: rows.filter { !owners.contains($0.owner) } + fresh.rows)
    }

    var objectOwners: [(Int64, Int64)] {
        rows.map { ($0.object, $0.owner) }
    }
}

/// A catalog row that spells a name other objects' definitions print: a table's, a column's,
/// a type's. When an owner's names change, the objects depending on it are read again too.
protocol PrintedName {
    var printedName: String { get }
}

extension CatalogRows.NamespaceRow: PrintedName {
    var printedName: String { name }
}

extension CatalogRows.TableRow: PrintedName {
    var printedName: String { schema + "." + name }
}

extension CatalogRows.ColumnRow: PrintedName {
    var printedName: String { "\(position):\(name)" }
}

extension CatalogRows.ViewRow: PrintedName {
    // A renamed column of a view shows in its definition.
    var printedName: String { schema + "." + name + " " + definition }
}

extension CatalogRows.SequenceRow: PrintedName {
    var printedName: String { schema + "." + name }
}

extension CatalogRows.FunctionRow: PrintedName {
    var printedName: String { schema + "." + name + "(" + arguments + ")" }
}

extension CatalogRows.EnumRow: PrintedName {
    // A view prints an enum's constants by their labels.
    var printedName: String { schema + "." + name + " " + labels.joined(separator: ",") }
}

extension CatalogRows.DomainRow: PrintedName {
    var printedName: String { schema + "." + name }
}

extension CatalogRows.CompositeTypeRow: PrintedName {
    var printedName: String { schema + "." + name + " " + (attributes ?? []).map(\.name).joined(separator: ",") }
}

extension OwnedRows {
    /// The names each of `owners` prints, sorted: equal before and after a change unless it
    /// renamed something (nil for a section without names).
    func printedNames(of owners: Set<Int64>) -> [Int64: [String]] {
        var names: [Int64: [String]] = [:]
        for owned in rows where owners.contains(owned.owner) {
            guard let row = owned.row as? any PrintedName else { return [:] }
            names[owned.owner, default: []].append(row.printedName)
        }
        return names.mapValues { $0.sorted() }
    }
}

/// A row of an owner itself (a table, view, sequence, type or function), with its `schema.name`.
protocol OwnerNamed {
    var schema: String { get }
    var name: String { get }
}

extension CatalogRows.TableRow: OwnerNamed {}
extension CatalogRows.ViewRow: OwnerNamed {}
extension CatalogRows.SequenceRow: OwnerNamed {}
extension CatalogRows.FunctionRow: OwnerNamed {}
extension CatalogRows.EnumRow: OwnerNamed {}
extension CatalogRows.DomainRow: OwnerNamed {}
extension CatalogRows.CompositeTypeRow: OwnerNamed {}

extension OwnedRows {
    func owners(named names: Set<String>) -> Set<Int64> {
        Set(rows.compactMap { owned in
            guard let row = owned.row as? any OwnerNamed, names.contains(row.schema + "." + row.name) else { return nil }
            return owned.owner
        })
    }
}
