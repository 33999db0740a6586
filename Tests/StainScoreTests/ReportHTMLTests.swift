import Foundation
@testable import StainScore
import Testing

@Suite("report.html: escaping, the cell histogram, size and determinism")
struct ReportHTMLTests {
    @Test("names are escaped for text and attributes; paths are percent-encoded; decimals without String(format:)")
    func escaping() {
        #expect(HTMLEscaping.escape("a&b <c> \"d\" 'e' é") == "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39; é")
        #expect(HTMLEscaping.escape("plain ≥1+") == "plain ≥1+")
        #expect(HTMLEscaping.urlPath("overlays/a b#?%/é&.png") == "overlays/a%20b%23%3F%25/%C3%A9%26.png")
        #expect(HTMLEscaping.fixed(1.25, 1) == "1.3" && HTMLEscaping.fixed(-1.25, 1) == "-1.3")
        #expect(HTMLEscaping.fixed(-0.001, 2) == "0.00" && HTMLEscaping.fixed(0.5, 0) == "1")
        #expect(HTMLEscaping.fixed(12.3456, 4) == "12.3456" && HTMLEscaping.fixed(100, 1) == "100.0")
        #expect(HTMLEscaping.fixed(0.07, 2) == "0.07" && HTMLEscaping.fixed(.nan, 2) == "–")
    }

    static func cells(_ n: Int, seed: UInt64, tile: String = "t.png") -> [CellMeasurement] {
        var random = SplitMix(seed: seed)
        return (0..<n).map { k in
            let intensity = Double(random.below(1_400_001)) / 1_000_000
            // Some values on the exact bin edges and four-decimal half-way points.
            let completeness = k % 7 == 0 ? Double(random.below(41)) * 0.025 : Double(random.below(1_000_001)) / 1_000_000 + 0.00005
            let staining = MembraneStaining(intensity: k % 11 == 0 ? 0.125 : intensity, completeness: min(1, completeness), longestArc: 0.5)
            return CellMeasurement(tile: tile, x: Double(k), y: 1, kind: k % 9 == 0 ? .excluded : .tumour,
                                   cellClass: HER2Score(rawValue: random.below(4))!, membrane: staining, membraneMeanOD: 0.1,
                                   membraneP90OD: 0.2, membraneThicknessMicrons: 1, cytoplasmOD: 0.05, nucleusAreaMicrons2: 30,
                                   cellAreaMicrons2: 120)
        }
    }

    @Test("the histogram re-read from cells.csv rows equals the one filled as the cells passed (quoted names included)")
    func histogramFromRows() throws {
        let folder = TemporaryFolder()
        let cells = Self.cells(5_000, seed: 3, tile: "t,\"1\"\n.png")
        var live = MembraneHistogram()
        var rows = CellsCSV.header + "\n"
        for (i, cell) in cells.enumerated() {
            live.add(cell)
            rows += CellsCSV.row(slide: "s, \"x\"", cell: cell, index: i) + "\n"
        }
        try folder.write(rows, to: "cells.csv")
        let reread = try MembraneHistogram(cellsCSV: folder.file("cells.csv"))
        #expect(reread == live)
        #expect(live.cells == cells.filter { $0.kind == .tumour }.count)
        #expect(live.aboveTop > 0)
        #expect(MembraneHistogram.units(0.125) == 1250 && MembraneHistogram.units(0.00005) == Int(CSVFormatting.fixed(0.00005, 4).dropFirst(2)))
        #expect(MembraneHistogram.parseUnits(Array("0.1250".utf8)[...]) == 1250)
        #expect(MembraneHistogram.parseUnits(Array("".utf8)[...]) == nil)
    }

    static func header() -> ReportJSON.Header {
        ReportJSON.Header(startedAt: Date(timeIntervalSince1970: 1_800_000_000), invocation: ["ihc-score", "score"], inputs: ["in"],
                          manifest: nil, parameters: AnalysisParameters(),
                          options: .init(jobs: 1, resume: false, geojson: true, overlays: false, layout: "auto", mpp: nil,
                                         overrideMpp: false, config: nil))
    }

