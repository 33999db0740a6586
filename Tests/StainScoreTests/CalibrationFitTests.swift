import Foundation
@testable import StainScore
import Testing

/// The calibration fit on hand-built cell populations whose right cut-offs are known.
@Suite("Calibration fit")
struct CalibrationFitTests {
    /// True membrane bands per class (log10 DAB OD), with gaps between them, as a lab at
    /// strength 1 would show them; a control's cells are drawn from these times `scale`.
    /// - 0: every sector below 0.05; 1+: faint (0.12–0.22), on every sector for odd cells (faint
    ///   complete is 1+ too: it bounds the weak cut-off) and on half of them for even cells, the
    ///   rest below 0.02;
    /// - 2+: every sector weak-to-moderate (0.28–0.50); 3+: every sector intense (0.62–0.90).
    static func cell(_ cls: HER2Score, scale: Double, index: Int, rng: inout SplitMix64) -> CalibrationCell {
        let sectors = 36
        func draw(_ r: ClosedRange<Double>) -> Float { Float(scale * (r.lowerBound + (r.upperBound - r.lowerBound) * rng.nextUnit())) }
        let level: ClosedRange<Double> = switch cls {
        case .zero: 0.0...0.05
        case .one: 0.12...0.22
        case .two: 0.28...0.50
        case .three: 0.62...0.90
        }
        let centre = draw(level)
        var peaks = [Float](repeating: 0, count: sectors)
        for s in 0..<sectors {
            if cls == .one && index % 2 == 0 && s >= sectors / 2 {
                peaks[s] = draw(0.0...0.02)
            } else if cls == .zero {
                peaks[s] = draw(level)
            } else {
                // ±10% around the cell's level, kept inside its band.
                let v = Double(centre) * (0.9 + 0.2 * rng.nextUnit())
                peaks[s] = Float(min(max(v, scale * level.lowerBound), scale * level.upperBound))
            }
        }
        let membrane = MembraneStaining.remeasured(ownSectorPeaks: peaks, stainedThreshold: 0.10)
        return CalibrationCell(membrane: membrane, ownSectorPeaks: peaks, truthClass: cls)
    }

    /// Class mixtures (shares of 0, 1+, 2+, 3+) that give each score with a wide margin.
    static let mixtures: [HER2Score: [Double]] = [
        .zero: [0.96, 0.04, 0, 0], .one: [0.55, 0.45, 0, 0], .two: [0.40, 0.25, 0.35, 0], .three: [0.30, 0.10, 0.20, 0.40],
    ]

    static func control(_ score: HER2Score, scale: Double, seed: UInt64, cells: Int = 200) -> CalibrationControl {
        var rng = SplitMix64(seed: seed)
        let shares = mixtures[score]!
        var list: [CalibrationCell] = []
        for (k, share) in shares.enumerated() {
            for i in 0..<Int((share * Double(cells)).rounded()) {
                list.append(cell(HER2Score(rawValue: k)!, scale: scale, index: i, rng: &rng))
            }
        }
        let pct = ClassPercentages(counts: shares.map { Int(($0 * Double(cells)).rounded()) })
        return CalibrationControl(name: "\(score.label)-\(seed)", label: score, percentOnePlusOrMore: pct.onePlusOrMore,
                                  percentTwoPlusOrMore: pct.twoPlusOrMore, percentThree: pct.three, cells: list)
    }

    /// A coarser search than the default (the same method; debug builds run the tests).
    static let quick: CalibrationFitParameters = {
        var p = CalibrationFitParameters()
        p.stainedThresholdStep = 0.005
        p.candidatesPerCutoff = 80
        p.startScaleSteps = 41
        return p
    }()

    /// Two controls per score at DAB strength `scale`.
    static func controls(scale: Double) -> [CalibrationControl] {
        HER2Score.allCases.flatMap { s in [control(s, scale: scale, seed: 10 + UInt64(s.rawValue)), control(s, scale: scale, seed: 20 + UInt64(s.rawValue))] }
    }

