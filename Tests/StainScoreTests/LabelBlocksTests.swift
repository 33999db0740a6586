import Foundation
import Testing
@testable import StainScore

/// Label images held as their coarse blocks (`LabelImage(blocks:…)`, what the segmentation at
/// twice the pixel size gives): the plane made from them on demand, and the outlines and cell
/// centroids of the reports computed from the blocks, each against the same computation on the
/// pixels of `Upsample.blocks`.
@Suite("Label images held as blocks")
struct LabelBlocksTests {
    /// Coarse labels 0…3 from a seeded generator, mostly in patches (a pixel repeats its left
    /// or upper neighbour) so that regions have several components, holes, saddles and edges.
    static func coarse(width w: Int, height h: Int, seed: UInt64) -> Plane<Int32> {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        var p = Plane<Int32>(width: w, height: h, repeating: 0)
        for y in 0..<h {
            for x in 0..<w {
                let r = next() % 10
                if r < 4, x > 0 { p[x, y] = p[x - 1, y] } else if r < 7, y > 0 { p[x, y] = p[x, y - 1] } else { p[x, y] = Int32(next() % 4) }
            }
        }
        return p
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var width: Int
        var height: Int
        var factor: Int
        var testDescription: String { "\(width)×\(height), blocks of \(factor)" }
    }

    static let cases: [Case] = [
        Case(width: 16, height: 12, factor: 2), Case(width: 17, height: 13, factor: 2), Case(width: 31, height: 30, factor: 2),
        Case(width: 1, height: 1, factor: 2), Case(width: 20, height: 17, factor: 3), Case(width: 40, height: 41, factor: 4),
    ]

    static func images(_ c: Case, seed: UInt64) -> (blocks: LabelImage, plain: LabelImage) {
        let cw = (c.width + c.factor - 1) / c.factor, ch = (c.height + c.factor - 1) / c.factor
        let coarse = Self.coarse(width: cw, height: ch, seed: seed)
        let fine = Upsample.blocks(coarse, factor: c.factor, width: c.width, height: c.height)
        let count = Int(coarse.values.max() ?? 0)
        return (LabelImage(blocks: LabelBlocks(labels: coarse, factor: c.factor), width: c.width, height: c.height, count: count),
                LabelImage(labels: fine, count: count))
    }

