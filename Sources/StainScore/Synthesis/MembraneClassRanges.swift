/// What the renderer draws for one tumour cell's membrane, by class.
///
/// The ranges sit inside the bands of `CellClassificationParameters` (stained ≥0.10, weak ≥0.25,
/// moderate ≥0.40, intense ≥0.55, complete ≥90%) with room to spare, so a cell's truth class is
/// never ambiguous: `CellClassificationParameters().classify` of the drawn arcs gives the class
/// back under every rule set.
///
/// | class | intensity (log10 DAB OD at the centreline) | completeness |
/// |---|---|---|
/// | 0 | no membrane DAB | 0 |
/// | 1+ | U[0.12, 0.22] | U[0.25, 0.75] (incomplete, 1–3 arcs or a basolateral "U"); 20% faint but complete U[0.92, 1] |
/// | 2+ | U[0.30, 0.50] | U[0.92, 1.0] |
/// | 3+ | U[0.65, 1.00] | U[0.95, 1.0] |
///
/// Membrane width (full width of the DAB precipitate) grows with the class, after Scheel et al.
/// 2018: 0.64 / 1.0 / 2.14 µm for 1+ / 2+ / 3+, each with ±20% jitter.
public struct MembraneClassRanges: Sendable, Hashable, Codable {
    public var faintIntensity: ClosedRange<Double> = 0.12...0.22
    public var faintIncompleteCompleteness: ClosedRange<Double> = 0.25...0.75
    /// Share of 1+ cells that are faint but complete.
    public var faintCompleteShare: Double = 0.20
    public var faintCompleteCompleteness: ClosedRange<Double> = 0.92...1.0
    /// Share of incomplete 1+ cells drawn as one lateral/basolateral arc facing away from the lumen/stroma.
    public var basolateralShare: Double = 0.30
    public var moderateIntensity: ClosedRange<Double> = 0.30...0.50
    public var moderateCompleteness: ClosedRange<Double> = 0.92...1.0
    public var intenseIntensity: ClosedRange<Double> = 0.65...1.0
    public var intenseCompleteness: ClosedRange<Double> = 0.95...1.0
    /// Scheel 2018 widths (µm) for 1+, 2+, 3+.
    public var widthMicrons: [Double] = [0.64, 1.0, 2.14]
    /// Relative jitter of the width (±).
    public var widthJitter: Double = 0.20

    public init() {}

    /// One cell's drawn membrane.
    public struct Draw: Sendable, Hashable {
        public var intensity: Double
        /// Requested completeness (the truth is measured on the drawn bins; see `MembraneArcs`).
        public var completeness: Double
        public var arcCount: Int
        /// One arc centred opposite the cell's free (apical) side.
        public var basolateral: Bool
        public var widthMicrons: Double
    }

    /// Draws intensity, completeness, arcs and width for a cell of class `cls`.
    public func draw(_ cls: HER2Score, rng: inout SplitMix64) -> Draw {
        func width(_ k: Int) -> Double { widthMicrons[k] * (1 + widthJitter * (2 * rng.nextUnit() - 1)) }
        switch cls {
        case .zero:
            return Draw(intensity: 0, completeness: 0, arcCount: 0, basolateral: false, widthMicrons: 0)
        case .one:
            let intensity = rng.uniform(faintIntensity)
            if rng.chance(faintCompleteShare) {
                let c = rng.uniform(faintCompleteCompleteness)
                return Draw(intensity: intensity, completeness: c, arcCount: c >= 0.995 ? 1 : rng.integer(1...2),
                            basolateral: false, widthMicrons: width(0))
            }
            let c = rng.uniform(faintIncompleteCompleteness)
            let baso = rng.chance(basolateralShare) && c >= 0.4
            return Draw(intensity: intensity, completeness: c, arcCount: baso ? 1 : rng.integer(1...3),
                        basolateral: baso, widthMicrons: width(0))
        case .two:
            let c = rng.uniform(moderateCompleteness)
            return Draw(intensity: rng.uniform(moderateIntensity), completeness: c,
                        arcCount: c >= 0.995 ? 1 : rng.integer(1...2), basolateral: false, widthMicrons: width(1))
        case .three:
            let c = rng.uniform(intenseCompleteness)
            return Draw(intensity: rng.uniform(intenseIntensity), completeness: c,
                        arcCount: c >= 0.995 ? 1 : rng.integer(1...2), basolateral: false, widthMicrons: width(2))
        }
    }
}
