import Foundation
import StainScore
import Testing

@Suite("Validation: confusion matrix, κ, slide metrics")
struct ValidationMetricsTests {
    static func matrix(_ counts: [[Int]]) -> ConfusionMatrix {
        var m = ConfusionMatrix(labels: SlideMetrics.scoreLabels)
        m.counts = counts
        return m
    }

    /// Worked example A (10 slides, 4 classes).
    ///
    ///     truth \ pred   0  1+ 2+ 3+ | row
    ///     0              2  1  0  0  |  3
    ///     1+             0  2  1  0  |  3
    ///     2+             0  0  1  1  |  2
    ///     3+             0  0  0  2  |  2
    ///     column         2  3  2  3  | 10
    ///
    /// p_o = (2+2+1+2)/10 = 0.7
    /// p_e = (3·2 + 3·3 + 2·2 + 2·3)/10² = 25/100 = 0.25
    /// κ   = (0.7 − 0.25)/(1 − 0.25) = 0.45/0.75 = 0.6
    ///
    /// Quadratic weights w_ij = (i−j)²/(4−1)² = (i−j)²/9.
    /// Observed: three off-diagonal slides, each one class apart: Σ w O = 3·(1/9)/10 = 30/900.
    /// Expected: Σ (i−j)² r_i c_j with r = (3,3,2,2), c = (2,3,2,3):
    ///   i=0: 1·3·3 + 4·3·2 + 9·3·3 = 9 + 24 + 81 = 114
    ///   i=1: 1·3·2 + 1·3·2 + 4·3·3 = 6 + 6 + 36  = 48
    ///   i=2: 4·2·2 + 1·2·3 + 1·2·3 = 16 + 6 + 6  = 28
    ///   i=3: 9·2·2 + 4·2·3 + 1·2·2 = 36 + 24 + 4 = 64   → 254, so Σ w E = 254/(9·100) = 254/900.
    /// κ_q = 1 − 30/254 = 224/254 = 112/127 ≈ 0.881890.
    /// Recall (diag/row):     0: 2/3, 1+: 2/3, 2+: 1/2, 3+: 2/2.
    /// Precision (diag/col):  0: 2/2, 1+: 2/3, 2+: 1/2, 3+: 2/3.
    @Test("worked example A: p_o, p_e, κ, quadratic κ, recall, precision")
    func exampleA() throws {
        let m = Self.matrix([[2, 1, 0, 0], [0, 2, 1, 0], [0, 0, 1, 1], [0, 0, 0, 2]])
        #expect(m.total == 10)
        #expect(abs(try #require(m.exactAgreement) - 0.7) < 1e-12)
        #expect(abs(try #require(m.expectedAgreement) - 0.25) < 1e-12)
        #expect(abs(try #require(m.kappa) - 0.6) < 1e-12)
        #expect(abs(try #require(m.quadraticWeightedKappa) - 112.0 / 127.0) < 1e-12)
        let recall = (0..<4).map { m.recall($0)! }, precision = (0..<4).map { m.precision($0)! }
        for (a, b) in zip(recall, [2.0 / 3, 2.0 / 3, 0.5, 1]) { #expect(abs(a - b) < 1e-12) }
        for (a, b) in zip(precision, [1, 2.0 / 3, 0.5, 2.0 / 3]) { #expect(abs(a - b) < 1e-12) }
        #expect(!m.kappaDegenerate)
    }

    /// Worked example B (3 slides): truth 2+→pred 1+, 2+→2+, 3+→3+.
    ///
    ///     r = (0,0,2,1), c = (0,1,1,1), N = 3
    ///     p_o = 2/3; p_e = (2·1 + 1·1)/9 = 1/3; κ = (2/3 − 1/3)/(2/3) = 0.5
    ///     Σ w O = (1/9)·(1/3) = 1/27
    ///     Σ (i−j)² r_i c_j = i=2: 1·2·1 (j=1) + 1·2·1 (j=3) = 4;  i=3: 4·1·1 (j=1) + 1·1·1 (j=2) = 5  → 9
    ///     Σ w E = 9/(9·9) = 1/9;  κ_q = 1 − (1/27)/(1/9) = 2/3
    ///     Recall of 0 and 1+: nil (no truth slide); precision of 0: nil (never predicted), of 1+: 0.
    @Test("worked example B through SlideMetrics, with absent classes")
    func exampleB() throws {
        let pairs: [(SlideTruth, SlidePrediction)] = [
            (SlideTruth(slide: "a", score: .two), SlidePrediction(slide: "a", score: .one)),
            (SlideTruth(slide: "b", score: .two), SlidePrediction(slide: "b", score: .two)),
            (SlideTruth(slide: "c", score: .three), SlidePrediction(slide: "c", score: .three)),
        ]
        let s = SlideMetrics(pairs: pairs)
        #expect(s.scoreConfusion.counts == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]])
        #expect(abs(try #require(s.score.kappa) - 0.5) < 1e-12)
        #expect(abs(try #require(s.score.quadraticWeightedKappa) - 2.0 / 3) < 1e-12)
        #expect(abs(try #require(s.score.expectedAgreement) - 1.0 / 3) < 1e-12)
        #expect(s.score.perClass[0].recall == nil && s.score.perClass[1].recall == nil)
        #expect(s.score.perClass[0].precision == nil)
        #expect(s.score.perClass[1].precision == 0)
        #expect(s.score.perClass[2].recall == 0.5 && s.score.perClass[2].precision == 1)
        #expect(s.reflexTruth == 2 && s.reflexPredicted == 1 && s.reflexBoth == 1)
        #expect(s.category.n == 0 && s.category.exactAgreement == nil, "no categories on the truth side")
        #expect(s.maePercentOnePlusOrMore == nil && s.percentSlides == 0)
    }

    @Test("degenerate: one class only on both sides gives κ = 1 by convention")
    func oneClassBothSides() throws {
        let m = Self.matrix([[0, 0, 0, 0], [0, 5, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
        // p_o = 1, p_e = 5·5/25 = 1: κ = 0/0, set to 1.
        #expect(m.exactAgreement == 1 && m.expectedAgreement == 1)
        #expect(m.kappa == 1 && m.quadraticWeightedKappa == 1)
        #expect(m.kappaDegenerate)
        #expect(m.recall(0) == nil && m.precision(3) == nil && m.recall(1) == 1)
    }

    @Test("degenerate: one class in the truth only is not special (κ = 0 here)")
    func oneClassTruthOnly() throws {
        // Truth 1+,1+; predicted 1+,2+. p_o = 1/2; p_e = (2·1)/4 = 1/2 → κ = 0.
        // Quadratic: Σ w O = (1/9)/2 = 1/18; Σ w E = (1/9)·2·1/4 = 1/18 → κ_q = 0.
        let m = Self.matrix([[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
        #expect(abs(m.kappa!) < 1e-12)
        #expect(abs(m.quadraticWeightedKappa!) < 1e-12)
        #expect(!m.kappaDegenerate)
    }

    @Test("empty input: every statistic is nil, never NaN; the report still encodes")
    func empty() throws {
        let s = SlideMetrics(pairs: [])
        #expect(s.score.n == 0)
        #expect(s.score.exactAgreement == nil && s.score.kappa == nil && s.score.quadraticWeightedKappa == nil)
        #expect(s.score.perClass.allSatisfy { $0.recall == nil && $0.precision == nil })
        let report = Validator().validate(truth: [], truthCells: [], predictions: [])
        #expect(report.cells == nil)
        _ = try JSONEncoder().encode(report)
    }

    @Test("missing slides on either side are listed; names match with or without extension")
    func missingSlides() throws {
        let truth = [SlideTruth(slide: "core-01.jpg", score: .three), SlideTruth(slide: "core-02", score: .zero),
                     SlideTruth(slide: "core-03.jpg", score: .one)]
        let predictions = [SlidePrediction(slide: "core-01", score: .three), SlidePrediction(slide: "core-02.png", score: .zero),
                           SlidePrediction(slide: "extra", score: .one)]
        let report = Validator().validate(truth: truth, truthCells: nil, predictions: predictions)
        #expect(report.slides.missingPredictions == ["core-03.jpg"])
        #expect(report.slides.unlabelledPredictions == ["extra"])
        #expect(report.slides.score.n == 2 && report.slides.score.exactAgreement == 1)
        #expect(report.slides.slides.map(\.prediction) == ["core-01", "core-02.png"])
    }

    @Test("exact name wins over the extension-less key")
    func exactNameFirst() {
        let (pairs, left) = SlideNameMatching.match(truth: ["a", "a.jpg"], predictions: ["a.jpg", "a"])
        #expect(pairs == [1, 0] && left.isEmpty)
        #expect(SlideNameMatching.key("dir/core-01.TIF") == "core-01")
        #expect(SlideNameMatching.key("slide.v2") == "slide.v2")
    }

    /// Categories: truth (null, ultralow, low, equivocal), predicted (null, null, low, positive),
    /// plus one slide without a truth category (not counted). Agreement 2/4.
    /// Percentages: slide 1 truth (0,0,0) vs (2,0,0); slide 2 truth (5,0,0) vs (1,0,0): MAE ≥1+ = (2+4)/2 = 3.
    @Test("category confusion, reflex counts and percentage MAE")
    func categoriesAndPercentages() throws {
        func t(_ s: String, _ score: HER2Score, _ c: HER2Category?, _ p: [Double]? = nil) -> SlideTruth {
            SlideTruth(slide: s, score: score, category: c, percentOnePlusOrMore: p?[0], percentTwoPlusOrMore: p?[1], percentThree: p?[2])
        }
        func p(_ s: String, _ score: HER2Score, _ c: HER2Category, _ q: [Double]) -> SlidePrediction {
            SlidePrediction(slide: s, score: score, category: c, percentOnePlusOrMore: q[0], percentTwoPlusOrMore: q[1], percentThree: q[2])
        }
        let pairs = [
            (t("1", .zero, .null, [0, 0, 0]), p("1", .zero, .null, [2, 0, 0])),
            (t("2", .zero, .ultralow, [5, 0, 0]), p("2", .zero, .null, [1, 0, 0])),
            (t("3", .one, .low), p("3", .one, .low, [40, 5, 0])),
            (t("4", .two, .equivocal), p("4", .three, .positive, [90, 60, 30])),
            (t("5", .two, nil), p("5", .two, .equivocal, [90, 60, 3])),
        ]
        let s = SlideMetrics(pairs: pairs)
        #expect(s.category.n == 4)
        #expect(s.category.exactAgreement == 0.5)
        #expect(s.categoryConfusion.counts[1][0] == 1 && s.categoryConfusion.counts[3][4] == 1)
        #expect(s.reflexTruth == 2 && s.reflexPredicted == 1 && s.reflexBoth == 1)
        #expect(s.percentSlides == 2)
        #expect(s.maePercentOnePlusOrMore == 3 && s.maePercentTwoPlusOrMore == 0 && s.maePercentThree == 0)
    }
}
