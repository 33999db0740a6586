/// Parameters of the membrane-guided cell segmentation (lengths in µm).
public struct CellParameters: Sendable, Hashable, Codable {
    /// A cell never reaches further than this from its nucleus centre.
    public var maximumRadiusMicrons: Double = 15
    /// …nor further than this multiple of its nucleus' equivalent radius (tumour cells are
    /// about 1.6–1.8 nucleus radii across their cytoplasm).
    public var maximumRadiusPerNucleusRadius: Double = 3.5
    /// A territory that has climbed a membrane of at least this DAB OD does not run down its
    /// far side below half that level: cells stop at their stained membranes.
    public var ridgeStopOD: Double = 0.15
    /// Gaussian σ applied to the DAB plane before flooding (noise only; membranes stay sharp).
    public var dabSmoothingSigmaMicrons: Double = 0.25
    /// DAB OD mapped to the top flooding level.
    public var dabLevelCeiling: Double = 1.2
    /// DAB below this OD is unstained for the flood: its level is 0, so territories meet
    /// half-way across pale cytoplasm and glass instead of following sensor noise (and the
    /// flood through it is a plain breadth-first growth).
    public var dabFlatBelowOD: Double = 0.05
    /// The flood runs at this pixel size (µm/px) when the analysis pixels are at least 1.5×
    /// finer: the DAB plane is box-averaged by the integer factor, the territories grown there
    /// and mapped back block-wise; membranes are still measured at the analysis scale. 0 =
    /// flood at the analysis scale. At 1 µm/px the flood visits a quarter of the pixels and the
    /// validation figures are as good as at 0.5 (README, "Segmentation scale").
    public var floodMicronsPerPixel: Double = 1.0
    public init() {}
}

/// Cells grown from nuclei by a watershed on the DAB plane: territories meet on the stained
/// membranes (DAB ridges) and half-way where there is no stain, never beyond each cell's
/// radius limit, and never down the far side of a stained membrane. Pixels too pale to count
/// as tissue (very pale cytoplasm, glass) are flooded like any other, so a territory can cross
/// pale cytoplasm to reach its membrane; the membrane measurement ignores them.
public enum CellSegmenter {
    public static func segment(dab: Plane<Float>, nuclei: NucleusDetection, pixelSize: Double,
                               parameters p: CellParameters, clock: StageClock? = nil) -> LabelImage {
        clock?.restart()
        let factor = p.floodMicronsPerPixel > 0 ? Int((p.floodMicronsPerPixel / pixelSize).rounded()) : 1
        if factor >= 2, p.floodMicronsPerPixel >= 1.5 * pixelSize {
            let scale = Double(factor)
            // The nuclei at the flood's scale: the detection's own when it was made there (its
            // labels are then exactly the blocks of the fine ones), else sampled from the fine.
            let coarse: NucleusDetection
            var coarseDAB: Plane<Float>?
            if let c = nuclei.coarse, c.factor == factor {
                coarse = NucleusDetection(labels: c.labels, nuclei: c.nuclei, threshold: nuclei.threshold)
                coarseDAB = c.dab
            } else {
                coarse = NucleusDetection(
                    labels: LabelImage(labels: Downsample.sample(nuclei.labels.labels, factor: factor), count: nuclei.labels.count),
                    nuclei: nuclei.nuclei.map { n in
                        var m = n
                        m.x = (n.x + 0.5) / scale - 0.5; m.y = (n.y + 0.5) / scale - 0.5
                        m.areaPixels = Swift.max(1, Int((Double(n.areaPixels) / (scale * scale)).rounded()))
                        return m
                    }, threshold: nuclei.threshold)
            }
            var q = p
            q.floodMicronsPerPixel = 0
            let cells = segment(dab: coarseDAB ?? Downsample.box(dab, factor: factor), nuclei: coarse, pixelSize: pixelSize * scale,
                                parameters: q, clock: clock)
            // With the detection's own coarse nuclei as markers the cells are exactly blocks of
            // the coarse flood (no plane is made); else fine nucleus pixels are written over them.
            if nuclei.coarse?.factor == factor {
                clock.lap("cells.upsample")
                return LabelImage(blocks: LabelBlocks(labels: cells.labels, factor: factor), width: dab.width,
                                  height: dab.height, count: cells.count)
            }
            var labels = Upsample.blocks(cells.labels, factor: factor, width: dab.width, height: dab.height)
            // A nucleus pixel always belongs to its own cell (the coarse markers were only
            // samples of the fine nuclei).
            nuclei.labels.labels.values.withUnsafeBufferPointer { nuc in
            labels.values.withUnsafeMutableBufferPointer { lab in
                for i in 0..<nuc.count where nuc[i] > 0 { lab[i] = nuc[i] }
            }}
            clock.lap("cells.upsample")
            return LabelImage(labels: labels, count: cells.count)
        }
        let smooth = GaussianFilter.blur(dab, sigma: p.dabSmoothingSigmaMicrons / pixelSize)
        let flat = UInt8(max(0, min(255, (p.dabFlatBelowOD / p.dabLevelCeiling * 255).rounded())))
        let levels = Watershed.quantise(smooth, low: 0, high: Float(p.dabLevelCeiling), zeroBelow: flat)
        clock.lap("cells.levels")
        let centres = nuclei.nuclei.map { SIMD2(Float($0.x), Float($0.y)) }
        let limit = p.maximumRadiusMicrons / pixelSize
        let radii = nuclei.nuclei.map { Float(min(limit, p.maximumRadiusPerNucleusRadius * $0.equivalentRadius)) }
        let stop = UInt8(max(1, min(255, (p.ridgeStopOD / p.dabLevelCeiling * 255).rounded())))
        // Markers: the nucleus labels themselves (0 or positive: the flood fills the zeros).
        let labels = Watershed.flooded(levels: levels, markers: nuclei.labels.labels, centres: centres, radii: radii, ridgeStop: stop)
        clock.lap("cells.watershed")
        return LabelImage(labels: labels, count: nuclei.nuclei.count)
    }
}
