import Foundation

/// Per-seed membrane and cytoplasm stain of one tile, as the rasteriser reads them.
struct TileStaining: Sendable {
    /// Membrane DAB OD at the centreline of stained arcs (0 = no membrane stain).
    var intensity: [Double]
    /// Half-width of the flat top of the membrane profile, px (already floored at 0.5 px).
    var halfWidth: [Double]
    /// `MembraneArcs.binCount` flags per seed (1 = stained), seed-major.
    var stained: [UInt8]
    /// Cytoplasmic DAB blush OD (0 = none).
    var blush: [Double]
    /// Share of the nucleus's hematoxylin left visible (realistic style: less under intense DAB).
    var visibleH: [Double]

    init(seeds: Int) {
        intensity = [Double](repeating: 0, count: seeds)
        halfWidth = intensity
        blush = intensity
        visibleH = [Double](repeating: 1, count: seeds)
        stained = [UInt8](repeating: 0, count: seeds * MembraneArcs.binCount)
    }
}

/// Stain concentrations of a tile (log10 OD along each stain vector), one Float plane each.
struct SynthStainPlanes: Sendable {
    let width: Int
    let height: Int
    var hematoxylin: [Float]
    var dab: [Float]
    /// Faint pink residual (stroma): OD along `SynthStainPlanes.pinkVector`.
    var pink: [Float]
    /// Realistic style: the cytoplasmic blush alone (nil in the classic style, where it is already
    /// in `dab`); nuclei clear it before it is combined with the membranes.
    var blush: [Float]?

    /// An eosin-like OD direction (mostly green absorbed) for the faint pink of stroma.
    static let pinkVector: [Double] = StainVectors.normalized([0.18, 0.95, 0.35])

    /// Faint hematoxylin on every tumour-cell outline (counterstained membranes make class-0
    /// cells visible as cells) and its half-width in px. H only: membrane DAB is untouched.
    static let outlineH = 0.05
    static let outlineHalfWidthPixels = 0.8

    /// Linear ramp (px) from full membrane OD to none beyond the flat top: anti-aliasing only.
    static let membraneRamp = 0.7

    /// Realistic style: how far (µm) a membrane wanders about its straight outline.
    static let membraneWobbleMicrons = 0.35

