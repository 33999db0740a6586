import Foundation

/// What a slide needs before its tiles are analysed: the stain vectors to separate them with.
public struct SlidePreparation: Sendable, Hashable, Codable {
    public enum StainSource: String, Sendable, Hashable, Codable {
        /// `parameters.stains` (no estimation asked for).
        case parameters
        /// Estimated from the slide's own tiles (Macenko).
        case estimated
        /// Estimation was asked for but failed; `parameters.stains` used instead.
        case fallback
    }

    public var stains: StainMatrix
    public var stainSource: StainSource
    /// Stain QC warnings (estimate far from the defaults, estimation failed).
    public var warnings: [String]

    public init(stains: StainMatrix, stainSource: StainSource, warnings: [String] = []) {
        self.stains = stains
        self.stainSource = stainSource
        self.warnings = warnings
    }
}

/// One analysed tile: its compact result and cells, and — while per-tile files are written —
/// the full analysis and region of interest (dropped as soon as they are written).
public struct AnalysedTile: Sendable {
    public var result: TileResult
    /// Measured cells, in the analyser's order; only those inside the region of interest.
    public var cells: [CellMeasurement]
    public var analysis: TileAnalysis?
    public var regionOfInterest: RegionOfInterest?
}

/// Scores slides: every tile analysed, tumour cells pooled over the slide (never an average
/// of tile scores), the rule set applied once.
///
/// The three steps are separate so that a batch can run them on different threads: `prepare`
/// (stain estimation, once per slide, before its tiles), `analyzeTile` (independent per tile),
/// and `assemble` (the slide from its tiles' results, in tile order). `analyze` runs them in
/// sequence for one slide.
public struct SlideAnalyzer: Sendable {
    public var parameters: AnalysisParameters
    public var reader: ImageReader
    /// Keep each cell's own-sector membrane peaks (`CellMeasurement.ownSectorPeaks`): the
    /// calibration re-derives the membrane staining at other stained thresholds from them.
    /// Off for scoring (the peaks are not reported).
    public var keepsSectorPeaks = false

    public init(parameters: AnalysisParameters = AnalysisParameters(), reader: ImageReader = ImageReader()) {
        self.parameters = parameters
        self.reader = reader
    }

    /// Called after each tile with its analysis (for overlays) — may be nil.
    public typealias TileObserver = (_ tile: TileResult, _ analysis: TileAnalysis?) -> Void

    /// Scores one slide, tile after tile.
    public func analyze(_ slide: SlideInput, observe: TileObserver? = nil) -> SlideResult {
        let preparation = prepare(slide)
        var tiles: [TileResult] = []
        var cells: [[CellMeasurement]] = []
        for tile in slide.tiles {
            let analysed = analyzeTile(tile, of: slide, stains: preparation.stains)
            observe?(analysed.result, analysed.analysis)
            tiles.append(analysed.result)
            cells.append(analysed.cells)
        }
        return assemble(slide: slide, preparation: preparation, tiles: tiles, cells: cells)
    }

    /// The slide's stain vectors: estimated from its tiles when `parameters.estimateStains`.
    public func prepare(_ slide: SlideInput) -> SlidePreparation {
        guard parameters.estimateStains else { return SlidePreparation(stains: parameters.stains, stainSource: .parameters) }
        switch StainEstimation.estimate(slide: slide, reader: reader, reference: parameters.stains) {
        case .success(let estimate):
            return SlidePreparation(stains: estimate.stains, stainSource: .estimated, warnings: estimate.warnings)
        case .failure(let failure):
            return SlidePreparation(stains: parameters.stains, stainSource: .fallback,
                                    warnings: ["stain estimation failed (\(failure.description)); default stain vectors used"])
        }
    }

    /// Reads and analyses one tile. Problems (unreadable file, unknown pixel size, bad region of
    /// interest) give a result with `error` set and no cells — never a thrown error.
    /// With a `meter`, decoding and analysis are timed (`decode`, `analysis`, and the analysis'
    /// stages as `analysis.<stage>`: their wall time, and the tile's CPU time shared out in
    /// proportion to it).
    public func analyzeTile(_ tile: TileInput, of slide: SlideInput, stains: StainMatrix, meter: BatchMeter? = nil) -> AnalysedTile {
        let start = ProcessMetrics.monotonicSeconds()
        func failed(_ message: String) -> AnalysedTile {
            AnalysedTile(result: .failed(tile, message: message, seconds: ProcessMetrics.monotonicSeconds() - start), cells: [])
        }
        if let problem = tile.regionOfInterestProblem { return failed(problem) }
        do {
            let image = try meter.measure("decode") { try reader.read(tile.path) }
            guard let size = slide.pixelSize(for: tile, fileCarries: image.pixelSize) else {
                return failed("pixel size unknown: the file carries none; give it with --mpp (or an mpp column in a manifest)")
            }
            let roi = try tile.regionOfInterest.map {
                try RegionOfInterest.load($0, width: image.width, height: image.height, reader: reader)
            }
            let lap = BatchMeter.Lap()
            let analysis = TileAnalyzer.analyze(image, name: tile.name, pixelSize: size, stains: stains, parameters: parameters,
                                                keepSectorPeaks: keepsSectorPeaks)
            if let meter {
                // The stages are timed on the wall clock; the tile's CPU time is shared out in proportion.
                let (cpu, wall) = lap.elapsed()
                meter.add("analysis", cpu: cpu, wall: wall)
                let staged = analysis.stageSeconds.map(\.seconds).reduce(0, +)
                for stage in analysis.stageSeconds {
                    meter.add("analysis." + stage.stage, cpu: staged > 0 ? cpu * stage.seconds / staged : 0, wall: stage.seconds)
                }
            }
            var cells = analysis.cells
            var tissue = analysis.tissueAreaMM2
            if let roi {
                cells = cells.filter { roi.contains(x: $0.x, y: $0.y) }
                tissue = roi.tissueAreaMM2(analysis, tilePixelSize: size)
            }
            var counts = [0, 0, 0, 0]
            var excluded = 0
            for cell in cells {
                if cell.kind == .tumour { counts[cell.cellClass.rawValue] += 1 } else { excluded += 1 }
            }
            let result = TileResult(tile: tile.name, path: tile.path, width: image.width, height: image.height, pixelSize: size,
                                    tissueAreaMM2: tissue, tumourCells: counts.reduce(0, +), excludedCells: excluded,
                                    classCounts: counts, seconds: ProcessMetrics.monotonicSeconds() - start, error: nil,
                                    regionOfInterest: roi?.source)
            var resultWithSizes = result
            resultWithSizes.nucleusSizes = analysis.nucleusSizes
            return AnalysedTile(result: resultWithSizes, cells: cells, analysis: analysis, regionOfInterest: roi)
        } catch let error as ImageIOError {
            return failed(error.path == tile.path ? error.message : error.description)
        } catch let error as InputError {
            return failed(error.path == tile.path ? error.message : error.description)
        } catch {
            return failed("\(error)")
        }
    }

