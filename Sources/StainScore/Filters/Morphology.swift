/// Binary morphology on masks (0 = background, anything else = foreground).
public enum Morphology {
    /// The mask with its holes filled: 1 for the foreground and for every background pixel not
    /// connected (4-connectivity) to the image border, 0 for the background that is (pale
    /// vesicular nuclei have pale centres).
    ///
    /// Works on runs, not pixels: each row's background runs are joined (union–find) to the
    /// runs of the row above that share a column with them, and a run on the border marks its
    /// set. Linear in the number of pixels, with work per run rather than per pixel beyond the
    /// one scan of the mask and the one write of the output.
    public static func fillHoles(_ mask: Plane<UInt8>) -> Plane<UInt8> {
        var out = mask
        out.values.withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] = o[i] != 0 ? 1 : 0 }
        }
        fillHolesInPlace(&out)
        return out
    }

    /// `fillHoles` in place, for a mask whose foreground is already 1: only the holes are
    /// written (set to 1), where `fillHoles` writes every pixel. Other foreground values are
    /// left as they are.
    public static func fillHolesInPlace(_ mask: inout Plane<UInt8>) {
        let w = mask.width, h = mask.height
        guard w > 0, h > 0 else { return }
        var starts: [Int32] = [], ends: [Int32] = [], rowFirst = [Int32](repeating: 0, count: h + 1)
        mask.values.withUnsafeBufferPointer { m in
            let base = m.baseAddress!
            // The runs' ends are found eight pixels at a time: the first zero (or non-zero) byte
            // of a word is the lowest flagged one, by the usual bit tricks.
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            for y in 0..<h {
                rowFirst[y] = Int32(starts.count)
                let row = base + y &* w
                @inline(__always) func word(_ x: Int) -> UInt64 { UnsafeRawPointer(row + x).loadUnaligned(as: UInt64.self) }
                var x = 0
                while x < w {
                    // Skip the foreground.
                    while x &+ 8 <= w {
                        let v = word(x)
                        let zeros = (v &- ones) & ~v & highs  // lowest set bit: the first zero byte
                        if zeros != 0 { x &+= zeros.trailingZeroBitCount >> 3; break }
                        x &+= 8
                    }
                    while x < w && row[x] != 0 { x &+= 1 }
                    if x >= w { break }
                    // A background run from x.
                    let start = x
                    while x &+ 8 <= w {
                        let v = word(x)
                        if v != 0 { x &+= v.trailingZeroBitCount >> 3; break }
                        x &+= 8
                    }
                    while x < w && row[x] == 0 { x &+= 1 }
                    starts.append(Int32(start)); ends.append(Int32(x))
                }
            }
            rowFirst[h] = Int32(starts.count)
        }
        let runs = starts.count
        guard runs > 0 else { return }
        var parent = [Int32](0..<Int32(runs))
        var border = [Bool](repeating: false, count: runs)
        parent.withUnsafeMutableBufferPointer { par in
        border.withUnsafeMutableBufferPointer { edge in
        starts.withUnsafeBufferPointer { s in
        ends.withUnsafeBufferPointer { e in
            @inline(__always) func find(_ i: Int) -> Int {
                var r = i
                while Int(par[r]) != r { r = Int(par[r]) }
                var j = i
                while Int(par[j]) != r { let next = Int(par[j]); par[j] = Int32(r); j = next }
                return r
            }
            @inline(__always) func union(_ a: Int, _ b: Int) {
                let ra = find(a), rb = find(b)
                if ra == rb { return }
                let (keep, drop) = ra < rb ? (ra, rb) : (rb, ra)
                par[drop] = Int32(keep)
                edge[keep] = edge[keep] || edge[drop]
            }
            for y in 0..<h {
                let first = Int(rowFirst[y]), last = Int(rowFirst[y &+ 1])
                for i in first..<last where y == 0 || y == h &- 1 || s[i] == 0 || Int(e[i]) == w { edge[i] = true }
                guard y > 0 else { continue }
                // Runs of two rows overlap when they share a column; walk both lists in order.
                var j = Int(rowFirst[y &- 1])
                let jLast = first
                for i in first..<last {
                    while j < jLast && e[j] <= s[i] { j &+= 1 }
                    var k = j
                    while k < jLast && s[k] < e[i] { union(i, k); k &+= 1 }
                }
            }
            for i in 0..<runs { let r = find(i); if edge[r] { edge[i] = true } }
        }}}}
        // The background runs not joined to the border are the holes.
        mask.values.withUnsafeMutableBufferPointer { o in
            for y in 0..<h {
                for i in Int(rowFirst[y])..<Int(rowFirst[y + 1]) where !border[i] {
                    (o.baseAddress! + (y &* w &+ Int(starts[i]))).update(repeating: 1, count: Int(ends[i] &- starts[i]))
                }
            }
        }
    }
}
