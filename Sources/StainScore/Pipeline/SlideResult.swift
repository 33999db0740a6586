/// Why a detected cell is, or is not, counted as an invasive tumour cell.
public enum CellKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Counted in the denominator and classified.
    case tumour
    /// Excluded by morphology (lymphocytes, stromal/fibroblast nuclei, debris).
    case excluded
}

/// One measured cell: where it is, what it is, and what its membrane shows.
public struct CellMeasurement: Sendable, Hashable, Codable {
    /// The tile (file name, without folder) the cell lies in.
    public var tile: String
    /// Nucleus centre in tile pixels.
    public var x: Double
    public var y: Double
    public var kind: CellKind
    /// Class 0/1+/2+/3+ (tumour cells; `.zero` for excluded cells).
    public var cellClass: HER2Score
    /// Membrane intensity, completeness and longest arc (see `MembraneStaining`).
    public var membrane: MembraneStaining
    /// Mean DAB OD over the whole membrane band.
    public var membraneMeanOD: Double
    /// 90th percentile of DAB OD over the membrane band.
    public var membraneP90OD: Double
    /// Membrane thickness, µm (width of the stained band where stained; 0 when unstained).
    public var membraneThicknessMicrons: Double
    /// Mean DAB OD of the cytoplasm (inside the membrane band, outside the nucleus).
    public var cytoplasmOD: Double
    /// Nucleus and cell areas, µm².
    public var nucleusAreaMicrons2: Double
    public var cellAreaMicrons2: Double
    /// The nucleus features the tumour-cell rules read (µm, OD), and which rule excluded the
    /// cell (nil for tumour cells).
    public var nucleus: NucleusFeatures
    public var exclusion: TumourExclusion?
    /// The membrane's own-sector DAB peaks in circular order (`MembraneProfile.ownSectorPeaks`),
    /// kept only for calibration (`SlideAnalyzer.keepsSectorPeaks`); nil otherwise, and then
    /// absent from every encoding.
    public var ownSectorPeaks: [Float]? = nil

    public init(tile: String, x: Double, y: Double, kind: CellKind, cellClass: HER2Score, membrane: MembraneStaining,
                membraneMeanOD: Double, membraneP90OD: Double, membraneThicknessMicrons: Double, cytoplasmOD: Double,
                nucleusAreaMicrons2: Double, cellAreaMicrons2: Double, nucleus: NucleusFeatures = NucleusFeatures(),
                exclusion: TumourExclusion? = nil) {
        self.nucleus = nucleus
        self.exclusion = exclusion
        self.tile = tile
        self.x = x
        self.y = y
        self.kind = kind
        self.cellClass = cellClass
        self.membrane = membrane
        self.membraneMeanOD = membraneMeanOD
        self.membraneP90OD = membraneP90OD
        self.membraneThicknessMicrons = membraneThicknessMicrons
        self.cytoplasmOD = cytoplasmOD
        self.nucleusAreaMicrons2 = nucleusAreaMicrons2
        self.cellAreaMicrons2 = cellAreaMicrons2
    }
}

/// What one tile of a slide gave.
public struct TileResult: Sendable, Hashable, Codable {
    /// File name without folder (the `tile` of its cells).
    public var tile: String
    /// The path it was read from.
    public var path: String
    public var width: Int
    public var height: Int
    public var pixelSize: PixelSize?
    public var tissueAreaMM2: Double
    public var tumourCells: Int
    public var excludedCells: Int
    /// Tumour cells per class 0, 1+, 2+, 3+.
    public var classCounts: [Int]
    public var seconds: Double
    /// Set when the tile could not be read or analysed; the slide is scored without it.
    public var error: String?
    /// Size in bytes and SHA-256 of the file (batch runs; nil when not computed or unreadable).
    public var bytes: Int?
    public var sha256: String?
    /// The region of interest that restricted the tile's cells and tissue, if any.
    public var regionOfInterest: RegionOfInterestSource?
    /// Files written for the tile, relative to the output folder (batch runs).
    public var geojson: String?
    public var overlay: String?
    /// The sizes of the nucleus-mask regions the tile's detection found, for the pixel-size check.
    public var nucleusSizes: NucleusSizeSummary?

    public init(tile: String, path: String, width: Int, height: Int, pixelSize: PixelSize?, tissueAreaMM2: Double,
                tumourCells: Int, excludedCells: Int, classCounts: [Int], seconds: Double, error: String?,
                regionOfInterest: RegionOfInterestSource? = nil) {
        self.tile = tile
        self.path = path
        self.width = width
        self.height = height
        self.pixelSize = pixelSize
        self.tissueAreaMM2 = tissueAreaMM2
        self.tumourCells = tumourCells
        self.excludedCells = excludedCells
        self.classCounts = classCounts
        self.seconds = seconds
        self.error = error
        self.regionOfInterest = regionOfInterest
    }

    /// A tile that could not be scored.
    public static func failed(_ tile: TileInput, message: String, seconds: Double = 0) -> TileResult {
        TileResult(tile: tile.name, path: tile.path, width: 0, height: 0, pixelSize: nil, tissueAreaMM2: 0, tumourCells: 0,
                   excludedCells: 0, classCounts: [0, 0, 0, 0], seconds: seconds, error: message)
    }
}

/// The scored slide: the pooled score, every tile, every cell, and provenance.
public struct SlideResult: Sendable, Codable {
    public var slide: String
    public var score: SlideScore
    public var tiles: [TileResult]
    public var cells: [CellMeasurement]
    /// QC and input warnings (stain estimate far from default, unreadable tiles, …).
    public var warnings: [String]
    /// ihc-score version that produced it.
    public var toolVersion: String
    /// Every parameter the analysis used (rule set included).
    public var parameters: AnalysisParameters?

    public init(slide: String, score: SlideScore, tiles: [TileResult], cells: [CellMeasurement], warnings: [String],
                toolVersion: String = StainScoreVersion.version, parameters: AnalysisParameters? = nil) {
        self.parameters = parameters
        self.slide = slide
        self.score = score
        self.tiles = tiles
        self.cells = cells
        self.warnings = warnings
        self.toolVersion = toolVersion
    }
}
