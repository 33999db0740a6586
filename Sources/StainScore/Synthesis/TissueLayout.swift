import Foundation

/// What a Voronoi seed of the tissue grid stands for.
enum SeedKind: UInt8, Sendable {
    case tumour, stroma, lumen, glass
}

/// One nucleus, as drawn: an ellipse with a little harmonic wobble, in tile pixels.
struct NucleusShape: Sendable {
    var x: Double
    var y: Double
    var semiMajor: Double
    var semiMinor: Double
    var angle: Double
    /// Mean hematoxylin OD.
    var h: Double
    /// Radial wobble: r(θ) ∝ 1 + a2·cos(2θ+p2) + a3·cos(3θ+p3).
    var a2 = 0.0, p2 = 0.0, a3 = 0.0, p3 = 0.0
    /// Extra H at the rim (vesicular chromatin) and in up to two nucleoli (dx, dy, radius px).
    var rimH = 0.0
    var nucleoli: [(Double, Double, Double)] = []
    /// Chromatin texture amplitude (0 = smooth).
    var texture = 0.3
    /// Realistic style: rim width (px), nucleolus OD, coarse chromatin clumping and the share of
    /// the OD left visible under intense DAB (1 = all).
    var rimWidth = 0.0
    var nucleolusH = 0.0
    var clumping = 0.0
    var visible = 1.0
}

/// The geometry of one tile: a jittered grid of Voronoi seeds, each tumour, stroma, lumen or glass,
/// plus the nuclei drawn on them.
///
/// **Cells.** Tumour cells are the Voronoi regions of the tumour seeds (the nucleus centres), clipped
/// to a disc of `maxRadius` around the centre. Because stroma, lumen and glass are seeds too, a
/// nest's outline is made of cell edges, and every membrane — between two tumour cells or between
/// a tumour cell and its surroundings — is a straight bisector whose distance to a pixel is exact:
/// `(d_j² − d_i²) / (2·|s_j − s_i|)`. Seeds lie in the grid cells of side `spacing` (jitter ±30%,
/// neighbours at least 0.75 spacing apart), so a pixel's nearest seed and every membrane within
/// reach lie in the 3×3 grid neighbourhood.
struct TissueLayout: Sendable {
    let width: Int
    let height: Int
    let micronsPerPixel: Double
    /// Grid side in pixels.
    let spacing: Double
    /// Grid cells, including `margin` cells beyond each tile edge.
    let gridWidth: Int
    let gridHeight: Int
    static let margin = 2
    var seedX: [Double]
    var seedY: [Double]
    var kind: [SeedKind]
    /// Clip radius of each tumour cell, px (0 for other seeds).
    var maxRadius: [Double]
    /// Class field value of each seed, 0…1 (decides the clonal class order).
    var classField: [Double]
    /// Tumour nucleus per seed (meaningful for tumour seeds only).
    var nuclei: [NucleusShape]
    var fibroblasts: [NucleusShape]
    var lymphocytes: [NucleusShape]
    /// For each tumour seed, the direction (radians) of its free/apical side: towards its nearest
    /// non-tumour neighbour (lumen first), used for basolateral arcs.
    var apicalAngle: [Double]
    /// The tile's architecture (realistic style; classic tiles are all `.solid`).
    var architecture: TissueArchitecture = .solid

    func seedIndex(gx: Int, gy: Int) -> Int { (gy + Self.margin) * gridWidth + gx + Self.margin }

    /// Grid coordinates of a seed index.
    func gridPosition(_ i: Int) -> (gx: Int, gy: Int) { (i % gridWidth - Self.margin, i / gridWidth - Self.margin) }

    /// Whether seed `i` has its centre inside the tile.
    func isInTile(_ i: Int) -> Bool {
        seedX[i] >= 0 && seedX[i] < Double(width) && seedY[i] >= 0 && seedY[i] < Double(height)
    }

    /// Indices of the (up to 9) seeds of the 3×3 grid neighbourhood of grid cell (gx, gy).
    func neighbourhood(gx: Int, gy: Int) -> [Int] {
        var out: [Int] = []
        for dy in -1...1 {
            for dx in -1...1 {
                let x = gx + dx, y = gy + dy
                guard x >= -Self.margin, y >= -Self.margin, x < gridWidth - Self.margin, y < gridHeight - Self.margin
                else { continue }
                out.append(seedIndex(gx: x, gy: y))
            }
        }
        return out
    }

