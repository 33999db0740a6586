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
    /// Membrane first: where stained membrane (smoothed DAB ≥ `ridgeStopOD`) closes around a
    /// region of tissue between `enclosedMinimumAreaMicrons2` and `enclosedMaximumAreaMicrons2`,
    /// that basin is one cell — the territory of its largest nucleus, grown from the whole
    /// basin so its outline follows the membrane, without the radius limit; other nuclei in the
    /// same basin are not cells of their own (cytoplasm texture taken for a nucleus, or a
    /// nucleus whose shared membrane is unstained). Off when false: every cell is grown from its
    /// nucleus alone.
    public var membraneFirst = true
    public var enclosedMinimumAreaMicrons2: Double = 25
    public var enclosedMaximumAreaMicrons2: Double = 700
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
        var radii = nuclei.nuclei.map { Float(min(limit, p.maximumRadiusPerNucleusRadius * $0.equivalentRadius)) }
        let stop = UInt8(max(1, min(255, (p.ridgeStopOD / p.dabLevelCeiling * 255).rounded())))
        // Markers: the nucleus labels themselves (0 or positive: the flood fills the zeros), or,
        // membrane first, whole enclosed basins.
        var markers = nuclei.labels.labels
        if p.membraneFirst {
            // Stained membrane is what the flood's ridge stop calls stained.
            enclosedBasins(levels: levels, stained: stop, nuclei: nuclei, pixelSize: pixelSize, parameters: p,
                           markers: &markers, radii: &radii)
            clock.lap("cells.basins")
        }
        let labels = Watershed.flooded(levels: levels, markers: markers, centres: centres, radii: radii, ridgeStop: stop)
        clock.lap("cells.watershed")
        return LabelImage(labels: labels, count: nuclei.nuclei.count)
    }

    /// Basins of the stained membrane network: the 4-connected regions of pixels below the
    /// `stained` level, of an enclosed cell's size. Each basin holding nuclei becomes the marker
    /// of its largest nucleus (the whole basin, so the flood starts from the membrane's inner
    /// edge), whose radius limit is lifted; the other nuclei's pixels in it join that marker,
    /// so they grow no territory.
    static func enclosedBasins(levels: Plane<UInt8>, stained: UInt8, nuclei: NucleusDetection, pixelSize: Double,
                               parameters p: CellParameters, markers: inout Plane<Int32>, radii: inout [Float]) {
        let w = levels.width, h = levels.height, n = w * h
        var open = Plane<UInt8>(width: w, height: h, repeating: 0)
        levels.values.withUnsafeBufferPointer { l in
        open.values.withUnsafeMutableBufferPointer { o in
            for i in 0..<n { o[i] = l[i] < stained ? 1 : 0 }
        }}
        let (basins, count) = ConnectedComponents.label(open, connectivity: 4)
        guard count > 0 else { return }
        // Basin areas, whether a basin touches the image edge (not closed there), and per basin
        // its largest nucleus by area (label, area).
        var area = [Int](repeating: 0, count: count + 1)
        var edge = [Bool](repeating: false, count: count + 1)
        basins.values.withUnsafeBufferPointer { b in
            for y in 0..<h {
                for x in 0..<w {
                    let k = Int(b[y &* w &+ x])
                    if k == 0 { continue }
                    area[k] &+= 1
                    if x == 0 || y == 0 || x == w &- 1 || y == h &- 1 { edge[k] = true }
                }
            }
        }
        let pixelArea = pixelSize * pixelSize
        var owner = [Int32](repeating: 0, count: count + 1), ownerArea = [Int](repeating: 0, count: count + 1)
        for nucleus in nuclei.nuclei {
            let x = Int(nucleus.x.rounded()), y = Int(nucleus.y.rounded())
            guard x >= 0, y >= 0, x < w, y < h else { continue }
            let k = Int(basins[x, y])
            guard k > 0, !edge[k] else { continue }
            let a = Double(area[k]) * pixelArea
            guard a >= p.enclosedMinimumAreaMicrons2, a <= p.enclosedMaximumAreaMicrons2 else { continue }
            if nucleus.areaPixels > ownerArea[k] { owner[k] = nucleus.label; ownerArea[k] = nucleus.areaPixels }
        }
        // The owners' radius limits lifted; every pixel of an owned basin, and every pixel of a
        // nucleus whose centre lies in an owned basin, marked with the owner.
        var absorbed = [Int32](repeating: 0, count: nuclei.nuclei.count + 1)
        for nucleus in nuclei.nuclei {
            let x = Int(nucleus.x.rounded()), y = Int(nucleus.y.rounded())
            guard x >= 0, y >= 0, x < w, y < h else { continue }
            let o = owner[Int(basins[x, y])]
            if o > 0 { absorbed[Int(nucleus.label)] = o }
        }
        for k in 1..<(count + 1) where owner[k] > 0 { radii[Int(owner[k]) - 1] = .greatestFiniteMagnitude }
        basins.values.withUnsafeBufferPointer { b in
        markers.values.withUnsafeMutableBufferPointer { m in
            for i in 0..<n {
                let current = m[i]
                if current > 0, absorbed[Int(current)] > 0 { m[i] = absorbed[Int(current)]; continue }
                let o = owner[Int(b[i])]
                if o > 0 && current <= 0 { m[i] = o }
            }
        }}
    }
}
