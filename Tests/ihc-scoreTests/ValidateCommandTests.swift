import Foundation
import StainScore
import Testing

@Suite("ihc-score validate (end to end)")
struct ValidateCommandTests {
    /// A scored slide with one 200×200 tile `t.png`: the score comes from the scorer applied to
    /// `classes`; the cells are placed at `positions`.
    static func result(_ name: String, classes: [HER2Score], positions: [(Double, Double)]) -> SlideResult {
        // A handful of cells stands for a slide here: the minimum count is not what these tests check.
        var rules = ScoringRules()
        rules.minimumTumourCells = 1
        let score = SlideScorer.score(classes.map { ClassifiedCell(cellClass: $0) }, rules: rules)
        let cells = zip(classes, positions).map { c, p in
            CellMeasurement(tile: "t.png", x: p.0, y: p.1, kind: .tumour, cellClass: c,
                            membrane: MembraneStaining(intensity: 0.6, completeness: 0.9, longestArc: 0.9), membraneMeanOD: 0.5,
                            membraneP90OD: 0.7, membraneThicknessMicrons: 2, cytoplasmOD: 0.05, nucleusAreaMicrons2: 50,
                            cellAreaMicrons2: 200)
        }
        let tile = TileResult(tile: "t.png", path: "t.png", width: 200, height: 200, pixelSize: nil, tissueAreaMM2: 0.01,
                              tumourCells: classes.count, excludedCells: 0, classCounts: score.classCounts, seconds: 0, error: nil)
        return SlideResult(slide: name, score: score, tiles: [tile], cells: cells, warnings: [])
    }

