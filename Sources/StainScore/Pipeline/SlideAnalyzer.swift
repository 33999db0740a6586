import Foundation

/// A slide to score: its name and its tiles.
public struct SlideInput: Sendable, Hashable {
    public var name: String
    public var tilePaths: [String]
    /// Pixel size to use when a file does not carry one (or to override it).
    public var pixelSize: PixelSize?
    /// Use `pixelSize` even when the files carry their own.
    public var overridePixelSize: Bool

    public init(name: String, tilePaths: [String], pixelSize: PixelSize? = nil, overridePixelSize: Bool = false) {
        self.name = name
        self.tilePaths = tilePaths
        self.pixelSize = pixelSize
        self.overridePixelSize = overridePixelSize
    }

    /// A folder of tiles is one slide named after the folder.
    public static func folder(_ path: String, pixelSize: PixelSize? = nil) -> SlideInput {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        let name = URL(fileURLWithPath: trimmed).lastPathComponent
        return SlideInput(name: name, tilePaths: InputDiscovery.imageFiles(in: [trimmed]), pixelSize: pixelSize)
    }
}

/// Scores slides: every tile analysed, tumour cells pooled over the slide (never an average
/// of tile scores), the rule set applied once.
public struct SlideAnalyzer: Sendable {
    public var parameters: AnalysisParameters
    public var reader: ImageReader

    public init(parameters: AnalysisParameters = AnalysisParameters(), reader: ImageReader = ImageReader()) {
        self.parameters = parameters
        self.reader = reader
    }

    /// Called after each tile with its analysis (for overlays) — may be nil.
    public typealias TileObserver = (_ tile: TileResult, _ analysis: TileAnalysis?) -> Void

    public func analyze(_ slide: SlideInput, observe: TileObserver? = nil) -> SlideResult {
        var tiles: [TileResult] = []
        var cells: [CellMeasurement] = []
        var warnings: [String] = []
        var stains = parameters.stains
        if parameters.estimateStains {
            switch StainEstimation.estimate(slide: slide, reader: reader, reference: parameters.stains) {
            case .success(let estimate):
                stains = estimate.stains
                warnings.append(contentsOf: estimate.warnings)
            case .failure(let message):
                warnings.append("stain estimation failed (\(message)); default stain vectors used")
            }
        }
        if slide.tilePaths.isEmpty { warnings.append("no image tiles found") }
        for path in slide.tilePaths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let start = ProcessMetrics.monotonicSeconds()
            do {
                let image = try reader.read(path)
                guard let size = slide.overridePixelSize ? slide.pixelSize : (image.pixelSize ?? slide.pixelSize) else {
                    throw ImageIOError(.invalidRequest, path: path, message: "pixel size unknown: the file carries none; give it with --mpp")
                }
                let analysis = TileAnalyzer.analyze(image, name: name, pixelSize: size, stains: stains, parameters: parameters)
                var counts = [0, 0, 0, 0]
                var excluded = 0
                for cell in analysis.cells {
                    if cell.kind == .tumour { counts[cell.cellClass.rawValue] += 1 } else { excluded += 1 }
                }
                cells.append(contentsOf: analysis.cells)
                let result = TileResult(tile: name, path: path, width: image.width, height: image.height, pixelSize: size,
                                        tissueAreaMM2: analysis.tissueAreaMM2, tumourCells: counts.reduce(0, +),
                                        excludedCells: excluded, classCounts: counts,
                                        seconds: ProcessMetrics.monotonicSeconds() - start, error: nil)
                tiles.append(result)
                observe?(result, analysis)
            } catch {
                let message = (error as? ImageIOError)?.message ?? "\(error)"
                warnings.append("\(name): \(message)")
                let result = TileResult(tile: name, path: path, width: 0, height: 0, pixelSize: nil, tissueAreaMM2: 0,
                                        tumourCells: 0, excludedCells: 0, classCounts: [0, 0, 0, 0],
                                        seconds: ProcessMetrics.monotonicSeconds() - start, error: message)
                tiles.append(result)
                observe?(result, nil)
            }
        }
        let mppByTile = Dictionary(tiles.map { ($0.tile, $0.pixelSize?.micronsPerPixel ?? 0.5) }, uniquingKeysWith: { a, _ in a })
        let tileIndex = Dictionary(tiles.enumerated().map { ($1.tile, $0) }, uniquingKeysWith: { a, _ in a })
        let tumour = cells.filter { $0.kind == .tumour }.map { cell in
            let mpp = mppByTile[cell.tile] ?? 0.5
            return ClassifiedCell(cellClass: cell.cellClass, tile: tileIndex[cell.tile] ?? 0,
                                  xMicrons: cell.x * mpp, yMicrons: cell.y * mpp)
        }
        let score = SlideScorer.score(tumour, rules: parameters.rules)
        return SlideResult(slide: slide.name, score: score, tiles: tiles, cells: cells, warnings: warnings,
                           parameters: parameters)
    }
}
