import Foundation

/// How virtual tissue is drawn.
///
/// - `classic`: round, evenly dark tumour nuclei in polygonal cells, moderate nuisances (the
///   original renderer; its output is unchanged).
/// - `realistic`: what real HER2 tissue shows — pale vesicular tumour nuclei (thin chromatin rim,
///   nucleoli, coarse chromatin, 40–120 µm², elongated in cords and glands, touching in crowded
///   sheets), small dark lymphocytes in clusters and infiltrating the tumour, thin dark
///   fibroblasts; solid sheets, cords and glands with lumens; membranes drawn at their physical
///   width (partial-pixel coverage, no 1 px floor); haematoxylin hidden under intense DAB;
///   cytoplasmic blush; wider stain hues, soft focus, noise, illumination and JPEG quality.
public enum SynthesisStyle: String, Sendable, Hashable, Codable, CaseIterable {
    case classic, realistic
}

/// The architecture of one realistic tile.
public enum TissueArchitecture: String, Sendable, Hashable, Codable, CaseIterable {
    /// Crowded solid sheets and nests.
    case solid
    /// Branching cords two to four cells wide.
    case cords
    /// Glands: one or two layers of cells around a lumen.
    case glands
}

/// What the realistic style draws per slide on top of `SynthTissueParameters` (recorded in
/// `synth.json`; absent for classic slides).
public struct RealisticParameters: Sendable, Hashable, Codable {
    /// Weights of solid / cords / glands; each tile draws its architecture from them.
    public var architectureWeights: [Double]
    /// Mean tumour nucleus area, µm² (each nucleus ×0.65–1.45, kept in 40–120).
    public var nucleusAreaMicrons2: Double
    /// Share of cells at a free edge (cords, glands) with a columnar nucleus (aspect 1.5–3).
    public var columnarShare: Double
    /// Extra hematoxylin OD of the chromatin rim, as a multiple of the nucleus's own OD.
    public var rimGain: Double
    /// Rim width, µm.
    public var rimWidthMicrons: Double
    /// Nucleolus hematoxylin OD (added).
    public var nucleolusH: Double
    /// Coarse chromatin clumping (0 = smooth).
    public var chromatinClumping: Double
    /// Share of tumour cells with a lymphocyte squeezed in next to them.
    public var infiltrationShare: Double
    /// Hematoxylin multiplier of 3+ and 2+ cells' nuclei (the counterstain hidden under intense DAB).
    public var hiddenH3: Double
    public var hiddenH2: Double
    /// Hue of the stains: 0 = blue hematoxylin / ochre DAB, 1 = purple hematoxylin / dark-brown DAB.
    public var hematoxylinHue: Double
    public var dabHue: Double
    /// Soft focus over the whole tile: Gaussian σ, µm.
    public var focusSigmaMicrons: Double
    /// Linear illumination gradient across the tile (fractional darkening at its darker edge) and its direction, radians.
    public var illuminationGradient: Double
    public var illuminationAngle: Double
    /// The architecture each tile drew.
    public var tileArchitectures: [TissueArchitecture] = []

    static func draw(rng: inout SplitMix64) -> RealisticParameters {
        let weights = [rng.uniform(0.2...1), rng.uniform(0.2...1), rng.uniform(0.2...1)]
        let total = weights.reduce(0, +)
        return RealisticParameters(
            architectureWeights: weights.map { $0 / total },
            nucleusAreaMicrons2: rng.uniform(60...85),
            columnarShare: rng.uniform(0.5...0.9),
            rimGain: rng.uniform(0.7...1.3),
            rimWidthMicrons: rng.uniform(0.35...0.6),
            nucleolusH: rng.uniform(0.3...0.5),
            chromatinClumping: rng.uniform(0.5...0.9),
            infiltrationShare: rng.chance(0.7) ? rng.uniform(0.01...0.06) : 0,
            hiddenH3: rng.uniform(0.55...0.85),
            hiddenH2: rng.uniform(0.8...1.0),
            hematoxylinHue: rng.nextUnit(),
            dabHue: rng.nextUnit(),
            focusSigmaMicrons: rng.uniform(0.15...0.6),
            illuminationGradient: rng.uniform(0...0.08),
            illuminationAngle: rng.uniform(-Double.pi...Double.pi))
    }

    /// Fixed soft focus and illumination gradient win over the drawn ones.
    mutating func apply(_ settings: NuisanceSettings) {
        if let f = settings.focusSigmaMicrons { focusSigmaMicrons = f }
        if let g = settings.illuminationGradient { illuminationGradient = g }
    }

