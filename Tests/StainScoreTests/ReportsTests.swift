import Foundation
@testable import StainScore
import Testing

@Suite("Batch reports: CSV, identifiers, report.json, atomic streams")
struct ReportsTests {
    @Test("CSV fields are quoted only when needed; decimals are locale-free; no negative zero")
    func csv() {
        #expect(CSVFormatting.row(["a", "b,c", "say \"hi\"", " pad", "x\ny", ""]) == "a,\"b,c\",\"say \"\"hi\"\"\",\" pad\",\"x\ny\",")
        #expect(CSVFormatting.fixed(1.23456, 2) == "1.23")
        #expect(CSVFormatting.fixed(-0.001, 2) == "0.00")
        #expect(CSVFormatting.fixed(-1.5, 1) == "-1.5")
        #expect(CSVFormatting.fixed(.nan, 2) == "")
    }

    static func summary() -> SlideSummary {
        let cells = [HER2Score.three, .three, .two, .one, .zero].map { ClassifiedCell(cellClass: $0) }
        var rules = ScoringRules()
        rules.minimumTumourCells = 1  // five cells stand for a slide here
        let score = SlideScorer.score(cells, rules: rules)
        let tile = TileResult(tile: "t, 1.png", path: "/d/t, 1.png", width: 10, height: 10,
                              pixelSize: PixelSize(micronsPerPixel: 0.5, source: .pngPHYs), tissueAreaMM2: 0.5, tumourCells: 5,
                              excludedCells: 2, classCounts: score.classCounts, seconds: 1.25, error: nil)
        let failed = TileResult.failed(TileInput(path: "/d/bad.png"), message: "not a PNG, JPEG or TIFF file")
        return SlideSummary(slide: "s-1", score: score, flags: score.flags + ["tile-errors"], tiles: [tile, failed], warnings: [],
                            stains: .ruifrokJohnstonHDAB, stainSource: .parameters, cellRows: 7, analysisSeconds: 1.25, inputKey: "k")
    }

