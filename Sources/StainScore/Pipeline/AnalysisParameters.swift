/// Every parameter of an analysis, with its default: recorded with every result.
public struct AnalysisParameters: Sendable, Hashable, Codable {
    /// The rule set and the thresholds of cell classes and slide scores.
    public var rules = ScoringRules()
    /// Tiles finer than this (µm/px) are reduced by an integer box average before analysis.
    /// HER2 membranes are 1–2 µm wide: 40× scans (0.25 µm/px) are analysed as they are, because
    /// halving them merges thin membranes with the cytoplasm beside them and cuts the measured
    /// completeness of stained real tumour cells (median 0.67 → 0.53 on a 3+ core).
    /// 0 = always full resolution.
    public var analysisMicronsPerPixel: Double = 0.25
    /// Stain vectors used for colour deconvolution.
    public var stains = StainMatrix.ruifrokJohnstonHDAB
    /// Estimate stain vectors per slide (Macenko) instead of using `stains`.
    public var estimateStains = false
    /// Glass intensity (R, G, B); nil = estimated per tile from its glass, 255 when it has none.
    public var background: [Double]? = nil
    public var tissue = TissueParameters()
    public var nuclei = NucleusParameters()
    public var cells = CellParameters()
    public var membrane = MembraneParameters()
    public var tumour = TumourCellParameters()
    /// When the nuclei found contradict the pixel size given, the slide is flagged.
    public var pixelSizeCheck = PixelSizeCheckParameters()

    public init() {}
}
