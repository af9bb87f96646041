import GodwitCore
import Testing

/// The shared execution order, transition by transition, without I/O.
@Suite("Execution state machine")
struct ExecutionMachineTests {
    typealias Machine = ExecutionMachine<String>

    /// Two segments: `a` with units 0 and 1, `b` with unit 2.
    static func machine() -> Machine {
        Machine(units: [.init(segment: "a"), .init(segment: "a"), .init(segment: "b")])
    }

    @Test("A whole run: enter, start, run each unit, verify at each segment's end, finish")
    func wholeRun() {
        var machine = Self.machine()
        #expect(machine.state == .idle)
        #expect(machine.start(completed: 0, segmentVerified: false) == .enter("a", unit: 0))
        #expect(machine.state == .entering(unit: 0))
        #expect(machine.receive(.opened) == .record(.segmentStarted("a", unit: 0)))
        #expect(machine.receive(.recorded) == .run(unit: 0))
        #expect(machine.state == .running(unit: 0))
        #expect(machine.receive(.ran) == .record(.unitDone(0)))
        #expect(machine.completed == 1)
        // The same segment goes on without a gate or a verification.
        #expect(machine.receive(.recorded) == .run(unit: 1))
        #expect(machine.receive(.ran) == .record(.unitDone(1)))
        #expect(machine.receive(.recorded) == .verify("a", completed: 2))
        #expect(machine.state == .verifying("a", completed: 2))
        #expect(machine.receive(.verified) == .record(.segmentVerified("a", completed: 2)))
        #expect(machine.segmentVerified)
        #expect(machine.receive(.recorded) == .enter("b", unit: 2))
        #expect(machine.receive(.opened) == .record(.segmentStarted("b", unit: 2)))
        #expect(!machine.segmentVerified, "a segment that starts is not verified")
        #expect(machine.receive(.recorded) == .run(unit: 2))
        #expect(machine.receive(.ran) == .record(.unitDone(2)))
        #expect(machine.receive(.recorded) == .verify("b", completed: 3))
        #expect(machine.receive(.verified) == .record(.segmentVerified("b", completed: 3)))
        #expect(machine.receive(.recorded) == .record(.finished(units: 3)))
        #expect(machine.receive(.recorded) == .stop(.finished))
        #expect(machine.state == .stopped(.finished))
    }

    @Test("A held gate is recorded, then the run stops holding it")
    func held() {
        var machine = Self.machine()
        _ = machine.start(completed: 2, segmentVerified: true)
        #expect(machine.state == .entering(unit: 2))
        #expect(machine.receive(.held("approval")) == .record(.held("b", "approval")))
        #expect(machine.receive(.recorded) == .stop(.held("b", "approval")))
    }

    @Test("Resuming: mid-segment runs the next unit; at a boundary an unverified segment is verified first, a verified one is not")
    func resume() {
        var middle = Self.machine()
        #expect(middle.start(completed: 1, segmentVerified: false) == .run(unit: 1))
        var boundary = Self.machine()
        #expect(boundary.start(completed: 2, segmentVerified: false) == .verify("a", completed: 2))
        var verified = Self.machine()
        #expect(verified.start(completed: 2, segmentVerified: true) == .enter("b", unit: 2))
        // All units done: the last segment is verified again whatever the flag says.
        var done = Self.machine()
        #expect(done.start(completed: 3, segmentVerified: true) == .verify("b", completed: 3))
        #expect(done.receive(.verified) == .record(.segmentVerified("b", completed: 3)))
        #expect(done.receive(.recorded) == .record(.finished(units: 3)))
        var empty = Machine(units: [])
        #expect(empty.start(completed: 0, segmentVerified: false) == .record(.finished(units: 0)))
    }

    @Test("A failure is recorded first; then a rollback response rolls back, and pause or stop stop", arguments: [
        Machine.Failure.Response.rollBack, .pause, .stop,
    ])
    func failures(response: Machine.Failure.Response) {
        let failure = Machine.Failure(reason: "batch failed", response: response, trigger: response == .stop ? nil : "failed_batches")
        // From every state that awaits an answer.
        let reach: [(inout Machine) -> Void] = [
            { _ = $0.start(completed: 0, segmentVerified: false) },  // entering
            { _ = $0.start(completed: 1, segmentVerified: false) },  // running
            { _ = $0.start(completed: 2, segmentVerified: false) },  // verifying
            { machine in _ = machine.start(completed: 0, segmentVerified: false); _ = machine.receive(.opened) },  // recording
        ]
        for path in reach {
            var machine = Self.machine()
            path(&machine)
            #expect(machine.receive(.failed(failure)) == .record(.failed(failure)))
            if response == .rollBack {
                #expect(machine.receive(.recorded) == .rollBack(failure))
                #expect(machine.state == .rollingBack(failure))
                #expect(machine.receive(.rolledBack) == .stop(.rolledBack(failure)))
            } else {
                #expect(machine.receive(.recorded) == .stop(.failed(failure)))
            }
        }
    }

    @Test("A rollback that fails stops on its own failure")
    func rollbackFails() {
        var machine = Self.machine()
        _ = machine.start(completed: 1, segmentVerified: false)
        let failure = Machine.Failure(reason: "integrity", response: .rollBack)
        _ = machine.receive(.failed(failure))
        _ = machine.receive(.recorded)
        let second = Machine.Failure(reason: "rollback statement failed", response: .stop)
        #expect(machine.receive(.failed(second)) == .stop(.failed(second)))
    }

    @Test("One-unit segments (a runbook's stages): each is entered, run and verified in turn")
    func stages() {
        var machine = Machine(units: [.init(segment: "copy"), .init(segment: "switch")])
        var actions: [Machine.Action] = [machine.start(completed: 0, segmentVerified: false)]
        let answers: [Machine.Input] = [.opened, .recorded, .ran, .recorded, .verified, .recorded, .opened, .recorded, .ran, .recorded, .verified, .recorded, .recorded]
        for answer in answers { actions.append(machine.receive(answer)) }
        #expect(actions == [
            .enter("copy", unit: 0), .record(.segmentStarted("copy", unit: 0)), .run(unit: 0), .record(.unitDone(0)),
            .verify("copy", completed: 1), .record(.segmentVerified("copy", completed: 1)),
            .enter("switch", unit: 1), .record(.segmentStarted("switch", unit: 1)), .run(unit: 1), .record(.unitDone(1)),
            .verify("switch", completed: 2), .record(.segmentVerified("switch", completed: 2)),
            .record(.finished(units: 2)), .stop(.finished),
        ])
    }
}
