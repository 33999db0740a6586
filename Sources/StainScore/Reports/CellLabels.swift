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
        var sx = [Double](repeating: 0, count: n + 1), sy = sx, count = sx
        nuclei.labels.values.withUnsafeBufferPointer { v in
            for y in 0..<h {
                for x in 0..<w {
                    let l = Int(v[y &* w &+ x])
                    guard l > 0, l <= n else { continue }
                    sx[l] += Double(x); sy[l] += Double(y); count[l] += 1
                }
            }
        }
        let r = Double(max(1, analysis.reduction))
        let limit = tolerance * tolerance
        return cells.map { cell in
            let ax = (cell.x + 0.5) / r - 0.5, ay = (cell.y + 0.5) / r - 0.5
            func distance2(_ l: Int) -> Double {
                guard count[l] > 0 else { return .infinity }
                let dx = sx[l] / count[l] - ax, dy = sy[l] / count[l] - ay
                return dx * dx + dy * dy
            }
            let px = Int(ax.rounded()), py = Int(ay.rounded())
            if px >= 0, py >= 0, px < w, py < h {
                let l = Int(nuclei.labels[px, py])
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
}