    /// The slide from its tiles' results and cells, in tile order: tumour cells pooled, the rule
    /// set applied once.
    public func assemble(slide: SlideInput, preparation: SlidePreparation, tiles: [TileResult],
                         cells: [[CellMeasurement]]) -> SlideResult {
        precondition(tiles.count == cells.count, "one cell list per tile")
        var assembler = SlideAssembler(rules: parameters.rules, pixelSizeCheck: parameters.pixelSizeCheck)
        for (tile, tileCells) in zip(tiles, cells) { assembler.add(tile, cells: tileCells) }
        return SlideResult(slide: slide.name, score: assembler.score(), tiles: tiles, cells: cells.flatMap { $0 },
                           warnings: assembler.warnings(preparation: preparation), parameters: parameters)
    }
}

/// Builds a slide's score from its tiles as they come, in tile order, keeping only what the
/// score needs of each cell (class, tile, position for gastric clusters) — so a slide of
/// thousands of tiles can be scored without holding its cell measurements.
public struct SlideAssembler: Sendable {
    public let rules: ScoringRules
    public private(set) var tiles: [TileResult] = []
    /// Cells of every kind added so far.
    public private(set) var cellCount = 0
    public let pixelSizeCheck: PixelSizeCheckParameters
    private var tumour: [ClassifiedCell] = []
    /// The nucleus-mask region sizes of every tile added, and their mean pixel size.
    public private(set) var nucleusSizes = NucleusSizeSummary()
    private var pixelSizeSum = 0.0, pixelSizeTiles = 0

    public init(rules: ScoringRules, pixelSizeCheck: PixelSizeCheckParameters = PixelSizeCheckParameters()) {
        self.rules = rules
        self.pixelSizeCheck = pixelSizeCheck
    }

    /// Adds the next tile and its cells.
    public mutating func add(_ tile: TileResult, cells: [CellMeasurement]) {
        let index = tiles.count
        let mpp = tile.pixelSize?.micronsPerPixel ?? 0.5
        for cell in cells where cell.kind == .tumour {
            tumour.append(ClassifiedCell(cellClass: cell.cellClass, tile: index, xMicrons: cell.x * mpp, yMicrons: cell.y * mpp))
        }
        if let sizes = tile.nucleusSizes, sizes.regions > 0 {
            nucleusSizes.add(sizes)
            pixelSizeSum += mpp
            pixelSizeTiles += 1
        }
        cellCount += cells.count
        tiles.append(tile)
    }

    /// The rule set applied to the pooled tumour cells of every tile added; unscorable when no
    /// tile could be read (whatever the rule set would make of no cells).
    public func score() -> SlideScore {
        var score = SlideScorer.score(tumour, rules: rules)
        if !tiles.contains(where: { $0.error == nil }) {
            score.unscorable = tiles.isEmpty ? "no image tiles" : "no readable tile"
            score.reason = score.unscorable!
        }
        return score
    }

    /// The pixel size the nuclei suggest, when it contradicts the given one.
    public var pixelSizeMismatch: PixelSizeMismatch? {
        pixelSizeTiles > 0 ? nucleusSizes.check(pixelSizeCheck, given: pixelSizeSum / Double(pixelSizeTiles)) : nil
    }

    /// Stain QC warnings, the pixel-size check, then one per tile that could not be scored, or
    /// "no image tiles".
    public func warnings(preparation: SlidePreparation) -> [String] {
        var warnings = preparation.warnings
        if let mismatch = pixelSizeMismatch { warnings.append(mismatch.message) }
        if tiles.isEmpty { warnings.append("no image tiles found") }
        for tile in tiles where tile.error != nil { warnings.append("\(tile.tile): \(tile.error!)") }
        return warnings
    }

    /// Flags beyond the score's own: `tile-errors` (some tiles could not be scored; the score
    /// comes from the others), `stain-qc` (stain estimation failed or is far from the defaults)
    /// and `pixel-size` (the nuclei suggest a pixel size far from the given one).
    public func batchFlags(preparation: SlidePreparation) -> [String] {
        var flags: [String] = []
        if tiles.contains(where: { $0.error != nil }) { flags.append("tile-errors") }
        if !preparation.warnings.isEmpty { flags.append("stain-qc") }
        if pixelSizeMismatch != nil { flags.append("pixel-size") }
        return flags
    }
}
