/// Parameters of nucleus detection on the hematoxylin channel (lengths in µm).
public struct NucleusParameters: Sendable, Hashable, Codable {
    /// Gaussian σ of the smoothing that defines the nucleus mask, at the detection scale. The
    /// 2×2 reduction to `detectionMicronsPerPixel` already smooths, so the default is smaller
    /// than the 1.0 µm used at 0.5 µm/px before (chosen on 40 virtual slides, confirmed on 40
    /// others: see the README).
    public var maskSigmaMicrons: Double = 0.625
    /// Gaussian σ of the blob filter whose peaks seed one nucleus each (about a nucleus radius / 2).
    public var seedSigmaMicrons: Double = 1.75
    /// Two seeds closer than this are one nucleus.
    public var minimumSeparationMicrons: Double = 4.0
    /// Hematoxylin OD threshold of the mask; nil = Otsu over the tile's tissue, clamped to
    /// `automaticThresholdRange`.
    public var threshold: Double? = nil
    public var automaticThresholdRange: ClosedRange<Double> = 0.05...0.6
    /// A nucleus pixel's hematoxylin must be at least this multiple of its DAB: intense
    /// membrane DAB leaks into the hematoxylin channel when the stain vectors are not exact,
    /// and must not be taken for nuclei.
    public var hematoxylinDominance: Double = 1.0
    /// Nucleus area limits (QuPath defaults 10–400 µm²).
    public var minimumAreaMicrons2: Double = 10
    public var maximumAreaMicrons2: Double = 400
    /// Nuclei are detected at this pixel size (µm/px) when the analysis pixels are at least
    /// 1.5× finer: the hematoxylin and DAB planes are box-averaged by the integer factor, the
    /// nuclei found there, and their labels mapped back to the analysis pixels (each coarse
    /// pixel covers its block). Nuclei are 5–15 µm across, so 1 µm/px still resolves them and
    /// splits touching ones, at a quarter of the pixels; cells and membranes stay at the
    /// analysis scale. 0 = detect at the analysis scale.
    public var detectionMicronsPerPixel: Double = 1.0
    public init() {}
}

/// One detected nucleus.
public struct NucleusRegion: Sendable, Hashable {
    public var label: Int32
    /// Centroid in pixels.
    public var x: Double
    public var y: Double
    public var areaPixels: Int
    /// Mean hematoxylin OD.
    public var meanHematoxylin: Double
    /// √(λ₁/λ₂) of the second moments: 1 for a disk, ≈ length/width for a spindle.
    public var elongation: Double
    /// Radius of the disk of the same area, pixels.
    public var equivalentRadius: Double { (Double(areaPixels) / .pi).squareRoot() }
}

/// Nuclei found on the hematoxylin plane: a label image (1…count) and their measurements.
public struct NucleusDetection: Sendable {
    public var labels: LabelImage
    public var nuclei: [NucleusRegion]
    /// The hematoxylin threshold used.
    public var threshold: Double
    /// When the nuclei were found on reduced planes (`detectionMicronsPerPixel`): that
    /// detection, at its own scale, and the reduction factor. A cell flood at the same scale
    /// starts from it directly.
    public var coarse: CoarseNuclei?

    public init(labels: LabelImage, nuclei: [NucleusRegion], threshold: Double, coarse: CoarseNuclei? = nil) {
        self.labels = labels
        self.nuclei = nuclei
        self.threshold = threshold
        self.coarse = coarse
    }
}

/// A nucleus detection made on planes reduced by `factor`, in the reduced pixels; the fine
/// detection's labels are its block-wise upsampling.
public struct CoarseNuclei: Sendable {
    public var labels: LabelImage
    public var nuclei: [NucleusRegion]
    public var factor: Int
    /// The reduced DAB plane the detection used, so a cell flood at the same scale does not
    /// reduce the DAB plane a second time.
    public var dab: Plane<Float>?
}

