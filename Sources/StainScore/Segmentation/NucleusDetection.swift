/// Parameters of nucleus detection on the hematoxylin channel (lengths in µm, OD in log10 units).
///
/// The detection follows the classical blob route of QuPath's cell detection rather than a
/// global threshold: a global threshold on hematoxylin splits *dark* nuclei (lymphocytes,
/// chromatin clumps) from everything else, so the pale, vesicular tumour nuclei of real
/// carcinoma fall on the background side. Here a nucleus is a bright blob of the
/// background-subtracted hematoxylin at the nuclear scale, kept when its *mean* contrast is
/// high enough, whatever its absolute darkness.
public struct NucleusParameters: Sendable, Hashable, Codable {
    /// Radius (µm) of the square opening whose result is the local hematoxylin background
    /// (cytoplasm, stroma, uneven counterstain) subtracted before detection; larger than a
    /// nucleus (QuPath: 8 µm).
    public var backgroundRadiusMicrons: Double = 8
    /// Gaussian σ (µm) of the smoothing before the Laplacian whose positive part is the nucleus
    /// mask. It merges the rim, nucleoli and chromatin clumps of a vesicular nucleus into one
    /// blob (QuPath uses 1.5 µm at 0.5 µm/px; 1.0 µm at the 1 µm/px detection scale, chosen on
    /// real Ki-67 tissue).
    public var smoothingSigmaMicrons: Double = 1.0
    /// Range of the Gaussian σ (µm) of the scale-normalised Laplacian-of-Gaussian whose peaks
    /// seed one nucleus each: σ = r/√2 answers best to a nucleus of radius r, so 1.5–3 µm
    /// covers nuclei 4–9 µm across. Each pixel takes its strongest response over the scales
    /// (steps of √2), so a large vesicular nucleus answers as one blob at its own scale
    /// rather than as its chromatin clumps at a small one, and touching nuclei get one seed each
    /// (Lindeberg's scale selection, as HistomicsTK's multiscale LoG).
    public var seedSigmaRangeMicrons: ClosedRange<Double> = 1.5...3.0
    /// Two seeds closer than this are one nucleus.
    public var minimumSeparationMicrons: Double = 4.0
    /// A mask region is a nucleus only if its mean background-subtracted hematoxylin OD
    /// reaches this (QuPath's equivalent default is 0.1 on its own scale; pale vesicular nuclei
    /// need less). Decided per region, never per pixel.
    public var minimumContrastOD: Double = 0.05
    /// A region whose mean DAB exceeds this multiple of its mean hematoxylin is membrane stain
    /// leaking into the hematoxylin channel (stain vectors are never exact), not a nucleus —
    /// unless it is a compact round blob (at least `stainedNucleusMinimumWidthMicrons` across
    /// its short axis and at most `stainedNucleusMaximumElongation`), as a nucleus stained by a
    /// nuclear marker or cytoplasmic blush over a nucleus is. 0 = off.
    public var dabDominance: Double = 3.0
    public var stainedNucleusMinimumWidthMicrons: Double = 4.0
    public var stainedNucleusMaximumElongation: Double = 2.0
    /// Weight (0–1) of the filled-region shape in the image the seeds are found on (see
    /// `seedImage`): 0 = the contrast alone.
    public var seedShapeWeight: Double = 1
    /// A seed's scale-normalised blob response (σ²·−∇² of the smoothed contrast, OD units) must
    /// reach this: a uniform disk of contrast c answers with about 0.74·c at its own scale, so
    /// 0.03 asks for a nucleus-sized blob about 0.04 OD darker than its surroundings, while
    /// cytoplasm texture and thin stromal fibres answer weakly at nuclear scales. Higher values
    /// lose the palest nuclei (real Ki-67 breast tissue), lower ones let the texture of pale
    /// HER2 stroma seed false nuclei that cut real cells apart (README, "Nucleus detection").
    public var minimumBlobResponseOD: Double = 0.03
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
    /// A mask region at least this elongated (√(λ₁/λ₂) of its second moments) and at most
    /// `spindleMaximumWidthMicrons` wide across its short axis is one stromal spindle nucleus:
    /// the blob filter answers several times along a long thin nucleus, and without this its
    /// pieces would each look like a short, round-enough nucleus. 0 = off.
    public var spindleMinimumElongation: Double = 3.0
    public var spindleMaximumWidthMicrons: Double = 3.5
    /// Nuclei hidden under intense membrane stain, found as the pale holes of closed rings of
    /// stained membrane.
    public var membraneRings = MembraneRingParameters()
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
    /// Standard deviation of the hematoxylin OD over the nucleus: chromatin texture (vesicular
    /// nuclei with a rim and nucleoli vary more than a uniformly dark lymphocyte).
    public var hematoxylinSD: Double = 0
    /// Mean background-subtracted hematoxylin OD: how much darker than its surroundings.
    public var contrast: Double = 0
    /// Width across the short axis of the ellipse of the same second moments (4√λ₂), pixels.
    public var minorAxis: Double = 0
    /// Mean DAB OD over the nucleus.
    public var meanDAB: Double = 0
    /// Found as the pale hole of a closed ring of stained membrane (`MembraneRingParameters`),
    /// not by its own hematoxylin contrast.
    public var inMembraneRing = false
    /// Radius of the disk of the same area, pixels.
    public var equivalentRadius: Double { (Double(areaPixels) / .pi).squareRoot() }
}

