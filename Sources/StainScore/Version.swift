/// The tool's identity, recorded with every result.
public enum StainScoreVersion {
    /// Semantic version of ihc-score / StainScore.
    public static let version = "0.1.0"
}

/// How this binary was built: what benchmarks print beside their figures, since the speed
/// (never the results) depends on it.
public enum StainScoreBuild {
    /// The CPU level the core was compiled for (`IHC_SCORE_MARCH`, see Package.swift):
    /// "portable", "x86-64-v2", "x86-64-v3", "x86-64-v4" or "native".
    public static var cpuTarget: String {
        #if IHC_SCORE_MARCH_X86_64_V2
        return "x86-64-v2"
        #elseif IHC_SCORE_MARCH_X86_64_V3
        return "x86-64-v3"
        #elseif IHC_SCORE_MARCH_X86_64_V4
        return "x86-64-v4"
        #elseif IHC_SCORE_MARCH_NATIVE
        return "native"
        #else
        return "portable"
        #endif
    }

    /// "built for x86-64-v3", with a warning for a debug build: what benchmark headers print.
    public static var summary: String {
        "built for \(cpuTarget)" + (optimised ? "" : " — a DEBUG build: not representative")
    }

    /// Whether this is an optimised build (`swift build -c release`).
    public static var optimised: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}
