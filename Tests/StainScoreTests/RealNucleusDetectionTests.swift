import Foundation
import Testing
@testable import StainScore

/// The nucleus detector on drawn nuclei of the kinds real tissue shows: pale vesicular nuclei
/// (chromatin rim, nucleolus, pale centre) beside small dark lymphocytes, touching nuclei, and
/// a nucleus inside a stained membrane ring. Planes at 0.5 µm/px, detected with the default
/// parameters (at 1 µm/px, the labels mapped back).
@Suite("Nucleus detection on real-tissue patterns")
struct RealNucleusDetectionTests {
    static let mpp = 0.5

    /// A plane of hematoxylin OD `base` with drawn nuclei; all tissue.
    struct Scene {
        var h: Plane<Float>
        var dab: Plane<Float>
        var tissue: Plane<UInt8>
        init(size: Int, base: Float = 0.03) {
            h = Plane(width: size, height: size, repeating: base)
            dab = Plane(width: size, height: size, repeating: 0)
            tissue = Plane(width: size, height: size, repeating: 1)
        }
        /// A vesicular nucleus: rim of `rimOD` 1 µm wide, pale interior, one nucleolus.
        mutating func vesicular(x cx: Double, y cy: Double, radiusMicrons: Double, rimOD: Float = 0.22,
                                interiorOD: Float = 0.09, nucleolusOD: Float = 0.35) {
            let r = radiusMicrons / mpp, rim = 1.0 / mpp
            draw(cx, cy, r) { d, dx, dy in
                let nucleolus = ((dx - r * 0.3) * (dx - r * 0.3) + dy * dy).squareRoot() <= 1.6
                return nucleolus ? nucleolusOD : (d >= r - rim ? rimOD : interiorOD)
            }
        }
        /// A uniformly dark round nucleus (lymphocyte).
        mutating func dark(x cx: Double, y cy: Double, radiusMicrons: Double, od: Float = 0.6) {
            draw(cx, cy, radiusMicrons / mpp) { _, _, _ in od }
        }
        mutating func draw(_ cx: Double, _ cy: Double, _ r: Double, _ value: (Double, Double, Double) -> Float) {
            for y in 0..<h.height {
                for x in 0..<h.width {
                    let dx = Double(x) - cx, dy = Double(y) - cy, d = (dx * dx + dy * dy).squareRoot()
                    if d <= r { h[x, y] = Swift.max(h[x, y], value(d, dx, dy)) }
                }
            }
        }
        func detect() -> NucleusDetection {
            NucleusDetector.detect(hematoxylin: h, dab: dab, tissue: tissue, pixelSize: RealNucleusDetectionTests.mpp,
                                   parameters: NucleusParameters())
        }
    }

