import Foundation

/// A tumour cell's membrane as 128 angular bins around its nucleus centre, each stained or not.
///
/// Arcs are laid out in **perimeter length**, not angle: the cell's outline (its Voronoi polygon
/// clipped to `maxRadius`) is ray-cast at the 128 bin centres, each bin gets the length of outline
/// it covers, and an arc of completeness `c` covers bins whose mid-length falls inside it. The
/// truth completeness is then measured back from the drawn bins (stained length / perimeter), and
/// the longest arc likewise — exactly what the rendering shows, not what was asked.
struct MembraneArcs: Sendable {
    static let binCount = 128
    static let binAngle = 2 * Double.pi / Double(binCount)

    /// Stained flag per bin; bin b covers angles [−π + b·Δ, −π + (b+1)·Δ).
    var stained: [Bool]
    /// Outline length covered by each bin (pixels).
    var binLengths: [Double]

    /// The bin of an angle in (−π, π].
    @inline(__always)
    static func bin(ofAngle theta: Double) -> Int {
        let b = Int((theta + Double.pi) / binAngle)
        return b < 0 ? 0 : (b >= binCount ? binCount - 1 : b)
    }

    /// Outline lengths per bin of tumour seed `i` of `layout`.
    static func binLengths(of i: Int, in layout: TissueLayout) -> [Double] {
        let (gx, gy) = layout.gridPosition(i)
        let neighbours = layout.neighbourhood(gx: gx, gy: gy).filter { $0 != i }
        let cx = layout.seedX[i], cy = layout.seedY[i]
        var points: [(Double, Double)] = []
        points.reserveCapacity(binCount)
        for b in 0..<binCount {
            let theta = -Double.pi + (Double(b) + 0.5) * binAngle
            let ux = cos(theta), uy = sin(theta)
            var r = layout.maxRadius[i]
            for j in neighbours {
                let dx = layout.seedX[j] - cx, dy = layout.seedY[j] - cy
                let along = ux * dx + uy * dy
                if along > 0 { r = min(r, (dx * dx + dy * dy) / (2 * along)) }
            }
            points.append((r * ux, r * uy))
        }
        func chord(_ a: Int, _ b: Int) -> Double {
            let p = points[(a + binCount) % binCount], q = points[(b + binCount) % binCount]
            return ((p.0 - q.0) * (p.0 - q.0) + (p.1 - q.1) * (p.1 - q.1)).squareRoot()
        }
        return (0..<binCount).map { (chord($0 - 1, $0) + chord($0, $0 + 1)) / 2 }
    }

    /// Lays `draw.arcCount` arcs totalling `draw.completeness` of the perimeter, separated by gaps
    /// of random lengths, starting at a random point — or, for a basolateral cell, one arc centred
    /// opposite `apicalAngle`.
    static func lay(_ draw: MembraneClassRanges.Draw, binLengths: [Double], apicalAngle: Double,
                    rng: inout SplitMix64) -> MembraneArcs {
        let total = binLengths.reduce(0, +)
        var start = [Double](repeating: 0, count: binCount + 1)
        for b in 0..<binCount { start[b + 1] = start[b] + binLengths[b] / total }
        var arcs: [(Double, Double)] = []
        let c = draw.completeness
        if draw.arcCount > 0, c > 0 {
            if c >= 1 {
                arcs = [(0, 1)]
            } else if draw.basolateral {
                var opposite = apicalAngle + Double.pi
                if opposite > Double.pi { opposite -= 2 * Double.pi }
                let b = bin(ofAngle: opposite)
                let centre = (start[b] + start[b + 1]) / 2
                arcs = [(centre - c / 2, centre + c / 2)]
            } else {
                let k = draw.arcCount
                let arcWeights = (0..<k).map { _ in 0.4 + rng.nextUnit() }, gapWeights = (0..<k).map { _ in 0.4 + rng.nextUnit() }
                let aw = arcWeights.reduce(0, +), gwSum = gapWeights.reduce(0, +)
                var position = rng.nextUnit()
                for m in 0..<k {
                    let length = c * arcWeights[m] / aw
                    arcs.append((position, position + length))
                    position += length + (1 - c) * gapWeights[m] / gwSum
                }
            }
        }
        var stained = [Bool](repeating: false, count: binCount)
        for b in 0..<binCount {
            let mid = (start[b] + start[b + 1]) / 2
            stained[b] = arcs.contains { a in
                // Arcs may wrap past 1 or start below 0.
                (mid >= a.0 && mid < a.1) || (mid + 1 >= a.0 && mid + 1 < a.1) || (mid - 1 >= a.0 && mid - 1 < a.1)
            }
        }
        return MembraneArcs(stained: stained, binLengths: binLengths)
    }

    /// Stained share of the outline length.
    var completeness: Double {
        let total = binLengths.reduce(0, +)
        guard total > 0 else { return 0 }
        return zip(stained, binLengths).reduce(0) { $0 + ($1.0 ? $1.1 : 0) } / total
    }

    /// Longest run of stained bins (circular), as a share of the outline length.
    var longestArc: Double {
        let total = binLengths.reduce(0, +)
        guard total > 0 else { return 0 }
        if stained.allSatisfy({ $0 }) { return 1 }
        var best = 0.0, run = 0.0
        for k in 0..<(2 * Self.binCount) {
            let b = k % Self.binCount
            if stained[b] { run += binLengths[b]; best = max(best, run) } else { run = 0 }
        }
        return min(1, best / total)
    }

    /// Number of separate stained arcs.
    var arcCount: Int {
        if stained.allSatisfy({ $0 }) { return 1 }
        return (0..<Self.binCount).filter { stained[$0] && !stained[($0 + Self.binCount - 1) % Self.binCount] }.count
    }
}
