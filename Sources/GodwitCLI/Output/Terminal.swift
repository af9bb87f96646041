import Foundation

/// The one place Godwit writes to the terminal: whole lines to standard output or error.
public struct Terminal: Sendable {
    public init() {}

    /// Writes text to standard output as is.
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes one line to standard error.
    public func writeError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
