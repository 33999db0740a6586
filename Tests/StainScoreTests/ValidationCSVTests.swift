import Foundation
import StainScore
import Testing

@Suite("Validation: CSV and truth/prediction readers")
struct ValidationCSVTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test("quoted fields: commas, doubled quotes, line breaks, CRLF, BOM, blank lines, padding")
    func quoting() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,\"two\nlines\",\r\n 3 , \"  kept  \" \n4\n"
        let t = try CSVTable(text: text, path: "q.csv")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows.map(\.fields) == [["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "  kept  ", ""], ["4", "", ""]])
        #expect(t.rows.map(\.line) == [2, 4, 6, 7])
        #expect(t.rows.count == 4)
    }

    @Test("malformed rows name the file and line")
    func errors() throws {
        func failure(_ text: String) -> ValidationInputError? {
            do { _ = try CSVTable(text: text, path: "bad.csv") } catch let e as ValidationInputError { return e } catch { return nil }
            return nil
        }
        #expect(failure("a,b\n1,\"open\n2,3\n") == ValidationInputError(path: "bad.csv", line: 2, message: "unterminated quoted field"))
        #expect(failure("a,b\n1,2\n1,2,3\n")?.line == 3)
        #expect(failure("a,b\n1,\"x\"y\n")?.description == "bad.csv:2: text after a closing quote")
        #expect(failure("a,b\n1,x\"y\n")?.line == 2)
        #expect(failure("")?.description == "bad.csv: empty file (no header row)")
        // Bad values in the truth readers.
        func labels(_ text: String) -> String? {
            do { _ = try TruthLabelsReader.parse(CSVTable(text: text, path: "labels.csv")) } catch { return "\(error)" }
            return nil
        }
        #expect(labels("slide,score\ns1,4+\n") == "labels.csv:2: score '4+' is not a HER2 score (0, 1+, 2+, 3+)")
        #expect(labels("slide,score\ns1,1+\ns1,2+\n") == "labels.csv:3: slide 's1' already listed on line 2")
        #expect(labels("slide,grade\ns1,1+\n")?.hasPrefix("labels.csv:1: no column named 'score' or 'ihc_score'") == true)
        #expect(labels("slide,score,pct_3plus\ns1,1+,abc\n") == "labels.csv:2: pct_3plus 'abc' is not a number")
        #expect(labels("slide,score,rules\ns1,1+,breast-1999\n")?.hasPrefix("labels.csv:2: rules 'breast-1999'") == true)
        #expect(labels("slide,score,category\ns1,1+,low\n") == nil)
        #expect(labels("slide,score,pct_3plus\ns1,1+,NA\n") == nil, "NA is an empty figure")
        #expect(labels("slide,score,pct_3plus\ns1,1+,inf\n") == "labels.csv:2: pct_3plus 'inf' is not a number")
        #expect(labels("file,ihc_score,note\n\"s, 1\",3+,\"µm, « quoted »\"\n") == nil, "non-ASCII inside quotes")
        do {
            _ = try TruthCellsReader.parse(CSVTable(text: "slide,tile,x,y,kind,class\ns,t.png,1,2,macrophage,0\n", path: "cells.csv"))
            Issue.record("accepted an unknown kind")
        } catch let e as ValidationInputError {
            #expect(e.line == 2 && e.message.contains("macrophage"))
        }
    }

    @Test("virtual-slide labels and cells")
    func virtualSlideTruth() throws {
        let labels = try TruthLabelsReader.parse(CSVTable(text: """
            slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,tumour_cells,rules,mpp
            vs-001,2+,equivocal,60.5,22,4,1200,breast-2018,0.5
            vs-002,0,null,0,0,0,800,gastric-resection,
            """, path: "labels.csv"))
        #expect(labels.count == 2)
        #expect(labels[0] == SlideTruth(slide: "vs-001", score: .two, category: .equivocal, percentOnePlusOrMore: 60.5,
                                        percentTwoPlusOrMore: 22, percentThree: 4, tumourCells: 1200, rules: .breast2018,
                                        mpp: 0.5, line: 2))
        #expect(labels[1].mpp == nil && labels[1].rules == .gastricResection && labels[1].category == .null)
        let cells = try TruthCellsReader.parse(CSVTable(text: """
            slide,tile,x,y,kind,class,completeness,intensity,membrane_width_um
            vs-001,tile_000_000.png,10.5,20,tumour,3,0.95,0.7,2.1
            vs-001,tile_000_000.png,30,40,lymphocyte,0,,,
            """, path: "cells.csv"))
        #expect(cells[0] == TruthCell(slide: "vs-001", tile: "tile_000_000.png", x: 10.5, y: 20, kind: .tumour, cellClass: .three,
                                      completeness: 0.95, intensity: 0.7, membraneWidthMicrons: 2.1))
        #expect(cells[1].kind == .lymphocyte && cells[1].completeness == nil)
    }

    @Test("slide-level-only labels: file,ihc_score columns found by name (the bundled fixture, quoted notes)")
    func slideLevelLabels() throws {
        let labels = try TruthLabelsReader.read(Self.packageRoot + "/fixtures/slides/real/labels.csv")
        #expect(labels.count == 5)
        #expect(labels.first?.slide == "core01-3plus-1024.png" && labels.first?.score == .three)
        #expect(labels.allSatisfy { $0.category == nil && $0.mpp == nil })
        #expect(labels.map(\.score.label) == ["3+", "2+", "1+", "0", "2+"])
    }

    @Test("results folder: slides.csv and cells.csv")
    func resultsFolder() throws {
        let dir = NSTemporaryDirectory() + "/validation-results-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            slide,score,category,pct_1plus_or_more,pct_2plus_or_more,pct_3plus,h_score,tumour_cells,flags
            "a, quoted",2+,equivocal,50,20,1,71,300,ish-reflex;borderline
            b,0,ultralow,3,0,0,3,150,
            """.write(toFile: dir + "/slides.csv", atomically: true, encoding: .utf8)
        try """
            slide,tile,x,y,kind,class,intensity,completeness
            b,t1.png,5,6,tumour,1,0.15,0.4
            b,t1.png,7,8,excluded,0,0,0
            """.write(toFile: dir + "/cells.csv", atomically: true, encoding: .utf8)
        let p = try PredictionReader.read(dir)
        #expect(p.map(\.slide) == ["a, quoted", "b"])
        #expect(p[0].flags == ["ish-reflex", "borderline"] && p[0].hScore == 71 && p[0].tumourCells == 300)
        #expect(p[0].cells == [])
        #expect(p[1].cells?.count == 2 && p[1].cells?[0].completeness == 0.4 && p[1].cells?[1].kind == .excluded)
        #expect(throws: ValidationInputError.self) { try PredictionReader.read(dir + "/nope") }
    }

    @Test("JSON of [SlideResult] reads back")
    func jsonRoundTrip() throws {
        let result = ValidationFixtures.slideResult("s1", classes: [.three, .three, .one], tileSize: (100, 80), mpp: 0.5)
        let path = NSTemporaryDirectory() + "/validation-" + UUID().uuidString + ".json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try JSONEncoder().encode([result]).write(to: URL(fileURLWithPath: path))
        let p = try PredictionReader.read(path)
        #expect(p.count == 1)
        #expect(p[0].score == result.score.score && p[0].ruleSet == .breast2018)
        #expect(p[0].cells?.count == 3 && p[0].tiles["tile.png"] == TileExtent(width: 100, height: 80, mpp: 0.5))
        try Data("{\"nope\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ValidationInputError.self) { try PredictionReader.read(path) }
    }
}

/// Builders shared by the validation tests.
enum ValidationFixtures {
    /// A scored slide with one tile `tile.png` and one tumour cell per class, placed on a row.
    static func slideResult(_ name: String, classes: [HER2Score], tileSize: (Int, Int), mpp: Double?,
                            positions: [(Double, Double)]? = nil) -> SlideResult {
        // A handful of cells stands for a slide here: the minimum count is not what these tests check.
        var rules = ScoringRules()
        rules.minimumTumourCells = 1
        let score = SlideScorer.score(classes.map { ClassifiedCell(cellClass: $0) }, rules: rules)
        let cells = classes.enumerated().map { i, c in
            let (x, y) = positions?[i] ?? (Double(20 + 10 * i), 40)
            return CellMeasurement(tile: "tile.png", x: x, y: y, kind: .tumour, cellClass: c,
                                   membrane: MembraneStaining(intensity: 0.2 * Double(c.rawValue), completeness: 0.3 * Double(c.rawValue), longestArc: 0),
                                   membraneMeanOD: 0, membraneP90OD: 0, membraneThicknessMicrons: 0.7 * Double(c.rawValue),
                                   cytoplasmOD: 0, nucleusAreaMicrons2: 50, cellAreaMicrons2: 200)
        }
        let tile = TileResult(tile: "tile.png", path: "/x/tile.png", width: tileSize.0, height: tileSize.1,
                              pixelSize: mpp.map { PixelSize(micronsPerPixel: $0, source: .user) }, tissueAreaMM2: 0.01,
                              tumourCells: classes.count, excludedCells: 0, classCounts: score.classCounts, seconds: 0, error: nil)
        return SlideResult(slide: name, score: score, tiles: [tile], cells: cells, warnings: [])
    }
}
