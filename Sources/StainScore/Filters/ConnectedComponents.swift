/// Connected-component labelling of binary masks.
public enum ConnectedComponents {
    /// Labels the 8-connected (or 4-connected) foreground regions of `mask` (non-zero =
    /// foreground) 1…count in raster order of their first pixel; background is 0.
    ///
    /// Works on runs: each row's foreground runs are joined (union–find) to the runs of the row
    /// above that touch them — sharing a column, or, 8-connected, a corner — so large regions
    /// cost one union per run rather than per pixel. Runs are numbered in raster order and a
    /// set keeps its smallest run, so the final numbers follow the regions' first pixels.
    public static func label(_ mask: Plane<UInt8>, connectivity: Int = 8) -> (labels: Plane<Int32>, count: Int) {
        precondition(connectivity == 8 || connectivity == 4, "connectivity is 4 or 8")
        let w = mask.width, h = mask.height
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        guard w > 0, h > 0 else { return (labels, 0) }
        let reach = connectivity == 8 ? 1 : 0  // how far past its ends a run touches the row above
        // Runs: start, end (exclusive), row; the runs of row y are rowFirst[y] ..< rowFirst[y + 1].
        var starts: [Int32] = [], ends: [Int32] = []
        var rowFirst = [Int](repeating: 0, count: h + 1)
        starts.reserveCapacity(h * 4); ends.reserveCapacity(h * 4)
        mask.values.withUnsafeBufferPointer { mb in
            let m = mb.baseAddress!
            for y in 0..<h {
                rowFirst[y] = starts.count
                let row = m + y &* w
                var x = 0
                while x < w {
                    while x < w && row[x] == 0 { x &+= 1 }
                    if x == w { break }
                    let s = x
                    while x < w && row[x] != 0 { x &+= 1 }
                    starts.append(Int32(s)); ends.append(Int32(x))
                }
            }
            rowFirst[h] = starts.count
        }
        let runs = starts.count
        var parent = [Int32](unsafeUninitializedCapacity: runs) { b, c in
            for i in 0..<runs { b[i] = Int32(i) }
            c = runs
        }
        parent.withUnsafeMutableBufferPointer { pb in
        starts.withUnsafeBufferPointer { sb in
        ends.withUnsafeBufferPointer { eb in
            let p = pb.baseAddress!, s = sb.baseAddress!, e = eb.baseAddress!
            @inline(__always) func find(_ x: Int32) -> Int32 {
                var r = x
                while p[Int(r)] != r { r = p[Int(r)] }
                var c = x
                while p[Int(c)] != r { let next = p[Int(c)]; p[Int(c)] = r; c = next }
                return r
            }
            for y in 1..<max(1, h) {
                var above = rowFirst[y &- 1]
                let aboveEnd = rowFirst[y]
                for r in rowFirst[y]..<rowFirst[y &+ 1] {
                    let lo = Int(s[r]) &- reach, hi = Int(e[r]) &+ reach  // touches [lo, hi) above
                    // Skip the runs above that end before this one's reach.
                    while above < aboveEnd && Int(e[above]) <= lo { above &+= 1 }
                    var a = above
                    while a < aboveEnd && Int(s[a]) < hi {
                        let ra = find(Int32(a)), rr = find(Int32(r))
                        if ra != rr { if ra < rr { p[Int(rr)] = ra } else { p[Int(ra)] = rr } }
                        a &+= 1
                    }
                    // The last run touched may touch the next run of this row too: keep it.
                    if a > above { above = a &- 1 }
                }
            }
        }}}
        // Final numbers, then each run written.
        var final = [Int32](repeating: 0, count: runs)
        var count: Int32 = 0
        parent.withUnsafeMutableBufferPointer { pb in
            let p = pb.baseAddress!
            for i in 0..<runs {
                var r = Int32(i)
                while p[Int(r)] != r { r = p[Int(r)] }
                p[i] = r
                if r == Int32(i) { count &+= 1; final[i] = count } else { final[i] = final[Int(r)] }
            }
        }
        labels.values.withUnsafeMutableBufferPointer { lb in
        starts.withUnsafeBufferPointer { sb in
        ends.withUnsafeBufferPointer { eb in
        final.withUnsafeBufferPointer { fb in
            let l = lb.baseAddress!
            for y in 0..<h {
                let row = l + y &* w
                for r in rowFirst[y]..<rowFirst[y &+ 1] {
                    let v = fb[r]
                    for x in Int(sb[r])..<Int(eb[r]) { row[x] = v }
                }
            }
        }}}}
        return (labels, Int(count))
    }
}
