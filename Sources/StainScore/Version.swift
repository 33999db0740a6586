/// The tool's identity, recorded with every result.
public enum StainScoreVersion {
    /// Semantic version of ihc-score / StainScore.
    public static let version = "0.1.0"
}
