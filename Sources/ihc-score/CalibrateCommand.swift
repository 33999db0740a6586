import ArgumentParser
import Foundation
import StainScore

/// `ihc-score calibrate INPUT… --labels LABELS.csv --out calibration.toml`: fit the per-cell
/// class cut-offs to control slides of known score.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the per-cell cut-offs (stained, weak, moderate, intense DAB levels; completeness if needed) to control slides of known score.",
        discussion: """
            INPUT and --manifest, --mpp, --rules, --config are read as by score. LABELS.csv gives each control's \
            score (columns slide,score; pct_1plus_or_more, pct_2plus_or_more, pct_3plus when known — they are then \
            reproduced too; other columns are ignored: synth's labels.csv and score's slides.csv both work). \
            --cells CELLS.csv (a per-cell truth as synth writes it) adds per-cell class agreement to the fit.

            The controls are measured once; the cut-offs are then fitted so that every control gets its label \
            (ordinal fit: one factor on all cut-offs, then coordinate search over breakpoints of the controls' cell \
            intensities, ties broken by percentage and per-cell error; each cut-off is then centred in the widest \
            interval that keeps the optimum; the completeness level is fitted too only when the intensity levels \
            alone leave a control wrong). Printed: each cut-off before → after with the range the controls \
            support, each control before and after, and a leave-one-out agreement (each control scored with cut-offs \
            fitted on the others) that shows whether the fit generalises.

            Nothing is written when the controls cannot determine a cut-off (a score without a control: at least \
            one 0, 1+, 2+ and 3+ control is needed, two of each are better) or contradict each other (the best fit \
            still scores some control otherwise than its label). The file is an ordinary parameter file with a \
            [calibration] record (controls, their SHA-256, labels, fit, version); apply it with \
            score --calibration FILE.

            Exit codes:
              0   the calibration was written
              2   the controls could not be used: a control slide missing, unreadable or unscorable, or the \
            controls do not determine or contradict the cut-offs (nothing written; the message says which)
              64  usage error: bad option, configuration, manifest, labels or cells file
              74  the calibration file cannot be written
              1   an unexpected internal error
            """)

    @OptionGroup var source: SlideSourceOptions

    @Option(help: "Labels of the controls: CSV with slide,score (and optionally pct_1plus_or_more,pct_2plus_or_more,pct_3plus).")
    var labels: String

    @Option(help: "Where to write the calibration (TOML).")
    var out: String

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Per-cell truth (cells.csv as synth writes it): per-cell class agreement joins the fit.")
    var cells: String?

    @Option(help: "Tiles analysed in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "No progress on stderr (errors are still printed).")
    var quiet = false

    func validate() throws {
        if let jobs, !(1...512).contains(jobs) { throw ValidationError("--jobs must be between 1 and 512") }
    }

    func run() throws {
        // Inputs and labels: problems here are usage errors.
        let parameters: AnalysisParameters
        let found: SlideDiscovery.Found
        let truth: [SlideTruth]
        let truthCells: [TruthCell]?
        let labelsSHA256: String
        do {
            parameters = try analysis.parameters()
            found = try source.slides(excluding: [out])
            truth = try TruthLabelsReader.read(labels)
            labelsSHA256 = try SHA256.file(at: labels).sha256
            truthCells = try cells.map { try TruthCellsReader.read($0) }
        } catch let error as InputFileError {
            Output.error(error.description)
            throw ExitCodes.usage
        } catch let error as ImageIOError {
            Output.error(error.description)
            throw ExitCodes.usage
        }
        for problem in found.problems { Output.error(problem.description) }
        if !found.problems.isEmpty { throw ExitCodes.someInputsFailed }

        // Each labelled control must be among the inputs; inputs without a label are left out.
        let (pairs, unlabelled) = SlideNameMatching.match(truth: truth.map(\.slide), predictions: found.slides.map(\.name))
        let missing = zip(truth, pairs).filter { $0.1 == nil }.map(\.0.slide)
        if !missing.isEmpty {
            Output.error("control\(missing.count == 1 ? "" : "s") in \(labels) not among the inputs: \(missing.joined(separator: ", "))")
            throw ExitCodes.someInputsFailed
        }
        if !unlabelled.isEmpty {
            Output.warning("no label in \(labels), left out: \(unlabelled.map { found.slides[$0].name }.joined(separator: ", "))")
        }
        let slides = pairs.map { found.slides[$0!] }

        // Measure once, keeping every tumour cell's membrane sector peaks.
        var analyzer = SlideAnalyzer(parameters: parameters)
        analyzer.keepsSectorPeaks = true
        let runner = BatchRunner(analyzer: analyzer, jobs: jobs ?? ProcessMetrics.availableCores)
        let progress = ProgressDisplay(quiet: quiet)
        var failedTiles = 0
        let results: [SlideResult]
        do {
            results = try runner.results(slides) { event in
                switch event {
                case .tileFailed(_, let tile):
                    failedTiles += 1
                    progress.clear(forStdout: false)
                    Output.error("\(tile.path): \(tile.error ?? "failed")")
                    progress.restore()
                case .progress(let p): progress.update(p)
                case .slideFinished: break
                }
            }
        } catch {
            progress.clear(forStdout: false)
            Output.error("\(error)")
            throw ExitCode.failure
        }
        progress.clear(forStdout: true)
        if failedTiles > 0 {
            Output.error("a control must be measured whole: \(failedTiles) tile\(failedTiles == 1 ? "" : "s") could not be read; nothing written")
            throw ExitCodes.someInputsFailed
        }

        // The controls, with per-cell truth when given.
        let byName = Dictionary(results.map { ($0.slide, $0) }, uniquingKeysWith: { a, _ in a })
        var controls: [CalibrationControl] = []
        var records: [CalibrationFile.Control] = []
        let fitParameters = CalibrationFitParameters()
        for (label, slide) in zip(truth, slides) {
            guard let result = byName[slide.name] else {
                Output.error("\(slide.name): no result")
                throw ExitCodes.someInputsFailed
            }
            let classes = truthCells.map { Self.truthClasses(result: result, label: label.slide, truth: $0,
                                                             matchDistanceMicrons: fitParameters.cellMatchDistanceMicrons) }
            controls.append(CalibrationControl(result: result, truth: label, truthClass: { classes?[$0] }))
            guard let record = CalibrationFile.Control(name: result.slide, label: label.score, tiles: result.tiles) else {
                Output.error("\(slide.name): the files' SHA-256 could not be computed")
                throw ExitCodes.someInputsFailed
            }
            records.append(record)
        }

        let fitter = CalibrationFitter(controls: controls, rules: parameters.rules, parameters: fitParameters)
        let result: CalibrationResult
        do {
            result = try fitter.calibrate()
        } catch {
            Output.error("cannot calibrate: \(error.message); nothing written")
            throw ExitCodes.someInputsFailed
        }
        print(Self.report(result))

        var calibrated = parameters
        calibrated.rules.cells = result.after
        let record = CalibrationFile.Record(labels: labels, labelsSHA256: labelsSHA256, cellsTruth: cells, config: analysis.config,
                                            controls: records, result: result)
        do {
            try AtomicFile.write(CalibrationFile.text(parameters: calibrated, record: record), to: out)
        } catch {
            Output.error("\(error)")
            throw ExitCodes.cannotWriteOutput
        }
        print("wrote \(out): apply with ihc-score score --calibration \(out)")
    }

    /// The truth class of each predicted tumour cell of `result` (by index into its cells) that
    /// a truth tumour cell of the same tile lies within the match distance of (greedy, nearest first).
    static func truthClasses(result: SlideResult, label: String, truth: [TruthCell], matchDistanceMicrons: Double) -> [Int: HER2Score] {
        let key = SlideNameMatching.key(label)
        let mine = truth.filter { $0.kind == .tumour && ($0.slide == label || SlideNameMatching.key($0.slide) == key) }
        var byTile: [String: [TruthCell]] = [:]
        for cell in mine { byTile[cell.tile, default: []].append(cell) }
        var predictedByTile: [String: [Int]] = [:]
        for (i, cell) in result.cells.enumerated() where cell.kind == .tumour { predictedByTile[cell.tile, default: []].append(i) }
        var classes: [Int: HER2Score] = [:]
        for tile in result.tiles {
            guard let truthHere = byTile[tile.tile], let predicted = predictedByTile[tile.tile] else { continue }
            let mpp = tile.pixelSize?.micronsPerPixel ?? 1
            let matches = CellMatching.greedy(truth: truthHere.map { .init(x: $0.x, y: $0.y) },
                                              predictions: predicted.map { .init(x: result.cells[$0].x, y: result.cells[$0].y) },
                                              maxDistance: matchDistanceMicrons / mpp)
            for m in matches { classes[predicted[m.prediction]] = truthHere[m.truth].cellClass }
        }
        return classes
    }

    /// What the fit found, as tables.
    static func report(_ r: CalibrationResult) -> String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        func p(_ v: Double) -> String { String(format: "%.1f", v) }
        var cut = [["CUT-OFF", "SEPARATES", "BEFORE", "AFTER", "SUPPORTED RANGE", "CENTRED IN"]]
        for c in r.cutoffs {
            cut.append([c.cutoff.key, c.cutoff.boundary, f(c.before), f(c.after),
                        f(c.supported.lowerBound) + " … " + f(c.supported.upperBound),
                        f(c.centredIn.lowerBound) + " … " + f(c.centredIn.upperBound)])
        }
        var rows = [["CONTROL", "LABEL", "LABEL ≥1+/≥2+/3+ %", "BEFORE", "BEFORE ≥1+/≥2+/3+ %", "AFTER", "AFTER ≥1+/≥2+/3+ %",
                     "CELLS RIGHT", "LEAVE-ONE-OUT"]]
        for (i, control) in r.controls.enumerated() {
            let b = r.evaluationBefore.percentages[i], a = r.evaluationAfter.percentages[i]
            let labelled = [control.percentOnePlusOrMore, control.percentTwoPlusOrMore, control.percentThree]
                .map { $0.map(p) ?? "–" }.joined(separator: "/")
            let cells: String = {
                guard let after = r.evaluationAfter.cellAccuracy[i] else { return "–" }
                let before = r.evaluationBefore.cellAccuracy[i] ?? 0
                return String(format: "%.0f%% → %.0f%%", 100 * before, 100 * after)
            }()
            rows.append([control.name, control.label.label, labelled,
                         r.evaluationBefore.scores[i].label, [b.onePlusOrMore, b.twoPlusOrMore, b.three].map(p).joined(separator: "/"),
                         r.evaluationAfter.scores[i].label, [a.onePlusOrMore, a.twoPlusOrMore, a.three].map(p).joined(separator: "/"),
                         cells, r.leaveOneOut[i].label + (r.leaveOneOut[i] == control.label ? "" : " ✗")])
        }
        let n = r.controls.count
        return Output.table(cut) + "\n\n" + Output.table(rows) + "\n\n"
            + "controls scored as labelled: before \(r.evaluationBefore.agreement)/\(n), after \(r.evaluationAfter.agreement)/\(n); "
            + "leave-one-out \(r.leaveOneOutAgreement)/\(n) (each control scored with cut-offs fitted on the others)"
    }
}
