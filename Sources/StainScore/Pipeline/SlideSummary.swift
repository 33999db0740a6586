/// A scored slide without its cells: one row of `slides.csv`, its rows of `tiles.csv`, its entry
/// in `report.json`, and what `--resume` saves to reuse the slide without analysing it again.
public struct SlideSummary: Sendable, Hashable, Codable {
    public var slide: String
    /// The pooled score under the rule set.
    public var score: SlideScore
    /// The score's flags (`ish-reflex`, `borderline`, `insufficient`) then the batch's
    /// (`tile-errors`, `stain-qc`).
    public var flags: [String]
    public var tiles: [TileResult]
    public var warnings: [String]
    /// The stain vectors the tiles were separated with, and where they came from.
    public var stains: StainMatrix
    public var stainSource: SlidePreparation.StainSource
    /// Rows of `cells.csv` for the slide (cells of every kind inside the regions of interest).
    public var cellRows: Int
    /// SHA-256 of the slide's `cells.csv` rows as saved for resuming (nil when not saved).
    public var cellsSHA256: String?
    /// Sum of the tiles' analysis times, seconds.
    public var analysisSeconds: Double
    /// The fingerprint of inputs, parameters and tool version the results belong to.
    public var inputKey: String?
    /// Whether this run reused saved results instead of analysing the slide.
    public var resumed: Bool
    /// The tool version that analysed the slide.
    public var toolVersion: String

    public init(slide: String, score: SlideScore, flags: [String], tiles: [TileResult], warnings: [String],
                stains: StainMatrix, stainSource: SlidePreparation.StainSource, cellRows: Int, cellsSHA256: String? = nil,
                analysisSeconds: Double, inputKey: String?, resumed: Bool = false,
                toolVersion: String = StainScoreVersion.version) {
        self.slide = slide
        self.score = score
        self.flags = flags
        self.tiles = tiles
        self.warnings = warnings
        self.stains = stains
        self.stainSource = stainSource
        self.cellRows = cellRows
        self.cellsSHA256 = cellsSHA256
        self.analysisSeconds = analysisSeconds
        self.inputKey = inputKey
        self.resumed = resumed
        self.toolVersion = toolVersion
    }

    /// Tiles that could not be scored.
    public var failedTiles: Int { tiles.filter { $0.error != nil }.count }
}
