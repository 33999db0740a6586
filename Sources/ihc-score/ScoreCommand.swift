#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import StainScore

extension SlideLayout: ExpressibleByArgument {}

/// `ihc-score score INPUT… --out DIR`: score a batch of slides into a results folder.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score HER2 IHC slides in batch: membrane intensity and completeness per tumour cell, pooled per slide.",
        discussion: """
            INPUT is an image file (one slide), a folder of tiles (one slide, named after the folder) or a folder of \
            slide folders (each sub-folder one slide); .png .jpg .jpeg .tif .tiff files are found recursively and \
            sorted (--layout chooses explicitly). --manifest CSV (columns slide,path[,mpp][,roi]) lists tiles laid \
            out otherwise. A tile T.png may have a region of interest beside it: a mask T.mask.png, T-mask.png or \
            T_mask.png (also .tif/.tiff; non-zero = inside, same size as the tile) or a QuPath GeoJSON annotation \
            export T.geojson; only cells whose nucleus centre lies inside count, and only tissue inside is measured.

            Parameters come from the defaults, then --config FILE (TOML or JSON; see ihc-score config \
            --print-defaults), then the options below.

            Outputs in --out (each written to a temporary file and renamed into place): slides.csv, tiles.csv, \
            cells.csv, report.json (provenance, parameters, input SHA-256s, timings), report.html (a review page that \
            works offline: sortable slide index, why each score, charts, tiles, QC, provenance), \
            geojson/<slide>/<tile>.geojson (QuPath cell detections), overlays/<slide>/<tile>.png with --overlays \
            (with a colour legend), and .state/ for --resume. \
            A summary line per slide is printed on stdout; progress goes to stderr.

            A tile that cannot be read or has no pixel size is listed (stderr "error: PATH: problem", tiles.csv, \
            report.json); its slide is scored on its other tiles and flagged tile-errors; the batch goes on.

            Exit codes:
              0   every tile of every slide was scored
              2   some inputs could not be scored (each is listed); the rest was written
              64  usage error: bad option, argument, configuration file or manifest
              74  the results folder cannot be created or written (or is in use)
              1   an unexpected internal error
            """)

    @Argument(help: "Image files, folders of tiles, or folders of slide folders.")
    var inputs: [String] = []

    @Option(help: "Results folder (created if missing).")
    var out: String

    @Option(help: "CSV listing the tiles: slide,path[,mpp][,roi] (paths relative to the manifest's folder).")
    var manifest: String?

    @Option(help: "How folders become slides: auto, slide (each folder is one slide), slides (each sub-folder is one), files (each image is one).")
    var layout: SlideLayout = .auto

    @Option(help: "Analysis parameters from a TOML or JSON file (options below override it).")
    var config: String?

    @Option(help: "Pixel size in µm/px for files that do not carry one.")
    var mpp: Double?

    @Flag(help: "Use --mpp (or the manifest's mpp) even for files that carry a pixel size.")
    var overrideMpp = false

    @Option(help: "Rule set: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", ")) (default breast-2018).")
    var rules: String?

    @Option(help: "Analyse tiles finer than this pixel size (µm/px) after an integer reduction; 0 = full resolution (default 0.25: 40× scans as they are).")
    var analysisMpp: Double?

    @Flag(inversion: .prefixedNo, help: "Estimate stain vectors per slide (Macenko) instead of the Ruifrok–Johnston defaults.")
    var estimateStains: Bool?

    @Option(help: "Glass intensity as R,G,B (default: estimated per tile from its glass).")
    var background: String?

    @Option(help: "Tiles analysed in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Skip slides whose input files (SHA-256) and parameters are unchanged since a previous run into the same --out.")
    var resume = false

    @Flag(help: "Write per-tile overlay PNGs (cells outlined in their class colour) into OUT/overlays.")
    var overlays = false

    @Flag(name: .customLong("no-geojson"), help: "Do not write the per-tile GeoJSON cell detections.")
    var noGeoJSON = false

    @Flag(help: "No progress on stderr (errors are still printed).")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty && manifest == nil { throw ValidationError("give INPUT paths or --manifest CSV") }
        if !inputs.isEmpty && manifest != nil { throw ValidationError("give either INPUT paths or --manifest, not both") }
        if let rules, RuleSet(rawValue: rules) == nil {
            throw ValidationError("unknown rule set '\(rules)'; use one of \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let mpp, !(mpp > 0 && mpp < 100) { throw ValidationError("--mpp must be a positive pixel size in µm/px") }
        if overrideMpp && mpp == nil && manifest == nil { throw ValidationError("--override-mpp needs --mpp (or a manifest with mpp)") }
        if let analysisMpp, !(analysisMpp >= 0 && analysisMpp < 100) { throw ValidationError("--analysis-mpp must be ≥ 0") }
        if let background, Self.parseBackground(background) == nil {
            throw ValidationError("--background must be three numbers R,G,B in 1…255")
        }
        if let jobs, !(1...512).contains(jobs) { throw ValidationError("--jobs must be between 1 and 512") }
    }

    static func parseBackground(_ text: String) -> [Double]? {
        let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return parts.count == 3 && parts.allSatisfy({ $0 >= 1 && $0 <= 255 }) ? parts : nil
    }

    /// Defaults, then the configuration file, then the options given.
    func parameters() throws -> AnalysisParameters {
        var parameters = AnalysisParameters()
        if let config { parameters = try ConfigurationFile.load(config) }
        if let rules { parameters.rules.ruleSet = RuleSet(rawValue: rules)! }
        if let analysisMpp { parameters.analysisMicronsPerPixel = analysisMpp }
        if let estimateStains { parameters.estimateStains = estimateStains }
        if let background { parameters.background = Self.parseBackground(background) }
        return parameters
    }

    func slides() throws -> SlideDiscovery.Found {
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
                                         excluding: [out])
    }

    func run() throws {
        let parameters: AnalysisParameters
        let found: SlideDiscovery.Found
        do {
            parameters = try self.parameters()
            found = try slides()
        } catch let error as InputFileError {  // a configuration file, manifest or input problem
            Output.error(error.description)
            throw ExitCodes.usage
        }
        let jobs = self.jobs ?? ProcessMetrics.availableCores
        let header = ReportJSON.Header(
            invocation: CommandLine.arguments, inputs: inputs, manifest: manifest, parameters: parameters,
            options: .init(jobs: jobs, resume: resume, geojson: !noGeoJSON, overlays: overlays,
                           layout: manifest == nil ? layout.rawValue : nil, mpp: mpp, overrideMpp: overrideMpp, config: config))
        let output: BatchOutput
        do {
            output = try BatchOutput(directory: out, header: header, geojson: !noGeoJSON, overlays: overlays)
        } catch {
            Output.error("\(error)")
            throw ExitCodes.cannotWriteOutput
        }
        for problem in found.problems {
            Output.error(problem.description)
            output.record(ReportJSON.Problem(path: problem.path, message: problem.message))
        }

        let progress = ProgressDisplay(quiet: quiet)
        let summary = ScoreSummary(slideNames: found.slides.map(\.name))
        let runner = BatchRunner(analyzer: SlideAnalyzer(parameters: parameters), jobs: jobs)
        let files = TileFiles(outputDirectory: out, geojson: !noGeoJSON, overlays: overlays)
        var last = BatchProgress(slidesTotal: found.slides.count, tilesTotal: found.slides.reduce(0) { $0 + $1.tiles.count })
        let totals: BatchTotals
        do {
            totals = try runner.run(found.slides, sink: output, resume: resume ? output.store : nil, writer: files) { event in
                switch event {
                case .tileFailed(_, let tile):
                    progress.clear(forStdout: false)
                    Output.error("\(tile.path): \(tile.error ?? "failed")")
                    progress.restore()
                case .slideFinished(let slide):
                    progress.clear(forStdout: true)
                    summary.print(slide)
                    if !slide.resumed, slide.flags.contains("pixel-size"),
                       let warning = slide.warnings.first(where: { $0.hasPrefix("pixel size") }) {
                        Output.warning("\(slide.slide): \(warning)")
                    }
                    progress.restore()
                case .progress(let p):
                    last = p
                    progress.update(p)
                }
            }
            try output.finish(totals)
        } catch {
            progress.clear(forStdout: false)
            output.abandon()
            Output.error("\(error)")
            if let error = error as? ImageIOError, error.kind == .cannotWrite { throw ExitCodes.cannotWriteOutput }
            throw ExitCode.failure
        }
        progress.finish(last)
        summary.printTotals(totals, outputDirectory: out)
        if totals.tilesFailed > 0 || !found.problems.isEmpty { throw ExitCodes.someInputsFailed }
    }
}
