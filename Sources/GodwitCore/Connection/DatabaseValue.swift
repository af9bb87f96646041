/// One value read from or bound into a database, in the few storage classes both engines share.
///
/// Values of richer PostgreSQL types (numeric, timestamps, uuid, json, arrays) travel as their
/// canonical text, so no precision is lost on the way.
public enum DatabaseValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var isNull: Bool { self == .null }

    /// The value as text, `nil` for NULL and blobs.
    public var textValue: String? {
        switch self {
        case .null, .blob: nil
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        }
    }

    /// The value as an integer, when it is one (or text holding one).
    public var integerValue: Int64? {
        switch self {
        case .integer(let value): value
        case .text(let value): Int64(value)
        case .real(let value): Int64(exactly: value)
        case .null, .blob: nil
        }
    }

    /// The value as a floating-point number, when it is a number (or text holding one).
    public var doubleValue: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        case .text(let value): Double(value)
        case .null, .blob: nil
        }
    }

    /// The storage class, never the value itself: safe in logs and errors.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer: "<integer>"
        case .real: "<real>"
        case .text: "<text>"
        case .blob: "<blob>"
        }
    }
}

/// One row of a result: values in column order, with the column names shared by the result.
public struct Row: Hashable, Sendable {
    public var columns: [String]
    public var values: [DatabaseValue]

    public init(columns: [String], values: [DatabaseValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the named column, or `.null` when there is no such column.
    public subscript(_ column: String) -> DatabaseValue {
        guard let index = columns.firstIndex(of: column) else { return .null }
        return values[index]
    }

    /// The value at a position.
    public subscript(_ index: Int) -> DatabaseValue { values[index] }
}
