/// What a cell's membrane shows, as the classifier needs it.
public struct MembraneStaining: Sendable, Hashable, Codable {
    /// Intensity of the stained membrane: mean log10 DAB optical density over the stained
    /// part of the circumference (0 when nothing is stained).
    public var intensity: Double
    /// Completeness: fraction (0…1) of the circumference whose membrane DAB is at or above
    /// `CellClassificationParameters.stainedThreshold`.
    public var completeness: Double
    /// Longest contiguous stained arc, as a fraction (0…1) of the circumference.
    public var longestArc: Double

    public init(intensity: Double, completeness: Double, longestArc: Double) {
        self.intensity = intensity
        self.completeness = completeness
        self.longestArc = longestArc
    }
}

/// The thresholds that turn membrane intensity and completeness into a cell class.
///
/// Defaults start from the QuPath convention (0.2 / 0.4 / 0.6 log10 DAB OD for 1+/2+/3+) and the
/// clinical wording of ASCO/CAP, with the band edges placed between the ranges the virtual-slide
/// renderer draws each class from:
///
/// | staining | intensity (log10 DAB OD) |
/// |---|---|
/// | none | < `stainedThreshold` (0.10) |
/// | faint / barely perceptible | 0.10 – 0.25 |
/// | weak to moderate | 0.25 – 0.55 (moderate from 0.40) |
/// | intense | ≥ 0.55 |
///
/// and a membrane is **complete** when at least `completeFraction` (90%) of its circumference is
/// stained — or, under the gastric rules, when its longest stained arc covers at least
/// `basolateralArcFraction` (50%: a lateral/basolateral "U").
///
/// Cell classes:
/// - **3+**: intense and complete;
/// - **2+**: weak-to-moderate and complete; or moderate-to-intense but incomplete (the
///   guideline's unusual 2+ pattern);
/// - **1+**: faint/barely perceptible (complete or not), or weak and incomplete;
/// - **0**: no stained membrane (completeness below `minimumStainedFraction`, 20%).
public struct CellClassificationParameters: Sendable, Hashable, Codable {
    /// Membrane DAB OD at or above which a point of the membrane counts as stained.
    public var stainedThreshold: Double = 0.10
    /// Intensity from which staining is weak-to-moderate rather than faint.
    public var weakIntensity: Double = 0.25
    /// Intensity from which incomplete staining counts as moderate (2+ pattern).
    public var moderateIntensity: Double = 0.40
    /// Intensity from which staining is intense.
    public var intenseIntensity: Double = 0.55
    /// Completeness from which a membrane is complete (circumferential).
    public var completeFraction: Double = 0.90
    /// Longest-arc fraction from which gastric rules count lateral/basolateral staining as complete.
    public var basolateralArcFraction: Double = 0.50
    /// Below this completeness a cell is unstained (class 0), whatever the intensity: stain on
    /// less than a fifth of the outline is one short segment, which at 20× cannot be told apart
    /// from the membrane of the neighbour it is shared with.
    public var minimumStainedFraction: Double = 0.20

    public init() {}

    /// The class of one tumour cell under `rules`.
    public func classify(_ m: MembraneStaining, rules: RuleSet) -> HER2Score {
        guard m.completeness >= minimumStainedFraction, m.intensity >= stainedThreshold else { return .zero }
        let complete = m.completeness >= completeFraction
            || (rules.basolateralCountsAsComplete && m.longestArc >= basolateralArcFraction)
        if m.intensity >= intenseIntensity { return complete ? .three : .two }
        if m.intensity >= moderateIntensity { return .two }
        if m.intensity >= weakIntensity { return complete ? .two : .one }
        return .one
    }
}
