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
            --print-defaults), then --calibration FILE (written by ihc-score calibrate on control slides), then the \
            options below.

            Run QC: --controls LABELS.csv (slide,score) names the batch's control slides. They are scored like the \
            others; if one is scored otherwise than its label, or is missing from the batch, every slide is flagged \
            controls-failed, a warning names the controls, and the exit code is 2.

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
              2   some inputs could not be scored (each is listed), or the --controls failed; the rest was written
              64  usage error: bad option, argument, configuration file or manifest
              74  the results folder cannot be created or written (or is in use)
              1   an unexpected internal error
            """)

    @OptionGroup var source: SlideSourceOptions

    @Option(help: "Results folder (created if missing).")
    var out: String

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "A calibration file written by `ihc-score calibrate` (laid over --config; its SHA-256 is recorded in report.json).")
    var calibration: String?

    @Option(help: "Run QC: a labels CSV (slide,score) naming the control slides of this batch and their expected scores. A control scored otherwise, or missing, flags every slide controls-failed (exit 2).")
    var controls: String?

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
        if let jobs, !(1...512).contains(jobs) { throw ValidationError("--jobs must be between 1 and 512") }
    }

    var inputs: [String] { source.inputs }
    var manifest: String? { source.manifest }
    var layout: SlideLayout { source.layout }
    var mpp: Double? { source.mpp }
    var overrideMpp: Bool { source.overrideMpp }
    var config: String? { analysis.config }

    func run() throws {
        let parameters: AnalysisParameters
        let found: SlideDiscovery.Found
        var calibrationSHA256: String?
        var expected: [SlideTruth] = []
        do {
            parameters = try analysis.parameters(calibration: calibration)
            if let calibration { calibrationSHA256 = try SHA256.file(at: calibration).sha256 }
            found = try source.slides(excluding: [out])
            if let controls { expected = try TruthLabelsReader.read(controls) }
        } catch let error as InputFileError {  // a configuration file, manifest or input problem
            Output.error(error.description)
            throw ExitCodes.usage
        } catch let error as ImageIOError {  // the calibration file cannot be hashed
            Output.error(error.description)
            throw ExitCodes.usage
        }
        let jobs = self.jobs ?? ProcessMetrics.availableCores
        let header = ReportJSON.Header(
            invocation: CommandLine.arguments, inputs: inputs, manifest: manifest, parameters: parameters,
            options: .init(jobs: jobs, resume: resume, geojson: !noGeoJSON, overlays: overlays,
                           layout: manifest == nil ? layout.rawValue : nil, mpp: mpp, overrideMpp: overrideMpp, config: config,
                           calibration: calibration, calibrationSHA256: calibrationSHA256, controls: controls))
        let output: BatchOutput
        do {
            output = try BatchOutput(directory: out, header: header, geojson: !noGeoJSON, overlays: overlays)
            // The controls' verdict flags every slide: their rows wait until the batch ends.
            output.holdsSlideRows = controls != nil
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
        var scored: [String: SlideScore] = [:]
        let runner = BatchRunner(analyzer: SlideAnalyzer(parameters: parameters), jobs: jobs)
        let files = TileFiles(outputDirectory: out, geojson: !noGeoJSON, overlays: overlays)
        var last = BatchProgress(slidesTotal: found.slides.count, tilesTotal: found.slides.reduce(0) { $0 + $1.tiles.count })
        let totals: BatchTotals
        var controlProblems: [String] = []
        do {
            totals = try runner.run(found.slides, sink: output, resume: resume ? output.store : nil, writer: files) { event in
                switch event {
                case .tileFailed(_, let tile):
                    progress.clear(forStdout: false)
                    Output.error("\(tile.path): \(tile.error ?? "failed")")
                    progress.restore()
                case .slideFinished(let slide):
                    scored[slide.slide] = slide.score
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
            controlProblems = ControlCheck.problems(expected: expected, scored: scored, slideNames: found.slides.map(\.name))
            try output.finish(totals, runFlags: controlProblems.isEmpty ? [] : [ControlCheck.flag])
        } catch {
            progress.clear(forStdout: false)
            output.abandon()
            Output.error("\(error)")
            if let error = error as? ImageIOError, error.kind == .cannotWrite { throw ExitCodes.cannotWriteOutput }
            throw ExitCode.failure
        }
        progress.finish(last)
        summary.printTotals(totals, outputDirectory: out)
        for problem in controlProblems { Output.error("control \(problem)") }
        if !controlProblems.isEmpty {
            Output.warning("controls failed: every slide of this run is flagged \(ControlCheck.flag); the run must not be reported (ASCO/CAP)")
        } else if controls != nil {
            print("controls passed: \(expected.count) control\(expected.count == 1 ? "" : "s") scored as labelled")
        }
        if totals.tilesFailed > 0 || !found.problems.isEmpty || !controlProblems.isEmpty { throw ExitCodes.someInputsFailed }
    }
}