    @Test("re-deriving the membrane from sector peaks: completeness, circular longest arc, median intensity")
    func remeasure() {
        // 8 sectors: stained at 0.1 are 0, 1, 6, 7 (an arc of 4 across the wrap) and 3.
        let peaks: [Float] = [0.3, 0.5, 0.05, 0.2, 0.01, 0.02, 0.4, 0.6]
        let m = MembraneStaining.remeasured(ownSectorPeaks: peaks, stainedThreshold: 0.1)
        #expect(m.completeness == 5.0 / 8)
        #expect(m.longestArc == 4.0 / 8)
        #expect(m.intensity == Double(Float(0.4)))
        let all = MembraneStaining.remeasured(ownSectorPeaks: peaks, stainedThreshold: 0.005)
        #expect(all.completeness == 1 && all.longestArc == 1)
        let none = MembraneStaining.remeasured(ownSectorPeaks: peaks, stainedThreshold: 0.9)
        #expect(none.completeness == 0 && none.intensity == 0 && none.longestArc == 0)
    }

    @Test("DAB at 0.6×: the defaults miss, the fitted cut-offs land in the scaled gaps between the class bands")
    func weakStain() throws {
        let controls = Self.controls(scale: 0.6)
        let fitter = CalibrationFitter(controls: controls, rules: ScoringRules(), parameters: Self.quick)
        let result = try fitter.calibrate()
        #expect(result.evaluationBefore.agreement < controls.count)
        #expect(result.evaluationAfter.agreement == controls.count)
        let after = result.after
        // The gaps of the bands, scaled by 0.6: 0 ≤ 0.03 < 1+ 0.072–0.132 < 2+ 0.168–0.30 < 3+ 0.372–.
        #expect(after.stainedThreshold > 0.03 && after.stainedThreshold < 0.072, "\(after)")
        #expect(after.weakIntensity > 0.132 && after.weakIntensity < 0.168, "\(after)")
        #expect(after.moderateIntensity > 0.132 && after.moderateIntensity < after.intenseIntensity, "\(after)")
        #expect(after.intenseIntensity > 0.30 && after.intenseIntensity < 0.372, "\(after)")
        #expect(result.leaveOneOutAgreement == controls.count)
        // Every fitted value lies in the range the controls support.
        for fit in result.cutoffs { #expect(fit.supported.contains(fit.after), "\(fit)") }
        let accuracy = result.evaluationAfter.cellAccuracy.compactMap { $0 }
        #expect(accuracy.allSatisfy { $0 > 0.99 }, "\(accuracy)")
    }

    @Test("DAB at 1.6×: the cut-offs move up into the scaled gaps")
    func strongStain() throws {
        let result = try CalibrationFitter(controls: Self.controls(scale: 1.6), rules: ScoringRules(), parameters: Self.quick).calibrate()
        let after = result.after
        #expect(after.stainedThreshold > 0.08 && after.stainedThreshold < 0.192, "\(after)")
        #expect(after.weakIntensity > 0.352 && after.weakIntensity < 0.448, "\(after)")
        #expect(after.intenseIntensity > 0.80 && after.intenseIntensity < 0.992, "\(after)")
        #expect(result.evaluationAfter.agreement == 8)
    }

    @Test("controls of the default strength: the defaults lie inside the supported ranges (no drift for nothing)")
    func noDrift() throws {
        let result = try CalibrationFitter(controls: Self.controls(scale: 1), rules: ScoringRules(), parameters: Self.quick).calibrate()
        #expect(result.evaluationBefore.agreement == 8)
        for fit in result.cutoffs { #expect(fit.supported.contains(fit.before), "\(fit)") }
    }

    @Test("refused: a score without a control names the score and the cut-offs left open")
    func missingScore() {
        let controls = Self.controls(scale: 0.6).filter { $0.label != .two }
        #expect {
            _ = try CalibrationFitter(controls: controls, rules: ScoringRules(), parameters: Self.quick).calibrate()
        } throws: { error in
            guard let refusal = error as? CalibrationRefusal else { return false }
            return refusal.kind == .missingScores && refusal.message.contains("no 2+ control")
                && refusal.message.contains("weakIntensity") && refusal.message.contains("intenseIntensity")
                && !refusal.message.contains("stainedThreshold")
        }
    }

    @Test("refused: contradictory controls (the same cells labelled 1+ and 3+) are named")
    func contradictory() {
        var controls = Self.controls(scale: 1)
        var copy = controls[2]  // a 1+ control
        copy.name = "relabelled"
        copy.label = .three
        copy.percentOnePlusOrMore = nil
        copy.percentTwoPlusOrMore = nil
        copy.percentThree = nil
        controls.append(copy)
        #expect {
            _ = try CalibrationFitter(controls: controls, rules: ScoringRules(), parameters: Self.quick).calibrate()
        } throws: { error in
            guard let refusal = error as? CalibrationRefusal else { return false }
            return refusal.kind == .contradictory && refusal.message.contains("contradict")
                && (refusal.message.contains("relabelled") || refusal.message.contains(controls[2].name))
        }
    }

