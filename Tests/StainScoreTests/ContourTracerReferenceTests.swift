@testable import StainScore
import Testing

/// The pixel-edge tracer before it worked in flat scratch buffers: the oracle of the new one.
enum ReferenceTracer {
    /// The polygons of `label` (one per 4-connected component, holes included) within `bounds`
    /// (which must contain every pixel of the label), in pixel-corner coordinates of the plane.
    static func polygons(of label: Int32, in plane: Plane<Int32>, bounds: PixelRect) -> [PixelPolygon] {
        let w = plane.width, h = plane.height
        let bw = bounds.width, bh = bounds.height
        let vw = bw + 1
        // Up to two edges leave a vertex (at a diagonal "saddle"); edges are stored by index.
        var firstOut = [Int32](repeating: -1, count: vw * (bh + 1))
        var secondOut = firstOut
        var from: [Int32] = [], to: [Int32] = [], pixel: [Int32] = []
        func add(_ a: Int, _ b: Int, _ p: Int) {
            let e = Int32(from.count)
            from.append(Int32(a)); to.append(Int32(b)); pixel.append(Int32(p))
            if firstOut[a] < 0 { firstOut[a] = e } else { secondOut[a] = e }
        }
        plane.values.withUnsafeBufferPointer { v in
            for y in bounds.y..<(bounds.y + bh) {
                for x in bounds.x..<(bounds.x + bw) {
                    guard v[y &* w &+ x] == label else { continue }
                    let lx = x - bounds.x, ly = y - bounds.y
                    let tl = ly * vw + lx, tr = tl + 1, bl = tl + vw, br = bl + 1
                    let p = ly * bw + lx
                    if y == 0 || v[(y - 1) &* w &+ x] != label { add(tl, tr, p) }
                    if x == w - 1 || v[y &* w &+ x + 1] != label { add(tr, br, p) }
                    if y == h - 1 || v[(y + 1) &* w &+ x] != label { add(br, bl, p) }
                    if x == 0 || v[y &* w &+ x - 1] != label { add(bl, tl, p) }
                }
            }
        }
        var used = [Bool](repeating: false, count: from.count)
        func direction(_ e: Int) -> SIMD2<Int> {
            let a = Int(from[e]), b = Int(to[e])
            return SIMD2(b % vw - a % vw, b / vw - a / vw)
        }
        var exteriors: [(ring: [SIMD2<Double>], area: Double)] = []
        var holes: [(ring: [SIMD2<Double>], insidePixel: Int)] = []
        for start in 0..<from.count where !used[start] {
            var vertices: [Int] = []
            var e = start
            while !used[e] {
                used[e] = true
                vertices.append(Int(from[e]))
                let v = Int(to[e])
                let a = Int(firstOut[v]), b = Int(secondOut[v])
                if b < 0 {
                    e = a
                } else {
                    // Saddle: continue along the same pixel, the turn whose cross product is positive.
                    let d = direction(e), da = direction(a)
                    e = d.x * da.y - d.y * da.x > 0 ? a : b
                }
            }
            // Keep only corners.
            var ring: [SIMD2<Double>] = []
            let count = vertices.count
            for k in 0..<count {
                let prev = vertices[(k + count - 1) % count], here = vertices[k], next = vertices[(k + 1) % count]
                let d1 = SIMD2(here % vw - prev % vw, here / vw - prev / vw)
                let d2 = SIMD2(next % vw - here % vw, next / vw - here / vw)
                if d1 != d2 {
                    ring.append(SIMD2(Double(here % vw + bounds.x), Double(here / vw + bounds.y)))
                }
            }
            guard let first = ring.first else { continue }
            ring.append(first)
            let area = PixelPolygon.signedArea(ring)
            if area > 0 {
                exteriors.append((ring, area))
            } else {
                holes.append((ring, Int(pixel[start])))
            }
        }
        var polygons = exteriors.map { PixelPolygon(exterior: $0.ring) }
        for hole in holes {
            guard !polygons.isEmpty else { break }
            var owner = 0
            if polygons.count > 1 {
                // The region pixel beside the hole lies inside exactly the exteriors enclosing it: the smallest is its own.
                let p = SIMD2(Double(hole.insidePixel % bw + bounds.x) + 0.5, Double(hole.insidePixel / bw + bounds.y) + 0.5)
                var best = Double.infinity
                for (k, exterior) in exteriors.enumerated() where exterior.area < best && PixelPolygon.ring(exterior.ring, contains: p) {
                    best = exterior.area
                    owner = k
                }
            }
            polygons[owner].holes.append(hole.ring)
        }
        return polygons
    }
}

