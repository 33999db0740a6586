/// The per-cell cut-offs a calibration moves. The four intensity levels keep their order
/// `stainedThreshold < weakIntensity < moderateIntensity < intenseIntensity`; the completeness
/// level (`completeFraction`) is fitted only when the four alone leave a control wrong (a stain
/// or scanner under which complete membranes measure less complete).
public enum CalibrationCutoff: Int, CaseIterable, Sendable, Hashable {
    case stained, weak, moderate, intense, complete

    /// The intensity levels, always fitted.
    public static let intensityLevels: [CalibrationCutoff] = [.stained, .weak, .moderate, .intense]

    /// The parameter's name (its key in `[rules.cells]`).
    public var key: String {
        switch self {
        case .stained: "stainedThreshold"
        case .weak: "weakIntensity"
        case .moderate: "moderateIntensity"
        case .intense: "intenseIntensity"
        case .complete: "completeFraction"
        }
    }

    /// Which classes it separates, in words.
    public var boundary: String {
        switch self {
        case .stained: "0/1+ (stained membrane)"
        case .weak: "1+/2+ (weak-to-moderate complete)"
        case .moderate: "1+/2+ (moderate incomplete)"
        case .intense: "2+/3+ (intense complete)"
        case .complete: "complete/incomplete membrane"
        }
    }

    /// The labelled scores that bound it from below and above: without a control of each the
    /// controls cannot say where it lies.
    public var needs: [HER2Score] {
        switch self {
        case .stained: [.zero, .one]
        case .weak, .moderate: [.one, .two]
        case .intense: [.two, .three]
        case .complete: [.one, .two, .three]
        }
    }

    public func value(in p: CellClassificationParameters) -> Double {
        switch self {
        case .stained: p.stainedThreshold
        case .weak: p.weakIntensity
        case .moderate: p.moderateIntensity
        case .intense: p.intenseIntensity
        case .complete: p.completeFraction
        }
    }

    public func set(_ v: Double, in p: inout CellClassificationParameters) {
        switch self {
        case .stained: p.stainedThreshold = v
        case .weak: p.weakIntensity = v
        case .moderate: p.moderateIntensity = v
        case .intense: p.intenseIntensity = v
        case .complete: p.completeFraction = v
        }
    }
}

/// The calibration's own named choices.
public struct CalibrationFitParameters: Sendable, Hashable, Codable {
    /// Candidate stained thresholds (log10 DAB OD): a grid from `stainedThresholdRange.lowerBound`
    /// to its upper bound in steps of `stainedThresholdStep`. Below 0.02 glass noise and
    /// counterstain bleed-through would count as membrane; above 0.40 the stain is no longer faint.
    public var stainedThresholdRange: ClosedRange<Double> = 0.02...0.40
    public var stainedThresholdStep: Double = 0.0025
    /// At most this many candidate values per intensity cut-off, placed at quantiles of the
    /// breakpoints (midpoints between consecutive distinct cell intensities) in its allowed range.
    public var candidatesPerCutoff: Int = 240
    /// The search starts from the current cut-offs all multiplied by one factor (a lab's stain
    /// uniformly weaker or stronger), the best of `startScaleSteps` factors log-spaced over this range.
    public var startScaleRange: ClosedRange<Double> = 0.25...4.0
    public var startScaleSteps: Int = 113
    /// Rounds of coordinate search at most (each moves every cut-off to its best candidate).
    public var maximumRounds: Int = 10
    /// Centring: a cut-off is centred in the widest interval (others held) where every control
    /// keeps its best-fit agreement and the mean loss (percentage error plus per-cell class error,
    /// percentage points) stays within this many points of the optimum. 3 rather than 1: the
    /// margin to the controls' edges matters more for new slides than the last point of fit
    /// (on the virtual-slide experiments 1 point gave 92.5–100% exact agreement, 3 points 95–100%
    /// at the same total; docs/calibration-results.md).
    public var lossTolerancePercent: Double = 3.0
    /// Candidate completeness levels, when the completeness is fitted: a grid over this range
    /// in steps of `completeFractionStep` (a membrane stained on less than half its outline is
    /// never called complete).
    public var completeFractionRange: ClosedRange<Double> = 0.50...0.98
    public var completeFractionStep: Double = 0.02
    /// Smallest gap kept between consecutive cut-offs (log10 OD).
    public var minimumGap: Double = 0.005
    /// The highest intense cut-off tried lies this far above the most intense control cell.
    public var openMargin: Double = 0.05
    /// A predicted and a truth tumour cell are the same cell when their nucleus centres are at
    /// most this far apart (µm) — the `validate` matching distance.
    public var cellMatchDistanceMicrons: Double = 4

