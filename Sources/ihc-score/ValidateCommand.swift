import ArgumentParser
import Foundation
import StainScore

/// `ihc-score validate SLIDES_DIR`: compares scores (and cells) with truth labels.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare slide scores (and cells) with truth labels: confusion matrix, agreement, κ, recall/precision, cell detection; or detected cells with point truth.",
        discussion: """
            Truth: LABELS (default SLIDES_DIR/labels.csv) with columns slide|file and score|ihc_score, optionally \
            category, pct_1plus_or_more, pct_2plus_or_more, pct_3plus, tumour_cells, rules, mpp; CELLS (default \
            SLIDES_DIR/cells.csv when present) with slide,tile,x,y,kind,class[,completeness,intensity,membrane_width_um].
            Predictions: --results is a results folder with slides.csv [and cells.csv] (ihc-score score --out DIR) or \
            a JSON array of slide results (StainScore's SlideResult encoding); without it the slides are scored now.
            Cells: truth and predicted tumour nuclei are matched one-to-one, greedily by increasing distance, \
            within --match-distance-um; cells nearer than --border-margin-um to a tile edge are left out (a pair is \
            judged by its truth cell).
            Point truth: POINTS (--points, or by default SLIDES_DIR/points.csv or its parent folder's when no \
            labels.csv exists) with columns image,x,y,label (pixels; labels free text) instead of labels: each image \
            is paired with the scored tile of the same file stem (score with --layout files). A point is found when a \
            detected cell (tumour or excluded) lies within --match-distance-um (one-to-one, nearest pairs first); \
            points nearer than --border-margin-um to the image edge are left out. Per label: points, fraction found, \
            fraction found and called tumour. With instance masks (--instances, default the instances/ folder beside \
            POINTS: <stem>_inst.png, grey, 0 background) also precision: the share of detected cells on a truth nucleus \
            or within the match distance of a truth point. Needs --mpp unless the results give the pixel size.
            Exit code 2 when an input cannot be read or a truth slide (or image) has no prediction (the report is still printed).
            """)

    @Argument(help: "Folder of the slides (and, by default, of labels.csv and cells.csv).")
    var slidesDirectory: String

    @Option(help: "Slide-level truth CSV (default: SLIDES_DIR/labels.csv).")
    var labels: String?

    @Option(help: "Cell-level truth CSV (default: SLIDES_DIR/cells.csv when present).")
    var cells: String?

    @Option(help: "Point truth CSV, image,x,y,label (default: SLIDES_DIR/points.csv or ../points.csv when no labels.csv exists).")
    var points: String?

    @Option(help: "Instance masks for point-truth precision (default: the instances/ folder beside the points CSV, when present).")
    var instances: String?

    @Option(help: "Predictions: a results folder of ihc-score score (slides.csv, cells.csv) or a JSON file of slide results.")
    var results: String?

    @Option(help: "Pixel size in µm/px, for slides whose labels give none (point truth: for every image).")
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
        if points != nil, labels != nil || cells != nil {
            throw ValidationError("--points cannot be combined with --labels or --cells (point truth is validated on its own)")
        }
        if instances != nil, points == nil, labels != nil || cells != nil {
            throw ValidationError("--instances goes with point truth (--points), not with --labels or --cells")
        }
        if let rules, RuleSet(rawValue: rules) == nil {
            throw ValidationError("unknown --rules '\(rules)'; known: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Prints the warnings and the table, and writes the report as JSON (atomically) when asked.
    private func emit<Report: Encodable>(_ report: Report, table: String, warnings: [String]) throws {
        for warning in warnings { Output.warning(warning) }
        print(table)
        guard let json else { return }
        do {
            try AtomicFile.write(try Output.json(report) + "\n", to: json)
        } catch {
            Output.error("\(error)")
            throw ExitCodes.cannotWriteOutput
        }
    }

    func run() throws {
        let directory = slidesDirectory.hasSuffix("/") && slidesDirectory.count > 1 ? String(slidesDirectory.dropLast()) : slidesDirectory
        if let pointsPath = points ?? defaultPointsPath(directory) {
            try runPoints(directory: directory, pointsPath: pointsPath)
            return
        }
        if instances != nil { throw ValidationError("--instances goes with point truth, and no points CSV was given or found") }
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
                                                           mpp: mpp, rules: ruleSet).compactMap(SlidePrediction.init)
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
        try emit(report, table: ValidationTable.render(report), warnings: report.warnings)
        if !report.slides.missingPredictions.isEmpty {
            Output.error("\(report.slides.missingPredictions.count) truth slide(s) have no prediction: \(report.slides.missingPredictions.joined(separator: ", "))")
            throw ExitCodes.someInputsFailed
        }
    }

    /// SLIDES_DIR/points.csv or its parent's, when nothing asks for slide labels.
    func defaultPointsPath(_ directory: String) -> String? {
        guard labels == nil, cells == nil, !FileManager.default.fileExists(atPath: directory + "/labels.csv") else { return nil }
        let parent = URL(fileURLWithPath: directory).standardizedFileURL.deletingLastPathComponent().path
        return [directory + "/points.csv", (parent.hasSuffix("/") ? parent : parent + "/") + "points.csv"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Point-truth validation: recall per label, and precision where instance masks exist.
    func runPoints(directory: String, pointsPath: String) throws {
        let truth: [TruthPoint]
        let predictions: [SlidePrediction]
        var masks: InstanceMasks?
        let report: PointValidationReport
        do {
            truth = try PointTruthReader.read(pointsPath)
            if let instances {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: instances, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw ValidationInputError(path: instances, message: "no such folder (instance masks)")
                }
                masks = InstanceMasks(directory: instances)
            } else {
                let beside = URL(fileURLWithPath: pointsPath).deletingLastPathComponent().appendingPathComponent("instances").path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: beside, isDirectory: &isDirectory), isDirectory.boolValue {
                    masks = InstanceMasks(directory: beside)
                }
            }
            if let results {
                predictions = try PredictionReader.read(results)
            } else {
                var seen = Set<String>()
                let images = truth.map(\.image).filter { seen.insert($0).inserted }
                predictions = try scoreSlidesForValidation(slidesDirectory: directory, slideNames: images, mpp: mpp,
                                                           rules: rules.flatMap(RuleSet.init(rawValue:))).compactMap(SlidePrediction.init)
            }
            let lookup = TileExtentLookup(slidesDirectory: directory)
            let validator = PointValidator(parameters: CellMatchingParameters(matchDistanceMicrons: matchDistanceMicrons,
                                                                              borderMarginMicrons: borderMarginMicrons), mpp: mpp)
            report = try validator.validate(
                points: truth, predictions: predictions, instances: masks,
                inputs: .init(slidesDirectory: directory, points: pointsPath, results: results, instances: masks?.directory, mpp: mpp),
                tileExtent: { lookup.extent(slide: $0, tile: $1) })
        } catch let error as ValidationInputError {
            Output.error(error.description)
            throw ExitCodes.someInputsFailed
        } catch let error as ImageIOError {
            Output.error(error.description)
            throw ExitCodes.someInputsFailed
        }
        try emit(report, table: PointValidationTable.render(report), warnings: report.warnings)
        var failed = false
        if !report.missingPredictions.isEmpty {
            Output.error("\(report.missingPredictions.count) truth image(s) have no prediction: \(report.missingPredictions.joined(separator: ", "))")
            failed = true
        }
        if !report.notCompared.isEmpty {
            Output.error("\(report.notCompared.count) truth image(s) could not be compared: \(report.notCompared.joined(separator: ", "))")
            failed = true
        }
        if failed { throw ExitCodes.someInputsFailed }
    }
}