    @Test("the plane is made from the blocks on first use, the same on every thread", arguments: cases)
    func plane(_ c: Case) {
        let (blocks, plain) = Self.images(c, seed: 3)
        #expect(blocks.width == c.width && blocks.height == c.height)
        #expect(!blocks.hasPlane)
        for y in 0..<c.height {
            for x in 0..<c.width where blocks[x, y] != plain.labels[x, y] {
                Issue.record("pixel (\(x), \(y)): \(blocks[x, y]) from the blocks, \(plain.labels[x, y]) in the plane")
            }
        }
        // Several threads asking first at once all get the one plane.
        let copies = [LabelImage](repeating: blocks, count: 4)
        let seen = Mutex4()
        DispatchQueue.concurrentPerform(iterations: 4) { i in seen.set(i, copies[i].labels) }
        for i in 0..<4 { #expect(seen.get(i) == plain.labels) }
        #expect(blocks == plain)
    }

    @Test("setting the labels drops the blocks; dropping the blocks keeps the labels")
    func setters() {
        let (blocks, plain) = Self.images(Self.cases[1], seed: 4)
        var a = blocks
        a.blocks = nil
        #expect(a.blocks == nil && a.labels == plain.labels)
        var b = blocks
        var other = plain.labels
        other[0, 0] = 9
        b.labels = other
        #expect(b.blocks == nil && b[0, 0] == 9)
    }

    @Test("outlines traced on the blocks are those traced on the pixels", arguments: cases)
    func outlines(_ c: Case) {
        var holes = 0, parted = 0
        for seed: UInt64 in 1...40 {
            let (blocks, plain) = Self.images(c, seed: seed)
            let fromBlocks = ContourTracer.Outlines(blocks), fromPixels = ContourTracer.Outlines(plain)
            let bounds = ContourTracer.bounds(of: plain)
            #expect(ContourTracer.bounds(of: blocks) == bounds, "seed \(seed): boxes from the blocks")
            #expect(!blocks.hasPlane, "seed \(seed): the boxes made the plane")
            for l in 1...max(1, plain.count) {
                let label = Int32(l)
                let expected = l <= bounds.count ? bounds[l - 1].map { ContourTracer.polygons(of: label, in: plain.labels, bounds: $0) } ?? [] : []
                #expect(fromBlocks.polygons(of: label) == expected, "seed \(seed), label \(l)")
                #expect(fromPixels.polygons(of: label) == expected, "seed \(seed), label \(l)")
                holes += expected.reduce(0) { $0 + $1.holes.count }
                parted += expected.count > 1 ? 1 : 0
            }
            #expect(fromBlocks.polygons(of: 0).isEmpty && fromBlocks.polygons(of: Int32(plain.count + 1)).isEmpty)
        }
        // The comparison means little without holes and labels of several parts.
        if c.width * c.height >= 500 { #expect(holes > 0 && parted > 0, "holes \(holes), labels in parts \(parted)") }
    }

    @Test("the pixel sums the reports find cells with are those of the pixels", arguments: cases)
    func pixelSums(_ c: Case) {
        for seed: UInt64 in 1...5 {
            let (blocks, plain) = Self.images(c, seed: seed)
            var expected = [SIMD3<Double>](repeating: .zero, count: plain.count + 1)
            for y in 0..<c.height {
                for x in 0..<c.width where plain.labels[x, y] > 0 { expected[Int(plain.labels[x, y])] += SIMD3(Double(x), Double(y), 1) }
            }
            #expect(CellLabels.pixelSums(blocks) == expected, "seed \(seed)")
            #expect(CellLabels.pixelSums(plain) == expected, "seed \(seed)")
        }
    }

    /// A synthetic tile analysed at 0.5 µm/px gives block-only cell and nucleus labels; the
    /// reports made from them equal those made from the same labels as planes.
    @Test("the GeoJSON of a tile is the same from the blocks as from the planes, and makes no plane")
    func reports() throws {
        var c = SynthesisConfiguration()
        c.seed = 12
        c.target = .three
        c.tileSize = 301
        c.tilesPerSlide = 1
        c.micronsPerPixel = 0.5
        let image = try SlideSynthesizer.slide(0, configuration: c).renderTile(0)
        let analysis = TileAnalyzer.analyze(image, name: "t.png", pixelSize: PixelSize(micronsPerPixel: 0.5, source: .user),
                                            stains: .ruifrokJohnstonHDAB, parameters: AnalysisParameters())
        #expect(analysis.cellLabels.blocks != nil && analysis.nucleusLabels.blocks != nil)
        #expect(analysis.cells.count > 10)
        let labels = CellLabels.labels(of: analysis.cells, in: analysis)
        let fromBlocks = GeoJSONWriter.featureCollection(slide: "s", cells: analysis.cells, analysis: analysis)
        // Neither the analysis nor its cell list and GeoJSON made a full-resolution plane.
        #expect(!analysis.cellLabels.hasPlane && !analysis.nucleusLabels.hasPlane)
        var plain = analysis
        plain.cellLabels.blocks = nil
        plain.nucleusLabels.blocks = nil
        #expect(plain.cellLabels.hasPlane && plain.nucleusLabels.hasPlane)
        #expect(labels == CellLabels.labels(of: analysis.cells, in: plain))
        #expect(labels.allSatisfy { $0 != nil })
        #expect(fromBlocks == GeoJSONWriter.featureCollection(slide: "s", cells: analysis.cells, analysis: plain))
        #expect(fromBlocks.contains("\"nucleusGeometry\""))
    }
}

/// Four slots written from several threads.
private final class Mutex4: @unchecked Sendable {
    private let lock = NSLock()
    private var planes = [Plane<Int32>?](repeating: nil, count: 4)
    func set(_ i: Int, _ p: Plane<Int32>) { lock.lock(); planes[i] = p; lock.unlock() }
    func get(_ i: Int) -> Plane<Int32>? { lock.lock(); defer { lock.unlock() }; return planes[i] }
}
