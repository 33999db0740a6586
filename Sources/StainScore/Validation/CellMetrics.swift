/// The two distances of cell-level validation, in µm (converted to pixels with the slide's mpp).
public struct CellMatchingParameters: Sendable, Hashable, Codable {
    /// A truth and a predicted tumour nucleus can match when their centres are at most this far apart.
    public var matchDistanceMicrons: Double = 4
    /// Cells whose nucleus centre lies closer than this to the tile border are left out (the
    /// scorer does not measure cells cut by the border). See `CellTally.addTile`.
    public var borderMarginMicrons: Double = 8

    public init(matchDistanceMicrons: Double = 4, borderMarginMicrons: Double = 8) {
        self.matchDistanceMicrons = matchDistanceMicrons
        self.borderMarginMicrons = borderMarginMicrons
    }
}

/// Running counts of the cell-level comparison; tiles and slides add up.
public struct CellTally: Sendable, Hashable {
    /// Matched pairs whose truth cell is inside the tile (true positives).
    public var matched = 0
    /// Inside truth tumour cells left unmatched.
    public var falseNegatives = 0
    /// Inside predicted tumour cells left unmatched.
    public var falsePositives = 0
    /// …of which lie within the match distance of a truth lymphocyte or fibroblast.
    public var falsePositivesOnNonTumour = 0
    /// Cells left out by the border rule: truth tumour cells (matched or not) and unmatched predictions.
    public var borderTruth = 0
    public var borderPredictions = 0
    public var tiles = 0
    /// Class confusion of the matched pairs (rows truth class, columns predicted class).
    public var classes = ConfusionMatrix(labels: SlideMetrics.scoreLabels)
    var completenessErrors: [Double] = []
    var intensityErrors: [Double] = []
    var widthErrors: [Double] = []
    var distances: [Double] = []

    public init() {}

    /// Compares one tile.
    ///
    /// Tumour cells only are matched (`CellMatching.greedy`, `matchDistancePixels`): truth
    /// lymphocytes/fibroblasts and predicted `excluded` cells take no part, except that an
    /// unmatched predicted tumour cell within the match distance of a truth non-tumour cell is
    /// counted in `falsePositivesOnNonTumour` too.
    ///
    /// **Border rule.** A point is *inside* when its distance to the nearest tile edge,
    /// min(x, y, width − x, height − y), is at least `borderMarginPixels`. Matching is done on
    /// all tumour cells first, then each outcome is judged by where its truth cell lies: a pair
    /// counts (true positive) when its truth cell is inside and is ignored otherwise, whichever
    /// side its prediction lies; an unmatched truth cell is a false negative when inside; an
    /// unmatched prediction is a false positive when inside. Out-of-zone cells are counted in
    /// `borderTruth`/`borderPredictions`. Matching before filtering means a cell straddling the
    /// margin never turns its partner into an error.
    public mutating func addTile(truth: [TruthCell], predictions: [PredictedCell], width: Int, height: Int,
                                 matchDistancePixels: Double, borderMarginPixels: Double, micronsPerPixel: Double) {
        tiles += 1
        func inside(_ x: Double, _ y: Double) -> Bool {
            min(x, y, Double(width) - x, Double(height) - y) >= borderMarginPixels
        }
        let tumour = truth.filter { $0.kind == .tumour }
        let others = truth.filter { $0.kind != .tumour }
        let predicted = predictions.filter { $0.kind == .tumour }
        let matches = CellMatching.greedy(truth: tumour.map { .init(x: $0.x, y: $0.y) },
                                          predictions: predicted.map { .init(x: $0.x, y: $0.y) },
                                          maxDistance: matchDistancePixels)
        var truthMatched = [Bool](repeating: false, count: tumour.count)
        var predictionMatched = [Bool](repeating: false, count: predicted.count)
        for m in matches {
            truthMatched[m.truth] = true
            predictionMatched[m.prediction] = true
            let t = tumour[m.truth], p = predicted[m.prediction]
            guard inside(t.x, t.y) else {
                borderTruth += 1
                continue
            }
            matched += 1
            distances.append(m.distance * micronsPerPixel)
            classes.add(truth: t.cellClass.rawValue, predicted: p.cellClass.rawValue)
            if let a = t.completeness, let b = p.completeness { completenessErrors.append(abs(a - b)) }
            if let a = t.intensity, let b = p.intensity { intensityErrors.append(abs(a - b)) }
            if let a = t.membraneWidthMicrons, let b = p.membraneWidthMicrons { widthErrors.append(abs(a - b)) }
        }
        for (i, t) in tumour.enumerated() where !truthMatched[i] {
            if inside(t.x, t.y) { falseNegatives += 1 } else { borderTruth += 1 }
        }
        let limit = matchDistancePixels * matchDistancePixels
        for (j, p) in predicted.enumerated() where !predictionMatched[j] {
            guard inside(p.x, p.y) else {
                borderPredictions += 1
                continue
            }
            falsePositives += 1
            if others.contains(where: { ($0.x - p.x) * ($0.x - p.x) + ($0.y - p.y) * ($0.y - p.y) <= limit }) {
                falsePositivesOnNonTumour += 1
            }
        }
    }