    public init() {}

    /// The candidate stained thresholds.
    public var stainedThresholdGrid: [Double] {
        let n = Int(((stainedThresholdRange.upperBound - stainedThresholdRange.lowerBound) / stainedThresholdStep).rounded(.down))
        return (0...max(0, n)).map { stainedThresholdRange.lowerBound + Double($0) * stainedThresholdStep }
    }
}

/// How a set of cut-offs does on the controls.
public struct CalibrationEvaluation: Sendable, Hashable {
    /// Controls whose score equals their label.
    public var agreement: Int
    /// Mean over the controls of (mean absolute percentage error over the labelled percentages)
    /// + (per-cell class error, % of truth-matched cells), percentage points.
    public var loss: Double
    public var scores: [HER2Score]
    public var percentages: [ClassPercentages]
    /// Share (0…1) of truth-matched cells given their true class, per control (nil: no truth).
    public var cellAccuracy: [Double?]

    /// Better: more controls agree, then a smaller loss.
    func isBetter(than other: CalibrationEvaluation) -> Bool {
        agreement != other.agreement ? agreement > other.agreement : loss < other.loss - 1e-9
    }
}

/// One cut-off's fit: where it was, where it went, and the range the controls support.
public struct CutoffFit: Sendable, Hashable {
    public var cutoff: CalibrationCutoff
    public var before: Double
    public var after: Double
    /// The values (the other cut-offs held at their fit) for which every control keeps its
    /// best-fit score — the range the controls support. The fit lies inside it.
    public var supported: ClosedRange<Double>
    /// The interval it was centred in (supported, and within the loss tolerance of the optimum).
    public var centredIn: ClosedRange<Double>
    /// The centring interval reaches the end of the values tried: neither the controls' scores
    /// nor their percentages or cells bound the cut-off there.
    public var openBelow: Bool
    public var openAbove: Bool
}

/// What the calibration found.
public struct CalibrationResult: Sendable {
    public var before: CellClassificationParameters
    public var after: CellClassificationParameters
    public var cutoffs: [CutoffFit]
    public var evaluationBefore: CalibrationEvaluation
    public var evaluationAfter: CalibrationEvaluation
    /// Each control scored with cut-offs fitted on the other controls only.
    public var leaveOneOut: [HER2Score]
    public var leaveOneOutAgreement: Int { zip(leaveOneOut, controls).filter { $0.0 == $0.1.label }.count }
    public var controls: [CalibrationControl]
}

/// Why no calibration is written.
public struct CalibrationRefusal: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case missingScores, tooFewCells, undetermined, contradictory }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

/// Fits the per-cell cut-offs to control slides of known score (an ordinal fit).
///
/// 1. Start: the current cut-offs all scaled by the one factor that scores the controls best
///    (a lab's DAB uniformly weaker or stronger moves every band alike).
/// 2. Coordinate search: each cut-off in turn goes to the candidate value (the stained threshold
///    from a grid; the intensity cut-offs at breakpoints between the controls' cell intensities)
///    that gives the most controls their labelled score, ties broken by the loss (percentage
///    error, plus per-cell class error when a per-cell truth is known); until nothing moves.
/// 3. Centring: each cut-off goes to the middle of the widest interval around it that keeps the
///    optimum (every control's agreement, the loss within `lossTolerancePercent`), so that it
///    does not sit on the edge of what the controls allow; the interval where agreement alone is
///    kept is reported as the supported range.
/// The order `stainedThreshold < weak < moderate < intense` (with `minimumGap`) holds throughout.
/// When the four intensity levels leave a control wrong, the fit is run again moving the
/// completeness level (`completeFraction`) as well, and kept if it is better.
/// The stained threshold changes the measured membranes themselves: they are re-derived from
/// each cell's sector peaks (`MembraneStaining.remeasured`), once per candidate threshold.
public final class CalibrationFitter {
    public let rules: ScoringRules
    public let parameters: CalibrationFitParameters
    let controls: [CalibrationControl]
    private var membraneCache: [UInt64: [[MembraneStaining]]] = [:]

