import Foundation
import Testing
@testable import StainScore  // NucleusRegion and NucleusDetection have no public initialisers

/// `MembraneMeasurer.measure` (framed labels, lookup tables, unsafe buffers) against the plain
/// port of its earlier implementation, `Reference.measureMembranes`.
///
/// Every field of every profile must be identical — no tolerance anywhere: both sides take the
/// same Float sector values and radii, form the band and cytoplasm sums in Double in raster
/// order, and evaluate the summary formulas in the same order.
@Suite("Membrane measurement = reference implementation")
struct MembraneReferenceTests {
    /// One random scene: its size and the scale of its cells (pixels).
    struct Scene: Sendable, CustomTestStringConvertible {
        var width: Int
        var height: Int
        var maximumRadiusPixels: Double
        var nucleusRadius: ClosedRange<Double>
        var pixelsPerCell: Int
        var pixelSize: Double
        var testDescription: String { "\(width)×\(height), cells ≤ \(maximumRadiusPixels) px" }

        static func small(_ w: Int, _ h: Int) -> Scene {
            Scene(width: w, height: h, maximumRadiusPixels: 6, nucleusRadius: 0.5...2.5, pixelsPerCell: 60, pixelSize: 0.25)
        }
    }

    /// The odd sizes of the kernel tests, and one tile-like scene: 160 × 128 µm at 0.5 µm per
    /// pixel, nuclei of 2.5–4.5 µm radius, cells up to 15 µm (the default maximum radius).
    static let scenes: [Scene] = [(1, 1), (1, 7), (9, 1), (17, 5), (31, 33), (64, 3), (100, 37), (130, 61)].map(Scene.small)
        + [Scene(width: 320, height: 256, maximumRadiusPixels: 30, nucleusRadius: 5...9, pixelsPerCell: 700, pixelSize: 0.5)]

    /// The measurement settings tried on every scene: attribution on and off, 36 and 8 sectors,
    /// a threshold that DAB values can hit exactly (0.125 = 32/256), and one setting with a
    /// sector count below the floor of 4, a lower outer fraction and an own-sector fraction that
    /// often triggers the "use all sectors" fallback.
    struct Settings: Sendable, CustomStringConvertible {
        var parameters: MembraneParameters
        var threshold: Double
        var description: String {
            "sectors \(parameters.sectors), attribution \(parameters.attributeSharedMembranes), threshold \(threshold), "
                + "outer \(parameters.outerFraction), own ≥ \(parameters.minimumOwnSectorFraction), "
                + "complete ≥ \(parameters.completeFractionForAttribution)"
        }
    }

    static let settings: [Settings] = {
        func make(_ sectors: Int, _ attribute: Bool, _ threshold: Double, outer: Double = 0.5, own: Double = 0.25,
                  complete: Double = 0.9) -> Settings {
            var p = MembraneParameters()
            p.sectors = sectors
            p.attributeSharedMembranes = attribute
            p.outerFraction = outer
            p.minimumOwnSectorFraction = own
            p.completeFractionForAttribution = complete
            return Settings(parameters: p, threshold: threshold)
        }
        return [make(36, true, 0.10), make(36, false, 0.10), make(8, true, 0.125), make(8, false, 0.125),
                make(3, true, 0.125, outer: 0.3, own: 0.6, complete: 0.7)]
    }()

    struct Inputs {
        var cells: LabelImage
        var nuclei: NucleusDetection
        var dab: Plane<Float>
        var tissue: Plane<UInt8>
    }

