/// Parameters of nucleus detection on the hematoxylin channel (lengths in µm).
public struct NucleusParameters: Sendable, Hashable, Codable {
    /// Gaussian σ of the smoothing that defines the nucleus mask.
    public var maskSigmaMicrons: Double = 1.0
    /// Gaussian σ of the blob filter whose peaks seed one nucleus each (about a nucleus radius / 2).
    public var seedSigmaMicrons: Double = 1.5
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
}

/// Finds nuclei: threshold of the lightly smoothed hematoxylin OD (inside tissue), seeds at
/// the peaks of a nucleus-scale blob filter (touching nuclei get one seed each), watershed of
/// the blob response from the seeds inside the mask, then size limits.
public enum NucleusDetector {
    public static func detect(hematoxylin: Plane<Float>, dab: Plane<Float>, tissue: Plane<UInt8>, pixelSize: Double,
                              parameters p: NucleusParameters) -> NucleusDetection {
        let w = hematoxylin.width, h = hematoxylin.height
        let smooth = GaussianFilter.blur(hematoxylin, sigma: p.maskSigmaMicrons / pixelSize)
        let smoothDAB = GaussianFilter.blur(dab, sigma: p.maskSigmaMicrons / pixelSize)
        let blob = GaussianFilter.blur(hematoxylin, sigma: p.seedSigmaMicrons / pixelSize)
        let dominance = Float(p.hematoxylinDominance)
        var tissueOnly = Plane<UInt8>(width: w, height: h, repeating: 0)
        smooth.values.withUnsafeBufferPointer { hs in
            smoothDAB.values.withUnsafeBufferPointer { ds in
                tissue.values.withUnsafeBufferPointer { t in
                    tissueOnly.values.withUnsafeMutableBufferPointer { out in
                        for i in 0..<(w &* h) { out[i] = t[i] == 1 && hs[i] >= dominance * ds[i] ? 1 : 0 }
                    }
                }
            }
        }
        let threshold: Float = p.threshold.map(Float.init) ?? {
            let range = p.automaticThresholdRange
            let otsu = Threshold.otsu(smooth, mask: tissueOnly, low: 0, high: 1.5) ?? Float(range.lowerBound)
            return min(Float(range.upperBound), max(Float(range.lowerBound), otsu))
        }()
        var mask = Plane<UInt8>(width: w, height: h, repeating: 0)
        smooth.values.withUnsafeBufferPointer { hs in
            smoothDAB.values.withUnsafeBufferPointer { ds in
                tissue.values.withUnsafeBufferPointer { t in
                    mask.values.withUnsafeMutableBufferPointer { m in
                        for i in 0..<(w &* h) where t[i] != 0 && hs[i] >= threshold && hs[i] >= dominance * ds[i] { m[i] = 1 }
                    }
                }
            }
        }
        mask = Morphology.fillHoles(mask)
        var labels = Plane<Int32>(width: w, height: h, repeating: -1)
        mask.values.withUnsafeBufferPointer { m in
            labels.values.withUnsafeMutableBufferPointer { l in
                for i in 0..<(w &* h) where m[i] != 0 { l[i] = 0 }
            }
        }
        let seeds = LocalMaxima.peaks(blob, threshold: threshold * 0.5, mask: mask,
                                      minimumDistance: Float(p.minimumSeparationMicrons / pixelSize))
        for (k, s) in seeds.enumerated() { labels.values[s] = Int32(k + 1) }
        let maxBlob = blob.values.max() ?? 1
        let levels = Watershed.quantise(blob, low: 0, high: max(maxBlob, 0.01), invert: true)
        Watershed.flood(levels: levels, labels: &labels)
        // Region statistics in one pass.
        let n = seeds.count
        var area = [Int](repeating: 0, count: n + 1)
        var sx = [Double](repeating: 0, count: n + 1), sy = sx, sxx = sx, syy = sx, sxy = sx, sh = sx
        labels.values.withUnsafeBufferPointer { lab in
            hematoxylin.values.withUnsafeBufferPointer { hv in
                for y in 0..<h {
                    for x in 0..<w {
                        let l = Int(lab[y &* w &+ x])
                        if l <= 0 { continue }
                        area[l] &+= 1
                        let fx = Double(x), fy = Double(y)
                        sx[l] += fx; sy[l] += fy; sxx[l] += fx * fx; syy[l] += fy * fy; sxy[l] += fx * fy
                        sh[l] += Double(hv[y &* w &+ x])
                    }
                }
            }
        }
        let pixelArea = pixelSize * pixelSize
        var remap = [Int32](repeating: 0, count: n + 1)
        var nuclei: [NucleusRegion] = []
        for l in 1..<(n + 1) where area[l] > 0 {
            let a = Double(area[l]) * pixelArea
            guard a >= p.minimumAreaMicrons2, a <= p.maximumAreaMicrons2 else { continue }
            let c = Double(area[l])
            let mx = sx[l] / c, my = sy[l] / c
            let vxx = sxx[l] / c - mx * mx, vyy = syy[l] / c - my * my, vxy = sxy[l] / c - mx * my
            let tr = vxx + vyy, det = vxx * vyy - vxy * vxy
            let disc = max(0, tr * tr / 4 - det).squareRoot()
            let l1 = tr / 2 + disc, l2 = max(1e-9, tr / 2 - disc)
            let newLabel = Int32(nuclei.count + 1)
            remap[l] = newLabel
            nuclei.append(NucleusRegion(label: newLabel, x: mx, y: my, areaPixels: area[l], meanHematoxylin: sh[l] / c,
                                        elongation: (l1 / l2).squareRoot()))
        }
        labels.values.withUnsafeMutableBufferPointer { lab in
            remap.withUnsafeBufferPointer { r in
                for i in 0..<(w &* h) {
                    let l = lab[i]
                    lab[i] = l > 0 ? r[Int(l)] : 0
                }
            }
        }
        return NucleusDetection(labels: LabelImage(labels: labels, count: nuclei.count), nuclei: nuclei,
                                threshold: Double(threshold))
    }
}
