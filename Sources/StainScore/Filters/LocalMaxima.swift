/// Peak finding for seeds: strict local maxima, then greedy non-maximum suppression.
public enum LocalMaxima {
    /// Pixels whose value is ≥ `threshold`, allowed by `mask` (when given), and greater than
    /// every 8-neighbour (ties broken towards the earlier pixel in row-major order); then,
    /// strongest first, a peak is kept only if no kept peak lies within `minimumDistance`
    /// pixels. Returns pixel indices in decreasing value order.
    public static func peaks(_ plane: Plane<Float>, threshold: Float, mask: Plane<UInt8>? = nil,
                             minimumDistance: Float) -> [Int] {
        let w = plane.width, h = plane.height
        // One 64-bit key per candidate — the value's order reversed in the high half, the index
        // in the low half — so that sorting the keys as integers puts the strongest first, ties
        // by index (the keys are distinct: the indices are).
        var candidates: [UInt64] = []
        @inline(__always) func candidate(_ value: Float, _ index: Int) -> UInt64 {
            UInt64(~orderedBits(value)) &<< 32 | UInt64(UInt32(truncatingIfNeeded: index))
        }
        if let mask { precondition(mask.width == w && mask.height == h) }
        precondition(w * h <= Int(UInt32.max), "LocalMaxima.peaks packs pixel indices in 32 bits")
        guard w > 0, h > 0 else { return [] }
        let maskValues = mask?.values ?? []
        // Interior pixels of interior rows are tested a row at a time without a jump: the
        // test's flags first (a loop the compiler vectorises), then the rare candidates picked
        // out. Border pixels take the general test.
        var flags = [UInt8](repeating: 0, count: w)
        plane.values.withUnsafeBufferPointer { vb in
        maskValues.withUnsafeBufferPointer { mb in
        flags.withUnsafeMutableBufferPointer { fb in
            let v = vb.baseAddress!, f = fb.baseAddress!
            let m: UnsafePointer<UInt8>? = mask == nil ? nil : mb.baseAddress
            @inline(__always) func general(_ x: Int, _ y: Int) {
                let p = y &* w &+ x
                let c = v[p]
                if c < threshold { return }
                if let m, m[p] == 0 { return }
                for dy in -1...1 {
                    for dx in -1...1 where dx != 0 || dy != 0 {
                        let nx = x &+ dx, ny = y &+ dy
                        if nx < 0 || ny < 0 || nx >= w || ny >= h { continue }
                        let q = ny &* w &+ nx
                        let o = v[q]
                        if o > c || (o == c && q < p) { return }
                    }
                }
                candidates.append(candidate(c, p))
            }
            for y in 0..<h {
                guard y > 0 && y < h &- 1 && w > 2 else {
                    for x in 0..<w { general(x, y) }
                    continue
                }
                let row = y &* w
                general(0, y)
                // Earlier neighbours (row-major) must be strictly lower, later ones not higher.
                let up = v + (row &- w), mid = v + row, down = v + (row &+ w)
                for x in 1..<(w &- 1) {
                    let c = mid[x]
                    var ok: UInt8 = c >= threshold ? 1 : 0
                    ok &= up[x &- 1] < c ? 1 : 0
                    ok &= up[x] < c ? 1 : 0
                    ok &= up[x &+ 1] < c ? 1 : 0
                    ok &= mid[x &- 1] < c ? 1 : 0
                    ok &= mid[x &+ 1] <= c ? 1 : 0
                    ok &= down[x &- 1] <= c ? 1 : 0
                    ok &= down[x] <= c ? 1 : 0
                    ok &= down[x &+ 1] <= c ? 1 : 0
                    f[x] = ok
                }
                if let m {
                    for x in 1..<(w &- 1) { f[x] &= m[row &+ x] != 0 ? 1 : 0 }
                }
                // Candidates are rare: the flags are skipped eight at a time while all are 0.
                var x = 1
                while x &+ 8 <= w &- 1 {
                    if UnsafeRawPointer(f + x).loadUnaligned(as: UInt64.self) != 0 {
                        for k in x..<(x &+ 8) where f[k] != 0 { candidates.append(candidate(mid[k], row &+ k)) }
                    }
                    x &+= 8
                }
                while x < w &- 1 {
                    if f[x] != 0 { candidates.append(candidate(mid[x], row &+ x)) }
                    x &+= 1
                }
                general(w &- 1, y)
            }
        }}}
        candidates.sort()
        // Greedy suppression with a grid of cell size minimumDistance. Each grid cell lists its
        // kept peaks newest first (`head`, then `next`), their coordinates kept beside them: no
        // array per grid cell, no division per distance.
        let cell = max(1, Int(minimumDistance.rounded(.up)))
        let gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell
        var head = [Int32](repeating: -1, count: gw * gh)
        var next: [Int32] = [], keptX: [Int32] = [], keptY: [Int32] = []
        var kept: [Int] = []
        let limit = minimumDistance * minimumDistance
        for key in candidates {
            let p = Int(key & 0xFFFF_FFFF)
            let y = p / w, x = p - y * w
            let gx = x / cell, gy = y / cell
            var free = true
            search: for ny in max(0, gy - 1)...min(gh - 1, gy + 1) {
                for nx in max(0, gx - 1)...min(gw - 1, gx + 1) {
                    var q = Int(head[ny * gw + nx])
                    while q >= 0 {
                        let dx = Float(Int(keptX[q]) - x), dy = Float(Int(keptY[q]) - y)
                        if dx * dx + dy * dy < limit { free = false; break search }
                        q = Int(next[q])
                    }
                }
            }
            if free {
                let c = gy * gw + gx
                next.append(head[c])
                head[c] = Int32(kept.count)
                kept.append(p)
                keptX.append(Int32(x)); keptY.append(Int32(y))
            }
        }
        return kept
    }

    /// A value's bits as an unsigned integer that orders as the value does (not NaN; −0 as +0,
    /// which compare equal): the sign bit flipped for a value ≥ 0, all bits for one below.
    @inline(__always)
    static func orderedBits(_ v: Float) -> UInt32 {
        let bits = (v + 0).bitPattern  // −0 + 0 = +0
        return bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
    }
}
