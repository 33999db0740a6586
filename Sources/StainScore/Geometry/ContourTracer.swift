/// Outlines of labelled regions along pixel edges, for GeoJSON cell and nucleus geometries.
///
/// Every side of a region pixel that borders another label becomes a directed unit edge with
/// the region on a consistent side; the edges link into closed rings. Where two region pixels
/// touch only at a corner the ring turns back into the same pixel, so each 4-connected component
/// gets its own exterior ring and no ring touches itself (valid OGC/JTS polygons). Collinear
/// points are dropped, which does not change the area: the enclosed area of a label's polygons
/// is exactly its pixel count.
public enum ContourTracer {
    /// The bounding box of every label 1…`labels.count` (index label − 1; nil when unused), in one pass
    /// — over the blocks when the labels have them (each block box scaled and cut at the image's
    /// edge), without making the plane.
    public static func bounds(of labels: LabelImage) -> [PixelRect?] {
        guard let b = labels.blocks else { return bounds(of: labels.labels, count: labels.count) }
        let f = b.factor, w = labels.width, h = labels.height
        return bounds(of: b.labels, count: labels.count).map { box in
            box.map { c in
                let x1 = Swift.min(w, (c.x + c.width) * f), y1 = Swift.min(h, (c.y + c.height) * f)
                return PixelRect(x: c.x * f, y: c.y * f, width: x1 - c.x * f, height: y1 - c.y * f)
            }
        }
    }

    /// The bounding box of every label 1…`count` of `plane` (index label − 1; nil when unused).
    static func bounds(of plane: Plane<Int32>, count n: Int) -> [PixelRect?] {
        guard n > 0 else { return [] }
        var minX = [Int](repeating: Int.max, count: n + 1), minY = minX
        var maxX = [Int](repeating: -1, count: n + 1), maxY = maxX
        let w = plane.width, h = plane.height
        plane.values.withUnsafeBufferPointer { v in
            for y in 0..<h {
                let row = y &* w
                for x in 0..<w {
                    let l = Int(v[row &+ x])
                    guard l > 0, l <= n else { continue }
                    if x < minX[l] { minX[l] = x }
                    if x > maxX[l] { maxX[l] = x }
                    if y < minY[l] { minY[l] = y }
                    if y > maxY[l] { maxY[l] = y }
                }
            }
        }
        return (1...n).map { l in
            maxX[l] < 0 ? nil : PixelRect(x: minX[l], y: minY[l], width: maxX[l] - minX[l] + 1, height: maxY[l] - minY[l] + 1)
        }
    }

    /// The polygons of `label` (one per 4-connected component, holes included) within `bounds`
    /// (which must contain every pixel of the label), in pixel-corner coordinates of the plane.
    public static func polygons(of label: Int32, in plane: Plane<Int32>, bounds: PixelRect) -> [PixelPolygon] {
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

    /// The outlines of a label image's regions, traced on its blocks when it has them (a
    /// `factor²`-th of the pixels) and scaled back, else on its pixels.
    ///
    /// The polygons are those traced on the pixels: a block's outer edges are its pixels' outer
    /// edges, collinear points are dropped, and the partial blocks at the right and bottom edges
    /// end at the image's edge. Only where a ring starts may differ — the pixel trace starts a
    /// hole at its top-left corner, the block trace where its coarse top edge ends — so the
    /// scaled rings start at their top-left corner (the smallest y, then x): an exterior does
    /// already.
    public struct Outlines: Sendable {
        let plane: Plane<Int32>
        let factor: Int
        let width: Int
        let height: Int
        /// Bounding boxes in `plane`'s pixels (index label − 1).
        let bounds: [PixelRect?]

        public init(_ labels: LabelImage) {
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

        /// The polygons of `label` in the image's pixel-corner coordinates (none when unused).
        public func polygons(of label: Int32) -> [PixelPolygon] {
            let l = Int(label)
            guard l >= 1, l <= bounds.count, let box = bounds[l - 1] else { return [] }
            let traced = ContourTracer.polygons(of: label, in: plane, bounds: box)
            guard factor > 1 else { return traced }
            let f = Double(factor), right = Double(width), bottom = Double(height)
            // Scaling and the cut keep the corners' order (no two corners meet), so the top-left
            // corner is found on the traced ring and the scaled ring written once from it.
            func scaled(_ ring: [SIMD2<Double>]) -> [SIMD2<Double>] {
                let n = ring.count - 1  // closed: the last point repeats the first
                var first = 0
                for k in 1..<n where ring[k].y < ring[first].y || (ring[k].y == ring[first].y && ring[k].x < ring[first].x) {
                    first = k
                }
                var out: [SIMD2<Double>] = []
                out.reserveCapacity(n + 1)
                for k in 0...n {
                    let p = ring[(first + k) % n]
                    out.append(SIMD2(Swift.min(p.x * f, right), Swift.min(p.y * f, bottom)))
                }
                return out
            }
            return traced.map { PixelPolygon(exterior: scaled($0.exterior), holes: $0.holes.map(scaled)) }
        }
    }
}
