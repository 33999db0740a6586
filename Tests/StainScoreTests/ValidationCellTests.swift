import Foundation
import StainScore
import Testing

@Suite("Validation: cell matching, border rule, cell metrics")
struct ValidationCellTests {
    typealias P = CellMatching.Point

    /// A tiny deterministic generator (SplitMix64) so that failures reproduce.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform(_ range: Double) -> Double { Double(next() >> 11) / Double(1 << 53) * range }
    }

    /// The oracle: the same greedy rule, naively — repeatedly take, among all still-unmatched
    /// pairs within the distance, the closest one (ties: lower truth index, then lower prediction index).
    static func naiveGreedy(_ truth: [P], _ predictions: [P], _ d: Double) -> [CellMatching.Match] {
        var tUsed = Set<Int>(), pUsed = Set<Int>()
        var result: [CellMatching.Match] = []
        while true {
            var best: (Double, Int, Int)?
            for (i, t) in truth.enumerated() where !tUsed.contains(i) {
                for (j, p) in predictions.enumerated() where !pUsed.contains(j) {
                    let d2 = (t.x - p.x) * (t.x - p.x) + (t.y - p.y) * (t.y - p.y)
                    guard d2 <= d * d else { continue }
                    if best == nil || (d2, i, j) < best! { best = (d2, i, j) }
                }
            }
            guard let (d2, i, j) = best else { return result }
            tUsed.insert(i)
            pUsed.insert(j)
            result.append(.init(truth: i, prediction: j, distance: d2.squareRoot()))
        }
    }

    @Test("greedy matching equals the naive oracle on random point sets")
    func randomOracle() {
        var rng = SplitMix(state: 42)
        for round in 0..<300 {
            let n = Int(rng.next() % 25), m = Int(rng.next() % 25)
            let side = 10 + rng.uniform(60)
            // Integer coordinates half the time, to exercise distance ties.
            let integral = round % 2 == 0
            func point() -> P {
                let x = rng.uniform(side), y = rng.uniform(side)
                return integral ? P(x: x.rounded(), y: y.rounded()) : P(x: x, y: y)
            }
            let truth = (0..<n).map { _ in point() }, predictions = (0..<m).map { _ in point() }
            let d = 1 + rng.uniform(8)
            let fast = CellMatching.greedy(truth: truth, predictions: predictions, maxDistance: d)
            let slow = Self.naiveGreedy(truth, predictions, d)
            #expect(fast == slow, "round \(round)")
            // One-to-one and within the distance.
            #expect(Set(fast.map(\.truth)).count == fast.count && Set(fast.map(\.prediction)).count == fast.count)
            #expect(fast.allSatisfy { $0.distance <= d + 1e-12 })
        }
    }

    /// Truth T0 at x=0 and T1 at x=2.5; predictions P0 at x=2 and P1 at x=5; distance 3.
    /// Nearest-first in truth order: T0 takes P0 (2), then T1 takes P1 (2.5) → 2 matches.
    /// Globally greedy: the closest pair is T1–P0 (0.5); T0–P1 is 5 > 3 → 1 match.
    /// The rule documented is the global greedy one.
    @Test("global greedy differs from nearest-first in truth order")
    func greedyVersusSequential() {
        let truth = [P(x: 0, y: 0), P(x: 2.5, y: 0)], predictions = [P(x: 2, y: 0), P(x: 5, y: 0)]
        let m = CellMatching.greedy(truth: truth, predictions: predictions, maxDistance: 3)
        #expect(m == [.init(truth: 1, prediction: 0, distance: 0.5)])
    }

    @Test("distance limit is inclusive; empty sides give nothing")
    func limits() {
        #expect(CellMatching.greedy(truth: [P(x: 0, y: 0)], predictions: [P(x: 3, y: 4)], maxDistance: 5).count == 1)
        #expect(CellMatching.greedy(truth: [P(x: 0, y: 0)], predictions: [P(x: 3, y: 4.001)], maxDistance: 5).isEmpty)
        #expect(CellMatching.greedy(truth: [], predictions: [P(x: 0, y: 0)], maxDistance: 5).isEmpty)
    }

    static func truthCell(_ x: Double, _ y: Double, _ c: HER2Score = .one, kind: TruthCellKind = .tumour) -> TruthCell {
        TruthCell(slide: "s", tile: "t.png", x: x, y: y, kind: kind, cellClass: c, completeness: 0.5, intensity: 0.3)
    }

    static func predicted(_ x: Double, _ y: Double, _ c: HER2Score = .one, kind: CellKind = .tumour) -> PredictedCell {
        PredictedCell(tile: "t.png", x: x, y: y, kind: kind, cellClass: c, intensity: 0.4, completeness: 0.7)
    }

    /// Tile 100×100 px at 0.5 µm/px: margin 8 µm = 16 px, match distance 4 µm = 8 px.
    ///
    /// truth                       prediction          outcome
    /// (50,50) 2+                  (53,54) 3+          pair, truth inside → TP, class 2+→3+
    /// (10,50)  (border)           (12,50)             pair, truth in border → ignored (borderTruth)
    /// (17,50) inside              (15,50) border      pair judged by truth → TP
    /// (84.5,50) border            —                   unmatched truth in border → left out
    /// (30,30) inside              —                   FN
    /// —                           (70,70) inside      FP
    /// —                           (95,95) border      unmatched prediction in border → left out
    /// lymphocyte (30,70)          (32,70) tumour      FP on a non-tumour cell
    /// —                           (60,30) excluded    not compared
    @Test("border rule and counts on a hand-made tile")
    func borderRule() throws {
        var tally = CellTally()
        let truth = [Self.truthCell(50, 50, .two), Self.truthCell(10, 50), Self.truthCell(17, 50), Self.truthCell(84.5, 50),
                     Self.truthCell(30, 30), Self.truthCell(30, 70, kind: .lymphocyte)]
        let predictions = [Self.predicted(53, 54, .three), Self.predicted(12, 50), Self.predicted(15, 50), Self.predicted(70, 70),
                           Self.predicted(95, 95), Self.predicted(32, 70), Self.predicted(60, 30, kind: .excluded)]
        tally.addTile(truth: truth, predictions: predictions, width: 100, height: 100, matchDistancePixels: 8,
                      borderMarginPixels: 16, micronsPerPixel: 0.5)
        let m = tally.metrics
        #expect(m.matched == 2 && m.falseNegatives == 1 && m.falsePositives == 2 && m.falsePositivesOnNonTumour == 1)
        #expect(m.borderExcludedTruth == 2 && m.borderExcludedPredictions == 1)
        #expect(m.truthTumourCells == 3 && m.predictedTumourCells == 4)
        #expect(m.precision == 0.5)
        #expect(abs(m.recall! - 2.0 / 3) < 1e-12)
        #expect(abs(m.f1! - 4.0 / 7) < 1e-12)  // 2·2 / (2·2 + 2 + 1)
        #expect(m.classConfusion.counts[2][3] == 1 && m.classConfusion.counts[1][1] == 1)
        #expect(m.classes.exactAgreement == 0.5)
        #expect(abs(m.maeCompleteness! - 0.2) < 1e-12 && abs(m.maeIntensity! - 0.1) < 1e-12)
        // Mean match distance in µm: (5 px + 2 px)/2 · 0.5 µm/px.
        #expect(abs(m.meanMatchDistanceMicrons! - 1.75) < 1e-12)
    }

    @Test("Validator converts µm with the labels' mpp, falls back to --mpp, and skips tiles of unknown size")
    func validatorScales() throws {
        // Tile 200×200 px. A prediction 6 px from its truth: within 4 µm at 0.5 µm/px (8 px),
        // not at 1 µm/px (4 px).
        let truthCells = [TruthCell(slide: "s", tile: "t.png", x: 100, y: 100, kind: .tumour, cellClass: .one)]
        var prediction = SlidePrediction(slide: "s", score: .one,
                                         cells: [PredictedCell(tile: "t.png", x: 106, y: 100, kind: .tumour, cellClass: .one)],
                                         tiles: ["t.png": TileExtent(width: 200, height: 200)])
        let near = Validator().validate(truth: [SlideTruth(slide: "s", score: .one, mpp: 0.5)], truthCells: truthCells,
                                        predictions: [prediction])
        #expect(near.cells?.matched == 1 && near.cellsBySlide.first?.mpp == 0.5)
        let far = Validator(mpp: 1).validate(truth: [SlideTruth(slide: "s", score: .one)], truthCells: truthCells,
                                             predictions: [prediction])
        #expect(far.cells?.matched == 0 && far.cells?.falsePositives == 1 && far.cells?.falseNegatives == 1)
        let unknownScale = Validator().validate(truth: [SlideTruth(slide: "s", score: .one)], truthCells: truthCells,
                                                predictions: [prediction])
        #expect(unknownScale.cells == nil && unknownScale.warnings.contains { $0.contains("pixel size unknown") })
        prediction.tiles = [:]
        let noSize = Validator().validate(truth: [SlideTruth(slide: "s", score: .one, mpp: 0.5)], truthCells: truthCells,
                                          predictions: [prediction])
        #expect(noSize.cells == nil && noSize.warnings.contains { $0.contains("tile size unknown") })
        let looked = Validator().validate(truth: [SlideTruth(slide: "s", score: .one, mpp: 0.5)], truthCells: truthCells,
                                          predictions: [prediction], tileExtent: { _, _ in TileExtent(width: 200, height: 200) })
        #expect(looked.cells?.matched == 1)
    }

    @Test("cells pooled over slides equal the sum of the per-slide figures")
    func pooling() throws {
        var rng = SplitMix(state: 7)
        var truth: [SlideTruth] = [], cells: [TruthCell] = [], predictions: [SlidePrediction] = []
        for s in 0..<3 {
            let name = "s\(s)"
            truth.append(SlideTruth(slide: name, score: .one, mpp: 0.5))
            var predicted: [PredictedCell] = []
            for _ in 0..<40 {
                let x = rng.uniform(300), y = rng.uniform(300)
                cells.append(TruthCell(slide: name, tile: "t.png", x: x, y: y, kind: .tumour, cellClass: .two))
                if rng.next() % 4 != 0 {
                    predicted.append(PredictedCell(tile: "t.png", x: x + rng.uniform(6) - 3, y: y, kind: .tumour, cellClass: .two))
                }
            }
            predictions.append(SlidePrediction(slide: name, score: .one, cells: predicted,
                                               tiles: ["t.png": TileExtent(width: 300, height: 300)]))
        }
        let r = Validator().validate(truth: truth, truthCells: cells, predictions: predictions)
        let pooled = try #require(r.cells)
        #expect(r.cellsBySlide.count == 3)
        #expect(pooled.matched == r.cellsBySlide.reduce(0) { $0 + $1.metrics.matched })
        #expect(pooled.falseNegatives == r.cellsBySlide.reduce(0) { $0 + $1.metrics.falseNegatives })
        #expect(pooled.borderExcludedTruth == r.cellsBySlide.reduce(0) { $0 + $1.metrics.borderExcludedTruth })
        #expect(pooled.falsePositives == 0 && pooled.classes.exactAgreement == 1)
        #expect(pooled.matched + pooled.falseNegatives + pooled.borderExcludedTruth == 120)
    }
}
