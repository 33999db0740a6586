import ArgumentParser
import StainScore

/// The slides to analyse and how to find them: the options `score` and `calibrate` share
/// (spelt and checked the same in both).
struct SlideSourceOptions: ParsableArguments {
    @Argument(help: "Image files, folders of tiles, or folders of slide folders.")
    var inputs: [String] = []

    @Option(help: "CSV listing the tiles: slide,path[,mpp][,roi] (paths relative to the manifest's folder).")
    var manifest: String?

    @Option(help: "How folders become slides: auto, slide (each folder is one slide), slides (each sub-folder is one), files (each image is one).")
    var layout: SlideLayout = .auto

    @Option(help: "Pixel size in µm/px for files that do not carry one.")
    var mpp: Double?

    @Flag(help: "Use --mpp (or the manifest's mpp) even for files that carry a pixel size.")
    var overrideMpp = false

    func validate() throws {
        if inputs.isEmpty && manifest == nil { throw ValidationError("give INPUT paths or --manifest CSV") }
        if !inputs.isEmpty && manifest != nil { throw ValidationError("give either INPUT paths or --manifest, not both") }
        if let mpp, !(mpp > 0 && mpp < 100) { throw ValidationError("--mpp must be a positive pixel size in µm/px") }
        if overrideMpp && mpp == nil && manifest == nil { throw ValidationError("--override-mpp needs --mpp (or a manifest with mpp)") }
    }

    /// The slides, from the manifest or the inputs (paths in `excluding` are never inputs).
    func slides(excluding: [String]) throws -> SlideDiscovery.Found {
        let pixelSize = mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }
        if let manifest {
            var slides = try SlideManifest.read(manifest)
            for i in slides.indices {
                slides[i].pixelSize = pixelSize
                slides[i].overridePixelSize = overrideMpp
            }
            return SlideDiscovery.Found(slides: slides, problems: [])
        }
        return try SlideDiscovery.slides(from: inputs, layout: layout, pixelSize: pixelSize, overridePixelSize: overrideMpp,
                                         excluding: excluding)
    }
}

/// The analysis parameters' options that `score` and `calibrate` share: defaults, then
/// `--config`, then the options.
struct AnalysisOptions: ParsableArguments {
    @Option(help: "Analysis parameters from a TOML or JSON file (options below override it).")
    var config: String?

    @Option(help: "Rule set: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", ")) (default breast-2018).")
    var rules: String?

    @Option(help: "Analyse tiles finer than this pixel size (µm/px) after an integer reduction; 0 = full resolution (default 0.25: 40× scans as they are).")
    var analysisMpp: Double?

    @Flag(inversion: .prefixedNo, help: "Estimate stain vectors per slide (Macenko) instead of the Ruifrok–Johnston defaults.")
    var estimateStains: Bool?

    @Option(help: "Glass intensity as R,G,B (default: estimated per tile from its glass).")
    var background: String?

    func validate() throws {
        if let rules, RuleSet(rawValue: rules) == nil {
            throw ValidationError("unknown rule set '\(rules)'; use one of \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let analysisMpp, !(analysisMpp >= 0 && analysisMpp < 100) { throw ValidationError("--analysis-mpp must be ≥ 0") }
        if let background, Self.parseBackground(background) == nil {
            throw ValidationError("--background must be three numbers R,G,B in 1…255")
        }
    }

    static func parseBackground(_ text: String) -> [Double]? {
        let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return parts.count == 3 && parts.allSatisfy({ $0 >= 1 && $0 <= 255 }) ? parts : nil
    }

    /// Defaults, then the configuration file, then `calibration` (a file `calibrate` wrote, laid
    /// over the configuration), then the options given.
    func parameters(calibration: String? = nil) throws -> AnalysisParameters {
        var parameters = AnalysisParameters()
        if let config { parameters = try ConfigurationFile.load(config) }
        if let calibration { parameters = try ConfigurationFile.load(calibration, over: parameters) }
        if let rules { parameters.rules.ruleSet = RuleSet(rawValue: rules)! }
        if let analysisMpp { parameters.analysisMicronsPerPixel = analysisMpp }
        if let estimateStains { parameters.estimateStains = estimateStains }
        if let background { parameters.background = Self.parseBackground(background) }
        return parameters
    }
}
