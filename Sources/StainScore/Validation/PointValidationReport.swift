/// What a point-truth validation found (`ihc-score validate --points`), with what it was run on.
///
/// Recall per truth label (`PointMatching.recall`), and precision where instance masks mark
/// every nucleus (`PointMatching.precision`). Undefined fractions are nil and left out of the
/// JSON, never NaN.
public struct PointValidationReport: Sendable, Codable {
    /// What was compared.
    public struct Inputs: Sendable, Hashable, Codable {
        public var slidesDirectory: String?
        /// The point truth CSV.
        public var points: String?
        /// The predictions folder or file; nil when the images were scored for this run.
        public var results: String?
        /// The instance-mask folder, when one was used.
        public var instances: String?
        /// Pixel size given by the user (µm/px).
        public var mpp: Double?

        public init(slidesDirectory: String? = nil, points: String? = nil, results: String? = nil, instances: String? = nil,
                    mpp: Double? = nil) {
            self.slidesDirectory = slidesDirectory
            self.points = points
            self.results = results
            self.instances = instances
            self.mpp = mpp
        }
    }

    /// The figures of one image.
    public struct Image: Sendable, Hashable, Codable {
        /// The image as named in the truth.
        public var image: String
        /// The scored slide and tile it was paired with.
        public var slide: String
        public var tile: String
        public var width: Int
        public var height: Int
        /// Pixel size used to turn the distances into pixels, µm/px.
        public var mpp: Double
        /// Detected cells in the image: all, and those called tumour.
        public var detectedCells: Int
        public var detectedTumourCells: Int
        /// Truth points left out by the border rule.
        public var pointsLeftOutAtBorder: Int
        public var labels: [PointLabelFigures]
        public var total: PointLabelFigures
        /// Precision, when the image has an instance mask.
        public var precision: PointPrecisionTally?
    }

    /// ihc-score version that computed the report.
    public var toolVersion: String
    public var inputs: Inputs
    /// Match radius and border margin, µm.
    public var parameters: CellMatchingParameters
    /// Distinct images in the truth, and those compared.
    public var truthImages: Int
    public var comparedImages: Int
    /// Recall per label (sorted by label) and over all labels, pooled over the compared images.
    public var labels: [PointLabelFigures]
    public var total: PointLabelFigures
    public var pointsLeftOutAtBorder: Int
    /// Pooled precision over the images with an instance mask; nil when none has one.
    public var precision: PointPrecisionTally?
    public var images: [Image]
    /// Truth images that no scored tile matches (by file stem).
    public var missingPredictions: [String]
    /// Truth images with a prediction that could not be compared (tile size or pixel size unknown).
    public var notCompared: [String]
    /// Problems that did not stop the run.
    public var warnings: [String]
}
