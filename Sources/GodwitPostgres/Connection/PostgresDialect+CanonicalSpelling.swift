public import GodwitCore

extension PostgresDialect: CanonicalSpelling {
    public func canonicalText(of column: String, declaredType: String, kind: ValueKind, zoneIsUTC: Bool) -> (expression: String, isTime: Bool)? {
        let declared = PostgresTypeName.canonical(declaredType)
        // character(n) pads with spaces that its cast to text drops: no exact spelling.
        guard let binary = PostgresBinaryType(declaredType: declaredType), !declared.hasPrefix("character(") && declared != "character" else { return nil }
        switch (kind, binary) {
        case (.integer, .int2), (.integer, .int4), (.integer, .int8), (.decimal, .int2), (.decimal, .int4), (.decimal, .int8),
             (.text, .text), (.uuid, .uuid):
            return ("\(column)::text", false)
        case (.date, .date): return ("\(column)::text", true)
        case (.decimal, .numeric): return ("trim_scale(\(column))::text", false)
        case (.boolean, .bool): return ("CASE \(column) WHEN true THEN '1' WHEN false THEN '0' END", false)
        case (.blob, .bytea): return ("encode(\(column), 'hex')", false)
        case (.timestamp, .timestamp) where zoneIsUTC, (.timestamptz, .timestamptz):
            return ("coalesce(\(Self.microseconds(column))::text, '?' || \(column)::text)", true)
        default: return nil
        }
    }

    /// Each column's `min` and `max` first, so the conversion runs once per group, not per row.
    public func timeRange(_ columns: [String]) -> String {
        guard !columns.isEmpty else { return "NULL::bigint, NULL::bigint" }
        return "least(\(columns.map { Self.microseconds("min(\($0))") }.joined(separator: ", "))), "
            + "greatest(\(columns.map { Self.microseconds("max(\($0))") }.joined(separator: ", ")))"
    }

    /// UTC, ISO dates, shortest floats: the same text of every value on both sides.
    public var digestSessionSetup: [String] {
        ["SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET extra_float_digits = 1"]
    }

    /// UTC microseconds of a time value as a bigint (NULL for ±infinity).
    static func microseconds(_ column: String) -> String {
        "CASE WHEN isfinite(\(column)) THEN round(extract(epoch FROM \(column)) * 1000000)::bigint END"
    }
}