/// Finds nuclei: threshold of the lightly smoothed hematoxylin OD (inside tissue), seeds at
/// the peaks of a nucleus-scale blob filter (touching nuclei get one seed each), watershed of
/// the blob response from the seeds inside the mask, then size limits.
public enum NucleusDetector {
    /// `reduced`: the planes already reduced (by the stain pass); used when their factor is the
    /// detection's.
    public static func detect(hematoxylin: Plane<Float>, dab: Plane<Float>, tissue: Plane<UInt8>, pixelSize: Double,
                              parameters p: NucleusParameters, reduced: ReducedStainPlanes? = nil,
                              clock: StageClock? = nil) -> NucleusDetection {
        clock?.restart()
        let factor = detectionFactor(pixelSize: pixelSize, parameters: p)
        let given = factor >= 2 && reduced?.factor == factor ? reduced : nil
        // An empty hematoxylin plane (the stain pass kept only its reduction) is enough only when
        // that reduction is the one used here.
        precondition(given != nil || (hematoxylin.width == dab.width && hematoxylin.height == dab.height),
                     "the full-resolution hematoxylin plane is needed: no reduced planes at the detection's factor")
        guard factor >= 2 else {
            return detectAtScale(hematoxylin: hematoxylin, dab: dab, tissue: tissue, pixelSize: pixelSize, parameters: p, clock: clock)
        }
        let coarseH = given?.hematoxylin ?? Downsample.box(hematoxylin, factor: factor)
        let coarseDAB = given?.dab ?? Downsample.box(dab, factor: factor)
        let coarseTissue = given?.tissue ?? Downsample.tissueCodes(tissue, factor: factor)
        clock.lap("nuclei.reduce")
        let coarse = detectAtScale(hematoxylin: coarseH, dab: coarseDAB, tissue: coarseTissue, pixelSize: pixelSize * Double(factor),
                                   parameters: p, clock: clock)
        var fine = upsample(coarse, factor: factor, width: dab.width, height: dab.height)
        fine.coarse?.dab = coarseDAB
        clock.lap("nuclei.upsample")
        return fine
    }

    /// The reduction factor of the detection planes at analysis pixel size `pixelSize` (1: none).
    public static func detectionFactor(pixelSize: Double, parameters p: NucleusParameters) -> Int {
        let factor = p.detectionMicronsPerPixel > 0 ? Int((p.detectionMicronsPerPixel / pixelSize).rounded()) : 1
        return factor >= 2 && p.detectionMicronsPerPixel >= 1.5 * pixelSize ? factor : 1
    }

    /// Labels of a detection made on `factor`-reduced planes, mapped back to `width × height`
    /// pixels (each coarse pixel covers its factor × factor block, the partial blocks at the
    /// right and bottom edges included: the coarse labels as `LabelImage.blocks`, the plane
    /// made only if asked for); centroids and areas are re-expressed in fine pixels, the areas
    /// counted exactly.
    static func upsample(_ coarse: NucleusDetection, factor f: Int, width w: Int, height h: Int) -> NucleusDetection {
        // Exact fine areas: each coarse pixel covers f × f fine pixels (its region's `areaPixels`
        // counts them), fewer in a partial last column and row — only those are visited.
        let cw = coarse.labels.width, ch = coarse.labels.height
        var area = [Int](repeating: 0, count: coarse.nuclei.count + 1)
        for n in coarse.nuclei { area[Int(n.label)] = n.areaPixels &* f &* f }
        let lastColumns = w &- (cw &- 1) &* f, lastRows = h &- (ch &- 1) &* f
        if cw > 0 && ch > 0 && (lastColumns < f || lastRows < f) {
            coarse.labels.labels.values.withUnsafeBufferPointer { src in
                // The last column (rows of its block: f, or lastRows at the bottom), then the rest
                // of the last row.
                if lastColumns < f {
                    for cy in 0..<ch {
                        let l = Int(src[cy &* cw &+ cw &- 1])
                        let rows = cy == ch &- 1 ? lastRows : f
                        if l > 0 { area[l] &+= rows &* lastColumns &- f &* f }
                    }
                }
                if lastRows < f {
                    for cx in 0..<(lastColumns < f ? cw &- 1 : cw) {
                        let l = Int(src[(ch &- 1) &* cw &+ cx])
                        if l > 0 { area[l] &+= lastRows &* f &- f &* f }
                    }
                }
            }
        }
        let scale = Double(f)
        let nuclei = coarse.nuclei.map { n in
            var m = n
            m.x = (n.x + 0.5) * scale - 0.5
            m.y = (n.y + 0.5) * scale - 0.5
            m.areaPixels = area[Int(n.label)]
            return m
        }
        return NucleusDetection(labels: LabelImage(blocks: LabelBlocks(labels: coarse.labels.labels, factor: f), width: w, height: h,
                                                   count: coarse.labels.count), nuclei: nuclei,
                                threshold: coarse.threshold,
                                coarse: CoarseNuclei(labels: coarse.labels, nuclei: coarse.nuclei, factor: f))
    }

