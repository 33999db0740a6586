/// Marker-controlled watershed by flooding, with a bucket queue over 256 quantised levels.
///
/// Each marker region grows into unlabelled, allowed pixels in order of increasing level;
/// within a level pixels are taken first-in first-out, so on a flat landscape the regions
/// meet half-way (a geodesic Voronoi). Every pixel is queued at most once: linear time, and
/// deterministic (fixed neighbour order, FIFO ties).
public enum Watershed {
    /// Floods `labels` (positive = marker, 0 = to fill, negative = forbidden) over `levels`.
    ///
    /// - `centres`, `radii`: when given (indexed by label − 1, in pixels), a label only claims
    ///   pixels within its radius of its centre.
    /// - `ridgeStop`: when given, a region that has climbed to a level ≥ `ridgeStop` does not
    ///   claim a pixel whose own level is below half the level it is flooding at: it does not
    ///   run down the far side of a ridge (a cell stops at its stained membrane instead of
    ///   spilling into the stroma beyond).
    public static func flood(levels: Plane<UInt8>, labels: inout Plane<Int32>,
                             centres: [SIMD2<Float>]? = nil, radii: [Float]? = nil, ridgeStop: UInt8? = nil) {
        let w = levels.width, h = levels.height
        precondition(labels.width == w && labels.height == h)
        guard w > 0, h > 0 else { return }
        // A padded grid: a forbidden one-pixel frame removes every bounds check, and each
        // queued pixel carries its coordinates, so no division is needed to find them.
        let pw = w + 2, ph = h + 2, n = pw * ph
        var lab = [Int32](repeating: -1, count: n)
        var lev = [UInt8](repeating: 255, count: n)
        var queue = BucketQueue()
        let useRadius = centres != nil && radii != nil
        let centreList = centres ?? []
        let radius2 = (radii ?? []).map { $0 * $0 }
        let stopLevel = ridgeStop.map { Int($0) } ?? Int.max
        lab.withUnsafeMutableBufferPointer { lb in
        lev.withUnsafeMutableBufferPointer { lv in
        centreList.withUnsafeBufferPointer { cp in
        radius2.withUnsafeBufferPointer { rp in
        levels.values.withUnsafeBufferPointer { src in
        labels.values.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let row = (y &+ 1) &* pw &+ 1, srow = y &* w
                for x in 0..<w {
                    let p = row &+ x
                    lb[p] = out[srow &+ x]
                    lv[p] = src[srow &+ x]
                }
            }
            // A queue entry packs x (16 bits), y (16 bits) and the label (32 bits): a pop needs
            // no memory but the pixel's neighbours.
            @inline(__always) func entry(_ x: Int, _ y: Int, _ label: Int32) -> UInt64 {
                UInt64(truncatingIfNeeded: x) | (UInt64(truncatingIfNeeded: y) << 16) | (UInt64(UInt32(bitPattern: label)) << 32)
            }
            // Seed: marker pixels at their own level, in row-major order.
            for y in 0..<h {
                let row = (y &+ 1) &* pw &+ 1
                for x in 0..<w where lb[row &+ x] > 0 { queue.push(entry(x, y, lb[row &+ x]), level: Int(lv[row &+ x])) }
            }
            var level = 0
            while level < 256 {
                guard let e = queue.pop(level: level) else {
                    queue.release(level: level)
                    level &+= 1
                    continue
                }
                let x = Int(e & 0xFFFF), y = Int((e >> 16) & 0xFFFF)
                let label = Int32(bitPattern: UInt32(truncatingIfNeeded: e >> 32))
                let p = (y &+ 1) &* pw &+ x &+ 1
                var cx: Float = 0, cy: Float = 0, r2: Float = .infinity
                if useRadius {
                    let k = Int(label) &- 1
                    cx = cp[k].x; cy = cp[k].y; r2 = rp[k]
                }
                // 4-neighbours in fixed order: left, right, up, down.
                for k in 0..<4 {
                    let q: Int, qx: Int, qy: Int
                    switch k {
                    case 0: q = p &- 1; qx = x &- 1; qy = y
                    case 1: q = p &+ 1; qx = x &+ 1; qy = y
                    case 2: q = p &- pw; qx = x; qy = y &- 1
                    default: q = p &+ pw; qx = x; qy = y &+ 1
                    }
                    if lb[q] != 0 { continue }
                    let ql = Int(lv[q])
                    if level >= stopLevel && ql &* 2 < level { continue }
                    if useRadius {
                        let dx = Float(qx) - cx, dy = Float(qy) - cy
                        if dx * dx + dy * dy > r2 { continue }
                    }
                    lb[q] = label
                    queue.push(entry(qx, qy, label), level: ql > level ? ql : level)
                }
            }
            for y in 0..<h {
                let row = (y &+ 1) &* pw &+ 1, srow = y &* w
                for x in 0..<w { out[srow &+ x] = lb[row &+ x] }
            }
        }}}}}}
    }

    /// Quantises `plane` linearly from [low, high] to 0…255 (clamped).
    public static func quantise(_ plane: Plane<Float>, low: Float, high: Float, invert: Bool = false) -> Plane<UInt8> {
        let scale = 255 / max(1e-6, high - low)
        var out = [UInt8](repeating: 0, count: plane.count)
        plane.values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var i = 0
                while i < src.count {
                    var v = (src[i] - low) * scale
                    v = min(255, max(0, v))
                    if invert { v = 255 - v }
                    dst[i] = UInt8(truncatingIfNeeded: Int32(v + 0.5))
                    i &+= 1
                }
            }
        }
        return Plane(width: plane.width, height: plane.height, values: out)
    }
}
