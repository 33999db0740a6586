import Foundation
import Testing
@testable import StainScore

/// The optimised kernels against the plain implementations in `Reference`: exactly equal
/// (integers, labels, and float results the kernel promises to form in the same order), on
/// random inputs and awkward sizes — 1×1, single rows and columns, widths that are not a
/// multiple of the vector width.
@Suite("Optimised kernels = reference implementations")
struct KernelReferenceTests {
    static let sizes: [(Int, Int)] = [(1, 1), (1, 7), (9, 1), (17, 5), (31, 33), (64, 3), (100, 37), (130, 61)]

    static func randomPlane(_ w: Int, _ h: Int, seed: UInt64, scale: Double = 1) -> Plane<Float> {
        var rng = SplitMix64(seed: seed)
        return Plane(width: w, height: h, values: (0..<(w * h)).map { _ in Float(rng.nextUnit() * scale) })
    }

    @Test("stain separation: table sums equal the per-pixel 3×3 product", arguments: sizes)
    func stains(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 1000 + h))
        let pixels = (0..<(w * h * 3)).map { _ in UInt8(rng.nextUnit() * 256 > 255 ? 255 : rng.nextUnit() * 256) }
        let image = RGBImage(width: w, height: h, pixels: pixels)
        let stains = StainMatrix(hematoxylin: SIMD3(0.62, 0.72, 0.31), dab: SIMD3(0.29, 0.58, 0.76))
        let background = SIMD3<Double>(243, 240, 247)
        let fast = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters())
        let slow = Reference.separate(image, background: background, stains: stains, tissue: TissueParameters())
        #expect(fast.hematoxylin.values == slow.h)
        #expect(fast.dab.values == slow.d)
        #expect(fast.tissue.values == slow.t)
    }

    /// Pixels of glass (near white, nearly neutral), pale and dark tissue in equal parts, so
    /// that every tissue code and glass candidates occur side by side.
    static func mixedImage(_ w: Int, _ h: Int, seed: UInt64) -> RGBImage {
        var rng = SplitMix64(seed: seed)
        var pixels: [UInt8] = []
        for _ in 0..<(w * h) {
            let kind = Int(rng.nextUnit() * 3)
            for _ in 0..<3 {
                let u = rng.nextUnit()
                pixels.append(UInt8(kind == 0 ? 215 + u * 40.99 : kind == 1 ? 150 + u * 105.99 : u * 120))
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    @Test("stain separation with the 2×2 reduction in the same pass = separation, then the reductions",
          arguments: sizes + [(2, 2), (18, 6), (64, 4), (130, 62), (2, 9)])
    func stainsReducing(_ w: Int, _ h: Int) throws {
        let image = Self.mixedImage(w, h, seed: UInt64(w * 7919 + h))
        let stains = StainMatrix(hematoxylin: SIMD3(0.62, 0.72, 0.31), dab: SIMD3(0.29, 0.58, 0.76))
        let background = SIMD3<Double>(243, 240, 247)
        let plain = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters())
        let fused = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters(), reduce: true)
        #expect(fused.hematoxylin == plain.hematoxylin)
        #expect(fused.dab == plain.dab)
        #expect(fused.tissue == plain.tissue)
        #expect(fused.measurableTissuePixels == plain.measurableTissuePixels)
        #expect(fused.measurableTissuePixels == plain.tissue.values.filter { $0 == 1 }.count)
        guard w % 2 == 0, h % 2 == 0 else {
            #expect(fused.reduced == nil, "odd sides are reduced by the nucleus detector itself")
            return
        }
        let reduced = try #require(fused.reduced)
        #expect(reduced.factor == 2)
        #expect(reduced.hematoxylin == Downsample.box(plain.hematoxylin, factor: 2))
        #expect(reduced.dab == Downsample.box(plain.dab, factor: 2))
        #expect(reduced.tissue == Downsample.tissueCodes(plain.tissue, factor: 2))
        #expect(Set(plain.tissue.values).count == 3 || w * h < 40, "the image mixes glass, tissue and dark pixels")
        // Without the full-resolution hematoxylin (its rows through scratch): the same planes
        // and reductions, and an empty hematoxylin plane.
        let lean = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters(),
                                            reduce: true, fullHematoxylin: false)
        #expect(lean.hematoxylin.width == 0 && lean.hematoxylin.height == 0 && lean.hematoxylin.values.isEmpty)
        #expect(lean.dab == plain.dab && lean.tissue == plain.tissue)
        #expect(lean.measurableTissuePixels == plain.measurableTissuePixels)
        let leanReduced = try #require(lean.reduced)
        #expect(leanReduced.hematoxylin == reduced.hematoxylin && leanReduced.dab == reduced.dab
                && leanReduced.tissue == reduced.tissue)
    }

    /// Asked for without the full hematoxylin but with odd sides (no reduction in the pass), the
    /// separation keeps it: the nucleus detector reduces it itself.
    @Test("stain separation keeps the full hematoxylin when the sides are odd", arguments: [(17, 13), (64, 5), (1, 1)])
    func stainsLeanOdd(_ w: Int, _ h: Int) {
        let image = Self.mixedImage(w, h, seed: UInt64(w * 31 + h))
        let stains = StainMatrix(hematoxylin: SIMD3(0.62, 0.72, 0.31), dab: SIMD3(0.29, 0.58, 0.76))
        let background = SIMD3<Double>(243, 240, 247)
        let plain = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters())
        let lean = StainSeparation.separate(image, background: background, stains: stains, tissue: TissueParameters(),
                                            reduce: true, fullHematoxylin: false)
        #expect(lean.reduced == nil)
        #expect(lean.hematoxylin == plain.hematoxylin && lean.dab == plain.dab && lean.tissue == plain.tissue)
    }

    /// The vector tissue test at its edges: a threshold exactly equal to some pixels' OD sum
    /// (those pixels are tissue: OD ≥ threshold), and a threshold of 0 with pixels at or above
    /// the glass intensity (OD sums of ±0, tissue too).
    @Test("stain separation: tissue codes at a threshold equal to a pixel's OD sum, and at 0", arguments: [0, 1, 2])
    func stainsAtThreshold(_ which: Int) throws {
        let w = 64, h = 6
        var image = Self.mixedImage(w, h, seed: UInt64(77 + which))
        // Every fifth pixel a copy of pixel 3, and some at the glass intensity itself (OD −0 in
        // every channel: −log10(1)) or at pure white (OD 0).
        let background = SIMD3<Double>(243, 240, 247)
        for i in stride(from: 0, to: w * h, by: 5) { for c in 0..<3 { image.pixels[3 * i + c] = image.pixels[9 + c] } }
        for i in stride(from: 2, to: w * h, by: 11) { for c in 0..<3 { image.pixels[3 * i + c] = UInt8(background[c]) } }
        for i in stride(from: 4, to: w * h, by: 13) { for c in 0..<3 { image.pixels[3 * i + c] = 255 } }
        let od = OpticalDensityTable(background: background)
        let sum3 = od.red[Int(image.pixels[9])] + od.green[Int(image.pixels[10])] + od.blue[Int(image.pixels[11])]
        var tissue = TissueParameters()
        tissue.minimumTissueOD = which == 0 ? 0 : Double(sum3)
        if which == 2 { tissue.maximumChannelOD = Double(od.green[Int(image.pixels[10])]) }  // a channel at the dark limit
        let stains = StainMatrix(hematoxylin: SIMD3(0.62, 0.72, 0.31), dab: SIMD3(0.29, 0.58, 0.76))
        let slow = Reference.separate(image, background: background, stains: stains, tissue: tissue)
        let fast = StainSeparation.separate(image, background: background, stains: stains, tissue: tissue)
        #expect(fast.tissue.values == slow.t)
        #expect(fast.hematoxylin.values == slow.h)
        #expect(fast.measurableTissuePixels == slow.t.filter { $0 == 1 }.count)
        #expect(slow.t[3] != 0 && slow.t[0] == slow.t[3], "the copies of pixel 3 sit exactly at the threshold and count as tissue")
        let fused = StainSeparation.separate(image, background: background, stains: stains, tissue: tissue, reduce: true)
        let reduced = try #require(fused.reduced)
        #expect(fused.tissue == fast.tissue)
        #expect(reduced.tissue == Downsample.tissueCodes(fast.tissue, factor: 2))
        #expect(reduced.hematoxylin == Downsample.box(fast.hematoxylin, factor: 2))
    }

    @Test("glass estimate equals the plain definition", arguments: [(1, 1), (9, 1), (31, 33), (100, 37), (256, 130)])
    func background(_ w: Int, _ h: Int) {
        for seed in 0..<4 {
            var image = Self.mixedImage(w, h, seed: UInt64(seed * 31 + w))
            if seed == 3 {  // no glass at all: the fallback
                image = RGBImage(width: w, height: h, pixels: image.pixels.map { $0 / 2 })
            }
            for step in [1, 7] {
                let fast = BackgroundEstimation.estimate(image, step: step)
                let slow = Reference.background(image, step: step)
                #expect(fast.background == slow.background, "seed \(seed), step \(step)")
                #expect(fast.glassFraction == slow.glassFraction, "seed \(seed), step \(step)")
            }
        }
    }

    @Test("Gaussian: equal to the scalar symmetric sum, and within 1e-5 of the 2-D convolution", arguments: sizes)
    func gaussian(_ w: Int, _ h: Int) {
        let plane = Self.randomPlane(w, h, seed: UInt64(w * 7 + h))
        for sigma in [0.5, 1.0, 2.0, 3.0] {
            #expect(GaussianFilter.blur(plane, sigma: sigma).values == Reference.blur(plane, sigma: sigma).values)
        }
    }

    @Test("Gaussian into a reused plane: every value written over what was there", arguments: sizes)
    func gaussianInto(_ w: Int, _ h: Int) {
        let plane = Self.randomPlane(w, h, seed: UInt64(w * 5 + h))
        var out = Self.randomPlane(w, h, seed: 7, scale: 1000)  // stale values from an earlier tile
        for sigma in [0.625, 1.75, 3.0] {
            GaussianFilter.blur(plane, sigma: sigma, into: &out)
            #expect(out.values == Reference.blur(plane, sigma: sigma).values)
        }
    }

    @Test("hole filling equals a flood of the background from the border", arguments: sizes)
    func holes(_ w: Int, _ h: Int) {
        for density in [0.3, 0.55, 0.8] {
            var rng = SplitMix64(seed: UInt64(w * 31 + h) &+ UInt64(density * 100))
            // Foreground is any non-zero byte, the high bit set or not.
            let mask = Plane<UInt8>(width: w, height: h, values: (0..<(w * h)).map { i in
                rng.nextUnit() < density ? [1, 255, 128, 7][i % 4] : 0 })
            let filled = Reference.fillHoles(mask)
            #expect(Morphology.fillHoles(mask) == filled)
            // In place: only the holes are written; the foreground keeps its values.
            var inPlace = mask
            Morphology.fillHolesInPlace(&inPlace)
            #expect(inPlace.values.indices.allSatisfy { i in
                mask.values[i] != 0 ? inPlace.values[i] == mask.values[i] : inPlace.values[i] == filled.values[i] })
        }
    }

    @Test("peaks equal strict maxima with brute-force suppression", arguments: sizes)
    func peaks(_ w: Int, _ h: Int) {
        // Coarse values make ties (plateaus) common.
        var plane = Self.randomPlane(w, h, seed: UInt64(w * 13 + h), scale: 8)
        plane.values = plane.values.map { $0.rounded(.down) }
        var rng = SplitMix64(seed: 99)
        let mask = Plane<UInt8>(width: w, height: h, values: (0..<(w * h)).map { _ in rng.nextUnit() < 0.8 ? 1 : 0 })
        for distance: Float in [1.5, 4] {
            #expect(LocalMaxima.peaks(plane, threshold: 2, mask: mask, minimumDistance: distance)
                    == Reference.peaks(plane, threshold: 2, mask: mask, minimumDistance: distance))
            #expect(LocalMaxima.peaks(plane, threshold: 0, minimumDistance: distance)
                    == Reference.peaks(plane, threshold: 0, mask: nil, minimumDistance: distance))
        }
        // Negative values, and −0 beside +0 (equal values: ties broken by index).
        var signed = plane
        signed.values = plane.values.enumerated().map { i, v in i % 7 == 3 ? -0.0 : (i % 7 == 5 ? 0 : v - 4) }
        for distance: Float in [1.5, 4] {
            #expect(LocalMaxima.peaks(signed, threshold: -3, minimumDistance: distance)
                    == Reference.peaks(signed, threshold: -3, mask: nil, minimumDistance: distance))
        }
    }

    @Test("watershed equals the FIFO-per-level definition (plain, radius-limited, ridge-stopped)", arguments: sizes)
    func watershed(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 17 + h))
        // Levels with plateaus, ridges and the top level 255; a few forbidden pixels.
        let levels = Plane<UInt8>(width: w, height: h, values: (0..<(w * h)).map { _ in
            let u = rng.nextUnit()
            return u < 0.4 ? 0 : u < 0.9 ? UInt8(u * 40) : UInt8(200 + (u - 0.9) * 550)
        })
        var labels = Plane<Int32>(width: w, height: h, repeating: 0)
        var centres: [SIMD2<Float>] = [], radii: [Float] = []
        for i in 0..<(w * h) {
            let u = rng.nextUnit()
            if u < 0.03 { centres.append(SIMD2(Float(i % w), Float(i / w))); radii.append(Float(1 + rng.nextUnit() * 6)); labels.values[i] = Int32(centres.count) }
            else if u < 0.06 { labels.values[i] = -1 }
        }
        var fast = labels, slow = labels
        Watershed.flood(levels: levels, labels: &fast)
        Reference.flood(levels: levels, labels: &slow)
        #expect(fast == slow)
        fast = labels; slow = labels
        Watershed.flood(levels: levels, labels: &fast, centres: centres, radii: radii, ridgeStop: 20)
        Reference.flood(levels: levels, labels: &slow, centres: centres, radii: radii, ridgeStop: 20)
        #expect(fast == slow)
        // The copying form: the same flood, the markers left as they were.
        let markers = labels
        #expect(Watershed.flooded(levels: levels, markers: markers, centres: centres, radii: radii, ridgeStop: 20) == slow)
        #expect(markers == labels)
        // A flat landscape from one marker: level 0 then holds every pixel, as many as its
        // FIFO is made for at the start.
        let flat = Plane<UInt8>(width: w, height: h, repeating: 0)
        var one = Plane<Int32>(width: w, height: h, repeating: 0), oneSlow = one
        one.values[(w * h) / 2] = 1; oneSlow.values[(w * h) / 2] = 1
        Watershed.flood(levels: flat, labels: &one)
        Reference.flood(levels: flat, labels: &oneSlow)
        #expect(one == oneSlow)
        #expect(one.values.allSatisfy { $0 == 1 })
    }

    @Test("zero count equals a count byte by byte", arguments: sizes)
    func zeroCount(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 7 + h))
        // Zeros, ones, 0x80 and 0xFF (the bytes the word trick must tell apart) and others.
        let special: [UInt8] = [0, 1, 0x7F, 0x80, 0x81, 0xFF]
        let bytes = (0..<(w * h)).map { _ in
            let u = rng.nextUnit()
            return u < 0.5 ? special[Int(u * 12)] : UInt8(truncatingIfNeeded: Int(rng.nextUnit() * 256))
        }
        bytes.withUnsafeBufferPointer { p in
            for start in [0, 1, 3] where start <= p.count {
                let expected = p[start...].reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
                #expect(Watershed.zeroCount(p.baseAddress! + start, p.count - start) == expected)
            }
        }
        #expect(Watershed.zeroCount([UInt8](repeating: 0, count: w * h), w * h) == w * h)
    }

    /// Quantisation as first written: clamp, optional inversion, then `Int32(v + 0.5)` (a
    /// truncation, so rounding half up) — the conversion the kernel avoids.
    static func referenceLevels(_ plane: Plane<Float>, low: Float, high: Float, invert: Bool, zeroBelow: UInt8) -> [UInt8] {
        let scale = 255 / max(1e-6, high - low)
        return plane.values.map { x in
            var v = (x - low) * scale
            v = min(255, max(0, v))
            if invert { v = 255 - v }
            let level = UInt8(truncatingIfNeeded: Int32(v + 0.5))
            return level < zeroBelow ? 0 : level
        }
    }

    @Test("quantisation equals clamp-and-truncate, at every half level and on special values", arguments: sizes)
    func quantise(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 131 + h))
        // Values around the range, many exactly on a level or half-way between two (k/2 of the
        // 0…255 scale), some just beside a half level, and NaN and ±infinity.
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1.2, -1e-30, 1e30]
        let values: [Float] = (0..<(w * h)).map { i in
            let u = rng.nextUnit()
            let half = Float(Int(rng.nextUnit() * 514) - 1) / 2 / 255 * 1.2  // (k − 1)/2 levels, in OD
            switch u {
            case ..<0.05: return specials[i % specials.count]
            case ..<0.4: return half
            case ..<0.55: return half.nextUp
            case ..<0.7: return half.nextDown
            default: return Float(-0.3 + 1.8 * rng.nextUnit())
            }
        }
        let plane = Plane(width: w, height: h, values: values)
        for (low, high) in [(Float(0), Float(1.2)), (-0.1, 0.9), (0, 1e-9)] {
            for invert in [false, true] {
                for zeroBelow in [UInt8(0), 10, 255] {
                    let fast = Watershed.quantise(plane, low: low, high: high, invert: invert, zeroBelow: zeroBelow)
                    #expect(fast.width == w && fast.height == h)
                    let slow = Self.referenceLevels(plane, low: low, high: high, invert: invert, zeroBelow: zeroBelow)
                    let wrong = zip(fast.values, slow).enumerated().filter { $0.element.0 != $0.element.1 }
                    let first = wrong.prefix(3).map { "value \(values[$0.offset]): \($0.element.0) vs \($0.element.1)" }
                    #expect(wrong.isEmpty, "[\(low), \(high)] invert \(invert) zero below \(zeroBelow): \(wrong.count) levels differ, first \(first)")
                }
            }
        }
    }
}
