import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Fault injection for crash tests: when `GODWIT_CRASH_AT` names a point the run reaches
/// (`step-5-before-commit`, `step-5-after-commit`, `step-7-batch-3-before-commit`,
/// `undo-5-before-commit`), the process kills
/// itself with SIGKILL there, as `kill -9` would, leaving the database mid-step.
enum CrashPoint {
    private static let target = ProcessInfo.processInfo.environment["GODWIT_CRASH_AT"]

    static func reach(_ name: @autoclosure () -> String) {
        guard let target, target == name() else { return }
        kill(getpid(), SIGKILL)
    }
}
