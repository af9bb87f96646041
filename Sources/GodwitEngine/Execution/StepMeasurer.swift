/// Told when each step starts and finishes, and awaited, so it can read the server at the step's
/// boundaries (a rehearsal's clock and storage marks). Never fails the step: a measurer that
/// cannot measure records nothing.
protocol StepMeasurer: Sendable {
    /// `undo` is true when the step is being undone.
    func stepStarting(migration: String, step: Int, undo: Bool) async
    func stepFinished(migration: String, step: Int, undo: Bool) async
}
