import Foundation
@testable import StainScore
import Testing

/// The writers before they formatted into byte buffers (`String(format:)` and string building),
/// kept as the oracle the new ones must match byte for byte.
enum ReferenceWriters {
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "" }
        let text = String(format: "%.\(digits)f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
        return text
    }

    static func field(_ text: String) -> String {
        let needsQuotes = text.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
            || text.first == " " || text.last == " " || text.first == "\t" || text.last == "\t"
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }

    static func uuid(slide: String, tile: String, index: Int) -> String {
        var hasher = SHA256()
        hasher.update(Array("ihc-score cell\u{0}\(slide)\u{0}\(tile)\u{0}\(index)".utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let h = Array(SHA256.hex(bytes))
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-" + String(h[20..<32])
    }

    static func cellRow(slide: String, cell c: CellMeasurement, index: Int) -> String {
        let f = fixed
        return row([
            slide, c.tile, f(c.x, 2), f(c.y, 2), c.kind.rawValue, String(c.cellClass.rawValue),
            f(c.membrane.intensity, 4), f(c.membrane.completeness, 4), f(c.membrane.longestArc, 4),
            f(c.membraneMeanOD, 4), f(c.membraneP90OD, 4), f(c.membraneThicknessMicrons, 3), f(c.cytoplasmOD, 4),
            f(c.nucleusAreaMicrons2, 2), f(c.cellAreaMicrons2, 2), c.exclusion?.rawValue ?? "",
            f(c.nucleus.hematoxylinMeanOD, 4), f(c.nucleus.hematoxylinSD, 4), f(c.nucleus.contrastOD, 4),
            f(c.nucleus.elongation, 3), f(c.nucleus.minorAxisMicrons, 2), String(c.nucleus.neighbours),
            f(c.nucleus.nearestNeighbourMicrons, 2),
            uuid(slide: slide, tile: c.tile, index: index),
        ])
    }

    static func featureCollection(slide: String, cells: [CellMeasurement], analysis: TileAnalysis) -> String {
        let labels = CellLabels.labels(of: cells, in: analysis)
        let cellOutlines = ReferenceOutlines(analysis.cellLabels)
        let nucleusOutlines = ReferenceOutlines(analysis.nucleusLabels)
        let scale = Double(max(1, analysis.reduction))
        var features: [String] = []
        for (index, cell) in cells.enumerated() {
            guard let label = labels[index] else { continue }
            let outline = cellOutlines.polygons(of: label).map { $0.scaled(by: scale) }
            guard !outline.isEmpty else { continue }
            let nucleus = nucleusOutlines.polygons(of: label).map { $0.scaled(by: scale) }
            features.append(feature(slide: slide, cell: cell, index: index, outline: outline, nucleus: nucleus))
        }
        return "{\"type\":\"FeatureCollection\",\"features\":[" + (features.isEmpty ? "" : "\n" + features.joined(separator: ",\n") + "\n")
            + "]}\n"
    }

    static func feature(slide: String, cell c: CellMeasurement, index: Int, outline: [PixelPolygon], nucleus: [PixelPolygon]) -> String {
        let colour = Overlay.colour(c.kind == .tumour ? c.cellClass : nil)
        var out = "{\"type\":\"Feature\",\"id\":\"" + uuid(slide: slide, tile: c.tile, index: index) + "\""
        out += ",\"geometry\":" + geometry(outline)
        if !nucleus.isEmpty { out += ",\"nucleusGeometry\":" + geometry(nucleus) }
        out += ",\"properties\":{\"objectType\":\"cell\",\"classification\":{\"name\":" + JSONText.string(GeoJSONWriter.className(c))
        out += ",\"color\":[\(colour.0),\(colour.1),\(colour.2)]},\"isLocked\":false,\"measurements\":{"
        let f = fixed
        let measurements: [(String, String)] = [
            ("HER2 class", String(c.kind == .tumour ? c.cellClass.rawValue : 0)),
            ("Centroid X px", f(c.x, 2)), ("Centroid Y px", f(c.y, 2)),
            ("Membrane: DAB intensity", f(c.membrane.intensity, 4)),
            ("Membrane: completeness", f(c.membrane.completeness, 4)),
            ("Membrane: longest arc", f(c.membrane.longestArc, 4)),
            ("Membrane: DAB OD mean", f(c.membraneMeanOD, 4)),
            ("Membrane: DAB OD p90", f(c.membraneP90OD, 4)),
            ("Membrane: width µm", f(c.membraneThicknessMicrons, 3)),
            ("Cytoplasm: DAB OD mean", f(c.cytoplasmOD, 4)),
            ("Nucleus: Area µm^2", f(c.nucleusAreaMicrons2, 2)),
            ("Cell: Area µm^2", f(c.cellAreaMicrons2, 2)),
        ]
        out += measurements.map { JSONText.string($0.0) + ":" + ($0.1.isEmpty ? "0" : $0.1) }.joined(separator: ",")
        out += "}}}"
        return out
    }

    static func geometry(_ polygons: [PixelPolygon]) -> String {
        func number(_ v: Double) -> String {
            if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
            return fixed(v, 3)
        }
        func ring(_ points: [SIMD2<Double>]) -> String {
            "[" + points.map { "[" + number($0.x) + "," + number($0.y) + "]" }.joined(separator: ",") + "]"
        }
        func polygon(_ p: PixelPolygon) -> String { "[" + p.rings.map(ring).joined(separator: ",") + "]" }
        if polygons.count == 1 { return "{\"type\":\"Polygon\",\"coordinates\":" + polygon(polygons[0]) + "}" }
        return "{\"type\":\"MultiPolygon\",\"coordinates\":[" + polygons.map(polygon).joined(separator: ",") + "]}"
    }
}

/// `ContourTracer.Outlines` before border walking, on the reference tracer.
struct ReferenceOutlines {
    let plane: Plane<Int32>
    let factor: Int
    let width: Int
    let height: Int
    let bounds: [PixelRect?]

    init(_ labels: LabelImage) {
        if let b = labels.blocks {
            plane = b.labels
            factor = b.factor
        } else {
            plane = labels.labels
            factor = 1
        }
        width = labels.width
        height = labels.height
        bounds = ContourTracer.bounds(of: plane, count: labels.count)
    }

    func polygons(of label: Int32) -> [PixelPolygon] {
        let l = Int(label)
        guard l >= 1, l <= bounds.count, let box = bounds[l - 1] else { return [] }
        let traced = ReferenceTracer.polygons(of: label, in: plane, bounds: box)
        guard factor > 1 else { return traced }
        let f = Double(factor), right = Double(width), bottom = Double(height)
        func scaled(_ ring: [SIMD2<Double>]) -> [SIMD2<Double>] {
            let n = ring.count - 1
            var first = 0
            for k in 1..<n where ring[k].y < ring[first].y || (ring[k].y == ring[first].y && ring[k].x < ring[first].x) { first = k }
            return (0...n).map { k in
                let p = ring[(first + k) % n]
                return SIMD2(Swift.min(p.x * f, right), Swift.min(p.y * f, bottom))
            }
        }
        return traced.map { PixelPolygon(exterior: scaled($0.exterior), holes: $0.holes.map(scaled)) }
    }
}

@Suite("Report writers: byte-buffer formatting against the String(format:) writers")
struct WriterFormattingTests {
    /// A SplitMix64 stream, so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    }

    @Test("fixed decimals equal String(format: \"%.Nf\") over random doubles, ties and edge cases")
    func fixedMatchesPrintf() {
        var random = Random(state: 32)
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, -0.125, 0.005, 0.015, 0.045, 1.0005, 2.675,
                                1e-300, -1e-300, 5e-324, 0x1p-40, 0x1p-41, 1e11, 999_999_999_999.99, 1e12, 1e13, -1e15, 1e300,
                                .infinity, -.infinity, .nan, .ulpOfOne, 0.49999999999999994, 9.995, 99.995, -0.0049, -0.005]
        for _ in 0..<40_000 {
            let kind = random.next() % 5
            let magnitude = [1.0, 10, 1000, 1e6, 1e-3][Int(kind)]
            var v = (random.unit() * 2 - 1) * magnitude
            if random.next() % 4 == 0 {
                // Exact binary fractions hit printf's ties.
                v = Double(Int64(bitPattern: random.next() % 200_000) - 100_000) / Double(1 << (random.next() % 8))
            }
            values.append(v)
            values.append(Double(bitPattern: random.next()))  // any bit pattern, NaNs and huge values included
        }
        var mismatches: [String] = []
        let out = TextBuffer(capacity: 64)
        for v in values {
            for digits in 0...6 {
                out.removeAll()
                out.appendFixed(v, digits)
                let expected = ReferenceWriters.fixed(v, digits)
                if out.string != expected, mismatches.count < 10 { mismatches.append("\(v) %.\(digits)f: \(out.string) ≠ \(expected)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test("whole numbers are spelled as %d")
    func integers() {
        let out = TextBuffer(capacity: 8)
        var random = Random(state: 7)
        var values = [0, 1, -1, 9, 10, Int.max, Int.min + 1, 1_000_000]
        for _ in 0..<2000 { values.append(Int(bitPattern: UInt(random.next() >> (random.next() % 64)))) }
        for v in values + Array(-1000...100_000) {
            out.removeAll()
            out.append(int: v)
            #expect(out.string == String(v))
        }
    }

    @Test("shortest round-trip spelling (Double.description) parses back to the same value")
    func roundTrip() {
        var random = Random(state: 99)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: random.next())
            guard v.isFinite else { continue }
            #expect(Double(v.description) == v)
        }
    }

    @Test("cell identifiers equal the per-cell SHA-256 spelling")
    func identifiers() {
        for (slide, tile) in [("s", "t.png"), ("slide ä, \"q\"", "sub/tile 01.jpg"), ("", "")] {
            for index in [0, 1, 9, 10, 123, 99_999, -1] {
                #expect(CellIdentifier.uuid(slide: slide, tile: tile, index: index) == ReferenceWriters.uuid(slide: slide, tile: tile, index: index))
            }
        }
    }

    @Test("cells.csv rows with non-finite, huge and negative values, exclusions and quoted names")
    func oddCells() {
        let values: [Double] = [.nan, .infinity, -.infinity, 1e300, -1e13, 123_456_789_012.345, -0.0001, 0.125, 2.5]
        for (k, v) in values.enumerated() {
            var cell = CellMeasurement(tile: k % 2 == 0 ? "t.png" : "a, \"b\".png", x: v, y: -v, kind: k % 3 == 0 ? .excluded : .tumour,
                                       cellClass: .two, membrane: MembraneStaining(intensity: v, completeness: 0.5, longestArc: v),
                                       membraneMeanOD: v, membraneP90OD: 0.4, membraneThicknessMicrons: v, cytoplasmOD: v,
                                       nucleusAreaMicrons2: v, cellAreaMicrons2: v)
            if k % 3 == 0 { cell.exclusion = .lymphocyte }
            cell.nucleus.hematoxylinMeanOD = v
            cell.nucleus.nearestNeighbourMicrons = v
            cell.nucleus.neighbours = -k
            for slide in ["s", " padded "] {
                #expect(CellsCSV.row(slide: slide, cell: cell, index: k) == ReferenceWriters.cellRow(slide: slide, cell: cell, index: k))
            }
            let square = [PixelPolygon(exterior: [SIMD2(1, 2), SIMD2(4, 2), SIMD2(4, 5.5), SIMD2(1, 2)])]
            let out = TextBuffer()
            GeoJSONWriter.appendFeature(cell: cell, index: k, prefix: CellIdentifier.prefix(slide: "s", tile: cell.tile),
                                        outline: square, nucleus: k % 2 == 0 ? [] : square + square, scale: 1, to: out)
            #expect(out.string == ReferenceWriters.feature(slide: "s", cell: cell, index: k, outline: square,
                                                           nucleus: k % 2 == 0 ? [] : square + square))
        }
    }

    /// A generated tile's analysis at the scale the CLI uses.
    static func analysedTile(seed: UInt64, size: Int) throws -> TileAnalysis {
        var c = SynthesisConfiguration()
        c.seed = seed
        c.target = .two
        c.tileSize = size
        c.tilesPerSlide = 1
        c.micronsPerPixel = 0.5
        let image = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        return TileAnalyzer.analyze(image, name: "sub/t 1.png", pixelSize: PixelSize(micronsPerPixel: 0.5, source: .user),
                                    stains: .ruifrokJohnstonHDAB, parameters: AnalysisParameters())
    }

    @Test("cells.csv rows and GeoJSON are byte-identical to the previous writers on generated tiles")
    func writersMatch() throws {
        for seed in [3, 41] as [UInt64] {
            let analysis = try Self.analysedTile(seed: seed, size: 384)
            #expect(analysis.cells.count > 10)
            for slide in ["s", "a, \"b\""] {
                let out = TextBuffer()
                CellsCSV.appendRows(slide: slide, cells: analysis.cells, to: out)
                let expected = analysis.cells.enumerated().map { ReferenceWriters.cellRow(slide: slide, cell: $1, index: $0) + "\n" }.joined()
                #expect(out.string == expected)
                #expect(CellsCSV.row(slide: slide, cell: analysis.cells[0], index: 0) == ReferenceWriters.cellRow(slide: slide, cell: analysis.cells[0], index: 0))
                #expect(GeoJSONWriter.featureCollection(slide: slide, cells: analysis.cells, analysis: analysis)
                    == ReferenceWriters.featureCollection(slide: slide, cells: analysis.cells, analysis: analysis))
            }
            #expect(GeoJSONWriter.featureCollection(slide: "s", cells: [], analysis: analysis)
                == ReferenceWriters.featureCollection(slide: "s", cells: [], analysis: analysis))
        }
    }
}
