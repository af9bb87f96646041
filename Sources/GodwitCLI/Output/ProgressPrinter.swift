import Foundation
import GodwitCore
#if canImport(Glibc)
import Glibc
#endif

/// Shows a running migration: on a terminal, whole lines for events and one redrawn progress
/// bar for batches (rows/s, ETA); when piped, whole plain lines only; with `--json`, one JSON
/// object per event and line.
final class ProgressPrinter: ExecutionObserver, @unchecked Sendable {
    enum Mode { case terminal, plain, json }

    private let mode: Mode
    private let lock = NSLock()
    // Guarded by `lock`.
    private var barShown = false
    private var lastPlainBatch = Date.distantPast

    /// Used under `lock` only. Dates with milliseconds: events of one step are often less than
    /// a second apart.
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(style.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private let output: FileHandle

    /// Draws on standard output, or on standard error when standard output carries a report
    /// (`rehearse`).
    init(json: Bool, onStandardError: Bool = false) {
        output = onStandardError ? .standardError : .standardOutput
        mode = json ? .json : (isatty(onStandardError ? STDERR_FILENO : STDOUT_FILENO) == 1 ? .terminal : .plain)
    }

    func observe(_ event: ExecutionEvent) {
        lock.withLock { draw(event) }
    }

    private func draw(_ event: ExecutionEvent) {
        // Probes are measurements for `--serve` and `--json`, not lines to read.
        if event.kind == .probe, mode != .json { return }
        switch mode {
        case .json:
            if let data = try? encoder.encode(event) { write(String(decoding: data, as: UTF8.self) + "\n") }
        case .terminal:
            if event.kind == .batch, let progress = event.progress {
                write("\r\u{1B}[2K" + bar(event, progress))
                barShown = true
            } else {
                if barShown { write("\n") }
                barShown = false
                write(line(event) + "\n")
            }
        case .plain:
            if event.kind == .batch, let progress = event.progress {
                // One line a second at most, and the last batch.
                guard Date().timeIntervalSince(lastPlainBatch) >= 1 || progress.fraction >= 1 else { return }
                lastPlainBatch = Date()
                write(line(event) + " — " + Self.summary(progress) + "\n")
            } else {
                write(line(event) + "\n")
            }
        }
    }

    private func line(_ event: ExecutionEvent) -> String {
        var prefix = "[\(event.migration)"
        if let phase = event.phase { prefix += " \(phase.rawValue)" }
        if let step = event.step { prefix += " step \(step)" }
        return prefix + "] " + event.message
    }

    private func bar(_ event: ExecutionEvent, _ progress: ExecutionEvent.Progress) -> String {
        let width = 30
        let filled = Int((progress.fraction * Double(width)).rounded(.down))
        return "[\(event.migration)\(event.step.map { " step \($0)" } ?? "")] [" + String(repeating: "#", count: filled)
            + String(repeating: "-", count: width - filled) + "] " + Self.summary(progress)
    }

    static func summary(_ progress: ExecutionEvent.Progress) -> String {
        var text = String(format: "%3.0f%% %lld/%lld rows, %.0f rows/s, batch %d", progress.fraction * 100,
                          progress.rowsDone, progress.rowsTotal, progress.rowsPerSecond, progress.batchSize)
        if let left = progress.secondsLeft { text += ", ETA " + eta(left) }
        return text
    }

    static func eta(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, total % 3600 / 60) : String(format: "%dm%02ds", total / 60, total % 60)
    }

    private func write(_ text: String) {
        output.write(Data(text.utf8))
    }
}
