/// A driver that can bound what a count of live rows costs: `plan` and `lint` count the rows a
/// change would trip on before anything runs, and on a big table an exact count may take long.
public protocol BoundedCounting: DatabaseDriver {
    /// The one integer `sql` returns, or nil when the engine stopped it after `seconds`. Run
    /// outside a transaction. An engine without a statement time limit runs it to the end.
    func count(unsafeSQL sql: String, within seconds: Double) async throws -> Int64?

    /// About how many rows of `table` (with about `totalRows` rows) meet `condition`, read from
    /// a sample of about `sampleRows` of them, and the share of the table the sample held; nil
    /// when the table cannot be sampled.
    func sampledCount(of table: QualifiedName, where condition: String, sampleRows: Int64, totalRows: Int64,
                      within seconds: Double) async throws -> (rows: Int64, share: Double)?
}

extension BoundedCounting {
    /// The estimate from `matching` of `sampled` rows, scaled to `totalRows`.
    public static func scaled(matching: Int64, of sampled: Int64, totalRows: Int64) -> (rows: Int64, share: Double)? {
        guard sampled > 0 else { return nil }
        let rows = Int64((Double(matching) * Double(max(totalRows, sampled)) / Double(sampled)).rounded())
        return (matching > 0 ? max(rows, 1) : 0, min(1, Double(sampled) / Double(max(totalRows, sampled))))
    }
}