    /// Random but plausible inputs: nucleus centres; cells as the nearest-centre Voronoi
    /// territories within a per-cell radius (0.6–1.3 × the maximum, so some reach past the
    /// measurer's window), with a few 0 holes; label 2 and ~10 % of the others have no pixels
    /// at all; nuclei as disks (clipped by earlier disks and the image, centroid and area from
    /// their pixels); DAB noise in [−0.02, 0.07) plus a membrane of per-cell strength on the
    /// territory outline with a per-cell angular gap, half of it quantised to 1/256 so ties
    /// and exact threshold hits occur; tissue codes mostly 1, some 0 (glass) and 2 (dark).
    static func inputs(_ scene: Scene, seed: UInt64) -> Inputs {
        var rng = SplitMix64(seed: seed)
        let w = scene.width, h = scene.height
        let k = 2 + w * h / scene.pixelsPerCell
        var cx: [Int] = [], cy: [Int] = [], nucleusRadius: [Double] = [], territory: [Double] = [], empty: [Bool] = []
        var strength: [Float] = [], gapStart: [Double] = [], gapWidth: [Double] = []
        for i in 0..<k {
            cx.append(min(w - 1, Int(rng.nextUnit() * Double(w))))
            cy.append(min(h - 1, Int(rng.nextUnit() * Double(h))))
            let r = scene.nucleusRadius
            nucleusRadius.append(r.lowerBound + rng.nextUnit() * (r.upperBound - r.lowerBound))
            territory.append(scene.maximumRadiusPixels * (0.6 + 0.7 * rng.nextUnit()))
            empty.append(i == 1 || rng.nextUnit() < 0.1)
            strength.append([0, 0, 0.08, 0.15, 0.3, 0.6, 0.9][Int(rng.nextUnit() * 7)])
            gapStart.append(rng.nextUnit() * 2 * .pi)
            gapWidth.append([0, 0, 0.15, 0.3, 0.6][Int(rng.nextUnit() * 5)] * 2 * .pi)
        }
        // Cells: centres in label order, a later one taking a pixel only when strictly nearer.
        var cells = Plane<Int32>(width: w, height: h, repeating: 0)
        var nearest = [Double](repeating: .infinity, count: w * h)
        for i in 0..<k where !empty[i] {
            let t = territory[i], r = Int(t)
            for y in max(0, cy[i] - r)...min(h - 1, cy[i] + r) {
                for x in max(0, cx[i] - r)...min(w - 1, cx[i] + r) {
                    let d2 = Double((x - cx[i]) * (x - cx[i]) + (y - cy[i]) * (y - cy[i]))
                    if d2 <= t * t && d2 < nearest[y * w + x] { nearest[y * w + x] = d2; cells[x, y] = Int32(i + 1) }
                }
            }
        }
        for i in 0..<(w * h) where rng.nextUnit() < 0.02 { cells.values[i] = 0 }
        // Nuclei.
        var nucleusLabels = Plane<Int32>(width: w, height: h, repeating: 0)
        var regions: [NucleusRegion] = []
        for i in 0..<k {
            var sx = 0.0, sy = 0.0, count = 0
            if !empty[i] {
                let r = Int(nucleusRadius[i])
                for y in max(0, cy[i] - r)...min(h - 1, cy[i] + r) {
                    for x in max(0, cx[i] - r)...min(w - 1, cx[i] + r) where nucleusLabels[x, y] == 0 {
                        let d2 = Double((x - cx[i]) * (x - cx[i]) + (y - cy[i]) * (y - cy[i]))
                        if d2 <= nucleusRadius[i] * nucleusRadius[i] {
                            nucleusLabels[x, y] = Int32(i + 1)
                            sx += Double(x); sy += Double(y); count += 1
                        }
                    }
                }
            }
            regions.append(NucleusRegion(label: Int32(i + 1), x: count > 0 ? sx / Double(count) : Double(cx[i]),
                                         y: count > 0 ? sy / Double(count) : Double(cy[i]), areaPixels: count,
                                         meanHematoxylin: 0.4, elongation: 1))
        }
        // DAB and tissue.
        var dab = Plane<Float>(width: w, height: h, repeating: 0)
        var tissue = Plane<UInt8>(width: w, height: h, repeating: 1)
        for y in 0..<h {
            for x in 0..<w {
                var v = Float(-0.02 + 0.09 * rng.nextUnit())
                let l = Int(cells[x, y])
                if l > 0 {
                    // On the outline: a 4-neighbour in another label (the image edge is not one).
                    let outline = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].contains { nx, ny in
                        nx >= 0 && ny >= 0 && nx < w && ny < h && cells[nx, ny] != cells[x, y]
                    }
                    var angle = atan2(Double(y - cy[l - 1]), Double(x - cx[l - 1])) - gapStart[l - 1]
                    angle = angle.truncatingRemainder(dividingBy: 2 * .pi)
                    if angle < 0 { angle += 2 * .pi }
                    if outline && angle >= gapWidth[l - 1] { v += strength[l - 1] * Float(0.7 + 0.6 * rng.nextUnit()) }
                }
                if rng.nextUnit() < 0.5 { v = (v * 256).rounded() / 256 + 0 }
                dab[x, y] = v
                let u = rng.nextUnit()
                tissue[x, y] = u < 0.08 ? 0 : u < 0.13 ? 2 : 1
            }
        }
        return Inputs(cells: LabelImage(labels: cells, count: k),
                      nuclei: NucleusDetection(labels: LabelImage(labels: nucleusLabels, count: k), nuclei: regions, threshold: 0.2),
                      dab: dab, tissue: tissue)
    }

    static func measure(_ inputs: Inputs, _ settings: Settings, maximumRadiusPixels: Double, pixelSize: Double,
                        reference: Bool) -> [MembraneProfile] {
        reference
            ? Reference.measureMembranes(cells: inputs.cells, nuclei: inputs.nuclei, dab: inputs.dab, tissue: inputs.tissue,
                                         pixelSize: pixelSize, stainedThreshold: settings.threshold,
                                         maximumRadiusPixels: maximumRadiusPixels, parameters: settings.parameters)
            : MembraneMeasurer.measure(cells: inputs.cells, nuclei: inputs.nuclei, dab: inputs.dab, tissue: inputs.tissue,
                                       pixelSize: pixelSize, stainedThreshold: settings.threshold,
                                       maximumRadiusPixels: maximumRadiusPixels, parameters: settings.parameters)
    }

    /// Every field that differs, named by cell label and field, with both values.
    static func differences(_ fast: [MembraneProfile], _ slow: [MembraneProfile]) -> [String] {
        guard fast.count == slow.count else { return ["profile count \(fast.count) vs \(slow.count)"] }
        var found: [String] = []
        for (i, (a, b)) in zip(fast, slow).enumerated() {
            func check<T: Equatable>(_ name: String, _ x: T, _ y: T) {
                if x != y { found.append("label \(i + 1) \(name): measurer \(x), reference \(y)") }
            }
            check("intensity", a.staining.intensity, b.staining.intensity)
            check("completeness", a.staining.completeness, b.staining.completeness)
            check("longestArc", a.staining.longestArc, b.staining.longestArc)
            check("meanOD", a.meanOD, b.meanOD)
            check("p90OD", a.p90OD, b.p90OD)
            check("thicknessMicrons", a.thicknessMicrons, b.thicknessMicrons)
            check("cytoplasmOD", a.cytoplasmOD, b.cytoplasmOD)
            check("cellAreaPixels", a.cellAreaPixels, b.cellAreaPixels)
            check("touchesBorder", a.touchesBorder, b.touchesBorder)
            check("sectorPeaks.count", a.sectorPeaks.count, b.sectorPeaks.count)
            for (s, (x, y)) in zip(a.sectorPeaks, b.sectorPeaks).enumerated() { check("sectorPeaks[\(s)]", x, y) }
        }
        return found
    }

    @Test("every field of every profile equals the reference", arguments: scenes)
    func randomScenes(_ scene: Scene) {
        // Several seeds for the small scenes, one for the tile-like one (the reference is slow in debug builds).
        let seeds: [UInt64] = scene.width * scene.height > 20_000 ? [1] : [1, 2, 3]
        for seed in seeds {
            let inputs = Self.inputs(scene, seed: UInt64(scene.width * 1000 + scene.height) &* 31 &+ seed)
            for settings in Self.settings {
                let fast = Self.measure(inputs, settings, maximumRadiusPixels: scene.maximumRadiusPixels,
                                        pixelSize: scene.pixelSize, reference: false)
                let slow = Self.measure(inputs, settings, maximumRadiusPixels: scene.maximumRadiusPixels,
                                        pixelSize: scene.pixelSize, reference: true)
                let found = Self.differences(fast, slow)
                #expect(found.isEmpty, "seed \(seed), \(settings): \(found.count) differences, first \(found.prefix(5))")
                #expect(fast.count == inputs.cells.count)
            }
        }
    }

    /// The tile-like scenes must reach the branches that matter, or equality would prove little.
    @Test("the tile-like scene exercises partial, complete, border, empty and attributed cells")
    func coverage() throws {
        let scene = try #require(Self.scenes.last)
        let inputs = Self.inputs(scene, seed: UInt64(scene.width * 1000 + scene.height) &* 31 &+ 1)
        let on = Self.measure(inputs, Self.settings[0], maximumRadiusPixels: scene.maximumRadiusPixels,
                              pixelSize: scene.pixelSize, reference: true)
        let off = Self.measure(inputs, Self.settings[1], maximumRadiusPixels: scene.maximumRadiusPixels,
                               pixelSize: scene.pixelSize, reference: true)
        #expect(on.count > 100)
        #expect(on.contains { $0.staining.completeness > 0 && $0.staining.completeness < 1 })
        #expect(on.contains { $0.staining.completeness == 1 })
        #expect(on.contains { $0.staining.completeness == 0 && $0.cellAreaPixels > 0 })
        #expect(on.contains { $0.touchesBorder } && on.contains { !$0.touchesBorder && $0.cellAreaPixels > 0 })
        #expect(on.contains { $0.cellAreaPixels == 0 })
        #expect(on.contains { $0.cytoplasmOD != 0 } && on.contains { $0.thicknessMicrons > 0 })
        #expect(zip(on, off).contains { $0.staining != $1.staining }, "attribution changed no cell")
    }

    // MARK: - Hand-worked cases

    /// One cell, label 1: the disk of radius 12 around (20, 20) in a 41 × 41 tile, nucleus the
    /// disk of radius 3. DAB 0.5 on the ring at radius 10–12 except in the closed quadrant
    /// dx ≥ 0, dy ≥ 0 (angles 0–90° in image coordinates), 0 elsewhere.
    static func ring(gap: Bool) -> Inputs {
        let w = 41, h = 41, c = 20
        var cells = Plane<Int32>(width: w, height: h, repeating: 0)
        var nuclei = Plane<Int32>(width: w, height: h, repeating: 0)
        var dab = Plane<Float>(width: w, height: h, repeating: 0)
        var nucleusArea = 0
        for y in 0..<h {
            for x in 0..<w {
                let dx = x - c, dy = y - c, d2 = dx * dx + dy * dy
                if d2 <= 144 { cells[x, y] = 1 }
                if d2 <= 9 { nuclei[x, y] = 1; nucleusArea += 1 }
                if d2 >= 100 && d2 <= 144 && !(gap && dx >= 0 && dy >= 0) { dab[x, y] = 0.5 }
            }
        }
        let region = NucleusRegion(label: 1, x: Double(c), y: Double(c), areaPixels: nucleusArea, meanHematoxylin: 0.4, elongation: 1)
        return Inputs(cells: LabelImage(labels: cells, count: 1),
                      nuclei: NucleusDetection(labels: LabelImage(labels: nuclei, count: 1), nuclei: [region], threshold: 0.2),
                      dab: dab, tissue: Plane(width: w, height: h, repeating: 1))
    }

    @Test("a ring with a quarter gap: completeness and longest arc 3/4 from both implementations", arguments: [8, 36])
    func ringWithGap(_ sectors: Int) throws {
        var p = MembraneParameters()
        p.sectors = sectors
        let settings = Settings(parameters: p, threshold: 0.10)
        let inputs = Self.ring(gap: true)
        let pixelSize = 0.5
        // Counted by hand from the geometry: the disk, its ring, the ring outside the gap, and
        // the outline pixels (a 4-neighbour outside the disk), all and outside the gap.
        var area = 0, stainedRing = 0, outline = 0, stainedOutline = 0
        for y in 0..<41 {
            for x in 0..<41 {
                let dx = x - 20, dy = y - 20, d2 = dx * dx + dy * dy
                guard d2 <= 144 else { continue }
                area += 1
                let inGap = dx >= 0 && dy >= 0
                if d2 >= 100 && !inGap { stainedRing += 1 }
                if [(dx - 1, dy), (dx + 1, dy), (dx, dy - 1), (dx, dy + 1)].contains(where: { $0 * $0 + $1 * $1 > 144 }) {
                    outline += 1
                    if !inGap { stainedOutline += 1 }
                }
            }
        }
        // The quadrant is sectors 4–5 of 8 (18–26 of 36): atan2 ∈ [0, π/2) is the angle range
        // [π, 3π/2) after the + π; its bounding rays are in the gap, every other sector has
        // stained ring pixels off those rays.
        let gapSectors = sectors == 8 ? 4...5 : 18...26
        let expectedPeaks = (0..<sectors).map { gapSectors.contains($0) ? Float(0) : Float(0.5) }
        let arc = 0.75 * 2 * .pi * (Double(area) / .pi).squareRoot()
        for reference in [false, true] {
            let profiles = Self.measure(inputs, settings, maximumRadiusPixels: 14, pixelSize: pixelSize, reference: reference)
            let profile = try #require(profiles.first)
            let who = reference ? "reference" : "measurer"
            #expect(profiles.count == 1)
            #expect(profile.staining == MembraneStaining(intensity: 0.5, completeness: 0.75, longestArc: 0.75), "\(who)")
            #expect(profile.sectorPeaks == expectedPeaks, "\(who)")
            #expect(profile.p90OD == 0.5, "\(who)")
            #expect(profile.cellAreaPixels == area && !profile.touchesBorder, "\(who)")
            #expect(profile.cytoplasmOD == 0, "\(who)")
            #expect(profile.meanOD == 0.5 * Double(stainedOutline) / Double(outline), "\(who)")
            #expect(profile.thicknessMicrons == Double(stainedRing) / arc * pixelSize, "\(who)")
        }
        // The comparison is not blind: closing the gap must show up as differences.
        let closed = Self.measure(Self.ring(gap: false), settings, maximumRadiusPixels: 14, pixelSize: pixelSize, reference: false)
        #expect(closed.first?.staining.completeness == 1)
        let found = Self.differences(closed, Self.measure(inputs, settings, maximumRadiusPixels: 14, pixelSize: pixelSize, reference: true))
        #expect(found.contains { $0.hasPrefix("label 1 completeness: measurer 1.0, reference 0.75") }, "\(found)")
    }

    /// Two cells side by side in a 50 × 30 tile: centres (14, 15) and (34, 15), territories the
    /// disks of radius 12 split at x = 24 | 25, nuclei of radius 3. Cell 1 has a complete ring
    /// (radius ≥ 9); cell 2 expresses nothing except the column x = 25 along the shared outline.
    static func pair() -> Inputs {
        let w = 50, h = 30
        let centres = [(14, 15), (34, 15)]
        var cells = Plane<Int32>(width: w, height: h, repeating: 0)
        var nuclei = Plane<Int32>(width: w, height: h, repeating: 0)
        var dab = Plane<Float>(width: w, height: h, repeating: 0)
        var nucleusArea = [0, 0]
        for y in 0..<h {
            for x in 0..<w {
                let d2 = centres.map { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) }
                let l = d2[0] <= 144 && (d2[0] <= d2[1] || d2[1] > 144) ? 1 : d2[1] <= 144 ? 2 : 0
                cells[x, y] = Int32(l)
                for i in 0..<2 where d2[i] <= 9 { nuclei[x, y] = Int32(i + 1); nucleusArea[i] += 1 }
                if (l == 1 && d2[0] >= 81) || (l == 2 && x == 25) { dab[x, y] = 0.6 }
            }
        }
        let regions = (0..<2).map { i in
            NucleusRegion(label: Int32(i + 1), x: Double(centres[i].0), y: Double(centres[i].1), areaPixels: nucleusArea[i],
                          meanHematoxylin: 0.4, elongation: 1)
        }
        return Inputs(cells: LabelImage(labels: cells, count: 2),
                      nuclei: NucleusDetection(labels: LabelImage(labels: nuclei, count: 2), nuclei: regions, threshold: 0.2),
                      dab: dab, tissue: Plane(width: w, height: h, repeating: 1))
    }

    @Test("a shared outline with a completely stained neighbour is left out of the neighbour's count")
    func sharedOutline() {
        func run(attribute: Bool, own: Double, reference: Bool) -> [MembraneProfile] {
            var p = MembraneParameters()
            p.attributeSharedMembranes = attribute
            p.minimumOwnSectorFraction = own
            return Self.measure(Self.pair(), Settings(parameters: p, threshold: 0.10), maximumRadiusPixels: 14,
                                pixelSize: 0.5, reference: reference)
        }
        for reference in [false, true] {
            let off = run(attribute: false, own: 0.25, reference: reference)
            let on = run(attribute: true, own: 0.25, reference: reference)
            let fallback = run(attribute: true, own: 0.99, reference: reference)
            guard off.count == 2, on.count == 2, fallback.count == 2 else { Issue.record("expected two profiles"); return }
            let who = reference ? "reference" : "measurer"
            // Cell 1 is complete either way: its ring, plus cell 2's column across the outline.
            #expect(off[0].staining.completeness == 1 && on[0].staining.completeness == 1, "\(who)")
            // Cell 2 borrows cell 1's membrane without attribution; with it the facing sectors
            // leave both the stained count and the total, so completeness falls.
            #expect(off[1].staining.completeness > 0 && off[1].staining.completeness < 0.5, "\(who): \(off[1].staining)")
            #expect(on[1].staining.completeness < off[1].staining.completeness, "\(who): \(on[1].staining) vs \(off[1].staining)")
            // Too few own sectors would remain at 99 %: all are used, as without attribution.
            #expect(fallback[1].staining == off[1].staining, "\(who)")
        }
        #expect(Self.differences(run(attribute: true, own: 0.25, reference: false), run(attribute: true, own: 0.25, reference: true)).isEmpty)
        #expect(Self.differences(run(attribute: false, own: 0.25, reference: false), run(attribute: false, own: 0.25, reference: true)).isEmpty)
    }

    @Test("no cells: no profiles")
    func noCells() {
        let empty = Inputs(cells: LabelImage(width: 5, height: 4),
                           nuclei: NucleusDetection(labels: LabelImage(width: 5, height: 4), nuclei: [], threshold: 0.2),
                           dab: Plane(width: 5, height: 4, repeating: 0.3), tissue: Plane(width: 5, height: 4, repeating: 1))
        for reference in [false, true] {
            #expect(Self.measure(empty, Self.settings[0], maximumRadiusPixels: 6, pixelSize: 0.5, reference: reference).isEmpty)
        }
    }
}