    /// The architecture of a tile, drawn from the weights.
    func architecture(rng: inout SplitMix64) -> TissueArchitecture {
        let u = rng.nextUnit()
        if u < architectureWeights[0] { return .solid }
        return u < architectureWeights[0] + architectureWeights[1] ? .cords : .glands
    }

    /// Hematoxylin from blue (0) to purple (1) and DAB from ochre (0) to dark brown (1), OD
    /// directions read off real HER2 and Ki-67 scans, each turned a little further at random.
    /// `dab`, when given, replaces the drawn DAB hue (the hematoxylin hue is still drawn).
    func stainVectors(rotationDegrees: Double, dab: [Double]? = nil, rng: inout SplitMix64) -> StainVectors {
        func mix(_ a: [Double], _ b: [Double], _ t: Double) -> [Double] { (0..<3).map { a[$0] + (b[$0] - a[$0]) * t } }
        let blue = [0.70, 0.62, 0.36], purple = [0.60, 0.74, 0.30]
        let ochre = [0.20, 0.50, 0.84], darkBrown = [0.40, 0.62, 0.67]
        let base = StainVectors(hematoxylin: mix(blue, purple, hematoxylinHue), dab: dab ?? mix(ochre, darkBrown, dabHue))
        return rotationDegrees == 0 ? base : base.rotated(byDegrees: rotationDegrees, rng: &rng)
    }
}

extension SynthTissueParameters {
    /// Realistic tissue: crowded cells, pale tumour nuclei, dark lymphocytes and fibroblasts.
    static func drawRealistic(rng: inout SplitMix64) -> SynthTissueParameters {
        SynthTissueParameters(
            cellSpacingMicrons: rng.uniform(11...13),
            nestScaleMicrons: rng.uniform(50...110),
            tumourFraction: rng.uniform(0.6...0.85),
            lumenFraction: rng.chance(0.4) ? rng.uniform(0.03...0.08) : 0,
            glassFraction: rng.uniform(0...0.12),
            cloneScaleMicrons: rng.uniform(40...90),
            lymphocyteDensity: rng.uniform(0.2...1.2),
            fibroblastFraction: rng.uniform(0.1...0.25),
            cytoplasmH: rng.uniform(0.035...0.07),
            stromaH: rng.uniform(0.02...0.05),
            nucleusH: rng.uniform(0.09...0.13),
            lymphocyteH: rng.uniform(0.35...0.6),
            fibroblastH: rng.uniform(0.25...0.5),
            stromaPink: rng.uniform(0.0...0.006))
    }
}

extension NuisanceSettings {
    /// The realistic style's per-slide nuisances: wider ranges than the classic ones (cream, grey
    /// or lavender glass; stronger fall-off; more noise; heavier blush; JPEG quality 55–92).
    /// Fixed values win, as in the classic draw.
    func drawRealistic(rng: inout SplitMix64, unstained: Bool) -> Nuisances {
        let rotation = rng.uniform(0...2.5)
        let level = rng.uniform(228...252)
        let tints: [[Double]] = [[2, 0, -8], [0, 0, 0], [-2, -2, 3]]   // cream, grey, lavender
        let tint = tints[rng.integer(0...2)].map { $0 * rng.uniform(0.5...1.5) }
        let vignette = rng.uniform(0.02...0.15)
        let blush = rng.chance(0.65) ? rng.uniform(0.2...0.8) : 0
        let blushMax = rng.uniform(0.06...0.2)
        let patches = rng.chance(0.5) ? rng.integer(1...2) : 0
        let sigma = rng.uniform(0.8...2)
        let noise = rng.uniform(1.5...5)
        let quality = rng.integer(55...92)
        return Nuisances(
            stainRotationDegrees: stainRotationDegrees ?? rotation,
            glass: glass ?? tint.map { min(255, level + $0) },
            vignetting: vignetting ?? vignette,
            blushFraction: unstained ? 0 : (blushFraction ?? blush),
            blushMaxOD: blushMax,
            blurPatches: blurPatches ?? patches,
            blurSigmaMicrons: sigma,
            noiseSigma: noiseSigma ?? noise,
            jpegQuality: jpegQuality ?? quality)
    }
}

