import Foundation

/// Writes a set of virtual slides to a folder, every file atomically:
///
/// - `slide-001/tile-000.png …` (pixel size in the file's metadata),
/// - `labels.csv`: one row per slide (truth score, category, cumulative shares, cell count, rules, mpp),
/// - `cells.csv`: one row per cell (nucleus centre in tile pixels, kind, class, completeness,
///   intensity, membrane width). Cells whose nucleus lies near a tile border are listed too (they
///   exist and count in the truth score); a scorer will not measure a cell cut by the border —
///   comparing the two is the validate tool's job,
/// - `synth.json`: tool version, configuration and every slide's drawn parameters.
///
/// Nothing time- or machine-dependent is written: the same configuration gives the same bytes.
public enum SynthesisWriter {
    public static let labelsHeader = "slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp"
    public static let cellsHeader = "slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um"

    /// What `synth.json` holds.
    public struct Manifest: Codable, Sendable {
        public var tool: String
        public var version: String
        public var seed: UInt64
        public var configuration: SynthesisConfiguration
        public var slides: [SlideRecipe]
    }

    /// Draws, renders and writes every slide; `progress` is called after each slide (with its
    /// recipe and the seconds it took) so that a caller can report.
    public static func run(_ configuration: SynthesisConfiguration, to directory: String,
                           progress: (SlideRecipe, Double) -> Void = { _, _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var labels = [labelsHeader]
        var cells = [cellsHeader]
        var recipes: [SlideRecipe] = []
        for index in 0..<configuration.slides {
            let start = Date()
            let slide = try SlideSynthesizer.slide(index, configuration: configuration)
            let folder = directory + "/" + slide.recipe.slide
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for t in 0..<configuration.tilesPerSlide {
                try write(slide.renderTile(t), to: folder + "/" + configuration.tileName(t), configuration: configuration,
                          quality: slide.recipe.nuisances.jpegQuality)
            }
            labels.append(labelRow(slide.recipe, configuration: configuration))
            cells.append(contentsOf: slide.cells.map { cellRow($0, slide: slide.recipe.slide) })
            recipes.append(slide.recipe)
            progress(slide.recipe, Date().timeIntervalSince(start))
        }
        try AtomicFile.write(labels.joined(separator: "\n") + "\n", to: directory + "/labels.csv")
        try AtomicFile.write(cells.joined(separator: "\n") + "\n", to: directory + "/cells.csv")
        let manifest = Manifest(tool: "ihc-score synth", version: StainScoreVersion.version, seed: configuration.seed,
                                configuration: configuration, slides: recipes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n", to: directory + "/synth.json")
    }

    static func write(_ image: RGBImage, to path: String, configuration: SynthesisConfiguration, quality: Int) throws {
        switch configuration.format {
        case .png: try ImageWriter.writePNG(image, to: path)
        case .jpeg: try ImageWriter.writeJPEG(image, to: path, encoding: JPEGEncoding(quality: quality, subsampling: .s420))
        case .tiff: try ImageWriter.writeTIFF(image, to: path, encoding: TIFFEncoding(compression: .deflate))
        }
    }

    static func labelRow(_ r: SlideRecipe, configuration: SynthesisConfiguration) -> String {
        let p = r.truth.percentages
        return [r.slide, r.truth.score.label, r.truth.category.rawValue, fixed(p.onePlusOrMore, 2), fixed(p.twoPlusOrMore, 2),
                fixed(p.three, 2), String(r.truth.tumourCells), configuration.ruleSet.rawValue,
                fixed(configuration.micronsPerPixel, 3)].joined(separator: ",")
    }

    static func cellRow(_ c: SynthCell, slide: String) -> String {
        [slide, c.tile, fixed(c.x, 2), fixed(c.y, 2), c.kind.rawValue, String(c.cellClass.rawValue), fixed(c.completeness, 4),
         fixed(c.intensity, 4), fixed(c.membraneWidthMicrons, 3)].joined(separator: ",")
    }

    /// Fixed-point text (locale-independent).
    static func fixed(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}
