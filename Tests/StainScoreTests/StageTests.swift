import Foundation
import Testing
import StainScore

/// Renders RGB from known stain concentrations with Beer–Lambert: I = I0 · 10^(−OD).
func beerLambert(h: Double, dab: Double, stains: StainMatrix = .ruifrokJohnstonHDAB, glass: Double = 250) -> (UInt8, UInt8, UInt8) {
    let od = stains.hematoxylin * h + stains.dab * dab
    func v(_ x: Double) -> UInt8 { UInt8(max(0, min(255, (glass * pow(10, -x)).rounded()))) }
    return (v(od.x), v(od.y), v(od.z))
}

@Suite("Stain separation")
struct StainSeparationTests {
    @Test("the inverse stain matrix inverts the stain matrix")
    func inverse() {
        let s = StainMatrix.ruifrokJohnstonHDAB
        let inv = s.inverse
        let rows = [s.hematoxylin, s.dab, s.residual]
        for r in 0..<3 {
            for c in 0..<3 {
                let product = (0..<3).map { rows[r][$0] * inv[$0][c] }.reduce(0, +)
                #expect(abs(product - (r == c ? 1 : 0)) < 1e-12)
            }
        }
    }

    @Test("deconvolution recovers known concentrations", arguments: [(0.0, 0.0), (0.5, 0.0), (0.0, 0.6), (0.3, 0.3), (0.8, 0.15), (0.1, 1.0)])
    func recover(_ h: Double, _ d: Double) {
        let (r, g, b) = beerLambert(h: h, dab: d)
        let image = RGBImage(width: 1, height: 1, pixels: [r, g, b])
        let planes = StainSeparation.separate(image, background: SIMD3(250, 250, 250), stains: .ruifrokJohnstonHDAB,
                                              tissue: TissueParameters())
        // 8-bit rounding: one grey level near I ≈ 60 is ≈ 0.007 OD, amplified ≲ 3× by the unmixing.
        #expect(abs(Double(planes.hematoxylin.values[0]) - h) < 0.03)
        #expect(abs(Double(planes.dab.values[0]) - d) < 0.03)
        #expect(planes.tissue.values[0] == (h + d > 0.06 ? 1 : 0))
    }

    @Test("glass is estimated from the brightest glass, not pale tissue")
    func background() {
        var image = RGBImage(width: 100, height: 100, fill: (225, 220, 235))  // pale cytoplasm everywhere…
        for y in 0..<30 { for x in 0..<100 { image[x, y] = (244, 241, 246) } }  // …and 30% glass
        let (bg, fraction) = BackgroundEstimation.estimate(image)
        #expect(bg == SIMD3(244, 241, 246))
        #expect(fraction == 1.0)
        let (none, _) = BackgroundEstimation.estimate(RGBImage(width: 10, height: 10, fill: (120, 60, 40)))
        #expect(none == BackgroundEstimation.defaultBackground)
    }

    @Test("Macenko recovers rotated stain vectors")
    func macenko() {
        let truth = StainMatrix(hematoxylin: SIMD3(0.55, 0.75, 0.36), dab: SIMD3(0.30, 0.60, 0.74))
        var rng = SplitMix64(seed: 3)
        var image = RGBImage(width: 200, height: 200, fill: (250, 250, 250))
        for y in 0..<200 {
            for x in 0..<160 {
                let h = x < 80 ? 0.2 + 0.6 * rng.nextUnit() : 0.05 * rng.nextUnit()
                let d = x >= 80 ? 0.2 + 0.8 * rng.nextUnit() : 0.05 * rng.nextUnit()
                image[x, y] = beerLambert(h: h, dab: d, stains: truth)
            }
        }
        guard case .success(let estimate) = StainEstimation.macenko([image], reference: .ruifrokJohnstonHDAB) else {
            Issue.record("estimation failed")
            return
        }
        #expect(StainMatrix.angleDegrees(estimate.stains.hematoxylin, truth.hematoxylin) < 4)
        #expect(StainMatrix.angleDegrees(estimate.stains.dab, truth.dab) < 4)
    }
}

@Suite("Filters")
struct FilterTests {
    /// Brute-force 2-D Gaussian with clamped edges.
    static func bruteForce(_ p: Plane<Float>, sigma: Double) -> Plane<Float> {
        let k = GaussianFilter.kernel(sigma: sigma), r = k.count / 2
        var out = p
        for y in 0..<p.height {
            for x in 0..<p.width {
                var sum: Double = 0
                for j in -r...r {
                    for i in -r...r {
                        let sx = min(p.width - 1, max(0, x + i)), sy = min(p.height - 1, max(0, y + j))
                        sum += Double(k[i + r]) * Double(k[j + r]) * Double(p[sx, sy])
                    }
                }
                out[x, y] = Float(sum)
            }
        }
        return out
    }

