/// Peak finding for seeds: strict local maxima, then greedy non-maximum suppression.
public enum LocalMaxima {
    /// Pixels whose value is ≥ `threshold`, allowed by `mask` (when given), and greater than
    /// every 8-neighbour (ties broken towards the earlier pixel in row-major order); then,
    /// strongest first, a peak is kept only if no kept peak lies within `minimumDistance`
    /// pixels. Returns pixel indices in decreasing value order.
    public static func peaks(_ plane: Plane<Float>, threshold: Float, mask: Plane<UInt8>? = nil,
                             minimumDistance: Float) -> [Int] {
        let w = plane.width, h = plane.height
        var candidates: [(value: Float, index: Int)] = []
        if let mask { precondition(mask.width == w && mask.height == h) }
        guard w > 0, h > 0 else { return [] }
        let maskValues = mask?.values ?? []
        plane.values.withUnsafeBufferPointer { vb in
        maskValues.withUnsafeBufferPointer { mb in
            let v = vb.baseAddress!
            let m: UnsafePointer<UInt8>? = mask == nil ? nil : mb.baseAddress
            for y in 0..<h {
                let row = y &* w
                let interiorRow = y > 0 && y < h &- 1
                for x in 0..<w {
                    let p = row &+ x
                    let c = v[p]
                    if c < threshold { continue }
                    if let m, m[p] == 0 { continue }
                    var isPeak = true
                    if interiorRow && x > 0 && x < w &- 1 {
                        // Earlier neighbours (row-major) must be strictly lower, later ones not higher.
                        let up = p &- w, down = p &+ w
                        isPeak = v[up &- 1] < c && v[up] < c && v[up &+ 1] < c && v[p &- 1] < c
                            && v[p &+ 1] <= c && v[down &- 1] <= c && v[down] <= c && v[down &+ 1] <= c
                    } else {
                        outer: for dy in -1...1 {
                            for dx in -1...1 where dx != 0 || dy != 0 {
                                let nx = x &+ dx, ny = y &+ dy
                                if nx < 0 || ny < 0 || nx >= w || ny >= h { continue }
                                let q = ny &* w &+ nx
                                let o = v[q]
                                if o > c || (o == c && q < p) { isPeak = false; break outer }
                            }
                        }
                    }
                    if isPeak { candidates.append((c, p)) }
                }
            }
        }}
        candidates.sort { $0.value != $1.value ? $0.value > $1.value : $0.index < $1.index }
        // Greedy suppression with a grid of cell size minimumDistance.
        let cell = max(1, Int(minimumDistance.rounded(.up)))
        let gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell
        var grid = [[Int]](repeating: [], count: gw * gh)
        var kept: [Int] = []
        let limit = minimumDistance * minimumDistance
        for (_, p) in candidates {
            let x = p % w, y = p / w
            let gx = x / cell, gy = y / cell
            var free = true
            search: for ny in max(0, gy - 1)...min(gh - 1, gy + 1) {
                for nx in max(0, gx - 1)...min(gw - 1, gx + 1) {
                    for q in grid[ny * gw + nx] {
                        let dx = Float(q % w - x), dy = Float(q / w - y)
                        if dx * dx + dy * dy < limit { free = false; break search }
                    }
                }
            }
            if free {
                kept.append(p)
                grid[gy * gw + gx].append(p)
            }
        }
        return kept
    }
}
