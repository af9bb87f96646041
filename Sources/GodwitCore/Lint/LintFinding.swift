/// How serious a finding is.
public enum LintSeverity: String, Hashable, Codable, Sendable, Comparable, CaseIterable {
    case info, warning, error

    public static func < (lhs: LintSeverity, rhs: LintSeverity) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One thing the linter found, pinned to the operation that caused it.
public struct LintFinding: Hashable, Codable, Sendable {
    /// Stable code (`GW113`): never reused for another meaning.
    public var code: String
    /// The rule's name, after squawk and strong_migrations where they have one (`renaming-column`).
    public var rule: String
    public var severity: LintSeverity
    public var message: String
    /// A safer way to get the same result.
    public var remedy: String
    public var file: String
    public var position: FilePosition?
    public var operationIndex: Int?
    /// Set when an inline comment silenced the finding, with its reason.
    public var suppressedBecause: String?
    /// The hand-written statement the finding is about.
    public var statement: String?

    public init(code: String, rule: String, severity: LintSeverity, message: String, remedy: String,
                file: String, position: FilePosition? = nil, operationIndex: Int? = nil) {
        self.code = code
        self.rule = rule
        self.severity = severity
        self.message = message
        self.remedy = remedy
        self.file = file
        self.position = position
        self.operationIndex = operationIndex
    }

    /// `file:line:column`
    public var location: String {
        guard let position else { return file }
        return "\(file):\(position.line):\(position.column)"
    }
}
