/// The slide's tissue: sizes in µm and stain amounts in log10 OD, drawn once per slide.
public struct SynthTissueParameters: Sendable, Hashable, Codable {
    /// Mean distance between neighbouring tumour-cell centres (≈ cell diameter), µm.
    public var cellSpacingMicrons: Double
    /// Feature size of the nest/cord pattern, µm.
    public var nestScaleMicrons: Double
    /// Share of the grid that is tumour (per tile this varies ±0.1).
    public var tumourFraction: Double
    /// Share of tumour seeds turned into gland lumens (0 = solid nests).
    public var lumenFraction: Double
    /// Share of empty glass per tile at most.
    public var glassFraction: Double
    /// Feature size of the clonal class regions, µm.
    public var cloneScaleMicrons: Double
    /// Expected lymphocytes per stromal seed.
    public var lymphocyteDensity: Double
    /// Share of stromal seeds with a fibroblast nucleus.
    public var fibroblastFraction: Double
    /// Hematoxylin OD of tumour cytoplasm, stroma, tumour nuclei (mean), lymphocytes, fibroblasts.
    public var cytoplasmH: Double
    public var stromaH: Double
    public var nucleusH: Double
    public var lymphocyteH: Double
    public var fibroblastH: Double
    /// Faint eosin-like residual of the stroma (OD along a pink direction).
    public var stromaPink: Double

    static func draw(rng: inout SplitMix64) -> SynthTissueParameters {
        SynthTissueParameters(
            cellSpacingMicrons: rng.uniform(12.5...15.5),
            nestScaleMicrons: rng.uniform(45...100),
            tumourFraction: rng.uniform(0.55...0.75),
            lumenFraction: rng.chance(0.65) ? rng.uniform(0.05...0.14) : 0,
            glassFraction: rng.uniform(0...0.1),
            cloneScaleMicrons: rng.uniform(40...90),
            lymphocyteDensity: rng.uniform(0.1...0.7),
            fibroblastFraction: rng.uniform(0.2...0.4),
            cytoplasmH: rng.uniform(0.04...0.07),
            stromaH: rng.uniform(0.03...0.05),
            nucleusH: rng.uniform(0.2...0.3),
            lymphocyteH: rng.uniform(0.55...0.75),
            fibroblastH: rng.uniform(0.26...0.36),
            stromaPink: rng.uniform(0.0...0.012))
    }
}
