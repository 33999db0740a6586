/// Everything a validation run found, with what it was run on.
///
/// Undefined figures (κ of an empty matrix, recall of a class absent from the truth, an MAE over
/// no pairs…) are nil and left out of the JSON, never NaN. See `ConfusionMatrix`, `CellTally`
/// and `CellMatching` for the definitions.
public struct ValidationReport: Sendable, Codable {
    /// What was compared.
    public struct Inputs: Sendable, Hashable, Codable {
        public var slidesDirectory: String?
        public var labels: String?
        public var cells: String?
        /// The predictions file or folder; nil when the slides were scored for this run.
        public var results: String?
        /// Pixel size given by the user (µm/px), used where the labels have none.
        public var mpp: Double?
        public init(slidesDirectory: String? = nil, labels: String? = nil, cells: String? = nil, results: String? = nil,
                    mpp: Double? = nil) {
            self.slidesDirectory = slidesDirectory
            self.labels = labels
            self.cells = cells
            self.results = results
            self.mpp = mpp
        }
    }

    /// Cell figures of one slide.
    public struct SlideCells: Sendable, Hashable, Codable {
        public var slide: String
        /// The pixel size used to convert the distances, µm/px.
        public var mpp: Double
        public var metrics: CellMetrics
    }

    /// ihc-score version that computed the report.
    public var toolVersion: String
    /// Versions named by the predictions (empty when they name none).
    public var predictionToolVersions: [String]
    /// Rule sets the truth labels name, and the predictions applied.
    public var truthRuleSets: [RuleSet]
    public var predictionRuleSets: [RuleSet]
    public var inputs: Inputs
    public var parameters: CellMatchingParameters
    public var truthSlides: Int
    public var predictedSlides: Int
    public var slides: SlideMetrics
    /// Pooled cell figures; nil when no cell truth was given or no slide could be compared.
    public var cells: CellMetrics?
    public var cellsBySlide: [SlideCells]
    /// Problems that did not stop the run (unknown tile sizes, missing pixel size, rule-set mismatch…).
    public var warnings: [String]
}
