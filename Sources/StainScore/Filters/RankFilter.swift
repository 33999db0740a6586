/// Grey-level minimum and maximum over square windows, and the opening they make.
///
/// Each filter is separable (rows, then columns) and uses the van Herk / Gil–Werman scheme:
/// per block of `2r + 1` samples, running extrema from the block's start and from its end, so a
/// window's extremum is one comparison of two prefix values — three comparisons a sample
/// whatever the radius. Windows are clipped at the image edges (only pixels inside count).
public enum RankFilter {
    /// Grey-level opening with a (2r + 1)² square: the minimum filter, then the maximum filter
    /// of that. It removes bright structures smaller than the square and keeps the slowly
    /// varying level under them, which is why it serves as a local background estimate.
    public static func opening(_ plane: Plane<Float>, radius r: Int) -> Plane<Float> {
        filter(filter(plane, radius: r, maximum: false), radius: r, maximum: true)
    }

    /// The minimum (`maximum: false`) or maximum filter over a (2r + 1)² square.
    public static func filter(_ plane: Plane<Float>, radius r: Int, maximum: Bool) -> Plane<Float> {
        let w = plane.width, h = plane.height
        guard w > 0, h > 0, r > 0 else { return plane }
        var rows = plane
        let longest = max(w, h)
        var line = [Float](repeating: 0, count: longest), out = line
        var prefix = [Float](repeating: 0, count: longest), suffix = prefix
        rows.values.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            for y in 0..<h {
                for x in 0..<w { line[x] = base[y &* w &+ x] }
                extremes(line: &line, count: w, radius: r, maximum: maximum, prefix: &prefix, suffix: &suffix, out: &out)
                for x in 0..<w { base[y &* w &+ x] = out[x] }
            }
            for x in 0..<w {
                for y in 0..<h { line[y] = base[y &* w &+ x] }
                extremes(line: &line, count: h, radius: r, maximum: maximum, prefix: &prefix, suffix: &suffix, out: &out)
                for y in 0..<h { base[y &* w &+ x] = out[y] }
            }
        }
        return rows
    }

    /// One line: `out[i]` = extremum of `line[max(0, i − r) … min(n − 1, i + r)]`.
    static func extremes(line: inout [Float], count n: Int, radius r: Int, maximum: Bool,
                         prefix: inout [Float], suffix: inout [Float], out: inout [Float]) {
        let k = 2 &* r &+ 1
        line.withUnsafeBufferPointer { lb in
        prefix.withUnsafeMutableBufferPointer { pb in
        suffix.withUnsafeMutableBufferPointer { sb in
        out.withUnsafeMutableBufferPointer { ob in
            let v = lb.baseAddress!, pre = pb.baseAddress!, suf = sb.baseAddress!, o = ob.baseAddress!
            @inline(__always) func pick(_ a: Float, _ b: Float) -> Float { maximum ? Swift.max(a, b) : Swift.min(a, b) }
            // Prefix extrema restart at every block start; suffix extrema at every block end.
            var start = 0
            while start < n {
                let end = Swift.min(n, start &+ k)
                pre[start] = v[start]
                var i = start &+ 1
                while i < end { pre[i] = pick(pre[i &- 1], v[i]); i &+= 1 }
                suf[end &- 1] = v[end &- 1]
                i = end &- 2
                while i >= start { suf[i] = pick(suf[i &+ 1], v[i]); i &-= 1 }
                start = end
            }
            // Window [a, b] with b − a + 1 ≤ k spans at most two blocks: suffix of a's block
            // (from a) and prefix of b's block (to b); within one block either covers it.
            for i in 0..<n {
                let a = Swift.max(0, i &- r), b = Swift.min(n &- 1, i &+ r)
                if a / k == b / k {
                    // Same block: the block runs further than the window on at most one side;
                    // an exact scan keeps clipped edge windows right.
                    var m = v[a]
                    var j = a &+ 1
                    while j <= b { m = pick(m, v[j]); j &+= 1 }
                    o[i] = m
                } else {
                    o[i] = pick(suf[a], pre[b])
                }
            }
        }}}}
    }
}
