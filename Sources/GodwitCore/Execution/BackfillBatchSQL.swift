import Foundation

/// The SQL of one backfill batch, walking the key in order so each batch is a short range, a
/// crash resumes after the last committed key, and rows inserted meanwhile are never skipped
/// (the plan's triggers fill those).
///
/// Keys are carried between batches as SQL literals (`42`, `'a1b2…'`) so they compare with the
/// column's own type on both engines; they stay inside Godwit's state table and are never
/// printed.
public struct BackfillBatchSQL: Sendable {
    public var backfill: Backfill
    public var engine: Engine
    private let quoter: SQLIdentifierQuoter

    public init(backfill: Backfill, engine: Engine) {
        self.backfill = backfill
        self.engine = engine
        self.quoter = engine.quoter
    }

    /// Whether batches can walk a key; otherwise the backfill runs as one statement.
    public var isBatchable: Bool { !backfill.keyColumns.isEmpty }

    private var table: String { quoter.quote(backfill.table) }
    private var key: String { "(" + backfill.keyColumns.map(keyColumn).joined(separator: ", ") + ")" }
    private var order: String { backfill.keyColumns.map(keyColumn).joined(separator: ", ") }

    private func keyColumn(_ name: String) -> String {
        name == "rowid" && engine == .sqlite ? "rowid" : quoter.quote(name)
    }

    /// The key of the batch's last row: the `size`-th key after `after` (or the first keys
    /// when `after` is nil). No row means the rest of the table is smaller than a batch.
    public func upperBound(after: String?, size: Int) -> String {
        let from = after.map { " WHERE \(key) > \($0)" } ?? ""
        return "SELECT \(order) FROM \(table)\(from) ORDER BY \(order) LIMIT 1 OFFSET \(max(0, size - 1))"
    }

    /// The smallest and largest key, when the key is one column: with them an integer key
    /// dense enough is walked in ranges of key values, no boundary lookup per batch.
    public var keyRange: String? {
        guard backfill.keyColumns.count == 1 else { return nil }
        return "SELECT min(\(order)), max(\(order)) FROM \(table)"
    }

    /// A walk of a one-column integer key in ranges of key values: each batch's bounds are
    /// known without reading the table. A unique key holds at most one row per value, so a
    /// range of `size` values never holds more than `size` rows; a key range at most twice as
    /// wide as the table's rows keeps batches half full or more on average.
    public struct IntegerKeyWalk: Sendable, Equatable {
        public var first: Int64
        public var last: Int64

        public init(first: Int64, last: Int64) {
            self.first = first
            self.last = last
        }

        /// The walk over `range` (its minimum and maximum) for about `rows` rows, when it is an
        /// integer range no more than twice as wide as the rows.
        public init?(range: [DatabaseValue], rows: Int64) {
            guard range.count == 2, case .integer(let first) = range[0], case .integer(let last) = range[1], first <= last, rows > 0
            else { return nil }
            let (width, overflow) = last.subtractingReportingOverflow(first)
            guard !overflow, width / 2 < rows else { return nil }
            self.init(first: first, last: last)
        }

        /// The key after which the walk starts: one below the first key, or the key a resumed
        /// walk left off at (a literal as ``BackfillBatchSQL/literal(_:)`` writes it).
        public func start(after literal: String?) -> Int64? {
            guard let literal else { return first.subtractingReportingOverflow(1).overflow ? nil : first - 1 }
            guard literal.hasPrefix("("), literal.hasSuffix(")") else { return nil }
            return Int64(literal.dropFirst().dropLast())
        }

        /// The upper key of the batch of `size` key values after `lower`; nil when the batch
        /// reaches the last key (it then runs to the end, taking in keys added since).
        public func upper(after lower: Int64, size: Int) -> Int64? {
            let (end, overflow) = lower.addingReportingOverflow(Int64(size))
            return overflow || end >= last ? nil : end
        }
    }

    /// Updates the rows with keys after `after` up to and including `through` (to the end
    /// when nil) that still need it.
    public func update(after: String?, through: String?) -> String {
        var conditions: [String] = []
        if let after { conditions.append("\(key) > \(after)") }
        if let through { conditions.append("\(key) <= \(through)") }
        if let condition = backfill.condition { conditions.append("(\(condition))") }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "UPDATE \(table) SET \(backfill.assignments)\(filter)"
    }


    /// A probe that reads one row by key, to watch the server's latency between batches: the
    /// last key, far from the rows the batches have just rewritten (whose dead versions an index
    /// read at the first key would wade through, timing the backfill's own leftovers instead of
    /// the server).
    public var probe: String {
        "SELECT \(order) FROM \(table) ORDER BY " + backfill.keyColumns.map { keyColumn($0) + " DESC" }.joined(separator: ", ") + " LIMIT 1"
    }

    /// The key written as a literal, as batches carry it: `(42)`, `('x', 7)`.
    public func literal(_ values: [DatabaseValue]) -> String {
        Self.literal(values, engine: engine)
    }

    /// A row of values as a SQL literal for `engine` (also the keys a copy resumes after).
    public static func literal(_ values: [DatabaseValue], engine: Engine) -> String {
        "(" + values.map { literal($0, engine: engine) }.joined(separator: ", ") + ")"
    }

    private static func literal(_ value: DatabaseValue, engine: Engine) -> String {
        switch value {
        case .null: "NULL"
        case .integer(let integer): String(integer)
        case .real(let real): real.description
        case .text(let text): SQLIdentifierQuoter.literal(text)
        case .blob(let bytes):
            engine == .postgresql
                ? "'\\x" + Hex.encode(bytes) + "'::bytea"
                : "X'" + Hex.encode(bytes).uppercased() + "'"
        }
    }
}