    static func footer() -> ReportJSON.Footer {
        ReportJSON.Footer(finishedAt: "2027-01-15T08:00:00Z",
                          summary: .init(slides: 1, slidesScored: 1, slidesResumed: 0, tiles: 1, tilesFailed: 0, tumourCells: 1,
                                         cells: 1, scores: ["1+": 1], categories: ["low": 1]),
                          errors: [ReportJSON.Problem(path: "x<y>.png", message: "bad & broken")],
                          timings: .init(wallSeconds: 1, cpuSeconds: 1, jobs: 1, tilesAnalysed: 1, tilesPerSecond: 1,
                                         megapixelsPerSecond: 1, peakResidentBytes: 1))
    }

    /// The page of one slide holding `cells`, written through the stream as a batch writes it.
    static func page(_ cells: [CellMeasurement], folder: TemporaryFolder, name: String) throws -> String {
        var histogram = MembraneHistogram()
        for cell in cells { histogram.add(cell) }
        var summary = ReportsTests.summary()
        summary.slide = "<b>slide</b> & \"1\""
        let path = folder.file(name)
        let stream = try ReportHTML.Stream(path: path, header: header())
        try stream.append(summary, histogram: histogram) { _ in true }
        try stream.finish(footer())
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test("a slide of 100,000 cells gives a small page; the same results give the same bytes; no temporary file remains")
    func boundedAndDeterministic() throws {
        let folder = TemporaryFolder()
        let cells = Self.cells(100_000, seed: 9)
        let a = try Self.page(cells, folder: folder, name: "a.html")
        let b = try Self.page(cells, folder: folder, name: "b.html")
        #expect(a == b)
        #expect(a.utf8.count < 300_000, "\(a.utf8.count) bytes")
        let squares = a.components(separatedBy: "fill-opacity=").count - 1
        #expect(squares > 100 && squares <= MembraneHistogram.intensityBins * MembraneHistogram.completenessBins)
        #expect(a.contains("&lt;b&gt;slide&lt;/b&gt; &amp; &quot;1&quot;") && !a.contains("<b>slide</b>"))
        #expect(a.contains("x&lt;y&gt;.png") && a.contains("bad &amp; broken"))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["a.html", "b.html"])
    }

    @Test("the overlay legend: a strip below the untouched tile with each class colour; narrow images keep whole entries")
    func overlayLegend() {
        let tile = RGBImage(width: 300, height: 40, fill: (200, 180, 220))
        let out = OverlayLegend.appended(to: tile)
        #expect(out.width == 300 && out.height == 40 + OverlayLegend.stripHeight(width: 300))
        #expect(Array(out.pixels[0..<tile.pixels.count]) == tile.pixels)
        var colours = Set<[UInt8]>()
        for y in 40..<out.height { for x in 0..<out.width { let p = out[x, y]; colours.insert([p.r, p.g, p.b]) } }
        for entry in OverlayLegend.entries { #expect(colours.contains([entry.colour.0, entry.colour.1, entry.colour.2]), "\(entry.label)") }
        #expect(colours.contains([0, 0, 0]), "the labels")
        let narrow = OverlayLegend.appended(to: RGBImage(width: 40, height: 10, fill: (255, 255, 255)))
        var narrowColours = Set<[UInt8]>()
        for y in 10..<narrow.height { for x in 0..<narrow.width { let p = narrow[x, y]; narrowColours.insert([p.r, p.g, p.b]) } }
        #expect(narrowColours.contains([40, 90, 255]) && !narrowColours.contains([20, 20, 20]))
        #expect(OverlayLegend.scale(width: 2048) == 3 && OverlayLegend.scale(width: 384) == 1)
    }

    @Test("an abandoned page leaves no file")
    func abandoned() throws {
        let folder = TemporaryFolder()
        let stream = try ReportHTML.Stream(path: folder.file("report.html"), header: Self.header())
        try stream.append(ReportsTests.summary(), histogram: MembraneHistogram()) { _ in false }
        stream.abandon()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