    @Test("refused: a control with too few tumour cells")
    func tooFewCells() {
        var controls = Self.controls(scale: 1)
        controls[0].cells = Array(controls[0].cells.prefix(20))
        #expect(throws: CalibrationRefusal.self) { try CalibrationFitter(controls: controls, rules: ScoringRules(), parameters: Self.quick).calibrate() }
    }

    @Test("the calibration file round trip: score --config reads the fitted cut-offs and skips the record")
    func fileRoundTrip() throws {
        let controls = Self.controls(scale: 0.6)
        let result = try CalibrationFitter(controls: controls, rules: ScoringRules(), parameters: Self.quick).calibrate()
        var parameters = AnalysisParameters()
        parameters.nuclei.minimumAreaMicrons2 += 1  // a non-default parameter the controls were measured with
        parameters.rules.cells = result.after
        let record = CalibrationFile.Record(labels: "labels.csv", labelsSHA256: String(repeating: "0", count: 64),
                                            controls: controls.map { .init(name: $0.name, label: $0.label, sha256: "ab", tiles: 1) },
                                            result: result)
        let text = CalibrationFile.text(parameters: parameters, record: record)
        #expect(text.contains("[calibration]") && text.contains("[calibration.fit]") && text.contains("toolVersion"))
        let table = try ConfigurationFile.parse(text, path: "c.toml", format: .toml)
        let loaded = try ConfigurationFile.apply(table, to: AnalysisParameters(), path: "c.toml")
        #expect(loaded.rules.cells == result.after)
        #expect(loaded == parameters)
        // The record must be a table.
        let bad = try ConfigurationFile.parse("calibration = 3\n", path: "b.toml", format: .toml)
        #expect(throws: ConfigurationError.self) { _ = try ConfigurationFile.apply(bad, to: AnalysisParameters(), path: "b.toml") }
    }

    @Test("run QC: a control scored otherwise, unscorable or missing is named")
    func controlCheck() {
        func score(_ s: HER2Score) -> SlideScore {
            SlideScore(score: s, category: .low, ruleSet: .breast2018, tumourCells: 500, classCounts: [0, 0, 0, 0],
                       percentages: ClassPercentages(counts: [1, 0, 0, 0]), hScore: 0, ishReflex: false, borderline: false,
                       insufficient: false, largestClusters: nil, reason: "")
        }
        let expected = [SlideTruth(slide: "a", score: .one), SlideTruth(slide: "b.png", score: .two), SlideTruth(slide: "c", score: .three)]
        #expect(ControlCheck.problems(expected: Array(expected.prefix(2)), scored: ["a": score(.one), "b": score(.two)],
                                      slideNames: ["a", "b", "x"]).isEmpty)
        let problems = ControlCheck.problems(expected: expected, scored: ["a": score(.one), "b": score(.one)], slideNames: ["a", "b"])
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("b.png") && $0.contains("scored 1+") })
        #expect(problems.contains { $0.contains("c") && $0.contains("not in this batch") })
    }
}
