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
    static func bounds(of plane: Plane<Int32>, count n: Int) -> [PixelRect?] { regions(of: plane, count: n).bounds }

    /// In one pass over `plane`, per label 1…`count` (index label − 1): its bounding box (nil
    /// when unused), its first pixel in raster order (`y · width + x`) and its top edges (sides
    /// of its pixels whose upper neighbour is another label or outside the image).
    static func regions(of plane: Plane<Int32>, count n: Int) -> (bounds: [PixelRect?], topEdges: [Int], first: [Int]) {
        guard n > 0 else { return ([], [], []) }
        // Per label: min x, min y, max x, max y, top edges, first pixel.
        var box = [Int](repeating: 0, count: 6 * (n + 1))
        let w = plane.width, h = plane.height
        box.withUnsafeMutableBufferPointer { b in
            for l in 0...n {
                b[6 &* l] = Int.max; b[6 &* l &+ 1] = Int.max; b[6 &* l &+ 2] = -1; b[6 &* l &+ 3] = -1
            }
            plane.values.withUnsafeBufferPointer { v in
                for y in 0..<h {
                    let row = y &* w
                    var x = 0
                    while x < w {
                        let l = Int(v[row &+ x])
                        guard l > 0, l <= n else { x &+= 1; continue }
                        // A run of one label updates its box once.
                        var end = x &+ 1
                        while end < w, v[row &+ end] == Int32(truncatingIfNeeded: l) { end &+= 1 }
                        let k = 6 &* l
                        if b[k &+ 3] < 0 { b[k &+ 1] = y; b[k &+ 5] = row &+ x }
                        if x < b[k] { b[k] = x }
                        if end &- 1 > b[k &+ 2] { b[k &+ 2] = end &- 1 }
                        b[k &+ 3] = y
                        if y == 0 {
                            b[k &+ 4] &+= end &- x
                        } else {
                            var tops = 0
                            let above = row &- w
                            for i in x..<end where v[above &+ i] != Int32(truncatingIfNeeded: l) { tops &+= 1 }
                            b[k &+ 4] &+= tops
                        }
                        x = end
                    }
                }
            }
        }
        var bounds: [PixelRect?] = [], tops: [Int] = [], first: [Int] = []
        bounds.reserveCapacity(n); tops.reserveCapacity(n); first.reserveCapacity(n)
        for l in 1...n {
            let k = 6 * l
            bounds.append(box[k + 2] < 0 ? nil : PixelRect(x: box[k], y: box[k + 1], width: box[k + 2] - box[k] + 1, height: box[k + 3] - box[k + 1] + 1))
            tops.append(box[k + 4])
            first.append(box[k + 5])
        }
        return (bounds, tops, first)
    }

    /// The exterior ring of `label` when the label is one 4-connected piece without holes, else
    /// nil — found by walking its border from `firstPixel` (its first pixel in raster order), so
    /// in time proportional to the border, not the area. The walk makes the choices
    /// `polygons(of:in:bounds:)` makes (region on the right; at a diagonal saddle, the turn that
    /// stays in the same pixel) and starts where that trace starts its first ring, so the ring is
    /// the same. It is accepted when it went east along all `topEdges` of the label: every other
    /// ring — of another piece, or around a hole — would go east along a top edge too.
    ///
    /// The ring's points are multiplied by `factor` and cut at `right` and `bottom` (the labels'
    /// blocks scaled back to pixels, as `Outlines` does); it starts at its top-left corner.
    /// `bounds`, the label's bounding box when known, lets a label away from the image's edges be
    /// walked without edge checks.
    static func simpleExterior(of label: Int32, in plane: Plane<Int32>, firstPixel: Int, topEdges: Int, bounds: PixelRect? = nil,
                               factor: Double = 1, right: Double = .infinity, bottom: Double = .infinity) -> [SIMD2<Double>]? {
        let w = plane.width, h = plane.height
        return plane.values.withUnsafeBufferPointer { buffer -> [SIMD2<Double>]? in
            let v = buffer.baseAddress!
            @inline(__always) func inside(_ x: Int, _ y: Int) -> Bool {
                x >= 0 && y >= 0 && x < w && y < h && v[y &* w &+ x] == label
            }
            let sx = firstPixel % w, sy = firstPixel / w
            var ring: [SIMD2<Double>] = []
            ring.reserveCapacity(32)
            @inline(__always) func corner(_ x: Int, _ y: Int) -> SIMD2<Double> {
                SIMD2(Swift.min(Double(x) * factor, right), Swift.min(Double(y) * factor, bottom))
            }
            ring.append(corner(sx, sy))
            // Along the top edge of the first pixel, eastwards.
            var x = sx &+ 1, y = sy, dx = 1, dy = 0
            var east = 1
            var steps = 0
            let limit = 4 &* plane.width &* plane.height &+ 4
            if let box = bounds, box.x > 0, box.y > 0, box.x &+ box.width < w, box.y &+ box.height < h {
                // Away from the image's edges every pixel looked at exists: the walk goes by
                // index, directions numbered east, south, west, north (a right turn adds one).
                // Vertex (x, y) is the top-left corner of pixel index y · w + x; the pixels ahead
                // on the right and on the left, and the step, per direction:
                let aheadRight = (0, -1, -w &- 1, -w), aheadLeft = (-w, 0, -1, -w &- 1), step = (1, w, -1, -w)
                @inline(__always) func pick(_ t: (Int, Int, Int, Int), _ d: Int) -> Int {
                    d == 0 ? t.0 : d == 1 ? t.1 : d == 2 ? t.2 : t.3
                }
                let stepX = (1, 0, -1, 0), stepY = (0, 1, 0, -1)
                let start = firstPixel
                var p = start &+ 1
                var d = 0
                while p != start {
                    let fr = v[p &+ pick(aheadRight, d)] == label, fl = v[p &+ pick(aheadLeft, d)] == label
                    let next = !fr ? (d &+ 1) & 3 : !fl ? d : (d &+ 3) & 3
                    if next != d { ring.append(corner(x, y)) }
                    d = next
                    if d == 0 { east &+= 1 }
                    p &+= pick(step, d)
                    x &+= pick(stepX, d)
                    y &+= pick(stepY, d)
                    steps &+= 1
                    if steps > limit { return nil }
                }
                guard east == topEdges else { return nil }
                ring.append(ring[0])
                return ring
            }
            while x != sx || y != sy {
                // The pixels ahead of vertex (x, y), on the right and on the left of the travel.
                let fr: Bool, fl: Bool
                switch (dx, dy) {
                case (1, 0): fr = inside(x, y); fl = inside(x, y &- 1)
                case (0, 1): fr = inside(x &- 1, y); fl = inside(x, y)
                case (-1, 0): fr = inside(x &- 1, y &- 1); fl = inside(x &- 1, y)
                default: fr = inside(x, y &- 1); fl = inside(x &- 1, y &- 1)
                }
                let nx: Int, ny: Int
                if !fr { nx = -dy; ny = dx }  // turn right (also at a saddle: stay in the same pixel)
                else if !fl { nx = dx; ny = dy }  // straight on
                else { nx = dy; ny = -dx }  // turn left
                if nx != dx || ny != dy {
                    ring.append(corner(x, y))
                }
                dx = nx; dy = ny
                if dx == 1 { east &+= 1 }
                x &+= dx; y &+= dy
                steps &+= 1
                if steps > limit { return nil }
            }
            guard east == topEdges else { return nil }
            ring.append(ring[0])
            return ring
        }
    }

    /// Working memory of the tracer, kept from label to label (one per thread).
    public final class Scratch {
        private var storage: UnsafeMutablePointer<Int32>
        private var capacity: Int

        public init() {
            capacity = 4096
            storage = .allocate(capacity: capacity)
        }

        deinit { storage.deallocate() }

        /// At least `count` Int32s (contents undefined), valid until the next call.
        func buffer(_ count: Int) -> UnsafeMutablePointer<Int32> {
            if count > capacity {
                storage.deallocate()
                capacity = Swift.max(count, capacity * 2)
                storage = .allocate(capacity: capacity)
            }
            return storage
        }
    }

    /// The polygons of `label` (one per 4-connected component, holes included) within `bounds`
    /// (which must contain every pixel of the label), in pixel-corner coordinates of the plane.
    public static func polygons(of label: Int32, in plane: Plane<Int32>, bounds: PixelRect) -> [PixelPolygon] {
        polygons(of: label, in: plane, bounds: bounds, scratch: Scratch())
    }

    /// `polygons(of:in:bounds:)` with the working memory of `scratch`.
    ///
    /// Edges live in flat Int32 arrays carved from the scratch (out-edges per vertex, then
    /// from/to/pixel/used per edge, then a ring's vertices), so a label costs no allocation but
    /// its rings' points.
    public static func polygons(of label: Int32, in plane: Plane<Int32>, bounds: PixelRect, scratch: Scratch) -> [PixelPolygon] {
        let w = plane.width, h = plane.height
        let bw = bounds.width, bh = bounds.height
        guard bw > 0, bh > 0 else { return [] }
        let vw = bw &+ 1
        let vertexCount = vw &* (bh &+ 1)
        let edgeCapacity = 4 &* bw &* bh
        let memory = scratch.buffer(2 &* vertexCount &+ 5 &* edgeCapacity)
        // Up to two edges leave a vertex (at a diagonal "saddle"); edges are stored by index.
        let firstOut = memory, secondOut = memory + vertexCount
        let from = secondOut + vertexCount, to = from + edgeCapacity, pixel = to + edgeCapacity
        let used = pixel + edgeCapacity, vertices = used + edgeCapacity
        firstOut.update(repeating: -1, count: 2 &* vertexCount)
        var edges = 0
        @inline(__always) func add(_ a: Int, _ b: Int, _ p: Int, _ edges: inout Int) {
            from[edges] = Int32(truncatingIfNeeded: a)
            to[edges] = Int32(truncatingIfNeeded: b)
            pixel[edges] = Int32(truncatingIfNeeded: p)
            if firstOut[a] < 0 { firstOut[a] = Int32(truncatingIfNeeded: edges) } else { secondOut[a] = Int32(truncatingIfNeeded: edges) }
            edges &+= 1
        }
        plane.values.withUnsafeBufferPointer { buffer in
            let v = buffer.baseAddress!
            for y in bounds.y..<(bounds.y &+ bh) {
                let row = v + y &* w
                let ly = y &- bounds.y
                for x in bounds.x..<(bounds.x &+ bw) where row[x] == label {
                    let lx = x &- bounds.x
                    let tl = ly &* vw &+ lx, tr = tl &+ 1, bl = tl &+ vw, br = bl &+ 1
                    let p = ly &* bw &+ lx
                    if y == 0 || row[x &- w] != label { add(tl, tr, p, &edges) }
                    if x == w &- 1 || row[x &+ 1] != label { add(tr, br, p, &edges) }
                    if y == h &- 1 || row[x &+ w] != label { add(br, bl, p, &edges) }
                    if x == 0 || row[x &- 1] != label { add(bl, tl, p, &edges) }
                }
            }
        }
        used.update(repeating: 0, count: edges)
        var exteriors: [(ring: [SIMD2<Double>], area: Double)] = []
        var holes: [(ring: [SIMD2<Double>], insidePixel: Int)] = []
        for start in 0..<edges where used[start] == 0 {
            var count = 0
            var e = start
            while used[e] == 0 {
                used[e] = 1
                vertices[count] = from[e]
                count &+= 1
                let v = Int(to[e])
                let a = Int(firstOut[v]), b = Int(secondOut[v])
                if b < 0 {
                    e = a
                } else {
                    // Saddle: continue along the same pixel, the turn whose cross product is positive.
                    let f = Int(from[e]), fa = Int(from[a]), ta = Int(to[a])
                    let dx = v % vw &- f % vw, dy = v / vw &- f / vw
                    let ax = ta % vw &- fa % vw, ay = ta / vw &- fa / vw
                    e = dx &* ay &- dy &* ax > 0 ? a : b
                }
            }
            // Keep only corners: where the direction of travel changes.
            var ring: [SIMD2<Double>] = []
            var twiceArea = 0.0
            var px = Int(vertices[count &- 1]) % vw, py = Int(vertices[count &- 1]) / vw
            var hx = Int(vertices[0]) % vw, hy = Int(vertices[0]) / vw
            for k in 0..<count {
                let next = Int(vertices[k &+ 1 == count ? 0 : k &+ 1])
                let nx = next % vw, ny = next / vw
                if hx &- px != nx &- hx || hy &- py != ny &- hy {
                    ring.append(SIMD2(Double(hx &+ bounds.x), Double(hy &+ bounds.y)))
                }
                px = hx; py = hy; hx = nx; hy = ny
            }
            guard let first = ring.first else { continue }
            ring.append(first)
            for k in 0..<(ring.count &- 1) {
                twiceArea += ring[k].x * ring[k &+ 1].y - ring[k &+ 1].x * ring[k].y
            }
            let area = twiceArea / 2
            if area > 0 {
                exteriors.append((ring, area))
            } else {
                holes.append((ring, Int(pixel[start])))
            }
        }
        if holes.isEmpty, exteriors.count == 1 { return [PixelPolygon(exterior: exteriors[0].ring)] }
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
        /// Top edges and first pixels (raster order) in `plane` (index label − 1).
        let topEdges: [Int]
        let first: [Int]

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
            (bounds, topEdges, first) = ContourTracer.regions(of: plane, count: labels.count)
        }

        /// The polygons of `label` in the image's pixel-corner coordinates (none when unused).
        public func polygons(of label: Int32) -> [PixelPolygon] {
            polygons(of: label, scratch: Scratch())
        }

        /// `polygons(of:)` with the tracer's working memory in `scratch` (one per thread).
        public func polygons(of label: Int32, scratch: Scratch) -> [PixelPolygon] {
            let l = Int(label)
            guard l >= 1, l <= bounds.count, let box = bounds[l - 1] else { return [] }
            let f = Double(factor), right = Double(width), bottom = Double(height)
            // Most labels are one piece without holes: their border is walked (and scaled as it
            // goes: the walk starts at the top-left corner); the others are traced whole.
            if let ring = ContourTracer.simpleExterior(of: label, in: plane, firstPixel: first[l - 1], topEdges: topEdges[l - 1],
                                                       bounds: box, factor: f, right: right, bottom: bottom) {
                return [PixelPolygon(exterior: ring)]
            }
            let traced = ContourTracer.polygons(of: label, in: plane, bounds: box, scratch: scratch)
            guard factor > 1 else { return traced }
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
