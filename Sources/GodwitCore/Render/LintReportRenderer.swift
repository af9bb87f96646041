import Foundation

/// Writes lint findings as text for people, JSON for machines, or GitHub Actions annotations.
public enum LintReportRenderer {
    public enum Format: String, Sendable, CaseIterable {
        case text, json, github
    }

    public static func render(_ findings: [LintFinding], as format: Format) throws -> String {
        switch format {
        case .text: return text(findings)
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(findings), as: UTF8.self) + "\n"
        case .github: return github(findings)
        }
    }

    /// Whether the findings fail the run (exit code 2): any error or warning not suppressed.
    public static func fails(_ findings: [LintFinding]) -> Bool {
        findings.contains { $0.suppressedBecause == nil && $0.severity >= .warning }
    }

    static func text(_ findings: [LintFinding]) -> String {
        var lines = findings.map { finding -> String in
            var line = "\(finding.location): \(finding.severity.rawValue) \(finding.code) \(finding.rule): \(finding.message). \(finding.remedy)"
            if let reason = finding.suppressedBecause { line += " (ignored: \(reason))" }
            return line
        }
        let open = findings.filter { $0.suppressedBecause == nil }
        let counts = LintSeverity.allCases.reversed().map { severity in "\(open.filter { $0.severity == severity }.count) \(severity.rawValue)\(open.filter { $0.severity == severity }.count == 1 ? "" : "s")" }
        lines.append("\(counts.joined(separator: ", ")); \(findings.count - open.count) ignored")
        return lines.joined(separator: "\n") + "\n"
    }

    /// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
    static func github(_ findings: [LintFinding]) -> String {
        findings.filter { $0.suppressedBecause == nil }.map { finding in
            let command = switch finding.severity { case .error: "error"; case .warning: "warning"; case .info: "notice" }
            var properties = ["file=\(escapeProperty(finding.file))"]
            if let position = finding.position { properties += ["line=\(position.line)", "col=\(position.column)"] }
            properties.append("title=\(escapeProperty("\(finding.code) \(finding.rule)"))")
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData("\(finding.message). \(finding.remedy)"))"
        }.joined(separator: "\n") + (findings.isEmpty ? "" : "\n")
    }

    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
