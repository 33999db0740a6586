import Testing
@testable import StainScore  // NucleusDetector.upsample(_:factor:width:height:) of a detection is internal

/// The reductions and block-wise upsampling behind the segmentation scale
/// (`nuclei.detectionMicronsPerPixel`, `cells.floodMicronsPerPixel`) against brute-force
/// definitions written pixel by pixel, on random planes of awkward sizes (1×1, odd sides,
/// partial edge blocks) and factors 2, 3 and 4.
@Suite("Segmentation scale: reductions and upsampling = brute force")
struct ScaleReferenceTests {
    static let sizes: [(Int, Int)] = [(1, 1), (1, 7), (9, 1), (2, 2), (17, 5), (31, 33), (64, 3), (100, 38), (130, 61)]

    /// The mean of the block's pixels (the partial blocks at the right and bottom edges
    /// included), summed in Double.
    static func bruteBox(_ p: Plane<Float>, _ f: Int) -> [Double] {
        let cw = (p.width + f - 1) / f, ch = (p.height + f - 1) / f
        var out: [Double] = []
        for cy in 0..<ch {
            for cx in 0..<cw {
                var sum = 0.0, count = 0
                for y in (cy * f)..<min(p.height, cy * f + f) {
                    for x in (cx * f)..<min(p.width, cx * f + f) { sum += Double(p[x, y]); count += 1 }
                }
                out.append(sum / Double(count))
            }
        }
        return out
    }

    @Test("box average of a plane: the block means, within float rounding", arguments: sizes)
    func box(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 97 + h))
        let plane = Plane<Float>(width: w, height: h, values: (0..<(w * h)).map { _ in Float(rng.nextUnit() * 2) })
        for f in [2, 3, 4] {
            let fast = Downsample.box(plane, factor: f)
            #expect(fast.width == (w + f - 1) / f && fast.height == (h + f - 1) / f)
            // Float sums of at most 16 values in [0, 2): a relative error of a few ulps.
            for (a, b) in zip(fast.values, Self.bruteBox(plane, f)) { #expect(abs(Double(a) - b) <= 1e-6 * max(1, b)) }
        }
    }

    @Test("tissue codes: measurable when half the block is, else unmeasurable if those outnumber glass", arguments: sizes)
    func tissueCodes(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 31 + h))
        let plane = Plane<UInt8>(width: w, height: h, values: (0..<(w * h)).map { _ in UInt8(min(2, Int(rng.nextUnit() * 3))) })
        for f in [2, 3, 4] {
            let fast = Downsample.tissueCodes(plane, factor: f)
            let cw = (w + f - 1) / f, ch = (h + f - 1) / f
            #expect(fast.width == cw && fast.height == ch)
            for cy in 0..<ch {
                for cx in 0..<cw {
                    var counts = [0, 0, 0]
                    for y in (cy * f)..<min(h, cy * f + f) {
                        for x in (cx * f)..<min(w, cx * f + f) { counts[Int(plane[x, y])] += 1 }
                    }
                    let total = counts.reduce(0, +)
                    let expected: UInt8 = 2 * counts[1] >= total ? 1 : counts[2] > counts[0] ? 2 : 0
                    #expect(fast[cx, cy] == expected, "block (\(cx), \(cy)) factor \(f)")
                }
            }
        }
    }

    /// Random labels 0…8 on the coarse grid of a `w × h` plane reduced by `f`.
    static func coarseLabels(_ w: Int, _ h: Int, factor f: Int, rng: inout SplitMix64) -> Plane<Int32> {
        let cw = (w + f - 1) / f, ch = (h + f - 1) / f
        return Plane<Int32>(width: cw, height: ch, values: (0..<(cw * ch)).map { _ in Int32(rng.nextUnit() * 9) })
    }

    @Test("upsampling covers each block with its coarse label; sampling gives the coarse labels back", arguments: sizes)
    func upsample(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 13 + h))
        for f in [2, 3, 4] {
            let coarse = Self.coarseLabels(w, h, factor: f, rng: &rng)
            let fine = Upsample.blocks(coarse, factor: f, width: w, height: h)
            for y in 0..<h { for x in 0..<w { #expect(fine[x, y] == coarse[x / f, y / f]) } }
            #expect(Downsample.sample(fine, factor: f) == coarse)
        }
    }

    /// The fine areas come from the coarse ones (f² pixels a coarse pixel) corrected along a
    /// partial last column and row: they must be the fine pixels counted one by one.
    @Test("an upsampled detection's areas are the fine pixels of each label", arguments: sizes)
    func upsampledAreas(_ w: Int, _ h: Int) {
        var rng = SplitMix64(seed: UInt64(w * 31 + h))
        for f in [2, 3, 4] {
            let coarse = Self.coarseLabels(w, h, factor: f, rng: &rng)
            let regions = (1...8).map { l in
                NucleusRegion(label: Int32(l), x: 0, y: 0, areaPixels: coarse.values.filter { $0 == Int32(l) }.count,
                              meanHematoxylin: 0.5, elongation: 1)
            }
            let detection = NucleusDetection(labels: LabelImage(labels: coarse, count: 8), nuclei: regions, threshold: 0.3)
            let fine = NucleusDetector.upsample(detection, factor: f, width: w, height: h)
            let counted = (1...8).map { l in fine.labels.labels.values.filter { $0 == Int32(l) }.count }
            #expect(fine.nuclei.map(\.areaPixels) == counted, "\(w)×\(h), factor \(f)")
        }
    }

    @Test("an upsampled detection: centroids in fine pixels, areas counted exactly, coarse detection kept")
    func upsampledDetection() {
        // Coarse 3×2 labels, factor 2, fine 5×3 (partial last column and row).
        let coarse = Plane<Int32>(width: 3, height: 2, values: [1, 1, 2,
                                                                  0, 2, 2])
        let regions = [NucleusRegion(label: 1, x: 0.5, y: 0, areaPixels: 2, meanHematoxylin: 0.5, elongation: 2),
                       NucleusRegion(label: 2, x: 5.0 / 3, y: 2.0 / 3, areaPixels: 3, meanHematoxylin: 0.4, elongation: 1)]
        let detection = NucleusDetection(labels: LabelImage(labels: coarse, count: 2), nuclei: regions, threshold: 0.3)
        let fine = NucleusDetector.upsample(detection, factor: 2, width: 5, height: 3)
        // Fine rows: [1 1 1 1 2], [1 1 1 1 2], [0 0 2 2 2].
        #expect(fine.labels.labels.values == [1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 0, 0, 2, 2, 2])
        #expect(fine.nuclei.map(\.areaPixels) == [8, 5])
        #expect(fine.nuclei[0].x == 1.5 && fine.nuclei[0].y == 0.5)
        #expect(abs(fine.nuclei[1].x - (5.0 / 3 * 2 + 0.5)) < 1e-12)
        #expect(fine.coarse?.factor == 2 && fine.coarse?.labels.labels == coarse)
    }
}
