/// Grey-level minimum and maximum over square windows, and the opening they make.
///
/// Each filter is separable (rows, then columns) and uses the van Herk / Gil–Werman scheme:
/// per block of `2r + 1` samples, running extrema from the block's start and from its end, so a
/// window's extremum is one comparison of two prefix values — three comparisons a sample
/// whatever the radius. The column pass runs on whole rows at a time (a row of prefix extrema is
/// the element-wise extremum of two rows), so it reads memory in order and vectorises. Windows
/// are clipped at the image edges (only pixels inside count).
public enum RankFilter {
    /// Grey-level opening with a (2r + 1)² square: the minimum filter, then the maximum filter
    /// of that. It removes bright structures smaller than the square and keeps the slowly
    /// varying level under them, which is why it serves as a local background estimate.
    public static func opening(_ plane: Plane<Float>, radius r: Int) -> Plane<Float> {
        filter(filter(plane, radius: r, maximum: false), radius: r, maximum: true)
    }

    /// A background level at a quarter of the pixels: the plane's 2×2 block minima, their opening
    /// with a square of radius ⌈r/2⌉, each value spread back over its block. Never above the
    /// plane (a block's minimum is at most each of its pixels, the opening at most that); for a
    /// level smooth over 2r + 1 pixels it is the opening's value to within a block. Radii under
    /// 4 take the full-resolution opening.
    public static func openingOfMinima(_ plane: Plane<Float>, radius r: Int) -> Plane<Float> {
        let w = plane.width, h = plane.height
        guard r >= 4, w >= 2, h >= 2 else { return opening(plane, radius: r) }
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        var minima = Plane<Float>(width: cw, height: ch, repeating: 0)
        plane.values.withUnsafeBufferPointer { v in
        minima.values.withUnsafeMutableBufferPointer { m in
            for cy in 0..<ch {
                let y0 = 2 &* cy, y1 = Swift.min(h &- 1, y0 &+ 1)
                for cx in 0..<cw {
                    let x0 = 2 &* cx, x1 = Swift.min(w &- 1, x0 &+ 1)
                    m[cy &* cw &+ cx] = Swift.min(Swift.min(v[y0 &* w &+ x0], v[y0 &* w &+ x1]),
                                                  Swift.min(v[y1 &* w &+ x0], v[y1 &* w &+ x1]))
                }
            }
        }}
        let coarse = opening(minima, radius: (r + 1) / 2)
        return Plane<Float>(width: w, height: h) { out in
            coarse.values.withUnsafeBufferPointer { c in
                for y in 0..<h {
                    let row = (y >> 1) &* cw
                    for x in 0..<w { out[y &* w &+ x] = c[row &+ (x >> 1)] }
                }
            }
        }
    }

    /// The minimum (`maximum: false`) or maximum filter over a (2r + 1)² square.
    public static func filter(_ plane: Plane<Float>, radius r: Int, maximum: Bool) -> Plane<Float> {
        maximum ? separable(plane, radius: r, Max()) : separable(plane, radius: r, Min())
    }

