public import Foundation

/// Which of a runbook's abort criteria a run meets now: checked when a stage fails and before
/// each stage starts. Criteria that are words only are for people and never met here.
public enum RunbookAbort {
    /// The first criterion met, or nil.
    /// - Parameters:
    ///   - records: every stage's record, with the failure being judged already counted.
    ///   - failedStage: the stage that just failed, if one did.
    public static func met(_ runbook: Runbook, records: [String: StageRecord], startedAt: Date, now: Date,
                           failedStage: String? = nil) -> Runbook.AbortCriterion? {
        for criterion in runbook.abortCriteria {
            switch criterion {
            case .firstAttemptFailures(let limit):
                if records.values.filter(\.failedFirstAttempt).count > limit { return criterion }
            case .timelineOver(let factor):
                if let estimate = runbook.estimatedSeconds, now.timeIntervalSince(startedAt) > factor * estimate { return criterion }
            case .stageFails(let stage):
                if failedStage == stage { return criterion }
            case .judgement:
                continue
            }
        }
        return nil
    }
}