    /// Rasterises cells, membranes, stroma and nuclei.
    ///
    /// **Membranes and shared boundaries.** Each tumour cell draws its own membrane as a band of
    /// flat-top half-width `halfWidth` (plus a 0.7 px ramp) on **both** sides of its outline, at the
    /// intensity of its own arc at that point (looked up by the angle of the pixel around the
    /// cell's centre). Where two cells share a boundary both bands overlap and the pixel takes the
    /// **larger** OD: two plasma membranes 20 nm apart are one line under the microscope, and the
    /// stronger stain dominates what is seen. So on the centreline of a stained arc the pixel DAB
    /// is exactly the cell's intensity unless the neighbour's own arc there is stronger; an
    /// unstained arc next to a stained neighbour looks stained (as it does in real tissue — which
    /// is why classes are drawn in clonal patches). Cytoplasmic blush (≤0.08) is combined by the
    /// same maximum, so it never changes a membrane's centreline OD.
    ///
    /// **Realistic style** (`realistic`): the membrane profile is the exact coverage of each pixel
    /// (1 px wide, across the outline) by a band of full width `2·halfWidth` — its integral across
    /// the outline is the drawn width, whatever the pixel size, so a 0.6 µm membrane at 1 µm/px is
    /// one pixel at 60% of its OD. The blush is returned separately (`blush`) for the nuclei to clear.
    static func rasterise(layout: TissueLayout, staining: TileStaining, tissue: SynthTissueParameters,
                          realistic: Bool = false, rng: inout SplitMix64) -> SynthStainPlanes {
        let w = layout.width, h = layout.height
        var hPlane = [Float](repeating: 0, count: w * h), dPlane = hPlane, pPlane = hPlane
        var bPlane = realistic ? hPlane : []
        let um = 1 / layout.micronsPerPixel
        let cytoNoise = ValueNoise(size: 128, rng: &rng)
        let fibreNoise = ValueNoise(size: 512, rng: &rng)
        let flowNoise = ValueNoise(size: 32, rng: &rng)
        let lumenNoise = ValueNoise(size: 64, rng: &rng)
        let cytoScale = 2.5 * um, fibreAlong = 20 * um, fibreAcross = 1.5 * um, flowScale = 110 * um
        let ramp = membraneRamp
        // Realistic membranes wander ±`membraneWobbleMicrons` about the straight outline (smoothly, over ~3 µm).
        let wobbleNoise: ValueNoise? = realistic ? ValueNoise(size: 128, rng: &rng) : nil
        let angle1 = realistic ? rng.uniform(0...Double.pi) : 0, angle2 = angle1 + (realistic ? rng.uniform(0.5...1.2) : 0)
        let dir1 = (cos(angle1), sin(angle1)), dir2 = (cos(angle2), sin(angle2))
        let wobble = realistic ? membraneWobbleMicrons * um : 0, wobbleScale = 3 * um
        let reach = (staining.halfWidth.max() ?? 0) + (realistic ? 0.5 + wobble : ramp)
        let s = layout.spacing, gw = layout.gridWidth, margin = TissueLayout.margin
        let bins = MembraneArcs.binCount
        layout.seedX.withUnsafeBufferPointer { sx in
        layout.seedY.withUnsafeBufferPointer { sy in
        layout.kind.withUnsafeBufferPointer { kind in
        layout.maxRadius.withUnsafeBufferPointer { radius in
        staining.intensity.withUnsafeBufferPointer { intensity in
        staining.halfWidth.withUnsafeBufferPointer { half in
        staining.stained.withUnsafeBufferPointer { stained in
        staining.blush.withUnsafeBufferPointer { blush in
        hPlane.withUnsafeMutableBufferPointer { hp in
        dPlane.withUnsafeMutableBufferPointer { dp in
        pPlane.withUnsafeMutableBufferPointer { pp in
        bPlane.withUnsafeMutableBufferPointer { bp in
            var cand = (0, 0, 0, 0, 0, 0, 0, 0, 0)
            var dist = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            withUnsafeMutableBytes(of: &cand) { cRaw in
            withUnsafeMutableBytes(of: &dist) { dRaw in
                let c = cRaw.bindMemory(to: Int.self), d2 = dRaw.bindMemory(to: Double.self)
                // The membrane OD that seed `j` draws at pixel (fx, fy), `e` px from its outline.
                @inline(__always) func membrane(_ j: Int, _ e: Double, _ fx: Double, _ fy: Double) -> Double {
                    let od = intensity[j]
                    guard od > 0 else { return 0 }
                    let hw = half[j]
                    // Realistic: overlap of the pixel [e − ½, e + ½] with the band [−hw, hw].
                    let profile = realistic ? min(e + 0.5, hw) - max(e - 0.5, -hw)
                        : (e <= hw ? 1.0 : 1.0 - (e - hw) / ramp)
                    guard profile > 0 else { return 0 }
                    let b = MembraneArcs.bin(ofAngle: atan2(fy - sy[j], fx - sx[j]))
                    return stained[j &* bins &+ b] != 0 ? od * profile : 0
                }
                for y in 0..<h {
                    let fy = Double(y) + 0.5
                    let gy = Int((fy / s).rounded(.down))
                    let row = y &* w
                    for x in 0..<w {
                        let fx = Double(x) + 0.5
                        let gx = Int((fx / s).rounded(.down))
                        var count = 0, nearest = 0
                        var best = Double.infinity
                        for dy in -1...1 {
                            let base = (gy &+ dy &+ margin) &* gw &+ gx &+ margin
                            for dx in -1...1 {
                                let j = base &+ dx
                                let ex = fx - sx[j], ey = fy - sy[j]
                                let dd = ex * ex + ey * ey
                                c[count] = j
                                d2[count] = dd
                                if dd < best { best = dd; nearest = count }
                                count &+= 1
                            }
                        }
                        let i = c[nearest], di = best.squareRoot()
                        let k = kind[i]
                        var hv = 0.0, dv = 0.0, pv = 0.0
                        let insideCell = k == .tumour && di <= radius[i]
                        switch k {
                        case .tumour where insideCell:
                            hv = tissue.cytoplasmH * (0.75 + 0.5 * cytoNoise.sample(fx / cytoScale, fy / cytoScale))
                            dv = blush[i] * (0.7 + 0.6 * cytoNoise.sample(fx / cytoScale + 40, fy / cytoScale + 40))
                            if realistic {
                                // Granular cytoplasm and blush: a fine grain (≈0.6 µm) on the smooth mottling.
                                let grain = cytoNoise.sample(fx / (0.25 * cytoScale) + 71, fy / (0.25 * cytoScale) + 29)
                                hv *= 0.6 + 0.8 * grain
                                dv *= 0.4 + 1.2 * grain
                            }
                        case .stroma where realistic:
                            // Wispy collagen bundles in two directions, blended by a smooth field (no
                            // concentric rings), with white clefts between the bundles.
                            let blend = flowNoise.fractal(fx / flowScale, fy / flowScale)
                            let u1 = (fx * dir1.0 + fy * dir1.1) / fibreAlong, v1 = (-fx * dir1.1 + fy * dir1.0) / fibreAcross
                            let u2 = (fx * dir2.0 + fy * dir2.1) / fibreAlong, v2 = (-fx * dir2.1 + fy * dir2.0) / fibreAcross
                            let fibre = fibreNoise.sample(u1, v1) * (1 - blend) + fibreNoise.sample(u2 + 101, v2 + 37) * blend
                            let cleft = lumenNoise.sample(u1 * 0.35 * (1 - blend) + u2 * 0.35 * blend + 11, v1 * 0.12 * (1 - blend) + v2 * 0.12 * blend + 7)
                            let open = min(1, max(0, (cleft - 0.62) / 0.08))
                            hv = tissue.stromaH * (0.35 + 1.6 * fibre * fibre * fibre) * (1 - open)
                            pv = tissue.stromaPink * (0.5 + fibre) * (1 - open)
                        case .stroma:
                            let flow = flowNoise.fractal(fx / flowScale, fy / flowScale) * 1.5 * Double.pi
                            let cf = cos(flow), sf = sin(flow)
                            let u = (fx * cf + fy * sf) / fibreAlong, v = (-fx * sf + fy * cf) / fibreAcross
                            let fibre = fibreNoise.sample(u, v)
                            hv = tissue.stromaH * (0.5 + 1.0 * fibre * fibre)
                            pv = tissue.stromaPink * (0.5 + fibre)
                        case .lumen:
                            let m = lumenNoise.sample(fx / (6 * um), fy / (6 * um))
                            hv = m > 0.7 ? 0.04 * (m - 0.7) : 0
                            pv = m > 0.6 ? 0.08 * (m - 0.6) : 0
                        default:
                            break
                        }
                        // Membranes within reach: own outline (bisectors and clip circle) and neighbours'.
                        var mem = 0.0
                        var outline = Double.infinity
                        // Realistic: the membrane is shifted by `delta` (towards the lower-numbered cell of a
                        // boundary), read at the foot of the pixel on the outline so that it is the same
                        // all across the membrane (the band keeps its width).
                        @inline(__always) func delta(_ px: Double, _ py: Double) -> Double {
                            guard let noise = wobbleNoise else { return 0 }
                            return wobble * (2 * noise.sample(px / wobbleScale, py / wobbleScale) - 1)
                        }
                        if k == .tumour {
                            let e = abs(radius[i] - di)
                            outline = e
                            if e < reach {
                                var em = e
                                if realistic, di > 0 {
                                    let f = radius[i] / di
                                    em = abs(radius[i] - di - delta(sx[i] + (fx - sx[i]) * f, sy[i] + (fy - sy[i]) * f))
                                }
                                mem = max(mem, membrane(i, em, fx, fy))
                            }
                        }
                        for q in 0..<9 where q != nearest {
                            let j = c[q]
                            let ex = sx[j] - sx[i], ey = sy[j] - sy[i]
                            let sep = (ex * ex + ey * ey).squareRoot()
                            let e = (d2[q] - best) / (2 * sep)
                            if insideCell || kind[j] == .tumour { outline = min(outline, e) }
                            guard e < reach else { continue }
                            let em = realistic ? abs((i < j ? e : -e) - delta(fx + e * ex / sep, fy + e * ey / sep)) : e
                            if insideCell { mem = max(mem, membrane(i, em, fx, fy)) }
                            if kind[j] == .tumour, d2[q].squareRoot() <= radius[j] + reach {
                                mem = max(mem, membrane(j, em, fx, fy))
                            }
                        }
                        if outline < SynthStainPlanes.outlineHalfWidthPixels { hv += SynthStainPlanes.outlineH }
                        hp[row &+ x] = Float(hv)
                        if realistic {
                            dp[row &+ x] = Float(mem)
                            bp[row &+ x] = Float(dv)
                        } else {
                            dp[row &+ x] = Float(max(dv, mem))
                        }
                        pp[row &+ x] = Float(pv)
                    }
                }
            }
            }
        }}}}}}}}}}}}
        var planes = SynthStainPlanes(width: w, height: h, hematoxylin: hPlane, dab: dPlane, pink: pPlane,
                                      blush: realistic ? bPlane : nil)
        if realistic {
            planes.paintRealisticNuclei(layout: layout, staining: staining, rng: &rng)
            return planes
        }
        let chromatin = ValueNoise(size: 256, rng: &rng)
        let chromatinScale = 0.7 * um
        for i in layout.nuclei.indices where layout.kind[i] == .tumour {
            planes.paint(layout.nuclei[i], chromatin: chromatin, scale: chromatinScale)
        }
        for n in layout.fibroblasts { planes.paint(n, chromatin: chromatin, scale: chromatinScale) }
        for n in layout.lymphocytes { planes.paint(n, chromatin: chromatin, scale: chromatinScale) }
        return planes
    }

