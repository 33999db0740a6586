/// Compares predictions with truth and builds a `ValidationReport`. Never prints.
public struct Validator: Sendable {
    public var parameters: CellMatchingParameters
    /// Pixel size (µm/px) to use where the labels give none.
    public var mpp: Double?

    public init(parameters: CellMatchingParameters = .init(), mpp: Double? = nil) {
        self.parameters = parameters
        self.mpp = mpp
    }

    /// - Parameters:
    ///   - truthCells: the truth `cells.csv`, or nil for slide-level validation only.
    ///   - tileExtent: tile sizes the predictions do not carry (e.g. read from the images).
    public func validate(truth: [SlideTruth], truthCells: [TruthCell]?, predictions: [SlidePrediction],
                         inputs: ValidationReport.Inputs = .init(),
                         tileExtent: (String, String) -> TileExtent? = { _, _ in nil }) -> ValidationReport {
        var warnings: [String] = []
        let (pairIndex, unmatched) = SlideNameMatching.match(truth: truth.map(\.slide), predictions: predictions.map(\.slide))
        var pairs: [(SlideTruth, SlidePrediction)] = []
        var missing: [String] = []
        for (t, p) in zip(truth, pairIndex) {
            if let p { pairs.append((t, predictions[p])) } else { missing.append(t.slide) }
        }
        for (t, p) in pairs {
            if let a = t.rules, let b = p.ruleSet, a != b {
                warnings.append("\(t.slide): truth follows \(a.rawValue) but the prediction applied \(b.rawValue)")
            }
        }
        let slideMetrics = SlideMetrics(pairs: pairs, missingPredictions: missing,
                                        unlabelledPredictions: unmatched.map { predictions[$0].slide })

        var pooled: CellTally?
        var bySlide: [ValidationReport.SlideCells] = []
        if let truthCells {
            var cellsOf: [String: [TruthCell]] = [:]
            for c in truthCells { cellsOf[c.slide, default: []].append(c) }
            let known = Set(truth.map(\.slide))
            let strays = cellsOf.keys.filter { !known.contains($0) }.sorted()
            if !strays.isEmpty { warnings.append("cells truth lists slides absent from the labels: \(strays.joined(separator: ", "))") }
            var total = CellTally()
            for (t, p) in pairs {
                guard let slideTruth = cellsOf[t.slide] else { continue }
                guard let predictedCells = p.cells else {
                    warnings.append("\(t.slide): the predictions carry no cells; cell metrics skipped")
                    continue
                }
                if let a = t.mpp, let b = mpp, abs(a - b) > 1e-9 {
                    warnings.append("\(t.slide): labels give \(a) µm/px, --mpp \(b): the labels' value is used")
                }
                var tally = CellTally()
                var usedMpp: Double?
                let truthByTile = Dictionary(grouping: slideTruth, by: \.tile)
                let predictedByTile = Dictionary(grouping: predictedCells, by: \.tile)
                for tile in Set(truthByTile.keys).union(predictedByTile.keys).sorted() {
                    guard let extent = p.tiles[tile] ?? tileExtent(t.slide, tile) else {
                        warnings.append("\(t.slide)/\(tile): tile size unknown; its cells are not compared")
                        continue
                    }
                    guard let scale = t.mpp ?? mpp ?? extent.mpp else {
                        warnings.append("\(t.slide)/\(tile): pixel size unknown (no mpp in the labels, no --mpp); its cells are not compared")
                        continue
                    }
                    usedMpp = scale
                    tally.addTile(truth: truthByTile[tile] ?? [], predictions: predictedByTile[tile] ?? [],
                                  width: extent.width, height: extent.height,
                                  matchDistancePixels: parameters.matchDistanceMicrons / scale,
                                  borderMarginPixels: parameters.borderMarginMicrons / scale, micronsPerPixel: scale)
                }
                if let usedMpp, tally.tiles > 0 {
                    bySlide.append(.init(slide: t.slide, mpp: usedMpp, metrics: tally.metrics))
                    total.merge(tally)
                }
            }
            if total.tiles > 0 { pooled = total }
        }
        let versions = Set(predictions.compactMap(\.toolVersion)).sorted()
        let sortRules: (RuleSet, RuleSet) -> Bool = { $0.rawValue < $1.rawValue }
        return ValidationReport(
            toolVersion: StainScoreVersion.version, predictionToolVersions: versions,
            truthRuleSets: Set(truth.compactMap(\.rules)).sorted(by: sortRules),
            predictionRuleSets: Set(predictions.compactMap(\.ruleSet)).sorted(by: sortRules),
            inputs: inputs, parameters: parameters, truthSlides: truth.count, predictedSlides: predictions.count,
            slides: slideMetrics, cells: pooled?.metrics, cellsBySlide: bySlide, warnings: warnings)
    }
}
