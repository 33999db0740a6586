/// One predicted cell, as validation needs it (from a `CellMeasurement` or a results `cells.csv`).
public struct PredictedCell: Sendable, Hashable, Codable {
    public var tile: String
    /// Nucleus centre in tile pixels.
    public var x: Double
    public var y: Double
    public var kind: CellKind
    public var cellClass: HER2Score
    public var intensity: Double?
    public var completeness: Double?
    public var membraneWidthMicrons: Double?

    public init(tile: String, x: Double, y: Double, kind: CellKind, cellClass: HER2Score, intensity: Double? = nil,
                completeness: Double? = nil, membraneWidthMicrons: Double? = nil) {
        self.tile = tile
        self.x = x
        self.y = y
        self.kind = kind
        self.cellClass = cellClass
        self.intensity = intensity
        self.completeness = completeness
        self.membraneWidthMicrons = membraneWidthMicrons
    }
}

/// Size (and pixel size, when known) of one tile image.
public struct TileExtent: Sendable, Hashable, Codable {
    public var width: Int
    public var height: Int
    /// µm/px, when the scorer knew it.
    public var mpp: Double?

    public init(width: Int, height: Int, mpp: Double? = nil) {
        self.width = width
        self.height = height
        self.mpp = mpp
    }
}

/// The scorer's output for one slide, reduced to what validation compares.
public struct SlidePrediction: Sendable, Hashable, Codable {
    public var slide: String
    public var score: HER2Score
    public var category: HER2Category?
    public var percentOnePlusOrMore: Double?
    public var percentTwoPlusOrMore: Double?
    public var percentThree: Double?
    public var hScore: Double?
    public var tumourCells: Int?
    public var flags: [String]
    public var ruleSet: RuleSet?
    public var toolVersion: String?
    /// Per-cell output; nil when the predictions carry none (cell metrics are then skipped).
    public var cells: [PredictedCell]?
    /// Tile sizes by tile name, when known.
    public var tiles: [String: TileExtent]

    public init(slide: String, score: HER2Score, category: HER2Category? = nil, percentOnePlusOrMore: Double? = nil,
                percentTwoPlusOrMore: Double? = nil, percentThree: Double? = nil, hScore: Double? = nil,
                tumourCells: Int? = nil, flags: [String] = [], ruleSet: RuleSet? = nil, toolVersion: String? = nil,
                cells: [PredictedCell]? = nil, tiles: [String: TileExtent] = [:]) {
        self.slide = slide
        self.score = score
        self.category = category
        self.percentOnePlusOrMore = percentOnePlusOrMore
        self.percentTwoPlusOrMore = percentTwoPlusOrMore
        self.percentThree = percentThree
        self.hScore = hScore
        self.tumourCells = tumourCells
        self.flags = flags
        self.ruleSet = ruleSet
        self.toolVersion = toolVersion
        self.cells = cells
        self.tiles = tiles
    }

    /// The scorer's own result. Tiles that failed (`error` set) keep their size: their cells,
    /// if any, are still compared.
    /// The prediction of a scored slide; nil for an unscorable one (validation counts it as
    /// missing, never as a 0).
    public init?(_ result: SlideResult) {
        let s = result.score
        guard s.unscorable == nil else { return nil }
        var tiles: [String: TileExtent] = [:]
        for t in result.tiles where t.width > 0 && t.height > 0 {
            tiles[t.tile] = TileExtent(width: t.width, height: t.height, mpp: t.pixelSize?.micronsPerPixel)
        }
        self.init(slide: result.slide, score: s.score, category: s.category,
                  percentOnePlusOrMore: s.percentages.onePlusOrMore, percentTwoPlusOrMore: s.percentages.twoPlusOrMore,
                  percentThree: s.percentages.three, hScore: s.hScore, tumourCells: s.tumourCells, flags: s.flags,
                  ruleSet: s.ruleSet, toolVersion: result.toolVersion,
                  cells: result.cells.map {
                      PredictedCell(tile: $0.tile, x: $0.x, y: $0.y, kind: $0.kind, cellClass: $0.cellClass,
                                    intensity: $0.membrane.intensity, completeness: $0.membrane.completeness,
                                    membraneWidthMicrons: $0.membraneThicknessMicrons)
                  },
                  tiles: tiles)
    }
}