    /// The histogram Otsu's threshold is taken from: 256 bins of ⌊(H − low) · 255 / (high − low)⌋
    /// (clamped to 0…255) over the measurable tissue pixels (code 1) whose smoothed hematoxylin
    /// is at least `dominance` × their smoothed DAB.
    static func thresholdHistogram(smooth: Plane<Float>, smoothDAB: Plane<Float>, tissue: Plane<UInt8>, dominance: Float,
                                   low histogramLow: Float, high histogramHigh: Float) -> [Int] {
        let w = smooth.width, h = smooth.height
        // The histogram a row at a time: each pixel's bin (`floorByte` of the clamped value) and
        // whether it counts, in a loop that vectorises; then the counts, without a jump, into
        // the lanes of an `InterleavedHistogram`.
        var quarters = InterleavedHistogram.lanes(bins: 256)
        var binRow = [UInt8](repeating: 0, count: w), countRow = [Int32](repeating: 0, count: w)
        smooth.values.withUnsafeBufferPointer { hs in
        smoothDAB.values.withUnsafeBufferPointer { ds in
        tissue.values.withUnsafeBufferPointer { t in
        binRow.withUnsafeMutableBufferPointer { br in
        countRow.withUnsafeMutableBufferPointer { cr in
        quarters.withUnsafeMutableBufferPointer { bins in
            let scale = 255 / (histogramHigh - histogramLow)
            for y in 0..<h {
                let row = y &* w
                for x in 0..<w {
                    let i = row &+ x
                    let v = Swift.min(255, Swift.max(0, (hs[i] - histogramLow) * scale))
                    br[x] = floorByte(v)
                    cr[x] = t[i] == 1 && hs[i] >= dominance * ds[i] ? 1 : 0
                }
                for x in 0..<w { bins[Int(br[x]) &* 4 &+ (x & 3)] &+= cr[x] }
            }
        }}}}}}
        return InterleavedHistogram.fold(quarters)
    }

    /// The detection itself, at the pixel size of the planes given.
    static func detectAtScale(hematoxylin: Plane<Float>, dab: Plane<Float>, tissue: Plane<UInt8>, pixelSize: Double,
                              parameters p: NucleusParameters, clock: StageClock?) -> NucleusDetection {
        let w = hematoxylin.width, h = hematoxylin.height, n = w * h
        let smooth = GaussianFilter.blur(hematoxylin, sigma: p.maskSigmaMicrons / pixelSize)
        let smoothDAB = GaussianFilter.blur(dab, sigma: p.maskSigmaMicrons / pixelSize)
        let blob = GaussianFilter.blur(hematoxylin, sigma: p.seedSigmaMicrons / pixelSize)
        clock.lap("nuclei.blur")
        let dominance = Float(p.hematoxylinDominance)
        // Otsu over the smoothed hematoxylin of measurable tissue where hematoxylin dominates.
        let histogramLow: Float = 0, histogramHigh: Float = 1.5
        let histogram = thresholdHistogram(smooth: smooth, smoothDAB: smoothDAB, tissue: tissue, dominance: dominance,
                                           low: histogramLow, high: histogramHigh)
        let threshold: Float = p.threshold.map(Float.init) ?? {
            let range = p.automaticThresholdRange
            let otsu = Threshold.otsu(histogram: histogram, low: histogramLow, high: histogramHigh) ?? Float(range.lowerBound)
            return Swift.min(Float(range.upperBound), Swift.max(Float(range.lowerBound), otsu))
        }()
        var mask = Plane<UInt8>(width: w, height: h, repeating: 0)
        smooth.values.withUnsafeBufferPointer { hs in
        smoothDAB.values.withUnsafeBufferPointer { ds in
        tissue.values.withUnsafeBufferPointer { t in
        mask.values.withUnsafeMutableBufferPointer { m in
            // Non-short-circuit `&` keeps the loop branch-free (vectorised).
            for i in 0..<n {
                let v = hs[i]
                let inTissue: UInt8 = t[i] != 0 ? 1 : 0, dark: UInt8 = v >= threshold ? 1 : 0
                let dominant: UInt8 = v >= dominance * ds[i] ? 1 : 0
                m[i] = inTissue & dark & dominant
            }
        }}}}
        clock.lap("nuclei.threshold")
        Morphology.fillHolesInPlace(&mask)  // the mask is 0 or 1
        clock.lap("nuclei.fill-holes")
        let seeds = LocalMaxima.peaks(blob, threshold: threshold * 0.5, mask: mask,
                                      minimumDistance: Float(p.minimumSeparationMicrons / pixelSize))
        // Labels: −1 outside the mask (never flooded), 0 inside, seeds 1…count.
        var labels = Plane<Int32>(width: w, height: h, initializingWith: { l in  // every value written
            mask.values.withUnsafeBufferPointer { m in
                for i in 0..<n { l[i] = Int32(m[i]) &- 1 }
            }
        })
        labels.values.withUnsafeMutableBufferPointer { l in
            for (k, s) in seeds.enumerated() { l[s] = Int32(k &+ 1) }
        }
        clock.lap("nuclei.seeds")
        var maxBlob = -Float.infinity
        blob.values.withUnsafeBufferPointer { b in for v in b where v > maxBlob { maxBlob = v } }
        if !(maxBlob > 0.01) { maxBlob = 0.01 }
        let levels = Watershed.quantise(blob, low: 0, high: maxBlob, invert: true)
        Watershed.flood(levels: levels, labels: &labels)
        clock.lap("nuclei.watershed")
        let (nuclei, remap) = regions(labels: labels, seeds: seeds.count, hematoxylin: hematoxylin, pixelSize: pixelSize,
                                      parameters: p)
        // Renumbered without a branch: every label ≤ 0 reads remap[0], which is 0.
        labels.values.withUnsafeMutableBufferPointer { lab in
        remap.withUnsafeBufferPointer { r in
            for i in 0..<n { lab[i] = r[Int(Swift.max(0, lab[i]))] }
        }}
        clock.lap("nuclei.regions")
        return NucleusDetection(labels: LabelImage(labels: labels, count: nuclei.count), nuclei: nuclei,
                                threshold: Double(threshold))
    }

