/// Exposes the typo test that migration errors use for their "did you mean" hints.
public enum MigrationFileParserSpelling {
    /// Whether `a` is one edit away from `b`.
    public static func close(_ a: String, _ b: String) -> Bool {
        YAMLReader.isCloseSpelling(a, b)
    }
}