    /// `rules.cells` are the cut-offs before calibration (defaults or a configuration's).
    public init(controls: [CalibrationControl], rules: ScoringRules, parameters: CalibrationFitParameters = CalibrationFitParameters()) {
        self.controls = controls
        self.rules = rules
        self.parameters = parameters
    }

    // MARK: The whole calibration

    /// Checks the controls, fits, checks the fit, and runs the leave-one-out fits.
    public func calibrate() throws(CalibrationRefusal) -> CalibrationResult {
        try checkControls()
        let all = Array(controls.indices)
        var fitted = CalibrationCutoff.intensityLevels
        var (after, cutoffs) = optimise(all, cutoffs: fitted)
        var evaluationAfter = evaluate(after, on: all)
        if evaluationAfter.agreement < all.count {
            // The data need the completeness level too.
            let withCompleteness = CalibrationCutoff.intensityLevels + [.complete]
            let (after5, cutoffs5) = optimise(all, cutoffs: withCompleteness)
            let evaluation5 = evaluate(after5, on: all)
            if evaluation5.isBetter(than: evaluationAfter) {
                (after, cutoffs, evaluationAfter, fitted) = (after5, cutoffs5, evaluation5, withCompleteness)
            }
        }
        let wrong = all.filter { evaluationAfter.scores[$0] != controls[$0].label }
        if !wrong.isEmpty {
            let list = wrong.map { "\(controls[$0].name) (labelled \(controls[$0].label.label), best fit \(evaluationAfter.scores[$0].label))" }
            throw CalibrationRefusal(kind: .contradictory, message: """
                the controls contradict each other: no cut-offs give every control its label; the best fit still \
                scores \(list.joined(separator: ", ")). Check these labels and slides (a mislabelled or \
                atypical control), or leave them out
                """)
        }
        let open = cutoffs.filter { $0.openBelow || $0.openAbove }
        if !open.isEmpty {
            let list = open.map { c in
                "\(c.cutoff.key) (\(c.cutoff.boundary)) is not bounded \(c.openBelow ? "from below" : "from above")"
            }
            throw CalibrationRefusal(kind: .undetermined, message: """
                the controls do not determine every cut-off: \(list.joined(separator: "; ")) — every value tried \
                that way keeps every control's score (and percentages) as good. Add controls whose cells lie near that \
                boundary, or give their percentages (pct_1plus_or_more, …) or a per-cell truth (--cells)
                """)
        }
        let leaveOneOut: [HER2Score] = all.map { j in
            let others = all.filter { $0 != j }
            let (parameters, _) = optimise(others, cutoffs: fitted)
            return evaluate(parameters, on: [j]).scores[0]
        }
        return CalibrationResult(before: rules.cells, after: after, cutoffs: cutoffs,
                                 evaluationBefore: evaluate(rules.cells, on: all), evaluationAfter: evaluationAfter,
                                 leaveOneOut: leaveOneOut, controls: controls)
    }

    /// Every score present among the labels, and every control scorable.
    func checkControls() throws(CalibrationRefusal) {
        let present = Set(controls.map(\.label))
        let missing = HER2Score.allCases.filter { !present.contains($0) }
        if !missing.isEmpty {
            let open = CalibrationCutoff.intensityLevels.filter { c in c.needs.contains { missing.contains($0) } }
            throw CalibrationRefusal(kind: .missingScores, message: """
                no \(missing.map(\.label).joined(separator: ", ")) control: the cut-off\(open.count == 1 ? "" : "s") \
                \(open.map { "\($0.key) (\($0.boundary))" }.joined(separator: ", ")) would be left open. Give at least \
                one control of every score 0, 1+, 2+ and 3+ (two of each are better)
                """)
        }
        let few = controls.filter { $0.cells.count < rules.minimumCellsToScore }
        if !few.isEmpty {
            throw CalibrationRefusal(kind: .tooFewCells, message: """
                too few tumour cells to use as a control: \
                \(few.map { "\($0.name) (\($0.cells.count) < \(rules.minimumCellsToScore))" }.joined(separator: ", "))
                """)
        }
    }

    // MARK: Fitting