    @Test("separable Gaussian equals the brute-force 2-D convolution", arguments: [(1, 1), (17, 5), (1, 9), (33, 2), (8, 8)])
    func gaussian(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 100 + h))
        let plane = Plane(width: w, height: h, values: (0..<(w * h)).map { _ in Float(rng.nextUnit()) })
        for sigma in [0.7, 2.0] {
            let fast = GaussianFilter.blur(plane, sigma: sigma), slow = Self.bruteForce(plane, sigma: sigma)
            let worst = zip(fast.values, slow.values).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-5)
        }
        #expect(abs(GaussianFilter.kernel(sigma: 1.3).reduce(0, +) - 1) < 1e-6)
    }

    @Test("watershed on a hand-built landscape splits at the ridge")
    func watershedRidge() {
        // 1-D valley–ridge–valley, 9 px: levels 0 1 2 3 9 3 2 1 0; markers at both ends.
        let levels = Plane<UInt8>(width: 9, height: 1, values: [0, 1, 2, 3, 9, 3, 2, 1, 0])
        var labels = Plane<Int32>(width: 9, height: 1, values: [1, 0, 0, 0, 0, 0, 0, 0, 2])
        Watershed.flood(levels: levels, labels: &labels)
        #expect(labels.values[0..<4].allSatisfy { $0 == 1 })
        #expect(labels.values[5..<9].allSatisfy { $0 == 2 })
        // Off-centre ridge: the boundary follows it, not the midpoint.
        let skew = Plane<UInt8>(width: 9, height: 1, values: [0, 1, 9, 1, 1, 1, 1, 1, 0])
        var l2 = Plane<Int32>(width: 9, height: 1, values: [1, 0, 0, 0, 0, 0, 0, 0, 2])
        Watershed.flood(levels: skew, labels: &l2)
        #expect(Array(l2.values) == [1, 1, 1, 2, 2, 2, 2, 2, 2] || Array(l2.values) == [1, 1, 2, 2, 2, 2, 2, 2, 2])
        // Flat land: the two regions meet half-way; forbidden pixels stay unlabelled.
        let flat = Plane<UInt8>(width: 10, height: 1, repeating: 5)
        var l3 = Plane<Int32>(width: 10, height: 1, values: [1, 0, 0, 0, 0, 0, 0, 0, -1, 2])
        Watershed.flood(levels: flat, labels: &l3)
        #expect(Array(l3.values[0..<4]) == [1, 1, 1, 1] && l3.values[8] == -1)
    }

    @Test("watershed respects each label's radius")
    func watershedRadius() {
        let levels = Plane<UInt8>(width: 21, height: 21, repeating: 0)
        var labels = Plane<Int32>(width: 21, height: 21, repeating: 0)
        labels[10, 10] = 1
        Watershed.flood(levels: levels, labels: &labels, centres: [SIMD2(10, 10)], radii: [5])
        for y in 0..<21 {
            for x in 0..<21 {
                let d2 = (x - 10) * (x - 10) + (y - 10) * (y - 10)
                #expect((labels[x, y] == 1) == (d2 <= 25), "(\(x), \(y))")
            }
        }
    }

    @Test("peaks: strict maxima, then suppression within the minimum distance")
    func peaks() {
        var p = Plane<Float>(width: 20, height: 5, repeating: 0)
        p[2, 2] = 5; p[5, 2] = 4; p[15, 2] = 3; p[16, 2] = 3
        let found = LocalMaxima.peaks(p, threshold: 1, minimumDistance: 4)
        #expect(found == [2 * 20 + 2, 2 * 20 + 15])  // (5,2) is 3 px from the stronger (2,2); tie keeps the first
    }

    @Test("holes are filled")
    func holes() {
        var ring = Plane<UInt8>(width: 7, height: 7, repeating: 0)
        for y in 1...5 { for x in 1...5 where x == 1 || x == 5 || y == 1 || y == 5 { ring[x, y] = 1 } }
        let filled = Morphology.fillHoles(ring)
        #expect(filled[3, 3] == 1 && filled[0, 0] == 0 && filled.values.filter { $0 == 1 }.count == 25)
    }
}