    /// Blends one nucleus into the hematoxylin plane: soft 0.6 px edge, chromatin texture, darker
    /// rim (vesicular chromatin) and nucleoli. DAB is left as is (nuclei carry no HER2).
    mutating func paint(_ n: NucleusShape, chromatin: ValueNoise, scale: Double) {
        let extent = n.semiMajor * (1 + n.a2 + n.a3) + 2
        let x0 = max(0, Int(n.x - extent)), x1 = min(width - 1, Int(n.x + extent))
        let y0 = max(0, Int(n.y - extent)), y1 = min(height - 1, Int(n.y + extent))
        guard x0 <= x1, y0 <= y1 else { return }
        let ca = cos(n.angle), sa = sin(n.angle)
        let soft = 0.6, rimWidth = max(0.6, 0.12 * n.semiMinor)
        let w = width
        hematoxylin.withUnsafeMutableBufferPointer { hp in
            for y in y0...y1 {
                let fy = Double(y) + 0.5 - n.y
                for x in x0...x1 {
                    let fx = Double(x) + 0.5 - n.x
                    let u = fx * ca + fy * sa, v = -fx * sa + fy * ca
                    let theta = atan2(v, u)
                    let wobble = 1 + n.a2 * cos(2 * theta + n.p2) + n.a3 * cos(3 * theta + n.p3)
                    let rho = ((u / n.semiMajor) * (u / n.semiMajor) + (v / n.semiMinor) * (v / n.semiMinor)).squareRoot() / wobble
                    // Distance inside the edge, in px (approximately: along the minor axis scale).
                    let inside = (1 - rho) * n.semiMinor
                    let cover = min(1, max(0, inside / soft + 0.5))
                    guard cover > 0 else { continue }
                    let tex = chromatin.sample((Double(x) + 0.5) / scale, (Double(y) + 0.5) / scale)
                        + 0.5 * chromatin.sample((Double(x) + 0.5) / (0.45 * scale) + 91, (Double(y) + 0.5) / (0.45 * scale) + 13)
                    var value = n.h * (1 + n.texture * (tex / 1.5 - 0.5) * 2)
                    value += n.rimH * exp(-max(0, inside) / rimWidth)
                    for (dx, dy, r) in n.nucleoli {
                        let ddx = fx - dx, ddy = fy - dy
                        let dd = (ddx * ddx + ddy * ddy).squareRoot()
                        if dd < r + 0.5 { value += 1.4 * n.h * min(1, r + 0.5 - dd) }
                    }
                    let k = y &* w &+ x
                    hp[k] = Float(Double(hp[k]) * (1 - cover) + value * cover)
                }
            }
        }
    }
}
