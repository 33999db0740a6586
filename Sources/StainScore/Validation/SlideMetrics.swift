/// Slide-level comparison of predictions with truth.
public struct SlideMetrics: Sendable, Hashable, Codable {
    /// 4×4 score confusion (rows truth, columns prediction; 0, 1+, 2+, 3+).
    public var scoreConfusion: ConfusionMatrix
    public var score: AgreementSummary
    /// 5×5 category confusion (null, ultralow, low, equivocal, positive) over the slides where
    /// both truth and prediction name a category; `categoryConfusion.total` is that count.
    public var categoryConfusion: ConfusionMatrix
    public var category: AgreementSummary
    /// 2+ (reflex ISH) calls among the compared slides: in the truth, predicted, and both.
    public var reflexTruth: Int
    public var reflexPredicted: Int
    public var reflexBoth: Int
    /// Mean absolute error (percentage points) of the ≥1+, ≥2+ and 3+ shares, over the slides
    /// where both sides have the figure (`percentSlides` of them); nil when none.
    public var maePercentOnePlusOrMore: Double?
    public var maePercentTwoPlusOrMore: Double?
    public var maePercentThree: Double?
    public var percentSlides: Int
    /// Truth slides with no prediction, and predictions with no truth.
    public var missingPredictions: [String]
    public var unlabelledPredictions: [String]
    /// Per-slide rows of the compared slides.
    public var slides: [SlideComparison]

    public static let scoreLabels = HER2Score.allCases.map(\.label)
    public static let categoryLabels = HER2Category.allCases.map(\.rawValue)

    /// Compares matched pairs; `missing` and `unlabelled` are just recorded.
    public init(pairs: [(SlideTruth, SlidePrediction)], missingPredictions: [String] = [], unlabelledPredictions: [String] = []) {
        var scores = ConfusionMatrix(labels: Self.scoreLabels)
        var categories = ConfusionMatrix(labels: Self.categoryLabels)
        let categoryIndex = Dictionary(uniqueKeysWithValues: HER2Category.allCases.enumerated().map { ($1, $0) })
        var errors: [[Double]] = [[], [], []]
        var rows: [SlideComparison] = []
        reflexTruth = 0
        reflexPredicted = 0
        reflexBoth = 0
        for (truth, prediction) in pairs {
            scores.add(truth: truth.score.rawValue, predicted: prediction.score.rawValue)
            if let t = truth.category, let p = prediction.category {
                categories.add(truth: categoryIndex[t]!, predicted: categoryIndex[p]!)
            }
            if truth.score == .two { reflexTruth += 1 }
            if prediction.score == .two { reflexPredicted += 1 }
            if truth.score == .two, prediction.score == .two { reflexBoth += 1 }
            let shares: [(Double?, Double?)] = [
                (truth.percentOnePlusOrMore, prediction.percentOnePlusOrMore),
                (truth.percentTwoPlusOrMore, prediction.percentTwoPlusOrMore),
                (truth.percentThree, prediction.percentThree),
            ]
            if shares.allSatisfy({ $0.0 != nil && $0.1 != nil }) {
                for (k, s) in shares.enumerated() { errors[k].append(abs(s.0! - s.1!)) }
            }
            rows.append(SlideComparison(slide: truth.slide, prediction: prediction.slide, truthScore: truth.score,
                                        predictedScore: prediction.score, truthCategory: truth.category,
                                        predictedCategory: prediction.category,
                                        truthPercents: shares.map(\.0), predictedPercents: shares.map(\.1),
                                        flags: prediction.flags))
        }
        scoreConfusion = scores
        score = scores.summary
        categoryConfusion = categories
        category = categories.summary
        func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
        maePercentOnePlusOrMore = mean(errors[0])
        maePercentTwoPlusOrMore = mean(errors[1])
        maePercentThree = mean(errors[2])
        percentSlides = errors[0].count
        self.missingPredictions = missingPredictions
        self.unlabelledPredictions = unlabelledPredictions
        slides = rows
    }
}

/// One compared slide.
public struct SlideComparison: Sendable, Hashable, Codable {
    public var slide: String
    /// The prediction's own name (may differ by extension).
    public var prediction: String
    public var truthScore: HER2Score
    public var predictedScore: HER2Score
    public var truthCategory: HER2Category?
    public var predictedCategory: HER2Category?
    /// ≥1+, ≥2+, 3+ percentages on each side (nil where unknown).
    public var truthPercents: [Double?]
    public var predictedPercents: [Double?]
    public var flags: [String]
}
