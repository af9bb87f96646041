/// Told when each step starts and finishes, and awaited, so it can read the server at the step's
/// boundaries (a rehearsal's clock and storage marks). Never fails the step: a measurer that
/// cannot measure records nothing.
protocol StepMeasurer: Sendable {
    func stepStarting(migration: String, step: Int) async
    func stepFinished(migration: String, step: Int) async
}