/// Nuclei found on the hematoxylin plane: a label image (1…count) and their measurements.
public struct NucleusDetection: Sendable {
    public var labels: LabelImage
    public var nuclei: [NucleusRegion]
    /// The smallest mean contrast (background-subtracted hematoxylin OD) a nucleus had to
    /// reach (`NucleusParameters.minimumContrastOD`).
    public var threshold: Double
    /// Areas (µm²) of the nucleus-mask regions kept (before their holes are filled and touching
    /// nuclei are split; those of at least the minimum nucleus area): the pixel-size check's ruler.
    public var regionAreasMicrons2: [Double] = []
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

/// Finds nuclei as blobs of the background-subtracted hematoxylin: the mask is where the
/// Laplacian of the smoothed contrast is negative (inside tissue), its connected regions kept
/// by their mean contrast and their holes filled; seeds at the peaks of a nucleus-scale
/// Laplacian-of-Gaussian (touching nuclei get one seed each), a watershed of that response
/// from the seeds inside the mask, then size limits.
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
            m.minorAxis = n.minorAxis * scale
            return m
        }
        var fine = NucleusDetection(labels: LabelImage(blocks: LabelBlocks(labels: coarse.labels.labels, factor: f), width: w, height: h,
                                                       count: coarse.labels.count), nuclei: nuclei,
                                    threshold: coarse.threshold,
                                    coarse: CoarseNuclei(labels: coarse.labels, nuclei: coarse.nuclei, factor: f))
        fine.regionAreasMicrons2 = coarse.regionAreasMicrons2
        return fine
    }

    /// The detection itself, at the pixel size of the planes given.
    static func detectAtScale(hematoxylin: Plane<Float>, dab: Plane<Float>, tissue: Plane<UInt8>, pixelSize: Double,
                              parameters p: NucleusParameters, clock: StageClock?) -> NucleusDetection {
        let w = hematoxylin.width, h = hematoxylin.height, n = w * h
        // Contrast: hematoxylin (negative OD, noise on glass, clipped to 0) above its opening.
        var positive = hematoxylin
        positive.values.withUnsafeMutableBufferPointer { v in for i in 0..<n { v[i] = Swift.max(0, v[i]) } }
        let radius = Swift.max(1, Int((p.backgroundRadiusMicrons / pixelSize).rounded()))
        var contrast = RankFilter.openingOfMinima(positive, radius: radius)
        positive.values.withUnsafeBufferPointer { v in
        contrast.values.withUnsafeMutableBufferPointer { c in
            for i in 0..<n { c[i] = v[i] - c[i] }
        }}
        clock.lap("nuclei.background")
        let smooth = GaussianFilter.blur(contrast, sigma: p.smoothingSigmaMicrons / pixelSize)
        clock.lap("nuclei.blur")
        // Mask: tissue where the smoothed contrast curves down (−∇² > 0).
        let curvature = negativeLaplacian(smooth)
        var mask = Plane<UInt8>(width: w, height: h, repeating: 0)
        curvature.values.withUnsafeBufferPointer { cv in
        tissue.values.withUnsafeBufferPointer { t in
        mask.values.withUnsafeMutableBufferPointer { m in
            for i in 0..<n { m[i] = (t[i] != 0 ? 1 : 0) & (cv[i] > 0 ? 1 : 0) }
        }}}
        // Regions kept by their mean contrast.
        let (components, count) = ConnectedComponents.label(mask)
        var sum = [Double](repeating: 0, count: count + 1), size = [Int](repeating: 0, count: count + 1)
        components.values.withUnsafeBufferPointer { l in
        contrast.values.withUnsafeBufferPointer { c in
        sum.withUnsafeMutableBufferPointer { sb in
        size.withUnsafeMutableBufferPointer { zb in
            let sp = sb.baseAddress!, zp = zb.baseAddress!
            for i in 0..<n {
                let k = Int(l[i])  // background adds to slot 0, never read
                sp[k] += Double(c[i]); zp[k] &+= 1
            }
        }}}}
        var keep = [UInt8](repeating: 0, count: count + 1)
        var regionAreas: [Double] = []
        let pixelArea = pixelSize * pixelSize
        for k in stride(from: 1, through: count, by: 1) where size[k] > 0 && sum[k] / Double(size[k]) >= p.minimumContrastOD {
            keep[k] = 1
            let area = Double(size[k]) * pixelArea
            if area >= p.minimumAreaMicrons2 { regionAreas.append(area) }
        }
        components.values.withUnsafeBufferPointer { l in
        keep.withUnsafeBufferPointer { kb in
        mask.values.withUnsafeMutableBufferPointer { m in
            for i in 0..<n { m[i] = kb[Int(l[i])] }
        }}}
        clock.lap("nuclei.threshold")
        Morphology.fillHolesInPlace(&mask)  // the mask is 0 or 1
        clock.lap("nuclei.fill-holes")
        var means = [Float](repeating: 0, count: count + 1)
        for k in stride(from: 1, through: count, by: 1) where keep[k] != 0 { means[k] = Float(sum[k] / Double(size[k])) }
        let blob = blobResponse(seedImage(contrast: contrast, components: components, means: means, filledMask: mask,
                                          shapeWeight: Float(p.seedShapeWeight)),
                                sigmas: seedSigmas(p.seedSigmaRangeMicrons, pixelSize: pixelSize))
        clock.lap("nuclei.blob")
        let peaks = LocalMaxima.peaks(blob, threshold: Swift.max(Float.leastNormalMagnitude, Float(p.minimumBlobResponseOD)), mask: mask,
                                      minimumDistance: Float(p.minimumSeparationMicrons / pixelSize))
        clock.lap("nuclei.peaks")
        let seeds = oneSeedPerSpindle(peaks, components: components, count: count, pixelSize: pixelSize, parameters: p)
        clock.lap("nuclei.spindles")
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
        if !(maxBlob > 1e-4) { maxBlob = 1e-4 }
        let levels = Watershed.quantise(blob, low: 0, high: maxBlob, invert: true)
        Watershed.flood(levels: levels, labels: &labels)
        clock.lap("nuclei.watershed")
        let ringNuclei = MembraneRingNuclei.add(to: &labels, seeds: seeds, seedCount: seeds.count, dab: dab, tissue: tissue,
                                                smoothContrast: smooth, pixelSize: pixelSize, parameters: p.membraneRings, clock: clock)
        clock.lap("nuclei.membrane-rings")
        let (nuclei, remap) = regions(labels: labels, seeds: seeds.count + ringNuclei, hematoxylin: hematoxylin, contrast: contrast,
                                      dab: dab, pixelSize: pixelSize, parameters: p, firstRingLabel: seeds.count + 1)
        // Renumbered without a branch: every label ≤ 0 reads remap[0], which is 0.
        labels.values.withUnsafeMutableBufferPointer { lab in
        remap.withUnsafeBufferPointer { r in
            for i in 0..<n { lab[i] = r[Int(Swift.max(0, lab[i]))] }
        }}
        clock.lap("nuclei.regions")
        var detection = NucleusDetection(labels: LabelImage(labels: labels, count: nuclei.count), nuclei: nuclei,
                                         threshold: p.minimumContrastOD)
        detection.regionAreasMicrons2 = regionAreas
        return detection
    }

    /// The variances along the principal axes (λ₁ ≥ λ₂ > 0) of a region with second central
    /// moments vxx, vyy, vxy: √(λ₁/λ₂) is its elongation, 4√λ₂ its width across the short axis.
    static func principalVariances(vxx: Double, vyy: Double, vxy: Double) -> (Double, Double) {
        let tr = vxx + vyy, det = vxx * vyy - vxy * vxy
        let disc = Swift.max(0, tr * tr / 4 - det).squareRoot()
        return (tr / 2 + disc, Swift.max(1e-9, tr / 2 - disc))
    }

    /// `seeds` (strongest first) without all but the strongest in each mask region shaped like a
    /// stromal spindle (`spindleMinimumElongation`, `spindleMaximumWidthMicrons`).
    static func oneSeedPerSpindle(_ seeds: [Int], components: Plane<Int32>, count: Int, pixelSize: Double,
                                  parameters p: NucleusParameters) -> [Int] {
        guard p.spindleMinimumElongation > 0, count > 0, seeds.count > 1 else { return seeds }
        let w = components.width, h = components.height
        var seedsIn = [Int32](repeating: 0, count: count + 1)
        for s in seeds { let k = Int(components.values[s]); if k > 0 { seedsIn[k] &+= 1 } }
        // Second moments of the regions holding more than one seed (exact integer sums).
        var moments = [SIMD8<Int>](repeating: .zero, count: count + 1)  // n, Σx, Σy, Σxx, Σyy, Σxy
        components.values.withUnsafeBufferPointer { l in
        seedsIn.withUnsafeBufferPointer { many in
        moments.withUnsafeMutableBufferPointer { m in
            for y in 0..<h {
                let row = y &* w
                for x in 0..<w {
                    let k = Int(l[row &+ x])
                    if many[k] < 2 { continue }  // slot 0 (background) never has seeds
                    m[k] &+= SIMD8(1, x, y, x &* x, y &* y, x &* y, 0, 0)
                }
            }
        }}}
        var spindle = [Bool](repeating: false, count: count + 1)
        for k in 1..<(count + 1) where seedsIn[k] > 1 {
            let m = SIMD8<Double>(moments[k]), n = m[0]
            let mx = m[1] / n, my = m[2] / n
            let (l1, l2) = principalVariances(vxx: m[3] / n - mx * mx, vyy: m[4] / n - my * my, vxy: m[5] / n - mx * my)
            spindle[k] = (l1 / l2).squareRoot() >= p.spindleMinimumElongation
                && 4 * l2.squareRoot() * pixelSize <= p.spindleMaximumWidthMicrons
        }
        var taken = [Bool](repeating: false, count: count + 1)
        return seeds.filter { s in
            let k = Int(components.values[s])
            guard k > 0, spindle[k] else { return true }
            if taken[k] { return false }
            taken[k] = true
            return true
        }
    }

    /// The image the seeds' blob filter reads: (1 − w) × the contrast + w × each kept mask
    /// region's mean contrast (`means`, by component of `components`) over the whole filled
    /// region — a hole takes the value of the region to its left in the row, which encloses it.
    /// The second term sees a vesicular nucleus (a dark rim round a pale centre, holes filled in
    /// the mask) as the solid disk it is, so it answers at the nucleus' centre and size rather
    /// than on its rim and nucleoli.
    static func seedImage(contrast: Plane<Float>, components: Plane<Int32>, means: [Float], filledMask: Plane<UInt8>,
                          shapeWeight w: Float) -> Plane<Float> {
        guard w > 0 else { return contrast }
        let width = contrast.width, height = contrast.height
        var out = contrast
        components.values.withUnsafeBufferPointer { l in
        means.withUnsafeBufferPointer { m in
        filledMask.values.withUnsafeBufferPointer { f in
        out.values.withUnsafeMutableBufferPointer { o in
            for y in 0..<height {
                var current: Float = 0
                for x in 0..<width {
                    let i = y &* width &+ x
                    let k = Int(l[i])
                    let value: Float
                    if k > 0 && m[k] > 0 { value = m[k]; current = value }
                    else if f[i] != 0 { value = current }
                    else { value = 0; current = 0 }
                    o[i] = (1 - w) * o[i] + w * value
                }
            }
        }}}}
        return out
    }

    /// The seed scales in pixels: the range's lower end, then steps of √2 up to its upper end.
    static func seedSigmas(_ range: ClosedRange<Double>, pixelSize: Double) -> [Double] {
        var sigmas: [Double] = []
        var s = range.lowerBound
        while s <= range.upperBound * 1.0001 { sigmas.append(s / pixelSize); s *= 2.0.squareRoot() }
        return sigmas.isEmpty ? [range.lowerBound / pixelSize] : sigmas
    }

    /// Per pixel, the strongest scale-normalised blob response σ²·(−∇²)(G_σ ∗ plane) over `sigmas`
    /// (pixels).
    /// The scales are reached one from the other (a Gaussian of σ₁ then one of √(σ₂² − σ₁²) is
    /// one of σ₂), so each blur is short.
    static func blobResponse(_ plane: Plane<Float>, sigmas: [Double]) -> Plane<Float> {
        var best: Plane<Float>?
        var smoothed = plane, reached = 0.0
        for sigma in sigmas {
            smoothed = GaussianFilter.blur(smoothed, sigma: (sigma * sigma - reached * reached).squareRoot())
            reached = sigma
            var response = negativeLaplacian(smoothed)
            let weight = Float(sigma * sigma)
            response.values.withUnsafeMutableBufferPointer { r in
                if let b = best {
                    b.values.withUnsafeBufferPointer { bv in
                        for i in 0..<r.count { r[i] = Swift.max(bv[i], weight * r[i]) }
                    }
                } else {
                    for i in 0..<r.count { r[i] *= weight }
                }
            }
            best = response
        }
        return best ?? plane
    }

    /// −∇² by the 5-point stencil, edges replicated: positive where the plane curves down (on
    /// and around a bright blob).
    static func negativeLaplacian(_ plane: Plane<Float>) -> Plane<Float> {
        let w = plane.width, h = plane.height
        return Plane<Float>(width: w, height: h) { out in
            plane.values.withUnsafeBufferPointer { v in
                for y in 0..<h {
                    let up = Swift.max(0, y &- 1) &* w, row = y &* w, down = Swift.min(h &- 1, y &+ 1) &* w
                    @inline(__always) func at(_ x: Int) {
                        let left = Swift.max(0, x &- 1), right = Swift.min(w &- 1, x &+ 1)
                        out[row &+ x] = 4 * v[row &+ x] - v[up &+ x] - v[down &+ x] - v[row &+ left] - v[row &+ right]
                    }
                    at(0)
                    if w > 2 {  // interior columns: no clamping, a loop that vectorises
                        for x in 1..<(w &- 1) {
                            out[row &+ x] = 4 * v[row &+ x] - v[up &+ x] - v[down &+ x] - v[row &+ x &- 1] - v[row &+ x &+ 1]
                        }
                    }
                    if w > 1 { at(w &- 1) }
                }
            }
        }
    }

    /// Area, centroid, second moments, mean and standard deviation of the hematoxylin and mean
    /// contrast of every flooded seed region, in one pass; regions outside the area limits are
    /// dropped and the rest renumbered 1…count (`remap[old] = new`, 0 for dropped). Coordinate
    /// sums are exact integers. `contrast` may be empty (0 × 0): the contrast is then 0. Labels
    /// from `firstRingLabel` on were placed in closed membrane rings: no DAB-dominance test.
    static func regions(labels: Plane<Int32>, seeds n: Int, hematoxylin: Plane<Float>, contrast: Plane<Float>,
                        dab: Plane<Float> = Plane<Float>(width: 0, height: 0, repeating: 0),
                        pixelSize: Double, parameters p: NucleusParameters, firstRingLabel: Int = .max) -> ([NucleusRegion], [Int32]) {
        let w = labels.width, h = labels.height
        var area = [Int](repeating: 0, count: n + 1)
        var sx = area, sy = area, sxx = area, syy = area, sxy = area
        // Per region: Σ H, Σ H², Σ contrast, Σ DAB.
        var sums = [SIMD4<Double>](repeating: .zero, count: n + 1)
        let hasContrast = contrast.width == w && contrast.height == h
        let contrastValues = hasContrast ? contrast.values : [Float](repeating: 0, count: w * h)
        let hasDAB = dab.width == w && dab.height == h
        let dabValues = hasDAB ? dab.values : [Float](repeating: 0, count: w * h)
        labels.values.withUnsafeBufferPointer { lab in
        hematoxylin.values.withUnsafeBufferPointer { hv in
        contrastValues.withUnsafeBufferPointer { cv in
        dabValues.withUnsafeBufferPointer { dv in
        area.withUnsafeMutableBufferPointer { a in
        sx.withUnsafeMutableBufferPointer { sx in
        sy.withUnsafeMutableBufferPointer { sy in
        sxx.withUnsafeMutableBufferPointer { sxx in
        syy.withUnsafeMutableBufferPointer { syy in
        sxy.withUnsafeMutableBufferPointer { sxy in
        sums.withUnsafeMutableBufferPointer { s in
            for y in 0..<h {
                let row = y &* w
                for x in 0..<w {
                    let l = Int(lab[row &+ x])
                    if l <= 0 { continue }
                    a[l] &+= 1
                    sx[l] &+= x; sy[l] &+= y
                    sxx[l] &+= x &* x; syy[l] &+= y &* y; sxy[l] &+= x &* y
                    let v = Double(hv[row &+ x])
                    s[l] += SIMD4(v, v * v, Double(cv[row &+ x]), Double(dv[row &+ x]))
                }
            }
        }}}}}}}}}}}
        let pixelArea = pixelSize * pixelSize
        var remap = [Int32](repeating: 0, count: n + 1)
        var nuclei: [NucleusRegion] = []
        for l in 1..<(n + 1) where area[l] > 0 {
            let a = Double(area[l]) * pixelArea
            guard a >= p.minimumAreaMicrons2, a <= p.maximumAreaMicrons2 else { continue }
            let c = Double(area[l])
            let mx = Double(sx[l]) / c, my = Double(sy[l]) / c
            let (l1, l2) = principalVariances(vxx: Double(sxx[l]) / c - mx * mx, vyy: Double(syy[l]) / c - my * my,
                                              vxy: Double(sxy[l]) / c - mx * my)
            // Membrane DAB leaking into the hematoxylin channel: a DAB-dominated region that is
            // not a compact round blob (a nucleus stained by a nuclear marker is one).
            let meanDAB = sums[l][3] / c, meanH = sums[l][0] / c
            let inRing = l >= firstRingLabel
            if p.dabDominance > 0, !inRing, meanDAB > p.dabDominance * max(0, meanH) {
                let width = 4 * l2.squareRoot() * pixelSize, elongation = (l1 / l2).squareRoot()
                if width < p.stainedNucleusMinimumWidthMicrons || elongation > p.stainedNucleusMaximumElongation { continue }
            }
            let newLabel = Int32(nuclei.count + 1)
            remap[l] = newLabel
            var region = NucleusRegion(label: newLabel, x: mx, y: my, areaPixels: area[l], meanHematoxylin: meanH,
                                       elongation: (l1 / l2).squareRoot())
            region.hematoxylinSD = max(0, sums[l][1] / c - meanH * meanH).squareRoot()
            region.contrast = sums[l][2] / c
            region.minorAxis = 4 * l2.squareRoot()
            region.meanDAB = meanDAB
            region.inMembraneRing = inRing
            nuclei.append(region)
        }
        return (nuclei, remap)
    }
}
