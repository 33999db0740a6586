/// Run QC (`score --controls`): the ASCO/CAP rule that a run whose controls did not stain as
/// expected is not reported. Control slides are scored with the rest of the batch; each must be
/// present and get its labelled score.
public enum ControlCheck {
    /// The flag every slide of a run with failed controls carries.
    public static let flag = "controls-failed"

    /// What is wrong with the controls, one line each (empty: the controls passed). `scored`
    /// holds the slides' scores by slide name; `slideNames` every slide of the batch (a slide
    /// without a score there failed outright). Names match as `validate` matches them (exactly,
    /// else without an image extension).
    public static func problems(expected: [SlideTruth], scored: [String: SlideScore], slideNames: [String]) -> [String] {
        let (pairs, _) = SlideNameMatching.match(truth: expected.map(\.slide), predictions: slideNames)
        var problems: [String] = []
        for (truth, index) in zip(expected, pairs) {
            guard let index else {
                problems.append("\(truth.slide) (labelled \(truth.score.label)) is not in this batch")
                continue
            }
            let name = slideNames[index]
            guard let score = scored[name] else {
                problems.append("\(truth.slide) (labelled \(truth.score.label)) gave no result")
                continue
            }
            guard let reported = score.reportedScore else {
                problems.append("\(truth.slide) (labelled \(truth.score.label)) could not be scored: \(score.unscorable ?? "unscorable")")
                continue
            }
            if reported != truth.score {
                problems.append("\(truth.slide) (labelled \(truth.score.label)) was scored \(reported.label)")
            }
        }
        return problems
    }
}