@Suite("Contour tracer: the scratch-buffer tracer against the previous one")
struct ContourTracerReferenceTests {
    @Test("every cell and nucleus label of generated tiles traces to the same polygons")
    func sameAsReference() throws {
        for seed in [5, 17] as [UInt64] {
            let analysis = try WriterFormattingTests.analysedTile(seed: seed, size: 320)
            for labels in [analysis.cellLabels, analysis.nucleusLabels] {
                let plane = labels.labels
                let bounds = ContourTracer.bounds(of: plane, count: labels.count)
                let scratch = ContourTracer.Scratch()
                var traced = 0
                for (k, box) in bounds.enumerated() {
                    guard let box else { continue }
                    let label = Int32(k + 1)
                    let reference = ReferenceTracer.polygons(of: label, in: plane, bounds: box)
                    #expect(ContourTracer.polygons(of: label, in: plane, bounds: box, scratch: scratch) == reference)
                    traced += 1
                }
                #expect(traced > 10)
                // Border walking gives the same polygons, on the pixels and on the blocks.
                let outlines = ContourTracer.Outlines(labels), reference = ReferenceOutlines(labels)
                for l in 1...labels.count { #expect(outlines.polygons(of: Int32(l)) == reference.polygons(of: Int32(l))) }
                var plain = labels
                plain.blocks = nil
                let plainOutlines = ContourTracer.Outlines(plain), plainReference = ReferenceOutlines(plain)
                for l in 1...labels.count { #expect(plainOutlines.polygons(of: Int32(l)) == plainReference.polygons(of: Int32(l))) }
            }
        }
    }

    @Test("small shapes: holes, diagonal saddles, several pieces, image edges")
    func shapes() {
        var random = WriterFormattingTests.Random(state: 11)
        for _ in 0..<3000 {
            let w = 1 + Int(random.next() % 11), h = 1 + Int(random.next() % 11)
            // Labels kept off the frame half the time, so the walk without edge checks is tried too.
            let framed = random.next() % 2 == 0
            let values = (0..<(w * h)).map { i -> Int32 in
                if framed, i % w == 0 || i % w == w - 1 || i < w || i >= w * (h - 1) { return 0 }
                return Int32(random.next() % 3)
            }
            let plane = Plane<Int32>(width: w, height: h, values: values)
            let (bounds, tops, first) = ContourTracer.regions(of: plane, count: 2)
            for (k, box) in bounds.enumerated() {
                guard let box else { continue }
                let reference = ReferenceTracer.polygons(of: Int32(k + 1), in: plane, bounds: box)
                #expect(ContourTracer.polygons(of: Int32(k + 1), in: plane, bounds: box) == reference)
                #expect(tops[k] == values.indices.filter { values[$0] == Int32(k + 1) && ($0 < w || values[$0 - w] != Int32(k + 1)) }.count)
                #expect(first[k] == values.firstIndex(of: Int32(k + 1)))
                // The border walk accepts exactly the one-piece, hole-free labels, with the same ring.
                let walked = ContourTracer.simpleExterior(of: Int32(k + 1), in: plane, firstPixel: first[k], topEdges: tops[k])
                let walkedInside = ContourTracer.simpleExterior(of: Int32(k + 1), in: plane, firstPixel: first[k], topEdges: tops[k], bounds: box)
                if reference.count == 1, reference[0].holes.isEmpty {
                    #expect(walked == reference[0].exterior)
                    #expect(walkedInside == reference[0].exterior)
                } else {
                    #expect(walked == nil)
                    #expect(walkedInside == nil)
                }
            }
        }
    }
}