    public mutating func merge(_ other: CellTally) {
        matched += other.matched
        falseNegatives += other.falseNegatives
        falsePositives += other.falsePositives
        falsePositivesOnNonTumour += other.falsePositivesOnNonTumour
        borderTruth += other.borderTruth
        borderPredictions += other.borderPredictions
        tiles += other.tiles
        for i in 0..<4 { for j in 0..<4 { classes.counts[i][j] += other.classes.counts[i][j] } }
        completenessErrors += other.completenessErrors
        intensityErrors += other.intensityErrors
        widthErrors += other.widthErrors
        distances += other.distances
    }

    /// The figures, ready to encode.
    public var metrics: CellMetrics {
        func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
        let tp = Double(matched)
        let precision = matched + falsePositives == 0 ? nil : tp / Double(matched + falsePositives)
        let recall = matched + falseNegatives == 0 ? nil : tp / Double(matched + falseNegatives)
        var f1: Double?
        if matched + falsePositives + falseNegatives > 0 { f1 = 2 * tp / Double(2 * matched + falsePositives + falseNegatives) }
        return CellMetrics(
            tiles: tiles, truthTumourCells: matched + falseNegatives, predictedTumourCells: matched + falsePositives,
            matched: matched, falseNegatives: falseNegatives, falsePositives: falsePositives,
            falsePositivesOnNonTumour: falsePositivesOnNonTumour, borderExcludedTruth: borderTruth,
            borderExcludedPredictions: borderPredictions, precision: precision, recall: recall, f1: f1,
            meanMatchDistanceMicrons: mean(distances), classConfusion: classes, classes: classes.summary,
            maeCompleteness: mean(completenessErrors), maeIntensity: mean(intensityErrors),
            maeMembraneWidthMicrons: mean(widthErrors), completenessPairs: completenessErrors.count,
            intensityPairs: intensityErrors.count)
    }
}

/// Cell-level detection and classification figures (one slide, or pooled over slides).
///
/// - precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2TP / (2TP + FP + FN); nil when
///   the denominator is 0 (F1 is 0, not nil, when there were cells but no match).
/// - class agreement and confusion over the matched pairs (`classes.exactAgreement` is the
///   per-cell class accuracy); MAE of completeness (0…1), intensity (log10 DAB OD) and membrane
///   width (µm) over the matched pairs where both sides have the figure.
public struct CellMetrics: Sendable, Hashable, Codable {
    public var tiles: Int
    /// Inside truth tumour cells (TP + FN) and inside-judged predicted tumour cells (TP + FP).
    public var truthTumourCells: Int
    public var predictedTumourCells: Int
    public var matched: Int
    public var falseNegatives: Int
    public var falsePositives: Int
    public var falsePositivesOnNonTumour: Int
    public var borderExcludedTruth: Int
    public var borderExcludedPredictions: Int
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var meanMatchDistanceMicrons: Double?
    public var classConfusion: ConfusionMatrix
    public var classes: AgreementSummary
    public var maeCompleteness: Double?
    public var maeIntensity: Double?
    public var maeMembraneWidthMicrons: Double?
    public var completenessPairs: Int
    public var intensityPairs: Int
}
