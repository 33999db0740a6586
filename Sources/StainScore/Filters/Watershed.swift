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
        let w = levels.width, h = levels.height, n = w * h
        precondition(labels.width == w && labels.height == h)
        guard n > 0 else { return }
        var next = [Int32](repeating: -1, count: n)
        var head = [Int32](repeating: -1, count: 256)
        var tail = [Int32](repeating: -1, count: 256)
        let useRadius = centres != nil && radii != nil
        let stopLevel = ridgeStop.map { Int($0) } ?? Int.max
        let centreList = centres ?? []
        let radius2 = (radii ?? []).map { $0 * $0 }
        levels.values.withUnsafeBufferPointer { lv in
            labels.values.withUnsafeMutableBufferPointer { lab in
                next.withUnsafeMutableBufferPointer { nx in
                    head.withUnsafeMutableBufferPointer { hd in
                        tail.withUnsafeMutableBufferPointer { tl in
                            centreList.withUnsafeBufferPointer { cp in
                            radius2.withUnsafeBufferPointer { rp in
                                @inline(__always) func push(_ p: Int, _ level: Int) {
                                    if tl[level] < 0 { hd[level] = Int32(p) } else { nx[Int(tl[level])] = Int32(p) }
                                    tl[level] = Int32(p)
                                }
                                // Seed: marker pixels at their own level.
                                for p in 0..<n where lab[p] > 0 { push(p, Int(lv[p])) }
                                var level = 0
                                while level < 256 {
                                    let p32 = hd[level]
                                    if p32 < 0 { level &+= 1; continue }
                                    let p = Int(p32)
                                    hd[level] = nx[p]
                                    if hd[level] < 0 { tl[level] = -1 }
                                    let label = lab[p]
                                    let x = p % w, y = p / w
                                    var cx: Float = 0, cy: Float = 0, r2: Float = .infinity
                                    if useRadius {
                                        cx = cp[Int(label) &- 1].x; cy = cp[Int(label) &- 1].y; r2 = rp[Int(label) &- 1]
                                    }
                                    // 4-neighbours in fixed order: left, right, up, down.
                                    for k in 0..<4 {
                                        var q = -1, qx = x, qy = y
                                        switch k {
                                        case 0: if x > 0 { q = p &- 1; qx = x &- 1 }
                                        case 1: if x < w &- 1 { q = p &+ 1; qx = x &+ 1 }
                                        case 2: if y > 0 { q = p &- w; qy = y &- 1 }
                                        default: if y < h &- 1 { q = p &+ w; qy = y &+ 1 }
                                        }
                                        if q < 0 || lab[q] != 0 { continue }
                                        if level >= stopLevel && Int(lv[q]) &* 2 < level { continue }
                                        if useRadius {
                                            let dx = Float(qx) - cx, dy = Float(qy) - cy
                                            if dx * dx + dy * dy > r2 { continue }
                                        }
                                        lab[q] = label
                                        push(q, max(level, Int(lv[q])))
                                    }
                                }
                            }
                            }
                        }
                    }
                }
            }
        }
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
