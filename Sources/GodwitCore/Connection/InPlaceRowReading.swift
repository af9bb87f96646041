/// A driver that can hand a query's rows to a fold without making values of them: each row is
/// read where the engine holds it, for scans that hash or count every row of a big table.
public protocol InPlaceRowReading: DatabaseDriver {
    /// Runs `sql` and folds every result row into `initial` with `step`, on the driver's own
    /// thread. The row passed to `step` is valid only during that call.
    func fold<State: Sendable>(unsafeSQL sql: String, into initial: State,
                               _ step: @escaping @Sendable (inout State, any BorrowedRow) throws -> Void) async throws -> State
}

/// The current row of a query, read in place.
public protocol BorrowedRow {
    /// The integer in column `index` (0 for a value that is not one).
    func integer(_ index: Int) -> Int64
    /// The value in column `index`, borrowed: text and bytes point into the engine's buffers.
    func borrowed(_ index: Int) -> BorrowedValue
}
