/// Morphological rules that keep lymphocytes and stromal cells out of the denominator.
///
/// Tumour-cell nuclei are 7–11 µm across (≈ 38–95 µm²) and roundish-oval; lymphocyte nuclei
/// are small (5–7 µm, ≤ ≈ 38 µm²) and round; fibroblast nuclei are spindles (length/width ≥ 2.5).
public struct TumourCellParameters: Sendable, Hashable, Codable {
    /// Nuclei smaller than this (µm²) are excluded (lymphocytes, debris).
    public var minimumNucleusAreaMicrons2: Double = 33
    /// Nuclei more elongated than this (√ of the moment ratio ≈ length/width) are excluded.
    public var maximumElongation: Double = 2.3
    public init() {}

    /// Whether a nucleus belongs to a tumour cell.
    public func isTumour(_ nucleus: NucleusRegion, pixelSize: Double) -> Bool {
        let area = Double(nucleus.areaPixels) * pixelSize * pixelSize
        return area >= minimumNucleusAreaMicrons2 && nucleus.elongation <= maximumElongation
    }
}
