import Foundation
import StainScore
import Testing

@Suite("Regions of interest")
struct RegionOfInterestTests {
    /// Six drawn cells in two rows (x = 25, 60, 95; y = 25, 55) on a 120 × 80 tile at 0.5 µm/px.
    static func tile(in folder: TemporaryFolder, mpp: Double = 0.5) throws -> String {
        var cells: [DrawnCell] = []
        for y in [25.0, 55.0] {
            for x in [25.0, 60.0, 95.0] {
                cells.append(DrawnCell(x: x, y: y, nucleusRadius: 8, membraneRadius: 14, membraneOD: 0.7, gap: nil))
            }
        }
        var image = draw(cells, width: 120, height: 80)
        image.pixelSize = PixelSize(micronsPerPixel: mpp, source: .synthetic)
        let path = folder.file("t.png")
        try ImageWriter.writePNG(image, to: path)
        return path
    }

    static func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> String {
        #"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[\#(x0),\#(y0)],[\#(x1),\#(y0)],[\#(x1),\#(y1)],[\#(x0),\#(y1)],[\#(x0),\#(y0)]]]},"properties":{"objectType":"annotation"}}"#
    }

    static func analyse(_ path: String, roi: String? = nil, parameters: AnalysisParameters = AnalysisParameters()) -> AnalysedTile {
        let slide = SlideInput(name: "s", tiles: [TileInput(path: path, regionOfInterest: roi)])
        return SlideAnalyzer(parameters: parameters).analyzeTile(slide.tiles[0], of: slide, stains: .ruifrokJohnstonHDAB)
    }

    @Test("only cells whose nucleus centre is inside count; tissue only inside is measured")
    func restrictsCells() throws {
        let folder = TemporaryFolder()
        let path = try Self.tile(in: folder)
        let whole = Self.analyse(path)
        #expect(whole.result.error == nil)
        #expect(whole.cells.count == 6, "\(whole.cells.map { ($0.x, $0.y) })")
        try folder.write(Self.square(0, 0, 45, 80), to: "left.geojson")
        let left = Self.analyse(path, roi: folder.file("left.geojson"))
        // The same analysis, restricted: exactly the cells left of x = 45 (pixel centres < 44.5).
        #expect(left.cells == whole.cells.filter { $0.x < 44.5 })
        #expect(left.cells.count == 2)
        #expect(left.result.tumourCells + left.result.excludedCells == 2)
        #expect(left.result.regionOfInterest == RegionOfInterestSource(path: folder.file("left.geojson"), kind: .geojson, insidePixels: 45 * 80))
        #expect(left.result.tissueAreaMM2 > 0 && left.result.tissueAreaMM2 < whole.result.tissueAreaMM2 / 2)
        // A region covering the whole tile changes nothing.
        try folder.write(Self.square(-1, -1, 121, 81), to: "all.geojson")
        let all = Self.analyse(path, roi: folder.file("all.geojson"))
        #expect(all.cells == whole.cells)
        #expect(all.result.tissueAreaMM2 == whole.result.tissueAreaMM2)
    }

    @Test("tissue area inside a full region equals the analysis' own at a 2× reduction")
    func reducedAnalysis() throws {
        let folder = TemporaryFolder()
        let path = try Self.tile(in: folder, mpp: 0.25)
        var halved = AnalysisParameters()
        halved.analysisMicronsPerPixel = 0.5
        let whole = Self.analyse(path, parameters: halved)
        #expect(whole.analysis?.reduction == 2)
        try folder.write(Self.square(0, 0, 120, 80), to: "all.geojson")
        let all = Self.analyse(path, roi: folder.file("all.geojson"), parameters: halved)
        #expect(abs(all.result.tissueAreaMM2 - whole.result.tissueAreaMM2) < 1e-15)
        #expect(all.cells == whole.cells)
    }

    @Test("masks: non-zero is inside; the size must match the tile's")
    func masks() throws {
        let folder = TemporaryFolder()
        var pixels = [UInt8](repeating: 0, count: 4 * 3 * 3)
        for p in [0, 5, 11] { pixels[3 * p] = 255 }  // red channel only still counts
        pixels[3 * 6 + 2] = 1
        try ImageWriter.writePNG(RGBImage(width: 4, height: 3, pixels: pixels), to: folder.file("m.png"))
        let roi = try RegionOfInterest.load(folder.file("m.png"), width: 4, height: 3, reader: ImageReader())
        #expect(roi.mask.values == [1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1])
        #expect(roi.source == RegionOfInterestSource(path: folder.file("m.png"), kind: .mask, insidePixels: 4))
        #expect(roi.contains(x: 0.4, y: -0.4) && !roi.contains(x: 0.6, y: 0) && roi.contains(x: 2.2, y: 1.3))
        #expect(!roi.contains(x: -0.6, y: 0) && !roi.contains(x: 4, y: 2))
        #expect(throws: InputError.self) { try RegionOfInterest.load(folder.file("m.png"), width: 5, height: 3, reader: ImageReader()) }
    }

    @Test("a bad region-of-interest file makes its tile an error naming the file")
    func badFile() throws {
        let folder = TemporaryFolder()
        let path = try Self.tile(in: folder)
        try folder.write("{\"type\": \"FeatureCollection\", \"features\": []}", to: "t.geojson")
        let tile = Self.analyse(path, roi: folder.file("t.geojson"))
        #expect(tile.result.error == folder.file("t.geojson") + ": no Polygon or MultiPolygon annotation found")
        #expect(tile.cells.isEmpty)
    }
}
