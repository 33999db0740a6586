import Foundation
import Testing
@testable import StainScore

/// `NucleusDetector.regions` against the pixel-by-pixel definition, and a case by hand.
@Suite("Nucleus region moments")
struct NucleusRegionsTests {
    /// The definition, pixel by pixel: integer sums of x, y, x², y², xy and a Double sum of the
    /// hematoxylin in raster order; the eigenvalues of the second moments by the other form of
    /// the formula, (a + c)/2 ± √(((a − c)/2)² + b²), so the elongation is compared within a
    /// tolerance and everything else exactly.
    static func reference(labels: Plane<Int32>, seeds n: Int, hematoxylin: Plane<Float>, pixelSize: Double,
                          parameters p: NucleusParameters) -> ([NucleusRegion], [Int32]) {
        var area = [Int](repeating: 0, count: n + 1)
        var sx = area, sy = area, sxx = area, syy = area, sxy = area
        var sh = [Double](repeating: 0, count: n + 1)
        for y in 0..<labels.height {
            for x in 0..<labels.width {
                let l = Int(labels[x, y])
                if l <= 0 { continue }
                area[l] += 1
                sx[l] += x; sy[l] += y; sxx[l] += x * x; syy[l] += y * y; sxy[l] += x * y
                sh[l] += Double(hematoxylin[x, y])
            }
        }
        var remap = [Int32](repeating: 0, count: n + 1)
        var nuclei: [NucleusRegion] = []
        for l in 1..<(n + 1) where area[l] > 0 {
            let a = Double(area[l]) * pixelSize * pixelSize
            guard a >= p.minimumAreaMicrons2, a <= p.maximumAreaMicrons2 else { continue }
            let c = Double(area[l])
            let mx = Double(sx[l]) / c, my = Double(sy[l]) / c
            let a2 = Double(sxx[l]) / c - mx * mx, c2 = Double(syy[l]) / c - my * my, b2 = Double(sxy[l]) / c - mx * my
            let half = (a2 - c2) / 2, root = (half * half + b2 * b2).squareRoot()
            let l1 = (a2 + c2) / 2 + root, l2 = max(1e-9, (a2 + c2) / 2 - root)
            remap[l] = Int32(nuclei.count + 1)
            nuclei.append(NucleusRegion(label: remap[l], x: mx, y: my, areaPixels: area[l], meanHematoxylin: sh[l] / c,
                                        elongation: (l1 / l2).squareRoot()))
        }
        return (nuclei, remap)
    }

    /// Blobs of random labels (runs of every length, touching regions, negative labels for
    /// forbidden pixels, unused labels), at odd sizes down to one pixel.
    @Test("equal to the pixel-by-pixel definition", arguments: [(1, 1), (1, 9), (9, 1), (17, 13), (64, 48), (203, 117)])
    func sameAsReference(_ size: (Int, Int)) {
        let (w, h) = size
        var rng = SplitMix64(seed: UInt64(w * 1000 + h))
        let n = 2 + w * h / 40
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        for _ in 0..<n {
            let l = Int32(1 + Int(rng.next() % UInt64(n)))
            let cx = Int(rng.next() % UInt64(w)), cy = Int(rng.next() % UInt64(h))
            let r = Int(rng.next() % 6)
            for y in max(0, cy - r)...min(h - 1, cy + r) {
                for x in max(0, cx - r)...min(w - 1, cx + r) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                    labels[x, y] = l
                }
            }
        }
        for i in 0..<(w * h) where rng.next() % 50 == 0 { labels.values[i] = -1 }
        var hematoxylin = Plane<Float>(width: w, height: h, repeating: 0)
        for i in 0..<(w * h) { hematoxylin.values[i] = Float(rng.next() % 10_000) / 7_919 }
        var p = NucleusParameters()
        p.minimumAreaMicrons2 = 2 * 0.25  // at 0.5 µm/px: regions of 2 pixels or more…
        p.maximumAreaMicrons2 = 90 * 0.25  // …and at most 90
        let fast = NucleusDetector.regions(labels: labels, seeds: n, hematoxylin: hematoxylin,
                                              contrast: Plane<Float>(width: 0, height: 0, repeating: 0), pixelSize: 0.5, parameters: p)
        let slow = Self.reference(labels: labels, seeds: n, hematoxylin: hematoxylin, pixelSize: 0.5, parameters: p)
        #expect(fast.1 == slow.1)
        #expect(fast.0.count == slow.0.count)
        for (a, b) in zip(fast.0, slow.0) {
            #expect(a.label == b.label && a.areaPixels == b.areaPixels && a.x == b.x && a.y == b.y
                    && a.meanHematoxylin == b.meanHematoxylin, "label \(a.label)")
            #expect(abs(a.elongation - b.elongation) <= 1e-9 * max(1, b.elongation), "label \(a.label): \(a.elongation) vs \(b.elongation)")
        }
    }

    /// By hand: a 3 × 2 rectangle at x 4…6, y 1…2 has its centroid at (5, 1.5), variances 2/3
    /// and 1/4, and elongation √((2/3) / (1/4)) = √(8/3).
    @Test("a rectangle, by hand")
    func rectangle() throws {
        var labels = Plane<Int32>(width: 9, height: 4, repeating: 0)
        for y in 1...2 { for x in 4...6 { labels[x, y] = 1 } }
        var hematoxylin = Plane<Float>(width: 9, height: 4, repeating: 0)
        hematoxylin[4, 1] = 0.5; hematoxylin[6, 2] = 1
        var p = NucleusParameters()
        p.minimumAreaMicrons2 = 0
        let (nuclei, remap) = NucleusDetector.regions(labels: labels, seeds: 1, hematoxylin: hematoxylin, contrast: hematoxylin,
                                                      pixelSize: 1, parameters: p)
        let r = try #require(nuclei.first)
        #expect(nuclei.count == 1 && remap == [0, 1])
        #expect(r.areaPixels == 6 && r.x == 5 && r.y == 1.5)
        #expect(abs(r.meanHematoxylin - 0.25) < 1e-12)
        #expect(abs(r.elongation - (8.0 / 3).squareRoot()) < 1e-12)
        // Texture: values 0.5, 1 and four zeros: E[H²] = 1.25 / 6, SD = √(1.25/6 − 1/16).
        #expect(abs(r.hematoxylinSD - (1.25 / 6 - 0.0625).squareRoot()) < 1e-12)
        #expect(abs(r.contrast - 0.25) < 1e-12)
        // Short axis: 4√λ₂ = 4 · √(1/4) = 2 pixels.
        #expect(abs(r.minorAxis - 2) < 1e-12)
    }
}
