/// Everything one tile gave, at the analysis scale.
public struct TileAnalysis: Sendable {
    /// Measured cells (tumour and excluded); cells cut by the tile border are not included.
    public var cells: [CellMeasurement]
    public var tissueAreaMM2: Double
    /// Glass intensity used (R, G, B) and the fraction of glass pixels it came from.
    public var background: SIMD3<Double>
    public var glassFraction: Double
    public var nucleusThreshold: Double
    /// Cells cut by the border (not measured).
    public var borderCells: Int
    /// The image analysed (after any reduction) and its segmentation, for overlays.
    public var analysedImage: RGBImage
    public var cellLabels: LabelImage
    public var nucleusLabels: LabelImage
    /// Per cell label (index label − 1): class, or nil when not measured/excluded.
    public var labelClasses: [HER2Score?]
    /// Analysis pixels per tile pixel along each axis (1, or 1/2 after a 2×2 reduction).
    public var reduction: Int
    /// Wall seconds per stage: reduce, stains, tissue, nuclei, cells, membrane, classify.
    public var stageSeconds: [(stage: String, seconds: Double)]
    /// The tissue code at the analysis scale (0 glass, 1 measurable tissue, 2 unmeasurable), for region-of-interest areas.
    public var tissue = Plane<UInt8>(width: 0, height: 0, repeating: 0)
    /// The sizes of the nucleus-mask regions, for the pixel-size check.
    public var nucleusSizes = NucleusSizeSummary()
}

/// stains → tissue → nuclei → cells → membrane → classify, for one tile.
public enum TileAnalyzer {
    public static func analyze(_ tile: RGBImage, name: String, pixelSize: PixelSize, stains: StainMatrix,
                               parameters: AnalysisParameters, keepSectorPeaks: Bool = false,
                               clock: StageClock? = nil) -> TileAnalysis {
        var stages: [(stage: String, seconds: Double)] = []
        var last = ProcessMetrics.monotonicSeconds()
        func lap(_ name: String) {
            let now = ProcessMetrics.monotonicSeconds()
            stages.append((name, now - last))
            last = now
        }
        // Analysis scale.
        var reduction = 1
        if parameters.analysisMicronsPerPixel > 0, pixelSize.micronsPerPixel < 0.75 * parameters.analysisMicronsPerPixel {
            reduction = max(1, Int((parameters.analysisMicronsPerPixel / pixelSize.micronsPerPixel).rounded()))
        }
        var image = tile
        image.pixelSize = pixelSize
        if reduction > 1 { image = Downsample.box(image, factor: reduction) }
        let mpp = pixelSize.micronsPerPixel * Double(reduction)
        lap("reduce")
        // Stains and tissue.
        let (background, glass) = parameters.background.map { (SIMD3($0[0], $0[1], $0[2]), 0.0) }
            ?? BackgroundEstimation.estimate(image)
        // The nucleus detection's 2×2 reduction is made in the stain pass; the detection then
        // reads only the reduced hematoxylin, so the full-resolution one is not kept.
        let detectionFactor = NucleusDetector.detectionFactor(pixelSize: mpp, parameters: parameters.nuclei)
        let reduceForNuclei = detectionFactor == 2
        var planes = StainSeparation.separate(image, background: background, stains: stains, tissue: parameters.tissue,
                                              reduce: reduceForNuclei, fullHematoxylin: !reduceForNuclei)
        if detectionFactor >= 4, detectionFactor % 2 == 0 {
            // Nuclei are detected on the planes a scan at half the detection's resolution gives
            // (its light averaged, then its optical density), whatever the analysis scale, so
            // the detection's thresholds mean the same on 20× and 40× scans.
            let scan = Downsample.box(image, factor: detectionFactor / 2)
            let coarse = StainSeparation.separate(scan, background: background, stains: stains, tissue: parameters.tissue,
                                                  reduce: true, fullHematoxylin: false)
            if var reduced = coarse.reduced {
                reduced.factor = detectionFactor
                planes.reduced = reduced
            }
        }
        lap("stains")
        // The tissue codes and their tally come out of the stain pass; this stage is now free.
        let tissuePixels = planes.measurableTissuePixels
        lap("tissue")
        // Nuclei, cells, membranes.
        let nuclei = NucleusDetector.detect(hematoxylin: planes.hematoxylin, dab: planes.dab, tissue: planes.tissue, pixelSize: mpp,
                                            parameters: parameters.nuclei, reduced: planes.reduced, clock: clock)
        lap("nuclei")
        let cells = CellSegmenter.segment(dab: planes.dab, nuclei: nuclei, pixelSize: mpp,
                                          parameters: parameters.cells, clock: clock)
        lap("cells")
        let profiles = MembraneMeasurer.measure(
            cells: cells, nuclei: nuclei, dab: planes.dab, tissue: planes.tissue, pixelSize: mpp,
            stainedThreshold: parameters.rules.cells.stainedThreshold,
            maximumRadiusPixels: parameters.cells.maximumRadiusMicrons / mpp, parameters: parameters.membrane,
            keepOwnSectorPeaks: keepSectorPeaks, clock: clock)
        lap("membrane")
        // Classify.
        var measurements: [CellMeasurement] = []
        var labelClasses = [HER2Score?](repeating: nil, count: nuclei.nuclei.count)
        var borderCells = 0
        let scale = Double(reduction)
        var features = nuclei.nuclei.map { NucleusFeatures($0, pixelSize: mpp) }
        NucleusNeighbourhood.measure(&features, centres: nuclei.nuclei.map { SIMD2($0.x, $0.y) }, pixelSize: mpp)
        for (i, nucleus) in nuclei.nuclei.enumerated() {
            let profile = profiles[i]
            if profile.touchesBorder { borderCells += 1; continue }
            // A nucleus that shares a membrane-enclosed basin with a larger one grows no cell.
            if profile.cellAreaPixels == 0 { continue }
            let exclusion = parameters.tumour.exclusion(features[i])
            let tumour = exclusion == nil
            let cellClass = tumour ? parameters.rules.cells.classify(profile.staining, rules: parameters.rules.ruleSet) : .zero
            if tumour { labelClasses[i] = cellClass }
            measurements.append(CellMeasurement(
                tile: name, x: (nucleus.x + 0.5) * scale - 0.5, y: (nucleus.y + 0.5) * scale - 0.5,
                kind: tumour ? .tumour : .excluded, cellClass: cellClass, membrane: profile.staining,
                membraneMeanOD: profile.meanOD, membraneP90OD: profile.p90OD,
                membraneThicknessMicrons: profile.thicknessMicrons, cytoplasmOD: profile.cytoplasmOD,
                nucleusAreaMicrons2: Double(nucleus.areaPixels) * mpp * mpp,
                cellAreaMicrons2: Double(profile.cellAreaPixels) * mpp * mpp, nucleus: features[i], exclusion: exclusion))
            if keepSectorPeaks { measurements[measurements.count - 1].ownSectorPeaks = profile.ownSectorPeaks }
        }
        lap("classify")
        var analysis = TileAnalysis(cells: measurements, tissueAreaMM2: Double(tissuePixels) * mpp * mpp / 1e6,
                            background: background, glassFraction: glass, nucleusThreshold: nuclei.threshold,
                            borderCells: borderCells, analysedImage: image, cellLabels: cells,
                            nucleusLabels: nuclei.labels, labelClasses: labelClasses, reduction: reduction,
                            stageSeconds: stages, tissue: planes.tissue)
        analysis.nucleusSizes = NucleusSizeSummary(areasMicrons2: nuclei.regionAreasMicrons2)
        return analysis
    }
}