    /// The fitted cut-offs on the controls at `indices` (moving `cutoffs` only), and each one's intervals.
    public func optimise(_ indices: [Int], cutoffs: [CalibrationCutoff] = CalibrationCutoff.intensityLevels)
        -> (CellClassificationParameters, [CutoffFit]) {
        let start = rules.cells
        // 1. One factor on every cut-off.
        var best = start
        var bestEval = evaluate(start, on: indices)
        var bestDistance = 0.0
        let lo = log(parameters.startScaleRange.lowerBound), hi = log(parameters.startScaleRange.upperBound)
        let steps = max(2, parameters.startScaleSteps)
        for k in 0..<steps {
            let logScale = lo + (hi - lo) * Double(k) / Double(steps - 1)
            let s = exp(logScale)
            var p = start
            for c in CalibrationCutoff.intensityLevels { c.set(c.value(in: start) * s, in: &p) }
            p.stainedThreshold = snapToGrid(p.stainedThreshold)
            guard ordered(p) else { continue }
            let e = evaluate(p, on: indices)
            if e.isBetter(than: bestEval) || (!bestEval.isBetter(than: e) && abs(logScale) < bestDistance - 1e-12) {
                best = p
                bestEval = e
                bestDistance = abs(logScale)
            }
        }
        // 2. Coordinate search.
        var current = best, currentEval = bestEval
        for _ in 0..<max(1, parameters.maximumRounds) {
            var moved = false
            for c in cutoffs {
                for v in candidates(c, around: current, on: indices) {
                    var p = current
                    c.set(v, in: &p)
                    let e = evaluate(p, on: indices)
                    if e.isBetter(than: currentEval) {
                        current = p
                        currentEval = e
                        moved = true
                    }
                }
            }
            if !moved { break }
        }
        // 3. Centring, and the supported ranges.
        let optimum = currentEval
        var fits: [CutoffFit] = []
        for c in cutoffs {
            let values = candidates(c, around: current, on: indices)
            let here = c.value(in: current)
            let evals = values.map { v -> CalibrationEvaluation in
                var p = current
                c.set(v, in: &p)
                return evaluate(p, on: indices)
            }
            guard let at = values.indices.min(by: { abs(values[$0] - here) < abs(values[$1] - here) }) else { continue }
            func run(_ keep: (CalibrationEvaluation) -> Bool) -> ClosedRange<Int> {
                var a = at, b = at
                while a > 0, keep(evals[a - 1]) { a -= 1 }
                while b < values.count - 1, keep(evals[b + 1]) { b += 1 }
                return a...b
            }
            let supported = run { $0.agreement >= optimum.agreement }
            let tight = run { $0.agreement >= optimum.agreement && $0.loss <= optimum.loss + self.parameters.lossTolerancePercent }
            let centre = (values[tight.lowerBound] + values[tight.upperBound]) / 2
            var p = current
            c.set(centre, in: &p)
            let e = evaluate(p, on: indices)
            if ordered(p), e.agreement >= optimum.agreement, e.loss <= optimum.loss + parameters.lossTolerancePercent {
                current = p
            }
            // Open: not even the loss (percentages, per-cell truth) bounds it before the end of the values tried.
            let lowEnd = c == .stained && tight.lowerBound == 0
            let highEnd = c == .intense && tight.upperBound == values.count - 1
            fits.append(CutoffFit(cutoff: c, before: c.value(in: rules.cells), after: c.value(in: current),
                                  supported: values[supported.lowerBound]...values[supported.upperBound],
                                  centredIn: values[tight.lowerBound]...values[tight.upperBound],
                                  openBelow: lowEnd, openAbove: highEnd))
        }
        return (current, fits)
    }

    /// Whether the cut-offs keep their order (with the minimum gap).
    func ordered(_ p: CellClassificationParameters) -> Bool {
        let g = parameters.minimumGap * 0.999
        return p.stainedThreshold > 0 && p.weakIntensity - p.stainedThreshold >= g
            && p.moderateIntensity - p.weakIntensity >= g && p.intenseIntensity - p.moderateIntensity >= g
    }

    func snapToGrid(_ t: Double) -> Double {
        let r = parameters.stainedThresholdRange, step = parameters.stainedThresholdStep
        let k = ((min(max(t, r.lowerBound), r.upperBound) - r.lowerBound) / step).rounded()
        return r.lowerBound + k * step
    }