    @Test("slides.csv starts with the required columns and reads back through the prediction reader")
    func slidesCSV() throws {
        #expect(Array(SlidesCSV.columns.prefix(9)) == ["slide", "score", "category", "pct_1plus_or_more", "pct_2plus_or_more",
                                                        "pct_3plus", "h_score", "tumour_cells", "flags"])
        let s = Self.summary()
        let table = try CSVTable(text: SlidesCSV.header + "\n" + SlidesCSV.row(s) + "\n", path: "slides.csv")
        let prediction = try #require(try PredictionReader.parseSlides(table).first)
        #expect(prediction.slide == "s-1")
        #expect(prediction.score == s.score.score && prediction.category == s.score.category)
        #expect(prediction.percentThree == 40 && prediction.percentTwoPlusOrMore == 60 && prediction.percentOnePlusOrMore == 80)
        #expect(prediction.hScore == 180 && prediction.tumourCells == 5)
        #expect(prediction.flags == s.flags)
        #expect(table.rows[0].fields.count == SlidesCSV.columns.count)
        #expect(table.rows[0].fields[SlidesCSV.columns.firstIndex(of: "failed_tiles")!] == "1")
        #expect(table.rows[0].fields[SlidesCSV.columns.firstIndex(of: "reason")!] == s.score.reason)
    }

    @Test("tiles.csv: a scored tile and a failed one")
    func tilesCSV() throws {
        let s = Self.summary()
        let text = TilesCSV.header + "\n" + s.tiles.map { TilesCSV.row(slide: s.slide, tile: $0) }.joined(separator: "\n") + "\n"
        let table = try CSVTable(text: text, path: "tiles.csv")
        let column = { (name: String) in TilesCSV.columns.firstIndex(of: name)! }
        #expect(table.rows[0].fields[column("tile")] == "t, 1.png")
        #expect(table.rows[0].fields[column("mpp")] == "0.5000" && table.rows[0].fields[column("mpp_source")] == "png-phys")
        #expect(table.rows[0].fields[column("cells")] == "7" && table.rows[0].fields[column("pct_3plus")] == "40.00")
        #expect(table.rows[0].fields[column("error")] == "")
        #expect(table.rows[1].fields[column("error")] == "not a PNG, JPEG or TIFF file")
        #expect(table.rows[1].fields[column("tile")] == "bad.png")
    }

    @Test("cells.csv rows read back through the prediction reader")
    func cellsCSV() throws {
        let cell = CellMeasurement(tile: "t.png", x: 12.345, y: 6.7, kind: .excluded, cellClass: .zero,
                                   membrane: MembraneStaining(intensity: 0.31234, completeness: 0.5, longestArc: 0.25),
                                   membraneMeanOD: 0.2, membraneP90OD: 0.4, membraneThicknessMicrons: 1.5, cytoplasmOD: 0.01,
                                   nucleusAreaMicrons2: 30, cellAreaMicrons2: 150)
        let table = try CSVTable(text: CellsCSV.header + "\n" + CellsCSV.row(slide: "s", cell: cell, index: 3) + "\n", path: "cells.csv")
        let parsed = try #require(try PredictionReader.parseCells(table)["s"]?.first)
        #expect(parsed.tile == "t.png" && parsed.x == 12.35 && parsed.y == 6.7 && parsed.kind == .excluded && parsed.cellClass == .zero)
        #expect(parsed.intensity == 0.3123 && parsed.completeness == 0.5)
        #expect(table.rows[0].fields.last == CellIdentifier.uuid(slide: "s", tile: "t.png", index: 3))
    }

    @Test("cell identifiers: UUID-shaped (version 8), deterministic, distinct")
    func identifiers() throws {
        let id = CellIdentifier.uuid(slide: "s", tile: "t.png", index: 0)
        let pattern = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        #expect(id.wholeMatch(of: pattern) != nil, "\(id)")
        #expect(id == CellIdentifier.uuid(slide: "s", tile: "t.png", index: 0))
        let many = Set((0..<1000).map { CellIdentifier.uuid(slide: "s", tile: "t.png", index: $0) })
        #expect(many.count == 1000)
        #expect(CellIdentifier.uuid(slide: "s2", tile: "t.png", index: 0) != id)
        // Built from SHA-256 of the documented string.
        let digest = SHA256.hex(of: "ihc-score cell\u{0}s\u{0}t.png\u{0}0")
        #expect(id.replacingOccurrences(of: "-", with: "").dropFirst(16).prefix(0) == "" && id.prefix(8) == digest.prefix(8))
    }

    @Test("report.json streams to valid JSON with the slides between header and footer")
    func reportJSON() throws {
        let folder = TemporaryFolder()
        for count in [0, 2] {
            let path = folder.file("report-\(count).json")
            let header = ReportJSON.Header(invocation: ["ihc-score", "score"], inputs: ["in"], manifest: nil, parameters: AnalysisParameters(),
                                           options: .init(jobs: 2, resume: false, geojson: true, overlays: false, layout: "auto", mpp: nil,
                                                          overrideMpp: false, config: nil))
            let stream = try ReportJSON.Stream(path: path, header: header)
            for _ in 0..<count { try stream.append(Self.summary()) }
            #expect(!FileManager.default.fileExists(atPath: path))  // only the temporary exists until the end
            try stream.finish(ReportJSON.Footer(
                finishedAt: "now", summary: .init(slides: count, slidesScored: count, slidesResumed: 0, tiles: 2 * count, tilesFailed: count,
                                                  tumourCells: 5 * count, cells: 7 * count, scores: [:], categories: [:]),
                errors: [], timings: .init(wallSeconds: 1, cpuSeconds: 1, jobs: 2, tilesAnalysed: 0, tilesPerSecond: 0,
                                           megapixelsPerSecond: 0, peakResidentBytes: 1)))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(object["schema"] as? String == ReportJSON.schema)
            #expect((object["slides"] as? [Any])?.count == count)
            let parameters = try JSONSerialization.data(withJSONObject: object["parameters"]!)
            #expect(try JSONDecoder().decode(AnalysisParameters.self, from: parameters) == AnalysisParameters())
            if count > 0 {
                let slide = try JSONSerialization.data(withJSONObject: (object["slides"] as! [Any])[0])
                #expect(try JSONDecoder().decode(SlideSummary.self, from: slide) == Self.summary())
            }
        }
    }

    @Test("atomic streams: nothing under the final name until commit; abandon leaves the old file; stale temporaries removed")
    func atomicStreams() throws {
        let folder = TemporaryFolder()
        let path = folder.file("out.csv")
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        let stream = try AtomicStream(path: path, hashing: true)
        try stream.write("new\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(stream.sha256 == SHA256.hex(of: "new\n"))
        stream.abandon()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(!FileManager.default.fileExists(atPath: stream.temporaryPath))
        let second = try AtomicStream(path: path)
        try second.write("new\n")
        try second.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new\n")
        // Temporary names: recognised, and removed when another process left them.
        #expect(AtomicFile.temporaryOwner(of: ".cells.csv.tmp-1234-7") == 1234)
        #expect(AtomicFile.temporaryOwner(of: "cells.csv.tmp-1234-7") == nil)
        #expect(AtomicFile.temporaryOwner(of: ".cells.csv.tmp-x-7") == nil)
        try "stale".write(toFile: folder.file(".slides.csv.tmp-999999-3"), atomically: false, encoding: .utf8)
        try "stale".write(toFile: folder.file("sub/.a.geojson.tmp-999998-1").replacingOccurrences(of: "sub/", with: ""), atomically: false, encoding: .utf8)
        let mine = try AtomicStream(path: folder.file("mine.csv"))
        let removed = AtomicFile.removeStaleTemporaries(in: folder.path, recursive: false)
        #expect(Set(removed.map { URL(fileURLWithPath: $0).lastPathComponent }) == [".slides.csv.tmp-999999-3", ".a.geojson.tmp-999998-1"])
        #expect(FileManager.default.fileExists(atPath: mine.temporaryPath) && FileManager.default.fileExists(atPath: path))
        mine.abandon()
    }
}