    /// Truth: vs-1 3+, vs-2 1+, vs-3 0 (mpp 0.5: margin 8 µm = 16 px, match 4 µm = 8 px).
    /// vs-1 cells: tumour 3+ at (50,50), (100,100); tumour 2+ at (150,60); tumour 3+ at (5,100)
    /// (border); a lymphocyte at (80,150).
    static func truthFolder(_ scratch: Scratch) throws -> String {
        let dir = scratch.file("truth")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
            slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp
            vs-1,3+,positive,100,100,80,4,breast-2018,0.5
            vs-2,1+,low,40,5,0,4,breast-2018,0.5
            vs-3,0,null,0,0,0,3,breast-2018,0.5

            """.write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        try """
            slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um
            vs-1,t.png,50,50,tumour,3,0.95,0.65,2.1
            vs-1,t.png,100,100,tumour,3,0.92,0.62,2.0
            vs-1,t.png,150,60,tumour,2,0.9,0.4,1.0
            vs-1,t.png,5,100,tumour,3,1,0.7,2.2
            vs-1,t.png,80,150,lymphocyte,0,,,

            """.write(toFile: dir + "/cells.csv", atomically: true, encoding: .utf8)
        return dir
    }

    /// Predictions: vs-1 3+ (cells near (50,50), (100,100), at (6,100) in the border, a stray at
    /// (170,170)); vs-2 2+; vs-3 0.
    static let predictions = [
        result("vs-1", classes: [.three, .three, .three, .three], positions: [(52, 51), (101, 99), (6, 100), (170, 170)]),
        result("vs-2", classes: [.two, .two, .two, .two], positions: [(50, 50), (60, 60), (70, 70), (80, 80)]),
        result("vs-3", classes: [.zero, .zero, .zero], positions: [(50, 50), (60, 60), (70, 70)]),
    ]

    /// Slide pairs (3+,3+), (1+,2+), (0,0):
    ///   p_o = 2/3; r = (1,1,0,1), c = (1,0,1,1); p_e = (1·1 + 1·1)/9 = 2/9; κ = (4/9)/(7/9) = 4/7 ≈ 0.571
    ///   quadratic: Σ w O = (1/9)/3 = 1/27; Σ (i−j)² r_i c_j = 13 + 6 + 10 = 29 → Σ w E = 29/81;
    ///   κ_q = 1 − (1/27)/(29/81) = 26/29 ≈ 0.897
    /// Cells of vs-1: TP 2 (both 3+→3+), FN 1 (150,60), FP 1 (170,170), border: 1 truth, 0 predictions
    /// (the (5,100)–(6,100) pair is judged by its truth cell and left out).
    static func checkReport(_ report: ValidationReport) throws {
        #expect(report.slides.scoreConfusion.counts == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 1]])
        #expect(abs(try #require(report.slides.score.kappa) - 4.0 / 7) < 1e-9)
        #expect(abs(try #require(report.slides.score.quadraticWeightedKappa) - 26.0 / 29) < 1e-9)
        #expect(report.slides.reflexTruth == 0 && report.slides.reflexPredicted == 1)
        let cells = try #require(report.cells)
        #expect(cells.matched == 2 && cells.falseNegatives == 1 && cells.falsePositives == 1)
        #expect(cells.borderExcludedTruth == 1 && cells.borderExcludedPredictions == 0)
        #expect(cells.classes.exactAgreement == 1)
        #expect(report.cellsBySlide.map(\.slide) == ["vs-1"])
    }

    @Test("--results JSON: printed table and JSON report")
    func resultsJSON() throws {
        let scratch = Scratch()
        let truth = try Self.truthFolder(scratch)
        let encoder = JSONEncoder()
        try encoder.encode(Self.predictions).write(to: URL(fileURLWithPath: scratch.file("results.json")))
        let run = try CLI.run(["validate", truth, "--results", scratch.file("results.json"), "--json", scratch.file("report.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let out = run.stdout
        #expect(out.contains("validation: 3 truth slides, 3 predicted, 3 compared"))
        #expect(out.contains("exact agreement       66.7% (2/3) slides"))
        #expect(out.contains("κ (unweighted)        0.571"))
        #expect(out.contains("κ (quadratic weights) 0.897"))
        #expect(out.contains("1+                 0  0   1   0   1"), "confusion row of truth 1+:\n\(out)")
        #expect(out.contains("category agreement: 66.7% (2/3)"))
        #expect(out.contains("ISH reflex (2+) calls: truth 0, predicted 1, both 0"))
        #expect(out.contains("detection: truth 3, predicted 3, matched 2; precision 0.667, recall 0.667, F1 0.667"))
        #expect(out.contains("left out at the border: 1 truth, 0 predicted"))
        // Percentage MAE: vs-1 |100−100|, vs-2 |40−100|, vs-3 0 → ≥1+ MAE 20.
        #expect(out.contains("percentage MAE over 3 slides (points): ≥1+ 20.00"))
        let report = try JSONDecoder().decode(ValidationReport.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.file("report.json"))))
        try Self.checkReport(report)
        #expect(report.inputs.results == scratch.file("results.json"))
        #expect(report.truthRuleSets == [.breast2018] && report.predictionRuleSets == [.breast2018])
        #expect(report.toolVersion == StainScoreVersion.version && report.parameters.borderMarginMicrons == 8)
        #expect(!FileManager.default.fileExists(atPath: scratch.file("report.json.tmp")))
    }

    @Test("--results folder (slides.csv, cells.csv): tile sizes read from the images")
    func resultsFolder() throws {
        let scratch = Scratch()
        let truth = try Self.truthFolder(scratch)
        try FileManager.default.createDirectory(atPath: truth + "/vs-1", withIntermediateDirectories: true)
        try ImageWriter.writePNG(RGBImage(width: 200, height: 200), to: truth + "/vs-1/t.png")
        let results = scratch.file("results")
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        var slides = "slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,h_score,tumour_cells,flags\n"
        var cells = "slide,tile,x,y,kind,class,intensity,completeness\n"
        for r in Self.predictions {
            let s = r.score
            slides += "\(r.slide),\(s.score.label),\(s.category.rawValue),\(s.percentages.onePlusOrMore),\(s.percentages.twoPlusOrMore),"
                + "\(s.percentages.three),\(s.hScore),\(s.tumourCells),\"\(s.flags.joined(separator: ";"))\"\n"
            for c in r.cells { cells += "\(r.slide),\(c.tile),\(c.x),\(c.y),tumour,\(c.cellClass.rawValue),0.6,0.9\n" }
        }
        try slides.write(toFile: results + "/slides.csv", atomically: true, encoding: .utf8)
        try cells.write(toFile: results + "/cells.csv", atomically: true, encoding: .utf8)
        let run = try CLI.run(["validate", truth, "--results", results, "--json", scratch.file("r.json")])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(ValidationReport.self, from: Data(contentsOf: URL(fileURLWithPath: scratch.file("r.json"))))
        try Self.checkReport(report)
        #expect(report.warnings.isEmpty, "\(report.warnings)")
    }

    @Test("exit codes: slides without images 2, bad options 64, unreadable or malformed truth 2, missing slide 2")
    func exitCodes() throws {
        let scratch = Scratch()
        let truth = try Self.truthFolder(scratch)
        // Without --results the slides are scored from SLIDES_DIR; this truth folder has no images.
        let unscored = try CLI.run(["validate", truth])
        #expect(unscored.status == 2)
        #expect(unscored.stderr.contains("no such slide folder or file; not scored"))
        #expect(try CLI.run(["validate", truth, "--match-distance-um", "0", "--results", "x"]).status == 64)
        #expect(try CLI.run(["validate", truth, "--mpp", "-1", "--results", "x"]).status == 64)
        #expect(try CLI.run(["validate"]).status == 64)

        let missing = try CLI.run(["validate", scratch.file("nowhere"), "--results", "x"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere/labels.csv: cannot read file"))

        try "slide,score\nvs-1,3+\nvs-2,5+\n".write(toFile: scratch.file("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try CLI.run(["validate", truth, "--labels", scratch.file("bad.csv"), "--results", "x"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.csv:3: score '5+' is not a HER2 score"))

        let encoder = JSONEncoder()
        try encoder.encode(Array(Self.predictions.prefix(2))).write(to: URL(fileURLWithPath: scratch.file("two.json")))
        let partial = try CLI.run(["validate", truth, "--results", scratch.file("two.json"), "--json", scratch.file("p.json")])
        #expect(partial.status == 2)
        #expect(partial.stdout.contains("missing predictions: vs-3"))
        #expect(partial.stderr.contains("1 truth slide(s) have no prediction: vs-3"))
        #expect(FileManager.default.fileExists(atPath: scratch.file("p.json")), "the report is still written")

        try "not json".write(toFile: scratch.file("junk.json"), atomically: true, encoding: .utf8)
        let junk = try CLI.run(["validate", truth, "--results", scratch.file("junk.json")])
        #expect(junk.status == 2 && junk.stderr.contains("junk.json: not a JSON array of slide results"))
    }

    @Test("slide-level labels (file, ihc_score) of the bundled fixtures")
    func slideLevelOnly() throws {
        let scratch = Scratch()
        let results = scratch.file("results")
        try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        try """
            slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,h_score,tumour_cells,flags
            core01-3plus-1024,3+,positive,95,90,85,270,900,
            core03-2plus-1024,1+,low,30,2,0,32,500,
            core05-1plus-1024,1+,low,25,1,0,26,200,
            core07-0-1024,0,null,0,0,0,0,600,
            core02-2plus-2048,2+,equivocal,60,30,2,94,1500,ish-reflex

            """.write(toFile: results + "/slides.csv", atomically: true, encoding: .utf8)
        let run = try CLI.run(["validate", "fixtures/slides/real", "--results", results])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("exact agreement       80.0% (4/5) slides"))
        #expect(run.stdout.contains("category agreement: n/a"))
        #expect(run.stdout.contains("cells: n/a"))
    }
}