    protocol Extremum { func callAsFunction(_ a: Float, _ b: Float) -> Float }
    struct Min: Extremum { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.min(a, b) } }
    struct Max: Extremum { @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { Swift.max(a, b) } }

    static func separable<E: Extremum>(_ plane: Plane<Float>, radius r: Int, _ pick: E) -> Plane<Float> {
        let w = plane.width, h = plane.height
        guard w > 0, h > 0, r > 0 else { return plane }
        let k = 2 &* r &+ 1
        var rows = Plane<Float>(width: w, height: h, repeating: 0)
        // Rows: prefix and suffix extrema per block of k along the row, then the windows.
        var prefix = [Float](repeating: 0, count: w), suffix = prefix
        plane.values.withUnsafeBufferPointer { src in
        rows.values.withUnsafeMutableBufferPointer { dst in
        prefix.withUnsafeMutableBufferPointer { pb in
        suffix.withUnsafeMutableBufferPointer { sb in
            let pre = pb.baseAddress!, suf = sb.baseAddress!
            for y in 0..<h {
                let v = src.baseAddress! + y &* w, o = dst.baseAddress! + y &* w
                var start = 0
                while start < w {
                    let end = Swift.min(w, start &+ k)
                    pre[start] = v[start]
                    var i = start &+ 1
                    while i < end { pre[i] = pick(pre[i &- 1], v[i]); i &+= 1 }
                    suf[end &- 1] = v[end &- 1]
                    i = end &- 2
                    while i >= start { suf[i] = pick(suf[i &+ 1], v[i]); i &-= 1 }
                    start = end
                }
                window(count: w, radius: r, pre: pre, suf: suf, out: o, pick)
            }
        }}}}
        // Columns, a whole row at a time.
        var out = Plane<Float>(width: w, height: h, repeating: 0)
        var pre = [Float](repeating: 0, count: w * h), suf = pre
        rows.values.withUnsafeBufferPointer { src in
        out.values.withUnsafeMutableBufferPointer { dst in
        pre.withUnsafeMutableBufferPointer { pb in
        suf.withUnsafeMutableBufferPointer { sb in
            let v = src.baseAddress!, p = pb.baseAddress!, s = sb.baseAddress!, o = dst.baseAddress!
            var start = 0
            while start < h {
                let end = Swift.min(h, start &+ k)
                for x in 0..<w { p[start &* w &+ x] = v[start &* w &+ x] }
                var y = start &+ 1
                while y < end {
                    let row = y &* w, up = row &- w
                    for x in 0..<w { p[row &+ x] = pick(p[up &+ x], v[row &+ x]) }
                    y &+= 1
                }
                let last = (end &- 1) &* w
                for x in 0..<w { s[last &+ x] = v[last &+ x] }
                y = end &- 2
                while y >= start {
                    let row = y &* w, down = row &+ w
                    for x in 0..<w { s[row &+ x] = pick(s[down &+ x], v[row &+ x]) }
                    y &-= 1
                }
                start = end
            }
            for y in 0..<h {
                let a = Swift.max(0, y &- r), b = Swift.min(h &- 1, y &+ r)
                let orow = o + y &* w
                if a / k != b / k {
                    let sa = s + a &* w, pbb = p + b &* w
                    for x in 0..<w { orow[x] = pick(sa[x], pbb[x]) }
                } else if a % k == 0 {  // the window starts its block: the prefix up to b
                    let pbb = p + b &* w
                    for x in 0..<w { orow[x] = pbb[x] }
                } else {  // it ends with the image, inside the last block: the suffix from a
                    let sa = s + a &* w
                    for x in 0..<w { orow[x] = sa[x] }
                }
            }
        }}}}
        return out
    }

    /// One line's windows from its block prefix and suffix extrema: `out[i]` = extremum of
    /// `values[max(0, i − r) … min(n − 1, i + r)]`.
    @inline(__always)
    static func window<E: Extremum>(count n: Int, radius r: Int, pre: UnsafePointer<Float>, suf: UnsafePointer<Float>,
                                    out: UnsafeMutablePointer<Float>, _ pick: E) {
        let k = 2 &* r &+ 1
        // A window [a, b] (b − a + 1 ≤ k) spans two blocks — the suffix of a's and the prefix of
        // b's — unless it lies in one: then it starts the block (the prefix up to b) or, clipped
        // by the line's end, ends with the last block (the suffix from a).
        var offset = 0  // a % k, kept without a division
        for i in 0..<n {
            let a = Swift.max(0, i &- r), b = Swift.min(n &- 1, i &+ r)
            if i > r { offset &+= 1; if offset == k { offset = 0 } }
            let sameBlock = b &- a &+ offset < k
            if !sameBlock { out[i] = pick(suf[a], pre[b]) }
            else if offset == 0 { out[i] = pre[b] }
            else { out[i] = suf[a] }
        }
    }
}
