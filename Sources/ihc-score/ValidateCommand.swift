import ArgumentParser
import Foundation
import StainScore

/// `ihc-score validate SLIDES_DIR`: compares scores (and cells) with truth labels.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare slide scores (and cells) with truth labels: confusion matrix, agreement, κ, recall/precision, cell detection.",
        discussion: """
            Truth: LABELS (default SLIDES_DIR/labels.csv) with columns slide|file and score|ihc_score, optionally \
            category, pct_1plus_or_more, pct_2plus_or_more, pct_3plus, tumour_cells, rules, mpp; CELLS (default \
            SLIDES_DIR/cells.csv when present) with slide,tile,x,y,kind,class[,completeness,intensity,membrane_width_um].
            Predictions: --results is a results folder with slides.csv [and cells.csv] (ihc-score score --out DIR) or \
            a JSON array of slide results (StainScore's SlideResult encoding); without it the slides are scored now.
            Cells: truth and predicted tumour nuclei are matched one-to-one, greedily by increasing distance, \
            within --match-distance-um; cells nearer than --border-margin-um to a tile edge are left out (a pair is \
            judged by its truth cell).
            Exit code 2 when an input cannot be read or a truth slide has no prediction (the report is still printed).
            """)

    @Argument(help: "Folder of the slides (and, by default, of labels.csv and cells.csv).")
    var slidesDirectory: String

    @Option(help: "Slide-level truth CSV (default: SLIDES_DIR/labels.csv).")
    var labels: String?

    @Option(help: "Cell-level truth CSV (default: SLIDES_DIR/cells.csv when present).")
    var cells: String?

    @Option(help: "Predictions: a results folder of ihc-score score (slides.csv, cells.csv) or a JSON file of slide results.")
    var results: String?

    @Option(help: "Pixel size in µm/px, for slides whose labels give none.")
    var mpp: Double?

    @Option(help: "Rule set to score with when no --results are given (\(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))).")
    var rules: String?

    @Option(help: "Also write the full report as JSON to this file.")
    var json: String?

    @Option(name: .customLong("border-margin-um"), help: "Leave out cells whose nucleus is nearer than this to a tile edge (µm).")
    var borderMarginMicrons: Double = 8

    @Option(name: .customLong("match-distance-um"), help: "Largest distance between matched truth and predicted nuclei (µm).")
    var matchDistanceMicrons: Double = 4

    func validate() throws {
        if let mpp { guard mpp > 0, mpp.isFinite else { throw ValidationError("--mpp must be a positive number") } }
        guard borderMarginMicrons >= 0, borderMarginMicrons.isFinite else { throw ValidationError("--border-margin-um must be ≥ 0") }
        guard matchDistanceMicrons > 0, matchDistanceMicrons.isFinite else { throw ValidationError("--match-distance-um must be positive") }
        if let rules, RuleSet(rawValue: rules) == nil {
            throw ValidationError("unknown --rules '\(rules)'; known: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let directory = slidesDirectory.hasSuffix("/") && slidesDirectory.count > 1 ? String(slidesDirectory.dropLast()) : slidesDirectory
        let labelsPath = labels ?? directory + "/labels.csv"
        var cellsPath = cells
        if cellsPath == nil, FileManager.default.fileExists(atPath: directory + "/cells.csv") { cellsPath = directory + "/cells.csv" }

        let truth: [SlideTruth]
        let truthCells: [TruthCell]?
        let predictions: [SlidePrediction]
        do {
            truth = try TruthLabelsReader.read(labelsPath)
            truthCells = try cellsPath.map { try TruthCellsReader.read($0) }
            if let results {
                predictions = try PredictionReader.read(results)
            } else {
                let truthRules = Set(truth.compactMap(\.rules))
                let ruleSet = rules.flatMap(RuleSet.init(rawValue:)) ?? (truthRules.count == 1 ? truthRules.first : nil)
                predictions = try scoreSlidesForValidation(slidesDirectory: directory, slideNames: truth.map(\.slide),
                                                           mpp: mpp, rules: ruleSet).map(SlidePrediction.init)
            }
        } catch let error as ValidationInputError {
            Output.error(error.description)
            throw ExitCodes.someInputsFailed
        } catch let error as ImageIOError {
            Output.error(error.description)
            throw ExitCodes.someInputsFailed
        }
        if truth.isEmpty { Output.warning("\(labelsPath): no slides listed") }

        let lookup = TileExtentLookup(slidesDirectory: directory)
        let validator = Validator(parameters: CellMatchingParameters(matchDistanceMicrons: matchDistanceMicrons,
                                                                     borderMarginMicrons: borderMarginMicrons), mpp: mpp)
        let report = validator.validate(
            truth: truth, truthCells: truthCells, predictions: predictions,
            inputs: .init(slidesDirectory: directory, labels: labelsPath, cells: cellsPath, results: results, mpp: mpp),
            tileExtent: { lookup.extent(slide: $0, tile: $1) })
        for warning in report.warnings { Output.warning(warning) }
        print(ValidationTable.render(report))
        if let json {
            do {
                try AtomicFile.write(try Output.json(report) + "\n", to: json)
            } catch {
                Output.error("\(error)")
                throw ExitCodes.cannotWriteOutput
            }
        }
        if !report.slides.missingPredictions.isEmpty {
            Output.error("\(report.slides.missingPredictions.count) truth slide(s) have no prediction: \(report.slides.missingPredictions.joined(separator: ", "))")
            throw ExitCodes.someInputsFailed
        }
    }
}
