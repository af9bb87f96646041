import Foundation

/// The downtime a SQL migration runs under. A SQL file written for another tool promises none:
/// those tools run each file with whatever locks its statements take, so Godwit takes it as
/// `minutes` and judges its locks with the statement rules (GW3xx). A file that must keep old and
/// new code working says so in a comment, which makes lint and apply hold it to `zero`:
///
///     -- godwit-downtime: zero
public enum SQLDowntimeDirective {
    static let marker = "godwit-downtime:"

    /// The downtime a SQL file declares in a `-- godwit-downtime: MODE` comment, else `minutes`.
    /// - Throws: ``GodwitError`` naming the line when the mode is not one Godwit knows.
    public static func downtime(in text: String, file: String) throws -> Migration.Downtime {
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let comment = line.range(of: "--"), let range = line[comment.upperBound...].range(of: marker) else { continue }
            let value = line[range.upperBound...].trimmingWhitespace().lowercased()
            guard let downtime = Migration.Downtime(rawValue: String(value)) else {
                throw GodwitError(
                    .invalidMigration, "Unknown downtime '\(value)'", location: "\(file):\(offset + 1):\(line.distance(from: line.startIndex, to: comment.lowerBound) + 1)",
                    remedy: "Write `-- godwit-downtime: zero`, `minutes` or `window`."
                )
            }
            return downtime
        }
        return .minutes
    }
}
