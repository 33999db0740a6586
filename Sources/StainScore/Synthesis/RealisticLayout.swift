import Foundation

/// The realistic style's tile layout: the same Voronoi cells as the classic one, arranged as solid
/// sheets, cords or glands, with realistic nuclei (see `SynthesisStyle.realistic`).
extension TissueLayout {
    /// Lays out one realistic tile; its architecture is drawn from the slide's weights.
    static func generateRealistic(width: Int, height: Int, micronsPerPixel mpp: Double, tissue: SynthTissueParameters,
                                  realistic r: RealisticParameters, rng: inout SplitMix64) -> TissueLayout {
        let architecture = r.architecture(rng: &rng)
        // Cell size varies a little from tile to tile.
        let spacingMicrons = tissue.cellSpacingMicrons * (architecture == .solid ? rng.uniform(0.9...1.0) : rng.uniform(0.95...1.05))
        let s = spacingMicrons / mpp
        let gw = Int((Double(width) / s).rounded(.up)) + 2 * margin
        let gh = Int((Double(height) / s).rounded(.up)) + 2 * margin
        let n = gw * gh
        let (sx, sy) = jitteredSeeds(gridWidth: gw, gridHeight: gh, spacing: s, rng: &rng)
        let nestNoise = ValueNoise(size: 64, rng: &rng)
        let shapeNoise = ValueNoise(size: 64, rng: &rng)
        let cloneNoise = ValueNoise(size: 64, rng: &rng)
        let nestScale = tissue.nestScaleMicrons / mpp, cloneScale = tissue.cloneScaleMicrons / mpp
        let offset = (rng.uniform(0...64), rng.uniform(0...64))
        let nestValue = (0..<n).map { nestNoise.fractal(sx[$0] / nestScale + offset.0, sy[$0] / nestScale + offset.1) }
        var kind = [SeedKind](repeating: .stroma, count: n)
        func quantile(_ values: [Double], _ q: Double) -> Double {
            let sorted = values.sorted()
            return sorted[max(0, min(sorted.count - 1, Int(Double(sorted.count) * q)))]
        }
        switch architecture {
        case .solid:
            // Nests and sheets (the classic nest field), with an occasional small lumen.
            let share = max(0.35, min(0.85, tissue.tumourFraction + rng.uniform(-0.05...0.15)))
            let cut = quantile(nestValue, 1 - share)
            for i in 0..<n where nestValue[i] >= cut { kind[i] = .tumour }
            if tissue.lumenFraction > 0 {
                let lumenScale = spacingMicrons * 2.2 / mpp
                let lumenValue = (0..<n).map { shapeNoise.sample(sx[$0] / lumenScale, sy[$0] / lumenScale) }
                let cutLumen = quantile((0..<n).filter { kind[$0] == .tumour }.map { lumenValue[$0] }, 1 - tissue.lumenFraction)
                var lumen = [Bool](repeating: false, count: n)
                for gy in 1..<(gh - 1) {
                    for gx in 1..<(gw - 1) {
                        let i = gy * gw + gx
                        guard kind[i] == .tumour, lumenValue[i] >= cutLumen else { continue }
                        var enclosed = true
                        for dy in -1...1 { for dx in -1...1 where kind[(gy + dy) * gw + gx + dx] != .tumour { enclosed = false } }
                        lumen[i] = enclosed
                    }
                }
                for i in 0..<n where lumen[i] { kind[i] = .lumen }
            }
        case .cords:
            // Ridges of a smooth field: branching cords 2–4 cells wide.
            let cordScale = rng.uniform(60...100) / mpp
            let o = (rng.uniform(0...64), rng.uniform(0...64))
            let ridge = (0..<n).map { 1 - abs(2 * shapeNoise.fractal(sx[$0] / cordScale + o.0, sy[$0] / cordScale + o.1) - 1) }
            let cut = quantile(ridge, 1 - rng.uniform(0.45...0.65))
            for i in 0..<n where ridge[i] >= cut { kind[i] = .tumour }
        case .glands:
            // Glands on a jittered lattice: an elliptic lumen lined by one or two layers of cells.
            let pitch = rng.uniform(70...110) / mpp
            let cols = Int((Double(width) / pitch).rounded(.up)) + 2, rows = Int((Double(height) / pitch).rounded(.up)) + 2
            struct Gland { var x, y, a, b, wall, c, s: Double }
            var glands: [Gland] = []
            for gy in -1..<(rows - 1) {
                for gx in -1..<(cols - 1) {
                    let wall = rng.uniform(1.0...2.6) * s
                    let a = min(rng.uniform(6...32) / mpp, pitch / 2 - wall)
                    let b = a * rng.uniform(0.3...1.0)
                    let angle = rng.uniform(0...Double.pi)
                    let x = (Double(gx) + 0.5 + rng.uniform(-0.15...0.15)) * pitch
                    let y = (Double(gy) + 0.5 + rng.uniform(-0.15...0.15)) * pitch
                    if rng.chance(0.08) { continue }   // stroma where a gland might have been
                    glands.append(Gland(x: x, y: y, a: max(a, 0), b: max(b, 0), wall: wall, c: cos(angle), s: sin(angle)))
                }
            }
            for i in 0..<n {
                var wall = false, lumen = false
                for g in glands {
                    let dx = sx[i] - g.x, dy = sy[i] - g.y
                    guard abs(dx) < pitch * 1.2, abs(dy) < pitch * 1.2 else { continue }
                    let u = dx * g.c + dy * g.s, v = -dx * g.s + dy * g.c
                    let inner = g.a > 0 && g.b > 0 ? (u / g.a) * (u / g.a) + (v / g.b) * (v / g.b) : .infinity
                    let outer = (u / (g.a + g.wall)) * (u / (g.a + g.wall)) + (v / (g.b + g.wall)) * (v / (g.b + g.wall))
                    if inner < 1 { lumen = true } else if outer < 1 { wall = true }
                }
                kind[i] = wall ? .tumour : (lumen ? .lumen : .stroma)
            }
        }
        // Glass: the lowest values of the nest field among non-tumour seeds.
        let glassShare = rng.uniform(0...tissue.glassFraction)
        let glassCut = quantile(nestValue, glassShare)
        for i in 0..<n where kind[i] == .stroma && nestValue[i] < glassCut { kind[i] = .glass }
        let cloneOffset = (rng.uniform(0...64), rng.uniform(0...64))
        var classField = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let jitter: Double = 0.04 * (rng.nextUnit() - 0.5)
            classField[i] = cloneNoise.fractal(sx[i] / cloneScale + cloneOffset.0, sy[i] / cloneScale + cloneOffset.1) + jitter
        }
        var layout = TissueLayout(width: width, height: height, micronsPerPixel: mpp, spacing: s, gridWidth: gw,
                                  gridHeight: gh, seedX: sx, seedY: sy, kind: kind,
                                  maxRadius: [Double](repeating: 0, count: n), classField: classField,
                                  nuclei: [NucleusShape](repeating: NucleusShape(x: 0, y: 0, semiMajor: 0, semiMinor: 0, angle: 0, h: 0), count: n),
                                  fibroblasts: [], lymphocytes: [], apicalAngle: [Double](repeating: 0, count: n),
                                  architecture: architecture)
        layout.placeRealisticNuclei(tissue: tissue, realistic: r, rng: &rng)
        return layout
    }

    /// Distance (px) from seed `i` to its cell outline along direction `theta`.
    func outlineDistance(of i: Int, theta: Double) -> Double {
        let (gx, gy) = gridPosition(i)
        let ux = cos(theta), uy = sin(theta)
        var r = maxRadius[i]
        for j in neighbourhood(gx: gx, gy: gy) where j != i {
            let dx = seedX[j] - seedX[i], dy = seedY[j] - seedY[i]
            let along = ux * dx + uy * dy
            if along > 0 { r = min(r, (dx * dx + dy * dy) / (2 * along)) }
        }
        return r
    }

    /// Whether a point lies clear (by `gap` px) of every tumour nucleus near it.
    func clearOfTumourNuclei(x: Double, y: Double, gap: Double) -> Bool {
        let gx = Int((x / spacing).rounded(.down)), gy = Int((y / spacing).rounded(.down))
        guard gx > -Self.margin, gy > -Self.margin, gx < gridWidth - Self.margin - 1, gy < gridHeight - Self.margin - 1 else { return false }
        for j in neighbourhood(gx: gx, gy: gy) where kind[j] == .tumour {
            let n = nuclei[j]
            let dx = x - n.x, dy = y - n.y
            let u = dx * cos(n.angle) + dy * sin(n.angle), v = -dx * sin(n.angle) + dy * cos(n.angle)
            let a = n.semiMajor + gap, b = n.semiMinor + gap
            if (u / a) * (u / a) + (v / b) * (v / b) < 1 { return false }
        }
        return true
    }

    /// Realistic nuclei: pale vesicular tumour nuclei (elongated at the free edges of cords and
    /// glands, touching in solid sheets), lymphocyte clusters in the stroma and among tumour cells,
    /// thin dark fibroblasts.
    private mutating func placeRealisticNuclei(tissue: SynthTissueParameters, realistic r: RealisticParameters,
                                               rng: inout SplitMix64) {
        let um = 1 / micronsPerPixel
        let flowNoise = ValueNoise(size: 32, rng: &rng)
        let lymphNoise = ValueNoise(size: 32, rng: &rng)
        let flowScale = 120 * um, lymphScale = 60 * um
        func lymphocyte(x: Double, y: Double, radius: Double) -> NucleusShape {
            var l = NucleusShape(x: x, y: y, semiMajor: radius, semiMinor: radius * rng.uniform(0.85...1.0),
                                 angle: rng.uniform(0...Double.pi), h: tissue.lymphocyteH * rng.uniform(0.85...1.15))
            l.a2 = rng.uniform(0...0.1); l.p2 = rng.uniform(0...6.283)
            l.a3 = rng.uniform(0...0.08); l.p3 = rng.uniform(0...6.283)
            l.texture = 0.15
            l.clumping = 0.1
            return l
        }
        for i in 0..<kind.count {
            let (gx, gy) = gridPosition(i)
            let inner = gx > -Self.margin && gy > -Self.margin && gx < gridWidth - Self.margin - 1 && gy < gridHeight - Self.margin - 1
            switch kind[i] {
            case .tumour:
                var apical = 0.0, apicalRank = 3
                if inner {
                    for j in neighbourhood(gx: gx, gy: gy) where j != i {
                        let dx = seedX[j] - seedX[i], dy = seedY[j] - seedY[i]
                        let rank = kind[j] == .lumen ? 0 : (kind[j] == .tumour ? 2 : 1)
                        if rank < apicalRank { apicalRank = rank; apical = atan2(dy, dx) }
                    }
                }
                if apicalRank >= 2 { apical = rng.uniform(-Double.pi...Double.pi) }
                apicalAngle[i] = apical
                maxRadius[i] = spacing * rng.uniform(0.75...0.92)
                let area = min(120, max(40, r.nucleusAreaMicrons2 * rng.uniform(0.65...1.45))) * um * um
                let columnar = architecture != .solid && apicalRank < 2 && rng.chance(r.columnarShare)
                let aspect = columnar ? rng.uniform(1.5...3.0) : rng.uniform(1.0...1.5)
                let angle = columnar ? apical + rng.uniform(-0.25...0.25) : rng.uniform(0...Double.pi)
                var major = (area * aspect / Double.pi).squareRoot()
                var minor = (area / (aspect * Double.pi)).squareRoot()
                // Along its long axis a nucleus stays inside its cell in cords and glands (columnar
                // cells); in solid sheets it may reach 1.5 µm past the membrane (crowded, touching).
                let reach = min(outlineDistance(of: i, theta: angle), outlineDistance(of: i, theta: angle + Double.pi))
                let limit = architecture == .solid ? reach + 1.5 * um : reach - 0.6 * um
                if major > limit {
                    // Never below 40 µm²: a clamped nucleus gets rounder, not smaller than that.
                    major = max(limit, (40 / Double.pi).squareRoot() * um)
                    minor = min(major, max(minor, 40 * um * um / (Double.pi * major)))
                }
                var shape = NucleusShape(x: seedX[i], y: seedY[i], semiMajor: major, semiMinor: minor,
                                         angle: angle, h: tissue.nucleusH * rng.uniform(0.75...1.3))
                shape.a2 = rng.uniform(0...0.1); shape.p2 = rng.uniform(0...6.283)
                shape.a3 = rng.uniform(0...0.08); shape.p3 = rng.uniform(0...6.283)
                shape.rimH = shape.h * r.rimGain * rng.uniform(0.8...1.2)
                shape.rimWidth = r.rimWidthMicrons * um * rng.uniform(0.8...1.2)
                shape.texture = rng.uniform(0.25...0.45)
                shape.clumping = r.chromatinClumping * rng.uniform(0.7...1.3)
                shape.nucleolusH = r.nucleolusH * rng.uniform(0.8...1.2)
                for _ in 0..<(rng.chance(0.35) ? 2 : 1) {
                    let radius = rng.uniform(0.5...0.9) * um, a = rng.uniform(0...6.283)
                    let d = rng.uniform(0...0.35) * max(0, minor - radius)
                    shape.nucleoli.append((d * cos(a), d * sin(a), radius))
                }
                nuclei[i] = shape
            case .stroma:
                let flow = flowNoise.fractal(seedX[i] / flowScale, seedY[i] / flowScale) * 2 * Double.pi * 1.5
                var fibroCentre: (Double, Double)?
                if rng.chance(tissue.fibroblastFraction) {
                    let half = rng.uniform(4...10) * um, w = rng.uniform(0.8...1.6) * um
                    let cx = seedX[i] + rng.uniform(-0.15...0.15) * spacing, cy = seedY[i] + rng.uniform(-0.15...0.15) * spacing
                    let ends = [(cx + (half + 2 * um) * cos(flow), cy + (half + 2 * um) * sin(flow)),
                                (cx - (half + 2 * um) * cos(flow), cy - (half + 2 * um) * sin(flow))]
                    if inner, ends.allSatisfy({ kind[nearestSeed(x: $0.0, y: $0.1)] == .stroma }) {
                        var f = NucleusShape(x: cx, y: cy, semiMajor: half, semiMinor: w, angle: flow,
                                             h: tissue.fibroblastH * rng.uniform(0.85...1.2))
                        f.a2 = rng.uniform(0...0.1); f.p2 = rng.uniform(0...6.283)
                        f.a3 = rng.uniform(0...0.12); f.p3 = rng.uniform(0...6.283)
                        f.texture = 0.2
                        f.clumping = 0.3
                        fibroblasts.append(f)
                        fibroCentre = (cx, cy)
                    }
                }
                // Lymphocytes in clusters: a smooth field decides where they gather.
                let field: Double = lymphNoise.fractal(seedX[i] / lymphScale, seedY[i] / lymphScale)
                let density: Double = tissue.lymphocyteDensity * 6 * max(0, field - 0.55)
                let whole: Double = density.rounded(.down)
                let count = min(4, Int(whole) + (rng.chance(density - whole) ? 1 : 0))
                for _ in 0..<count where inner {
                    let radius = (rng.uniform(15...30) / Double.pi).squareRoot() * um
                    let cx = seedX[i] + rng.uniform(-0.38...0.38) * spacing, cy = seedY[i] + rng.uniform(-0.38...0.38) * spacing
                    let clear = lymphocytes.allSatisfy { (($0.x - cx) * ($0.x - cx) + ($0.y - cy) * ($0.y - cy)).squareRoot() > $0.semiMajor + radius + 0.3 * um }
                        && (fibroCentre.map { (($0.0 - cx) * ($0.0 - cx) + ($0.1 - cy) * ($0.1 - cy)).squareRoot() > radius + 2.5 * um } ?? true)
                    let ring = (0..<6).allSatisfy { k in
                        let a = Double(k) * Double.pi / 3
                        return kind[nearestSeed(x: cx + (radius + 1.5 * um) * cos(a), y: cy + (radius + 1.5 * um) * sin(a))] == .stroma
                    }
                    guard clear, ring else { continue }
                    lymphocytes.append(lymphocyte(x: cx, y: cy, radius: radius))
                }
            case .lumen, .glass:
                break
            }
        }
        // Lymphocytes infiltrating the tumour: squeezed between two tumour cells, clear of their nuclei.
        guard r.infiltrationShare > 0 else { return }
        for i in 0..<kind.count where kind[i] == .tumour {
            guard rng.chance(r.infiltrationShare) else { continue }
            let (gx, gy) = gridPosition(i)
            let neighbours = neighbourhood(gx: gx, gy: gy).filter { $0 != i && kind[$0] == .tumour }
            guard !neighbours.isEmpty else { continue }
            let j = neighbours[rng.integer(0...(neighbours.count - 1))]
            let radius = (rng.uniform(15...30) / Double.pi).squareRoot() * um
            let cx = (seedX[i] + seedX[j]) / 2, cy = (seedY[i] + seedY[j]) / 2
            guard clearOfTumourNuclei(x: cx, y: cy, gap: radius + 0.3 * um),
                  lymphocytes.allSatisfy({ (($0.x - cx) * ($0.x - cx) + ($0.y - cy) * ($0.y - cy)).squareRoot() > $0.semiMajor + radius + 0.3 * um })
            else { continue }
            lymphocytes.append(lymphocyte(x: cx, y: cy, radius: radius))
        }
    }
}