    /// The values cut-off `c` may take with the others held at `p`, ascending (the current value included).
    func candidates(_ c: CalibrationCutoff, around p: CellClassificationParameters, on indices: [Int]) -> [Double] {
        let gap = parameters.minimumGap
        var values: [Double]
        switch c {
        case .stained:
            values = parameters.stainedThresholdGrid.filter { $0 <= p.weakIntensity - gap }
        case .complete:
            let r = parameters.completeFractionRange
            let n = Int(((r.upperBound - r.lowerBound) / parameters.completeFractionStep).rounded(.down))
            values = (0...max(0, n)).map { r.lowerBound + Double($0) * parameters.completeFractionStep }
        case .weak, .moderate, .intense:
            let below = c == .weak ? p.stainedThreshold : c == .moderate ? p.weakIntensity : p.moderateIntensity
            let membranes = indices.flatMap { staining(at: p.stainedThreshold)[$0] }
            let top = (membranes.map(\.intensity).max() ?? 0) + parameters.openMargin
            let above = c == .weak ? p.moderateIntensity : c == .moderate ? p.intenseIntensity : max(top, p.intenseIntensity + gap)
            let low = below + gap, high = above - (c == .intense ? 0 : gap)
            guard low <= high else { return [c.value(in: p)] }
            var levels = Array(Set(membranes.map(\.intensity).filter { $0 > low && $0 < high })).sorted()
            var breaks = [low]
            for k in 1..<max(1, levels.count) where levels.count > 1 { breaks.append((levels[k - 1] + levels[k]) / 2) }
            if levels.count == 1 { breaks.append(levels[0]) }
            breaks.append(high)
            levels = breaks
            let limit = max(2, parameters.candidatesPerCutoff)
            if levels.count > limit {
                levels = (0..<limit).map { levels[Int((Double($0) * Double(levels.count - 1) / Double(limit - 1)).rounded())] }
            }
            values = levels
        }
        values.append(c.value(in: p))
        return Array(Set(values)).sorted()
    }

    // MARK: Evaluation

    /// The controls' membranes at stained threshold `t` (re-derived once per threshold).
    func staining(at t: Double) -> [[MembraneStaining]] {
        if let cached = membraneCache[t.bitPattern] { return cached }
        let measured = controls.map { control in control.cells.map { $0.membrane(atStainedThreshold: t) } }
        membraneCache[t.bitPattern] = measured
        return measured
    }

    /// Scores, percentages, agreement and loss of cut-offs `p` on the controls at `indices`.
    public func evaluate(_ p: CellClassificationParameters, on indices: [Int]) -> CalibrationEvaluation {
        let membranes = staining(at: p.stainedThreshold)
        var cellRules = rules
        cellRules.cells = p
        var agreement = 0, loss = 0.0
        var scores: [HER2Score] = [], percentages: [ClassPercentages] = [], accuracy: [Double?] = []
        for i in indices {
            let control = controls[i]
            var counts = [0, 0, 0, 0]
            var matched = 0, right = 0
            var classified: [ClassifiedCell] = []
            if rules.ruleSet == .gastricBiopsy { classified.reserveCapacity(control.cells.count) }
            for (k, cell) in control.cells.enumerated() {
                let cls = p.classify(membranes[i][k], rules: rules.ruleSet)
                counts[cls.rawValue] += 1
                if let truth = cell.truthClass {
                    matched += 1
                    if truth == cls { right += 1 }
                }
                if rules.ruleSet == .gastricBiopsy {
                    classified.append(ClassifiedCell(cellClass: cls, tile: cell.tile, xMicrons: cell.xMicrons, yMicrons: cell.yMicrons))
                }
            }
            let pct = ClassPercentages(counts: counts)
            let score = rules.ruleSet == .gastricBiopsy ? SlideScorer.score(classified, rules: cellRules).score
                : SlideScorer.decide(pct, rules: cellRules).0
            if score == control.label { agreement += 1 }
            var errors: [Double] = []
            if let v = control.percentOnePlusOrMore { errors.append(abs(pct.onePlusOrMore - v)) }
            if let v = control.percentTwoPlusOrMore { errors.append(abs(pct.twoPlusOrMore - v)) }
            if let v = control.percentThree { errors.append(abs(pct.three - v)) }
            var controlLoss = errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count)
            if matched > 0 { controlLoss += 100 * Double(matched - right) / Double(matched) }
            loss += controlLoss
            scores.append(score)
            percentages.append(pct)
            accuracy.append(matched > 0 ? Double(right) / Double(matched) : nil)
        }
        return CalibrationEvaluation(agreement: agreement, loss: indices.isEmpty ? 0 : loss / Double(indices.count),
                                     scores: scores, percentages: percentages, cellAccuracy: accuracy)
    }
}

import Foundation
