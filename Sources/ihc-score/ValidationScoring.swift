import ArgumentParser
import StainScore

/// Scores the slides that `ihc-score validate` compares when no `--results` are given.
///
/// This is the one seam between validation and the scoring pipeline: at merge it is replaced by
/// the real pipeline call. `slideNames` are the truth slide ids (folders or image files under
/// `slidesDirectory`); `mpp` is the user's pixel size for tiles that carry none; `rules` the rule
/// set to apply (nil: the pipeline's default).
func scoreSlidesForValidation(slidesDirectory: String, slideNames: [String], mpp: Double?, rules: RuleSet?) throws -> [SlideResult] {
    throw ValidationError("scoring is not available in this build; pass --results")
}
