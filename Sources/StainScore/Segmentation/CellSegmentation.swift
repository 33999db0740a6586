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
        // Markers: the nucleus labels themselves (0 or positive: the flood fills the zeros).
        var labels = nuclei.labels.labels
        let smooth = GaussianFilter.blur(dab, sigma: p.dabSmoothingSigmaMicrons / pixelSize)
        let flat = UInt8(max(0, min(255, (p.dabFlatBelowOD / p.dabLevelCeiling * 255).rounded())))
        let levels = Watershed.quantise(smooth, low: 0, high: Float(p.dabLevelCeiling), zeroBelow: flat)
        clock.lap("cells.levels")
        let centres = nuclei.nuclei.map { SIMD2(Float($0.x), Float($0.y)) }
        let limit = p.maximumRadiusMicrons / pixelSize
        let radii = nuclei.nuclei.map { Float(min(limit, p.maximumRadiusPerNucleusRadius * $0.equivalentRadius)) }
        let stop = UInt8(max(1, min(255, (p.ridgeStopOD / p.dabLevelCeiling * 255).rounded())))
        Watershed.flood(levels: levels, labels: &labels, centres: centres, radii: radii, ridgeStop: stop)
        clock.lap("cells.watershed")
        return LabelImage(labels: labels, count: nuclei.nuclei.count)
    }
}