extension SynthStainPlanes {
    /// Realistic nuclei: tumour nuclei (with the share of their hematoxylin left visible under
    /// DAB), fibroblasts, lymphocytes; then the cytoplasmic blush, cleared under every nucleus, is
    /// combined with the membranes by the maximum (a membrane's centreline OD is never changed).
    mutating func paintRealisticNuclei(layout: TissueLayout, staining: TileStaining, rng: inout SplitMix64) {
        let um = 1 / layout.micronsPerPixel
        let fine = ValueNoise(size: 256, rng: &rng)
        let coarse = ValueNoise(size: 256, rng: &rng)
        var cover = [Float](repeating: 0, count: width * height)
        let scales = (fine: 0.45 * um, coarse: 1.1 * um)
        for i in layout.nuclei.indices where layout.kind[i] == .tumour {
            var n = layout.nuclei[i]
            n.visible = staining.visibleH[i]
            paintRealistic(n, fine: fine, coarse: coarse, scales: scales, cover: &cover)
        }
        for n in layout.fibroblasts { paintRealistic(n, fine: fine, coarse: coarse, scales: scales, cover: &cover) }
        for n in layout.lymphocytes { paintRealistic(n, fine: fine, coarse: coarse, scales: scales, cover: &cover) }
        if let b = blush {
            for k in dab.indices { dab[k] = max(dab[k], b[k] * (1 - cover[k])) }
        }
    }

    /// One realistic nucleus. Vesicular (`rimWidth > 0`): a pale centre (0.75× its OD, rising to
    /// 1.1× at the edge), fine and coarse chromatin texture, a thin rim of `rimH` decaying over
    /// `rimWidth` px inside the edge, and nucleoli of `nucleolusH`. Otherwise (lymphocytes,
    /// fibroblasts) uniformly dark with a faint texture. Where nuclei overlap their OD adds
    /// (two nuclei stacked in the section), elsewhere the nucleus replaces the cytoplasm under it.
    mutating func paintRealistic(_ n: NucleusShape, fine: ValueNoise, coarse: ValueNoise, scales: (fine: Double, coarse: Double),
                                 cover: inout [Float]) {
        let extent = n.semiMajor * (1 + n.a2 + n.a3) + 2
        let x0 = max(0, Int(n.x - extent)), x1 = min(width - 1, Int(n.x + extent))
        let y0 = max(0, Int(n.y - extent)), y1 = min(height - 1, Int(n.y + extent))
        guard x0 <= x1, y0 <= y1 else { return }
        let ca = cos(n.angle), sa = sin(n.angle)
        let soft = 0.7, vesicular = n.rimWidth > 0
        let w = width
        hematoxylin.withUnsafeMutableBufferPointer { hp in
        cover.withUnsafeMutableBufferPointer { cp in
            for y in y0...y1 {
                let fy = Double(y) + 0.5 - n.y
                for x in x0...x1 {
                    let fx = Double(x) + 0.5 - n.x
                    let u = fx * ca + fy * sa, v = -fx * sa + fy * ca
                    let theta = atan2(v, u)
                    let wobble = 1 + n.a2 * cos(2 * theta + n.p2) + n.a3 * cos(3 * theta + n.p3)
                    let rho = ((u / n.semiMajor) * (u / n.semiMajor) + (v / n.semiMinor) * (v / n.semiMinor)).squareRoot() / wobble
                    let inside = (1 - rho) * n.semiMinor
                    let c = min(1, max(0, inside / soft + 0.5))
                    guard c > 0 else { continue }
                    let px = Double(x) + 0.5, py = Double(y) + 0.5
                    let tf = fine.sample(px / scales.fine, py / scales.fine)
                    var value: Double
                    if vesicular {
                        let tc = coarse.sample(px / scales.coarse + 57, py / scales.coarse + 23)
                        // Coarse chromatin: clumps and clear spaces (the coarse field squared), fine grain on top.
                        value = n.h * (0.7 + 0.4 * min(1, rho * rho)) * (1 + n.texture * (2 * tf - 1))
                        value *= 1 - 0.5 * n.clumping + n.clumping * 2 * tc * tc
                        value += n.rimH * (0.6 + 0.8 * tc) * exp(-max(0, inside) / n.rimWidth)
                        for (dx, dy, r) in n.nucleoli {
                            let dd = ((fx - dx) * (fx - dx) + (fy - dy) * (fy - dy)).squareRoot()
                            value += n.nucleolusH * min(1, max(0, r + 0.5 - dd))
                        }
                    } else {
                        value = n.h * (1 + n.texture * (2 * tf - 1))
                        if n.clumping > 0 {
                            let tc = coarse.sample(px / scales.coarse + 57, py / scales.coarse + 23)
                            value += n.h * n.clumping * max(0, tc - 0.5)
                        }
                    }
                    value *= n.visible
                    let k = y &* w &+ x
                    let before = Double(cp[k])
                    hp[k] = Float(Double(hp[k]) * (1 - c * (1 - before)) + value * c)
                    cp[k] = Float(max(before, c))
                }
            }
        }}
    }
}