    /// Each drawn centre has exactly one detected nucleus within `tolerance` pixels, and there
    /// are no others.
    static func expectOneEach(_ d: NucleusDetection, at centres: [(Double, Double)], tolerance: Double = 4,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.nuclei.count == centres.count, "found \(d.nuclei.map { ($0.x, $0.y) })", sourceLocation: sourceLocation)
        for (cx, cy) in centres {
            let near = d.nuclei.filter { ($0.x - cx) * ($0.x - cx) + ($0.y - cy) * ($0.y - cy) <= tolerance * tolerance }
            #expect(near.count == 1, "centre (\(cx), \(cy)): \(near.count) nuclei near it", sourceLocation: sourceLocation)
        }
    }

    @Test("a pale vesicular nucleus is one nucleus, its pale centre included")
    func vesicular() {
        var s = Scene(size: 64)
        s.vesicular(x: 32, y: 32, radiusMicrons: 4.5)
        let d = s.detect()
        Self.expectOneEach(d, at: [(32, 32)])
        // Holes filled: the pale centre belongs to the nucleus (area near π·9² = 254 px).
        if let n = d.nuclei.first { #expect(n.areaPixels >= 180 && n.areaPixels <= 400, "area \(n.areaPixels)") }
    }

    @Test("pale vesicular tumour nuclei beside dark lymphocytes: all found, no global threshold splits them")
    func paleBesideDark() {
        var s = Scene(size: 128)
        let pale = [(30.0, 30.0), (95.0, 34.0), (40.0, 96.0)]
        let dark = [(70.0, 70.0), (100.0, 100.0), (20.0, 64.0)]
        for (x, y) in pale { s.vesicular(x: x, y: y, radiusMicrons: 4.5) }
        for (x, y) in dark { s.dark(x: x, y: y, radiusMicrons: 2.5) }
        let d = s.detect()
        Self.expectOneEach(d, at: pale + dark)
        // The lymphocytes are the small dark ones.
        for n in d.nuclei {
            let isDark = dark.contains { ($0.0 - n.x) * ($0.0 - n.x) + ($0.1 - n.y) * ($0.1 - n.y) <= 16 }
            if isDark { #expect(n.meanHematoxylin > 0.4 && Double(n.areaPixels) * Self.mpp * Self.mpp < 30) }
            else { #expect(n.meanHematoxylin < 0.25 && Double(n.areaPixels) * Self.mpp * Self.mpp > 40) }
        }
    }

    @Test("touching nuclei get one seed each")
    func touching() {
        var s = Scene(size: 96)
        // Two 9 µm nuclei whose centres are 8 µm (16 px) apart: they overlap by 1 µm.
        s.vesicular(x: 40, y: 48, radiusMicrons: 4.5, rimOD: 0.2, interiorOD: 0.14)
        s.vesicular(x: 56, y: 48, radiusMicrons: 4.5, rimOD: 0.2, interiorOD: 0.14)
        Self.expectOneEach(s.detect(), at: [(40, 48), (56, 48)])
    }

    @Test("a nucleus inside an intensely stained membrane ring is found, the ring is not a nucleus")
    func underMembraneRing() {
        var s = Scene(size: 96)
        s.vesicular(x: 48, y: 48, radiusMicrons: 4)
        // Membrane 1.5 µm wide at 7 µm from the centre: DAB 0.9, and a little of it in the
        // hematoxylin channel, as imperfect stain vectors leave it.
        for y in 0..<96 {
            for x in 0..<96 {
                let d = ((Double(x) - 48) * (Double(x) - 48) + (Double(y) - 48) * (Double(y) - 48)).squareRoot() * Self.mpp
                if d >= 7 && d <= 8.5 { s.dab[x, y] = 0.9; s.h[x, y] = Swift.max(s.h[x, y], 0.06) }
            }
        }
        Self.expectOneEach(s.detect(), at: [(48, 48)])
    }

    /// Draws a ring of membrane DAB `od` between `inner` and `inner + width` µm of (cx, cy).
    static func ring(_ s: inout Scene, x cx: Double, y cy: Double, inner: Double, width: Double = 1.5, od: Float = 0.9) {
        for y in 0..<s.dab.height {
            for x in 0..<s.dab.width {
                let d = ((Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)).squareRoot() * mpp
                if d >= inner && d <= inner + width { s.dab[x, y] = od }
            }
        }
    }

    @Test("a nucleus whose hematoxylin the membrane stain hides is found as the pale hole of its ring")
    func hiddenUnderMembraneRing() {
        var s = Scene(size: 128)
        // Three cells of a 3+ nest, 12 µm across: nuclei of only 0.03 OD over the cytoplasm
        // (below the blob detector's 0.03 response and 0.05 contrast), rings of DAB 0.9.
        let centres = [(34.0, 40.0), (82.0, 44.0), (60.0, 92.0)]
        for (x, y) in centres {
            s.draw(x, y, 3.5 / Self.mpp) { _, _, _ in 0.06 }
            Self.ring(&s, x: x, y: y, inner: 6)
        }
        let d = s.detect()
        Self.expectOneEach(d, at: centres)
        #expect(d.nuclei.allSatisfy { $0.inMembraneRing })
        // Each is a tumour cell although its contrast is under the debris limit.
        for n in d.nuclei {
            let f = NucleusFeatures(n, pixelSize: Self.mpp)
            #expect(f.contrastOD < TumourCellParameters().minimumContrastOD && TumourCellParameters().isTumour(f))
        }
        // Without the ring search the same scene gives none.
        var p = NucleusParameters()
        p.membraneRings.enabled = false
        #expect(NucleusDetector.detect(hematoxylin: s.h, dab: s.dab, tissue: s.tissue, pixelSize: Self.mpp, parameters: p).nuclei.isEmpty)
    }

    @Test("no ring nucleus in glass, in a hole too small or too large, or between DAB-stained nuclei")
    func noFalseRingNuclei() {
        var s = Scene(size: 160)
        // A small lumen: a ring around glass.
        Self.ring(&s, x: 30, y: 30, inner: 6)
        for y in 0..<160 { for x in 0..<160 where (x - 30) * (x - 30) + (y - 30) * (y - 30) <= 11 * 11 { s.tissue[x, y] = 0 } }
        // A ring enclosing 3 µm² (under the 25 µm² of a cell) and one enclosing 1,250 µm².
        Self.ring(&s, x: 120, y: 30, inner: 1)
        Self.ring(&s, x: 80, y: 110, inner: 20)
        let d1 = s.detect()
        #expect(d1.nuclei.filter(\.inMembraneRing).isEmpty, "\(d1.nuclei.map { ($0.x, $0.y) })")
        // Six DAB-positive nuclei (Ki-67-like, 8 µm across) packed round a pale gap: they are
        // stained blobs, not membrane, and close no ring.
        var t = Scene(size: 128)
        for k in 0..<6 {
            let a = Double(k) * .pi / 3, cx = 64 + 16 * cos(a), cy = 64 + 16 * sin(a)
            for y in 0..<128 { for x in 0..<128 {
                let dx = Double(x) - cx, dy = Double(y) - cy
                if dx * dx + dy * dy <= 72 { t.dab[x, y] = 0.8; t.h[x, y] = 0.3 }
            } }
        }
        t.draw(64, 64, 5) { _, _, _ in 0.08 }
        let d2 = t.detect()
        #expect(d2.nuclei.filter(\.inMembraneRing).isEmpty, "\(d2.nuclei.map { ($0.x, $0.y, $0.inMembraneRing) })")
    }

    @Test("a long thin stromal spindle is one nucleus, however many blob peaks lie along it")
    func spindleIsOneNucleus() {
        var s = Scene(size: 128)
        // A fibroblast nucleus 2.5 µm wide and 20 µm long, uniformly dark, along a diagonal.
        for y in 0..<128 {
            for x in 0..<128 {
                let u = (Double(x) - 64 + Double(y) - 64) / 2.0.squareRoot(), v = (Double(x) - 64 - Double(y) + 64) / 2.0.squareRoot()
                if abs(u) <= 20 && abs(v) <= 2.5 { s.h[x, y] = 0.4 }
            }
        }
        let d = s.detect()
        #expect(d.nuclei.count == 1, "\(d.nuclei.map { ($0.x, $0.y, $0.elongation) })")
        if let n = d.nuclei.first {
            let f = NucleusFeatures(n, pixelSize: Self.mpp)
            #expect(TumourCellParameters().exclusion(f) == .spindle, "elongation \(f.elongation), width \(f.minorAxisMicrons)")
        }
        // Without the spindle rule of the seeds it falls into pieces.
        var p = NucleusParameters()
        p.spindleMinimumElongation = 0
        #expect(NucleusDetector.detect(hematoxylin: s.h, dab: s.dab, tissue: s.tissue, pixelSize: Self.mpp, parameters: p).nuclei.count > 1)
    }

    @Test("membrane stain leaking into the hematoxylin is not a nucleus; a compact DAB-stained nucleus is")
    func dabLeak() {
        var s = Scene(size: 128)
        // A membrane segment 2 µm wide and 30 µm long: DAB 1.0, 0.2 of it seen as hematoxylin
        // (DAB 5× the hematoxylin, beyond the 3× dominance).
        for y in 20..<80 { for x in 30..<34 { s.dab[x, y] = 1.0; s.h[x, y] = 0.2 } }
        // A round nucleus 9 µm across stained by a nuclear marker: DAB 0.8 over hematoxylin 0.35.
        s.dark(x: 90, y: 60, radiusMicrons: 4.5, od: 0.35)
        for y in 0..<128 { for x in 0..<128 where (x - 90) * (x - 90) + (y - 60) * (y - 60) <= 81 { s.dab[x, y] = 0.8 } }
        Self.expectOneEach(s.detect(), at: [(90, 60)])
    }

    @Test("glass and flat cytoplasm give no nuclei")
    func flat() {
        let s = Scene(size: 64, base: 0.05)
        #expect(s.detect().nuclei.isEmpty)
    }
}

@Suite("Rank filters and connected components against brute force")
struct RankFilterTests {
    @Test("minimum and maximum filters equal the brute-force window extremes", arguments: [(1, 1, 1), (7, 5, 1), (13, 9, 2), (40, 3, 8), (5, 31, 4)])
    func extremes(w: Int, h: Int, r: Int) {
        var rng = SplitMix64(seed: UInt64(w * 1000 + h * 10 + r))
        var plane = Plane<Float>(width: w, height: h, repeating: 0)
        for i in 0..<(w * h) { plane.values[i] = Float(rng.next() % 1000) / 100 }
        for maximum in [false, true] {
            let fast = RankFilter.filter(plane, radius: r, maximum: maximum)
            for y in 0..<h {
                for x in 0..<w {
                    var m = plane[x, y]
                    for yy in max(0, y - r)...min(h - 1, y + r) {
                        for xx in max(0, x - r)...min(w - 1, x + r) { m = maximum ? max(m, plane[xx, yy]) : min(m, plane[xx, yy]) }
                    }
                    #expect(fast[x, y] == m, "(\(x), \(y)) maximum \(maximum)")
                }
            }
        }
    }

    @Test("the opening removes a small bright spot and keeps a broad level")
    func opening() {
        var plane = Plane<Float>(width: 40, height: 40, repeating: 0.2)
        for y in 18...21 { for x in 18...21 { plane[x, y] = 1 } }
        let open = RankFilter.opening(plane, radius: 3)
        #expect(open.values.allSatisfy { $0 == 0.2 })
    }

    @Test("8-connected components, numbered in raster order")
    func components() {
        let rows = ["11..2",
                    ".1..2",
                    "..1..",
                    "3...."]
        var mask = Plane<UInt8>(width: 5, height: 4, repeating: 0)
        for (y, row) in rows.enumerated() { for (x, c) in row.enumerated() where c != "." { mask[x, y] = 1 } }
        let (labels, count) = ConnectedComponents.label(mask)
        #expect(count == 3)
        for (y, row) in rows.enumerated() {
            for (x, c) in row.enumerated() { #expect(labels[x, y] == (c == "." ? 0 : Int32(String(c))!), "(\(x), \(y))") }
        }
    }
}

@Suite("Tumour-cell rules on hand-built nuclei")
struct TumourCellRuleTests {
    static func nucleus(area: Double, mean: Double, sd: Double, elongation: Double = 1.2, width: Double = 6,
                        contrast: Double = 0.15, tileMedian: Double = 0.3, inRing: Bool = false) -> NucleusFeatures {
        var f = NucleusFeatures()
        f.tileMedianHematoxylinOD = tileMedian
        f.inMembraneRing = inRing
        f.areaMicrons2 = area; f.hematoxylinMeanOD = mean; f.hematoxylinSD = sd
        f.elongation = elongation; f.minorAxisMicrons = width; f.contrastOD = contrast
        return f
    }

    @Test("each kind of nucleus gets its verdict", arguments: [
        ("pale vesicular tumour nucleus", nucleus(area: 60, mean: 0.15, sd: 0.06), nil),
        ("dark large tumour nucleus", nucleus(area: 55, mean: 0.45, sd: 0.1), nil),
        ("columnar tumour nucleus", nucleus(area: 50, mean: 0.2, sd: 0.05, elongation: 2.8, width: 4.5), nil),
        ("lymphocyte: small, round, uniformly dark", nucleus(area: 20, mean: 0.55, sd: 0.08), TumourExclusion.lymphocyte),
        ("small dark but textured: not a lymphocyte", nucleus(area: 25, mean: 0.4, sd: 0.2), nil),
        ("small pale round: not a lymphocyte", nucleus(area: 25, mean: 0.2, sd: 0.03), nil),
        ("fibroblast spindle", nucleus(area: 25, mean: 0.35, sd: 0.05, elongation: 4, width: 2.5), TumourExclusion.spindle),
        ("fragment", nucleus(area: 8, mean: 0.3, sd: 0.05), TumourExclusion.debris),
        ("faint texture", nucleus(area: 40, mean: 0.06, sd: 0.02, contrast: 0.03), TumourExclusion.debris),
        ("faint, but inside a closed ring of stained membrane", nucleus(area: 38, mean: 0.06, sd: 0.02, contrast: 0.03, inRing: true), nil),
        ("lymphocyte among pale vesicular nuclei: twice the tile's median darkness",
         nucleus(area: 28, mean: 0.32, sd: 0.08, tileMedian: 0.15), TumourExclusion.lymphocyte),
        ("as dark, among nuclei nearly as dark: a small tumour nucleus",
         nucleus(area: 28, mean: 0.32, sd: 0.08, tileMedian: 0.2), nil),
        ("twice the median but barely stained: not dark enough to be a lymphocyte",
         nucleus(area: 28, mean: 0.16, sd: 0.03, tileMedian: 0.07), nil),
        ("dark and small but elongated: not a lymphocyte", nucleus(area: 28, mean: 0.5, sd: 0.08, elongation: 1.6), nil),
    ] as [(String, NucleusFeatures, TumourExclusion?)])
    func verdicts(name: String, features: NucleusFeatures, expected: TumourExclusion?) {
        let p = TumourCellParameters()
        #expect(p.exclusion(features) == expected, "\(name)")
        #expect(p.isTumour(features) == (expected == nil))
    }

    @Test("neighbour counts and nearest distances, by hand")
    func neighbourhood() {
        // At 0.5 µm/px: centres 0, 20 px (10 µm) and 100 px (50 µm) apart along x.
        var f = [NucleusFeatures](repeating: NucleusFeatures(), count: 3)
        NucleusNeighbourhood.measure(&f, centres: [SIMD2(0, 0), SIMD2(20, 0), SIMD2(120, 0)], pixelSize: 0.5)
        #expect(f.map(\.neighbours) == [1, 1, 0])
        #expect(f.map(\.nearestNeighbourMicrons) == [10, 10, 50])
    }
}

@Suite("Pixel-size check by hand")
struct PixelSizeCheckTests {
    @Test("the geometric mean, the suggestion and the tolerance, by hand")
    func byHand() throws {
        var p = PixelSizeCheckParameters()
        p.minimumNuclei = 3
        // Areas 20, 40, 80: geometric mean 40. Expected 45, exponent 1: suggested = given · 45/40.
        let sizes = NucleusSizeSummary(areasMicrons2: [20, 40, 80])
        #expect(abs(try #require(sizes.typicalAreaMicrons2) - 40) < 1e-9)
        #expect(sizes.check(p, given: 0.25) == nil)  // 1.125× off: within 1.5×
        // Given 4× the area: geometric mean 160 → suggested 0.25 · 45/160.
        let big = NucleusSizeSummary(areasMicrons2: [80, 160, 320])
        let m = try #require(big.check(p, given: 0.25))
        #expect(abs(m.suggested - 0.25 * 45 / 160) < 1e-12 && m.regions == 3)
        // Exponent 2: the square root of the area ratio.
        p.areaExponent = 2
        #expect(abs(try #require(big.check(p, given: 0.25)).suggested - 0.25 * (45.0 / 160).squareRoot()) < 1e-12)
        // Too few regions: no verdict.
        p.minimumNuclei = 4
        #expect(big.check(p, given: 0.25) == nil)
        // Tiles pool exactly.
        var pooled = NucleusSizeSummary(areasMicrons2: [80])
        pooled.add(NucleusSizeSummary(areasMicrons2: [160, 320]))
        #expect(pooled.regions == 3 && abs(pooled.logAreaSum - big.logAreaSum) < 1e-12)
    }
}

@Suite("Connected components against a flood fill")
struct ConnectedComponentsOracleTests {
    /// The oracle: a breadth-first flood from each unlabelled foreground pixel in raster order.
    static func flood(_ mask: Plane<UInt8>, connectivity: Int) -> (Plane<Int32>, Int) {
        let w = mask.width, h = mask.height
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        var count: Int32 = 0
        for y in 0..<h {
            for x in 0..<w where mask[x, y] != 0 && labels[x, y] == 0 {
                count += 1
                labels[x, y] = count
                var queue = [(x, y)], head = 0
                while head < queue.count {
                    let (cx, cy) = queue[head]; head += 1
                    for dy in -1...1 {
                        for dx in -1...1 where (dx != 0 || dy != 0) && (connectivity == 8 || dx == 0 || dy == 0) {
                            let nx = cx + dx, ny = cy + dy
                            guard nx >= 0, ny >= 0, nx < w, ny < h, mask[nx, ny] != 0, labels[nx, ny] == 0 else { continue }
                            labels[nx, ny] = count
                            queue.append((nx, ny))
                        }
                    }
                }
            }
        }
        return (labels, Int(count))
    }

    @Test("random masks of awkward sizes, both connectivities", arguments: [(1, 1), (1, 17), (17, 1), (9, 7), (33, 21), (64, 64)])
    func random(w: Int, h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 131 + h))
        for density in [20, 50, 80] {
            var mask = Plane<UInt8>(width: w, height: h, repeating: 0)
            for i in 0..<(w * h) where Int(rng.next() % 100) < density { mask.values[i] = 1 }
            for connectivity in [4, 8] {
                let (fast, n) = ConnectedComponents.label(mask, connectivity: connectivity)
                let (slow, m) = Self.flood(mask, connectivity: connectivity)
                #expect(n == m && fast.values == slow.values, "\(w)×\(h) density \(density) connectivity \(connectivity)")
            }
        }
    }
}

@Suite("The background at a quarter of the pixels")
struct OpeningOfMinimaTests {
    @Test("never above the plane; equal to the block's opening on a level under small bright spots", arguments: [(31, 17), (64, 64), (9, 40)])
    func bounds(w: Int, h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 7 + h))
        var plane = Plane<Float>(width: w, height: h, repeating: 0)
        for i in 0..<(w * h) { plane.values[i] = Float(rng.next() % 1000) / 1000 }
        let background = RankFilter.openingOfMinima(plane, radius: 8)
        for i in 0..<(w * h) { #expect(background.values[i] <= plane.values[i]) }
        // A flat level of 0.2 with 3 × 3 bright spots: the background is the level everywhere.
        var spots = Plane<Float>(width: w, height: h, repeating: 0.2)
        for y in stride(from: 2, to: h - 3, by: 20) { for x in stride(from: 2, to: w - 3, by: 20) {
            for dy in 0..<3 { for dx in 0..<3 { spots[x + dx, y + dy] = 0.9 } }
        } }
        #expect(RankFilter.openingOfMinima(spots, radius: 8).values.allSatisfy { $0 == 0.2 })
    }
}