    /// Area, centroid, second moments and mean hematoxylin of every flooded seed region, in
    /// one pass; regions outside the area limits are dropped and the rest renumbered 1…count
    /// (`remap[old] = new`, 0 for dropped). Coordinate sums are exact integers.
    static func regions(labels: Plane<Int32>, seeds n: Int, hematoxylin: Plane<Float>, pixelSize: Double,
                        parameters p: NucleusParameters) -> ([NucleusRegion], [Int32]) {
        let w = labels.width, h = labels.height
        var area = [Int](repeating: 0, count: n + 1)
        var sx = area, sy = area, sxx = area, syy = area, sxy = area
        var sh = [Double](repeating: 0, count: n + 1)
        labels.values.withUnsafeBufferPointer { lab in
        hematoxylin.values.withUnsafeBufferPointer { hv in
        area.withUnsafeMutableBufferPointer { a in
        sx.withUnsafeMutableBufferPointer { sx in
        sy.withUnsafeMutableBufferPointer { sy in
        sxx.withUnsafeMutableBufferPointer { sxx in
        syy.withUnsafeMutableBufferPointer { syy in
        sxy.withUnsafeMutableBufferPointer { sxy in
        sh.withUnsafeMutableBufferPointer { sh in
            for y in 0..<h {
                let row = y &* w
                for x in 0..<w {
                    let l = Int(lab[row &+ x])
                    if l <= 0 { continue }
                    a[l] &+= 1
                    sx[l] &+= x; sy[l] &+= y
                    sxx[l] &+= x &* x; syy[l] &+= y &* y; sxy[l] &+= x &* y
                    sh[l] += Double(hv[row &+ x])
                }
            }
        }}}}}}}}}
        let pixelArea = pixelSize * pixelSize
        var remap = [Int32](repeating: 0, count: n + 1)
        var nuclei: [NucleusRegion] = []
        for l in 1..<(n + 1) where area[l] > 0 {
            let a = Double(area[l]) * pixelArea
            guard a >= p.minimumAreaMicrons2, a <= p.maximumAreaMicrons2 else { continue }
            let c = Double(area[l])
            let mx = Double(sx[l]) / c, my = Double(sy[l]) / c
            let vxx = Double(sxx[l]) / c - mx * mx, vyy = Double(syy[l]) / c - my * my, vxy = Double(sxy[l]) / c - mx * my
            let tr = vxx + vyy, det = vxx * vyy - vxy * vxy
            let disc = max(0, tr * tr / 4 - det).squareRoot()
            let l1 = tr / 2 + disc, l2 = max(1e-9, tr / 2 - disc)
            let newLabel = Int32(nuclei.count + 1)
            remap[l] = newLabel
            nuclei.append(NucleusRegion(label: newLabel, x: mx, y: my, areaPixels: area[l], meanHematoxylin: sh[l] / c,
                                        elongation: (l1 / l2).squareRoot()))
        }
        return (nuclei, remap)
    }
}
