/// A value converted for a PostgreSQL column, before it is written in one of COPY's formats:
/// text (``copyText``) or binary (GodwitPostgres' `PostgresBinaryCopy`). One conversion feeds
/// both, so a row loads the same whichever format carries it.
public enum PostgresValue: Hashable, Sendable {
    case integer(Int64)
    case boolean(Bool)
    /// Exact decimal text: `[-]digits[.digits]`, or a double's shortest form with an exponent.
    case decimal(String)
    case float(Double)
    case bytes([UInt8])
    /// Microseconds since 1970-01-01 00:00:00 on the wall clock (`timestamp`).
    case timestamp(Int64)
    /// Microseconds since 1970-01-01 00:00:00 UTC (`timestamptz`).
    case timestamptz(Int64)
    /// Days since 1970-01-01 (`date`).
    case date(Int64)
    /// A UUID in its lower-case hyphenated form.
    case uuid(String)
    case text(String)

    /// The field of COPY's text format, unescaped.
    public var copyText: String {
        switch self {
        case .integer(let number): String(number)
        case .boolean(let flag): flag ? "t" : "f"
        case .decimal(let text): text
        case .float(let number):
            number.isFinite ? "\(number)" : number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity"
        case .bytes(let bytes): "\\x" + Hex.encode(bytes)
        case .timestamp(let microseconds): TemporalValue.text(microseconds: microseconds)
        case .timestamptz(let microseconds): TemporalValue.text(microseconds: microseconds) + "+00"
        case .date(let days): TemporalValue.text(microseconds: days * 86_400_000_000, dateOnly: true)
        case .uuid(let text), .text(let text): text
        }
    }
}
