/// Finds the label of each measured cell in a tile's label images, for outlines.
///
/// A cell's label is its nucleus' label (the cell territories are grown from the nuclei and keep
/// their numbers). The measured cells carry their nucleus centre in tile pixels; mapped back to
/// the analysis scale it falls on its own nucleus, whose centroid it is — checked against the
/// centroid of the label found there, with a search for the nearest centroid when the centre
/// lies off the nucleus (a crescent) or on a neighbour.
public enum CellLabels {
    /// The label of each of `cells` (nil when none matches within `tolerance` analysis pixels).
    public static func labels(of cells: [CellMeasurement], in analysis: TileAnalysis, tolerance: Double = 1.0) -> [Int32?] {
        let nuclei = analysis.nucleusLabels
        let n = nuclei.count
        guard n > 0, !cells.isEmpty else { return cells.map { _ in nil } }
        let w = nuclei.width, h = nuclei.height
        let sums = pixelSums(nuclei)
        let r = Double(max(1, analysis.reduction))
        let limit = tolerance * tolerance
        return cells.map { cell in
            let ax = (cell.x + 0.5) / r - 0.5, ay = (cell.y + 0.5) / r - 0.5
            func distance2(_ l: Int) -> Double {
                let m = sums[l]
                guard m.z > 0 else { return .infinity }
                let dx = m.x / m.z - ax, dy = m.y / m.z - ay
                return dx * dx + dy * dy
            }
            let px = Int(ax.rounded()), py = Int(ay.rounded())
            if px >= 0, py >= 0, px < w, py < h {
                let l = Int(nuclei[px, py])  // from the blocks when there are some
                if l > 0, l <= n, distance2(l) <= limit { return Int32(l) }
            }
            var best = 0
            var bestDistance = Double.infinity
            for l in 1...n {
                let d = distance2(l)
                if d < bestDistance { best = l; bestDistance = d }
            }
            return bestDistance <= limit ? Int32(best) : nil
        }
    }

    /// Per label 0…count: the sums of its pixels' x and y and its pixel count (x, y, z). They
    /// are whole numbers, so the same whatever the order they are added in — block by block
    /// when the labels are blocks (a block of columns [x0, x1) and rows [y0, y1) adds
    /// rows · Σx, columns · Σy and rows · columns).
    static func pixelSums(_ labels: LabelImage) -> [SIMD3<Double>] {
        let n = labels.count, w = labels.width, h = labels.height
        var sums = [SIMD3<Double>](repeating: .zero, count: n + 1)
        sums.withUnsafeMutableBufferPointer { s in
            if let b = labels.blocks {
                let f = b.factor, cw = b.labels.width
                b.labels.values.withUnsafeBufferPointer { v in
                    for cy in 0..<b.labels.height {
                        let y0 = cy &* f, y1 = Swift.min(h, y0 &+ f), rows = y1 &- y0
                        let sumY = (y0 &+ y1 &- 1) &* rows / 2
                        for cx in 0..<cw {
                            let l = Int(v[cy &* cw &+ cx])
                            guard l > 0, l <= n else { continue }
                            let x0 = cx &* f, x1 = Swift.min(w, x0 &+ f), columns = x1 &- x0
                            s[l] += SIMD3(Double(rows &* ((x0 &+ x1 &- 1) &* columns / 2)), Double(columns &* sumY),
                                          Double(rows &* columns))
                        }
                    }
                }
            } else {
                labels.labels.values.withUnsafeBufferPointer { v in
                    for y in 0..<h {
                        for x in 0..<w {
                            let l = Int(v[y &* w &+ x])
                            guard l > 0, l <= n else { continue }
                            s[l] += SIMD3(Double(x), Double(y), 1)
                        }
                    }
                }
            }
        }
        return sums
    }
}
