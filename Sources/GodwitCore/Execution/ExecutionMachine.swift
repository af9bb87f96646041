/// The order of a run, without any I/O: units of work grouped in segments (a migration's
/// steps in phases, a runbook's stages), each segment entered through its gate and verified when
/// it ends, failures recorded and then rolled back or stopped on.
///
/// The machine takes inputs (what the last action came to) and returns the next action: enter a
/// segment (check its gate), record a milestone (persist and announce it), run a unit, verify a
/// segment, roll back, stop. Whoever drives it performs each action and feeds the answer back,
/// so the same order serves `apply` and `runbook run` and is tested transition by transition.
///
/// `Hold` is what keeps a segment from starting (a gate, a checkpoint): the machine only carries
/// it to the milestone and the stop.
public struct ExecutionMachine<Hold: Hashable & Sendable>: Sendable {
    /// One unit of work and the segment it belongs to.
    public struct Unit: Hashable, Sendable {
        public var segment: String

        public init(segment: String) { self.segment = segment }
    }

    /// Why a run cannot go on, and what is done about it.
    public struct Failure: Hashable, Sendable {
        public enum Response: Hashable, Sendable {
            /// Undo what ran, then stop.
            case rollBack
            /// Stop and wait for a person (a rollback trigger that pauses).
            case pause
            /// Stop: the cause is to be fixed and the run resumed.
            case stop
        }

        public var reason: String
        public var response: Response
        /// The rollback trigger or abort criterion that decided the response, if any.
        public var trigger: String?

        public init(reason: String, response: Response, trigger: String? = nil) {
            self.reason = reason
            self.response = response
            self.trigger = trigger
        }
    }

    /// A fact to persist and announce before the run goes on.
    public enum Milestone: Hashable, Sendable {
        /// The segment's gate opened and its first unit (`unit`) is about to run.
        case segmentStarted(String, unit: Int)
        /// Unit `index` finished: `index + 1` units are done.
        case unitDone(Int)
        /// The segment passed its verification with `completed` units done.
        case segmentVerified(String, completed: Int)
        /// The segment cannot start now.
        case held(String, Hold)
        /// The run failed.
        case failed(Failure)
        /// Every unit ran and the last segment is verified.
        case finished(units: Int)
    }

    public enum Action: Hashable, Sendable {
        /// Check whether `segment`, whose first unit is `unit`, may start; answer ``Input/opened``
        /// or ``Input/held(_:)``.
        case enter(String, unit: Int)
        /// Persist and announce; answer ``Input/recorded``.
        case record(Milestone)
        /// Run the unit; answer ``Input/ran``.
        case run(unit: Int)
        /// Verify the segment that ended with `completed` units done; answer ``Input/verified``.
        case verify(String, completed: Int)
        /// Undo what ran; answer ``Input/rolledBack``.
        case rollBack(Failure)
        /// The run is over.
        case stop(Outcome)
    }

    public enum Outcome: Hashable, Sendable {
        case finished
        case held(String, Hold)
        case failed(Failure)
        case rolledBack(Failure)
    }

    public enum Input: Hashable, Sendable {
        case opened
        case held(Hold)
        case ran
        case verified
        case recorded
        case rolledBack
        /// The action failed; any action may answer this.
        case failed(Failure)
    }

    /// Where the machine is: what it waits to hear about.
    public enum State: Hashable, Sendable {
        case idle
        case entering(unit: Int)
        case running(unit: Int)
        case verifying(String, completed: Int)
        case recording(Milestone)
        case rollingBack(Failure)
        case stopped(Outcome)
    }

    public let units: [Unit]
    public private(set) var state: State = .idle
    /// Units done.
    public private(set) var completed = 0
    /// Whether the segment of the last unit done has passed its verification.
    public private(set) var segmentVerified = false

    public init(units: [Unit]) {
        self.units = units
    }

    /// Starts (or resumes) a run with `completed` units done; `segmentVerified`: whether the
    /// segment they end in passed its verification before the run stopped.
    public mutating func start(completed: Int, segmentVerified: Bool) -> Action {
        precondition(state == .idle, "a run starts once")
        precondition((0...units.count).contains(completed), "completed units out of range")
        self.completed = completed
        self.segmentVerified = segmentVerified
        return advance()
    }

    /// The answer to the last action; returns the next one.
    public mutating func receive(_ input: Input) -> Action {
        switch (state, input) {
        case (.stopped, _), (.idle, _):
            preconditionFailure("no action is awaiting an answer in state \(state)")
        case (.rollingBack(let failure), .rolledBack):
            return stop(.rolledBack(failure))
        case (.rollingBack, .failed(let failure)):
            // The rollback itself failed: stop on it, with nothing more to try.
            return stop(.failed(failure))
        case (_, .failed(let failure)):
            return record(.failed(failure))
        case (.entering(let unit), .opened):
            segmentVerified = false
            return record(.segmentStarted(units[unit].segment, unit: unit))
        case (.entering(let unit), .held(let hold)):
            return record(.held(units[unit].segment, hold))
        case (.running(let unit), .ran):
            completed = unit + 1
            return record(.unitDone(unit))
        case (.verifying(let segment, let done), .verified):
            segmentVerified = true
            return record(.segmentVerified(segment, completed: done))
        case (.recording(let milestone), .recorded):
            switch milestone {
            case .segmentStarted(_, let unit): return run(unit)
            case .unitDone, .segmentVerified: return advance()
            case .held(let segment, let hold): return stop(.held(segment, hold))
            case .failed(let failure):
                if failure.response == .rollBack {
                    state = .rollingBack(failure)
                    return .rollBack(failure)
                }
                return stop(.failed(failure))
            case .finished: return stop(.finished)
            }
        default:
            preconditionFailure("\(input) does not answer the action of state \(state)")
        }
    }

    /// What comes after `completed` units: the verification of a segment that ended, the gate of
    /// the next one, the next unit of the same one, or the end.
    private mutating func advance() -> Action {
        let previous = completed > 0 ? units[completed - 1].segment : nil
        guard completed < units.count else {
            // The last segment is always verified at the end, even if it was before a stop:
            // what ran since must hold too.
            let justVerified = if case .recording(.segmentVerified) = state { true } else { false }
            if let previous, !justVerified { return verify(previous) }
            return record(.finished(units: completed))
        }
        let next = units[completed].segment
        if let previous, previous != next, !segmentVerified { return verify(previous) }
        if previous != next { state = .entering(unit: completed); return .enter(next, unit: completed) }
        return run(completed)
    }

    private mutating func run(_ unit: Int) -> Action {
        state = .running(unit: unit)
        return .run(unit: unit)
    }

    private mutating func verify(_ segment: String) -> Action {
        state = .verifying(segment, completed: completed)
        return .verify(segment, completed: completed)
    }

    private mutating func record(_ milestone: Milestone) -> Action {
        state = .recording(milestone)
        return .record(milestone)
    }

    private mutating func stop(_ outcome: Outcome) -> Action {
        state = .stopped(outcome)
        return .stop(outcome)
    }
}
