/// The published scoring rule sets ihc-score can apply. Each result names the one used.
public enum RuleSet: String, Sendable, Hashable, Codable, CaseIterable {
    /// ASCO/CAP 2018 breast (affirmed unchanged in 2023). The default.
    case breast2018 = "breast-2018"
    /// ASCO/CAP 2013 breast.
    case breast2013 = "breast-2013"
    /// ASCO/CAP 2007 breast (3+ needs >30% of cells).
    case breast2007 = "breast-2007"
    /// Gastric / gastro-oesophageal resection (Hofmann 2008): ≥10% cut-offs; lateral or
    /// basolateral ("U-shaped") staining counts as complete.
    case gastricResection = "gastric-resection"
    /// Gastric biopsy: a cohesive cluster of ≥5 cells at a given intensity sets the score,
    /// whatever the percentage.
    case gastricBiopsy = "gastric-biopsy"

    /// Whether a share equal to the cut-off already passes it (gastric "≥ 10%"; breast "> 10%").
    public var usesInclusiveCutoffs: Bool { self == .gastricResection || self == .gastricBiopsy }

    /// Whether lateral/basolateral arcs count as complete membranes.
    public var basolateralCountsAsComplete: Bool { self == .gastricResection || self == .gastricBiopsy }

    /// One-line human description with its source.
    public var summary: String {
        switch self {
        case .breast2018: "ASCO/CAP 2018 breast (Wolff et al., J Clin Oncol 2018;36:2105; affirmed 2023)"
        case .breast2013: "ASCO/CAP 2013 breast (Wolff et al., J Clin Oncol 2013;31:3997)"
        case .breast2007: "ASCO/CAP 2007 breast (Wolff et al., J Clin Oncol 2007;25:118)"
        case .gastricResection: "gastric resection (Hofmann et al., Histopathology 2008): ≥10%, basolateral counts"
        case .gastricBiopsy: "gastric biopsy (Hofmann et al., Histopathology 2008): cohesive cluster of ≥5 cells"
        }
    }
}