    /// The seed nearest to a point (pixel coordinates).
    func nearestSeed(x: Double, y: Double) -> Int {
        let gx = Int((x / spacing).rounded(.down)), gy = Int((y / spacing).rounded(.down))
        var best = -1, bestD = Double.infinity
        for j in neighbourhood(gx: max(-Self.margin + 1, min(gridWidth - Self.margin - 2, gx)),
                               gy: max(-Self.margin + 1, min(gridHeight - Self.margin - 2, gy))) {
            let d = (x - seedX[j]) * (x - seedX[j]) + (y - seedY[j]) * (y - seedY[j])
            if d < bestD { bestD = d; best = j }
        }
        return best
    }

    /// Seeds: a jittered grid with rejection of close neighbours (the best of 8 tries).
    static func jitteredSeeds(gridWidth gw: Int, gridHeight gh: Int, spacing s: Double,
                              rng: inout SplitMix64) -> ([Double], [Double]) {
        let n = gw * gh
        var sx = [Double](repeating: 0, count: n), sy = sx
        let minDistance = 0.75 * s
        for gy in 0..<gh {
            for gx in 0..<gw {
                var best = (0.0, 0.0), bestGap = -1.0
                for _ in 0..<8 {
                    let px = (Double(gx - margin) + 0.5 + 0.6 * (rng.nextUnit() - 0.5)) * s
                    let py = (Double(gy - margin) + 0.5 + 0.6 * (rng.nextUnit() - 0.5)) * s
                    var gap = Double.infinity
                    for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0)] {
                        let x = gx + dx, y = gy + dy
                        guard x >= 0, y >= 0, x < gw else { continue }
                        let j = y * gw + x
                        gap = min(gap, ((px - sx[j]) * (px - sx[j]) + (py - sy[j]) * (py - sy[j])).squareRoot())
                    }
                    if gap > bestGap { bestGap = gap; best = (px, py) }
                    if gap >= minDistance { break }
                }
                sx[gy * gw + gx] = best.0
                sy[gy * gw + gx] = best.1
            }
        }
        return (sx, sy)
    }

    /// Lays out one tile.
    static func generate(width: Int, height: Int, micronsPerPixel mpp: Double, tissue: SynthTissueParameters,
                         rng: inout SplitMix64) -> TissueLayout {
        let s = tissue.cellSpacingMicrons / mpp
        let gw = Int((Double(width) / s).rounded(.up)) + 2 * margin
        let gh = Int((Double(height) / s).rounded(.up)) + 2 * margin
        let n = gw * gh
        let (sx, sy) = jitteredSeeds(gridWidth: gw, gridHeight: gh, spacing: s, rng: &rng)
        // Tissue kinds from smooth fields, thresholded at quantiles so the shares are exact.
        let nestNoise = ValueNoise(size: 64, rng: &rng)
        let lumenNoise = ValueNoise(size: 64, rng: &rng)
        let cloneNoise = ValueNoise(size: 64, rng: &rng)
        let nestScale = tissue.nestScaleMicrons / mpp, cloneScale = tissue.cloneScaleMicrons / mpp
        let lumenScale = tissue.cellSpacingMicrons * 2.2 / mpp
        let offset = (rng.uniform(0...64), rng.uniform(0...64))
        let nestValue = (0..<n).map { nestNoise.fractal(sx[$0] / nestScale + offset.0, sy[$0] / nestScale + offset.1) }
        let tumourShare = max(0.3, min(0.8, tissue.tumourFraction + rng.uniform(-0.1...0.1)))
        let glassShare = rng.uniform(0...tissue.glassFraction)
        let sorted = nestValue.sorted()
        let tumourCut = sorted[min(n - 1, Int(Double(n) * (1 - tumourShare)))]
        let glassCut = sorted[min(n - 1, Int(Double(n) * glassShare))]
        var kind = nestValue.map { $0 >= tumourCut ? SeedKind.tumour : ($0 < glassCut ? .glass : .stroma) }
        if tissue.lumenFraction > 0 {
            let lumenValue = (0..<n).map { lumenNoise.sample(sx[$0] / lumenScale, sy[$0] / lumenScale) }
            let tumourValues = (0..<n).filter { kind[$0] == .tumour }.map { lumenValue[$0] }.sorted()
            if !tumourValues.isEmpty {
                let cut = tumourValues[min(tumourValues.count - 1, Int(Double(tumourValues.count) * (1 - tissue.lumenFraction)))]
                // A lumen only where all eight grid neighbours are tumour: glands are enclosed by cells.
                var lumen = [Bool](repeating: false, count: n)
                for gy in 1..<(gh - 1) {
                    for gx in 1..<(gw - 1) {
                        let i = gy * gw + gx
                        guard kind[i] == .tumour, lumenValue[i] >= cut else { continue }
                        var enclosed = true
                        for dy in -1...1 { for dx in -1...1 where kind[(gy + dy) * gw + gx + dx] != .tumour { enclosed = false } }
                        lumen[i] = enclosed
                    }
                }
                for i in 0..<n where lumen[i] { kind[i] = .lumen }
            }
        }
        let cloneOffset = (rng.uniform(0...64), rng.uniform(0...64))
        var classField = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let fx: Double = sx[i] / cloneScale + cloneOffset.0
            let fy: Double = sy[i] / cloneScale + cloneOffset.1
            let jitter: Double = 0.04 * (rng.nextUnit() - 0.5)
            classField[i] = cloneNoise.fractal(fx, fy) + jitter
        }
        var layout = TissueLayout(width: width, height: height, micronsPerPixel: mpp, spacing: s, gridWidth: gw,
                                  gridHeight: gh, seedX: sx, seedY: sy, kind: kind,
                                  maxRadius: [Double](repeating: 0, count: n), classField: classField,
                                  nuclei: [NucleusShape](repeating: NucleusShape(x: 0, y: 0, semiMajor: 0, semiMinor: 0, angle: 0, h: 0), count: n),
                                  fibroblasts: [], lymphocytes: [], apicalAngle: [Double](repeating: 0, count: n))
        layout.placeNuclei(tissue: tissue, rng: &rng)
        return layout
    }

    /// Tumour nuclei, clip radii and apical directions; fibroblasts and lymphocytes in the stroma.
    private mutating func placeNuclei(tissue: SynthTissueParameters, rng: inout SplitMix64) {
        let um = 1 / micronsPerPixel
        let flowNoise = ValueNoise(size: 32, rng: &rng)
        let lymphNoise = ValueNoise(size: 32, rng: &rng)
        let flowScale = 120 * um, lymphScale = 70 * um
        for i in 0..<kind.count {
            let (gx, gy) = gridPosition(i)
            let inner = gx > -Self.margin && gy > -Self.margin && gx < gridWidth - Self.margin - 1 && gy < gridHeight - Self.margin - 1
            switch kind[i] {
            case .tumour:
                var nearest = Double.infinity, apical = 0.0, apicalRank = 3
                if inner {
                    for j in neighbourhood(gx: gx, gy: gy) where j != i {
                        let dx = seedX[j] - seedX[i], dy = seedY[j] - seedY[i]
                        let d = (dx * dx + dy * dy).squareRoot()
                        nearest = min(nearest, d)
                        let rank = kind[j] == .lumen ? 0 : (kind[j] == .tumour ? 2 : 1)
                        if rank < apicalRank { apicalRank = rank; apical = atan2(dy, dx) }
                    }
                }
                if !nearest.isFinite { nearest = spacing }
                if apicalRank == 2 { apical = rng.uniform(-Double.pi...Double.pi) }
                apicalAngle[i] = apical
                maxRadius[i] = spacing * rng.uniform(0.72...0.9)
                // Nucleus 8–11 µm long, 7–10 µm wide, kept clear of the membrane: semi-axis ≤ nn/2 − 0.8 µm.
                let limit = max(3.5 * um, nearest / 2 - 0.8 * um)
                let major = min(limit, rng.uniform(4.0...5.5) * um)
                let minor = min(major, max(3.5 * um, major * rng.uniform(0.72...0.95)))
                var shape = NucleusShape(x: seedX[i], y: seedY[i], semiMajor: major, semiMinor: minor,
                                         angle: rng.uniform(0...Double.pi), h: tissue.nucleusH * rng.uniform(0.8...1.3))
                shape.a2 = rng.uniform(0...0.05); shape.p2 = rng.uniform(0...6.283)
                shape.a3 = rng.uniform(0...0.05); shape.p3 = rng.uniform(0...6.283)
                shape.rimH = shape.h * rng.uniform(0.5...0.9)
                shape.texture = rng.uniform(0.25...0.45)
                for _ in 0..<rng.integer(0...2) {
                    let r = rng.uniform(0.45...0.8) * um, a = rng.uniform(0...6.283), d = rng.uniform(0...0.45) * minor
                    shape.nucleoli.append((d * cos(a), d * sin(a), r))
                }
                nuclei[i] = shape
            case .stroma:
                let flow = flowNoise.fractal(seedX[i] / flowScale, seedY[i] / flowScale) * 2 * Double.pi * 1.5
                var fibroCentre: (Double, Double)?
                if rng.chance(tissue.fibroblastFraction) {
                    let half = rng.uniform(5...7.5) * um, w = rng.uniform(1.2...1.7) * um
                    let cx = seedX[i] + rng.uniform(-0.15...0.15) * spacing, cy = seedY[i] + rng.uniform(-0.15...0.15) * spacing
                    // Both ends (plus the membrane reach) must stay out of tumour cells.
                    let ends = [(cx + (half + 2 * um) * cos(flow), cy + (half + 2 * um) * sin(flow)),
                                (cx - (half + 2 * um) * cos(flow), cy - (half + 2 * um) * sin(flow))]
                    if inner, ends.allSatisfy({ kind[nearestSeed(x: $0.0, y: $0.1)] == .stroma }) {
                        var f = NucleusShape(x: cx, y: cy, semiMajor: half, semiMinor: w, angle: flow,
                                             h: tissue.fibroblastH * rng.uniform(0.85...1.2))
                        f.a3 = rng.uniform(0...0.08); f.p3 = rng.uniform(0...6.283)
                        f.rimH = f.h * 0.2
                        f.texture = 0.2
                        fibroblasts.append(f)
                        fibroCentre = (cx, cy)
                    }
                }
                let field: Double = lymphNoise.fractal(seedX[i] / lymphScale, seedY[i] / lymphScale)
                let density: Double = tissue.lymphocyteDensity * 2.5 * max(0, field - 0.3)
                let whole: Double = density.rounded(.down)
                var count = Int(whole) + (rng.chance(density - whole) ? 1 : 0)
                count = min(count, 3)
                for _ in 0..<count where inner {
                    let r = rng.uniform(2.5...3.4) * um
                    let cx = seedX[i] + rng.uniform(-0.35...0.35) * spacing, cy = seedY[i] + rng.uniform(-0.35...0.35) * spacing
                    let clear = lymphocytes.allSatisfy { (($0.x - cx) * ($0.x - cx) + ($0.y - cy) * ($0.y - cy)).squareRoot() > $0.semiMajor + r + 0.5 * um }
                        && (fibroCentre.map { (($0.0 - cx) * ($0.0 - cx) + ($0.1 - cy) * ($0.1 - cy)).squareRoot() > r + 3 * um } ?? true)
                    let ring = (0..<6).allSatisfy { k in
                        let a = Double(k) * Double.pi / 3
                        return kind[nearestSeed(x: cx + (r + 1.5 * um) * cos(a), y: cy + (r + 1.5 * um) * sin(a))] == .stroma
                    }
                    guard clear, ring else { continue }
                    var l = NucleusShape(x: cx, y: cy, semiMajor: r, semiMinor: r * rng.uniform(0.88...1.0),
                                         angle: rng.uniform(0...Double.pi), h: tissue.lymphocyteH * rng.uniform(0.85...1.2))
                    l.a3 = rng.uniform(0...0.04); l.p3 = rng.uniform(0...6.283)
                    l.texture = 0.15
                    lymphocytes.append(l)
                }
            case .lumen, .glass:
                break
            }
        }
    }
}
