/// Rules on several nucleus features that keep lymphocytes, stromal cells and debris out of
/// the tumour-cell denominator while pale, vesicular and elongated tumour nuclei stay in.
///
/// One size cut cannot do it: real tumour nuclei range from 25 to 120 µm² and are often paler
/// than lymphocytes, so a size or darkness cut alone either drops tumour nuclei or keeps
/// lymphocytes. A lymphocyte is small *and* round *and* uniformly dark; a fibroblast is a
/// narrow spindle; debris is tiny or barely darker than its surroundings.
public struct TumourCellParameters: Sendable, Hashable, Codable {
    /// Nuclei smaller than this (µm²) are debris or fragments.
    public var minimumNucleusAreaMicrons2: Double = 12
    /// Nuclei whose mean background-subtracted hematoxylin OD is below this are too faint to
    /// be counted (cytoplasm texture, out-of-focus debris) — unless they were found inside a
    /// closed ring of stained membrane, which shows the cell whatever its nucleus shows.
    public var minimumContrastOD: Double = 0.05
    /// A lymphocyte: small (area at most `lymphocyteMaximumAreaMicrons2`), round (elongation at
    /// most `lymphocyteMaximumElongation`), uniform (hematoxylin SD / mean at most
    /// `lymphocyteMaximumTexture`) and dark: either darker than `lymphocyteMinimumOD` outright, or
    /// at least `lymphocyteRelativeDarkness` × the tile's median nucleus and at least
    /// `lymphocyteMinimumRelativeOD` — how dark a nucleus looks depends on the counterstain, and a
    /// lymphocyte is the one clearly darker than the tumour nuclei around it.
    public var lymphocyteMaximumAreaMicrons2: Double = 34
    public var lymphocyteMaximumElongation: Double = 1.4
    public var lymphocyteMinimumOD: Double = 0.45
    public var lymphocyteRelativeDarkness: Double = 2.0
    public var lymphocyteMinimumRelativeOD: Double = 0.2
    public var lymphocyteMaximumTexture: Double = 0.4
    /// A stromal spindle (fibroblast, endothelium): elongation at least `spindleMinimumElongation`
    /// and short axis at most `spindleMaximumWidthMicrons`.
    public var spindleMinimumElongation: Double = 3.0
    public var spindleMaximumWidthMicrons: Double = 3.5
    public init() {}

    /// Why a nucleus is not a tumour cell's, or nil when it is.
    public func exclusion(_ f: NucleusFeatures) -> TumourExclusion? {
        if f.areaMicrons2 < minimumNucleusAreaMicrons2 || (f.contrastOD < minimumContrastOD && !f.inMembraneRing) { return .debris }
        if f.elongation >= spindleMinimumElongation && f.minorAxisMicrons <= spindleMaximumWidthMicrons { return .spindle }
        let texture = f.hematoxylinMeanOD > 0 ? f.hematoxylinSD / f.hematoxylinMeanOD : 0
        let dark = f.hematoxylinMeanOD >= lymphocyteMinimumOD
            || (f.hematoxylinMeanOD >= lymphocyteMinimumRelativeOD
                && f.hematoxylinMeanOD >= lymphocyteRelativeDarkness * f.tileMedianHematoxylinOD)
        if f.areaMicrons2 <= lymphocyteMaximumAreaMicrons2 && f.elongation <= lymphocyteMaximumElongation
            && dark && texture <= lymphocyteMaximumTexture { return .lymphocyte }
        return nil
    }

    /// Whether a nucleus belongs to a tumour cell.
    public func isTumour(_ f: NucleusFeatures) -> Bool { exclusion(f) == nil }
}

/// Why a detected nucleus was left out of the tumour cells.
public enum TumourExclusion: String, Sendable, Hashable, Codable {
    case debris, spindle, lymphocyte
}
