/// Image file format of virtual tiles.
public enum SynthesisFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case png, jpeg, tiff
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .tiff: "tif"
        }
    }
}

/// Everything that decides a set of virtual slides. Same configuration → byte-identical files.
public struct SynthesisConfiguration: Sendable, Hashable, Codable {
    public var seed: UInt64 = 1
    public var slides = 8
    public var target: SynthesisTarget = .mixed
    public var tilesPerSlide = 4
    /// Tile side, pixels.
    public var tileSize = 1024
    public var micronsPerPixel = 0.5
    public var format: SynthesisFormat = .png
    public var ruleSet: RuleSet = .breast2018
    /// Exact shares asked for (percent of tumour cells): 3+, ≥2+, ≥1+. Any of them set turns the
    /// margin test off: the truth score is then whatever the rules make of these shares.
    public var percent3Plus: Double?
    public var percent2PlusOrMore: Double?
    public var percent1PlusOrMore: Double?
    /// Smallest distance (percentage points) between a deciding share and a cut-off.
    public var marginPercent = ClassFractions.defaultMarginPercent
    public var nuisances = NuisanceSettings()
    public var membranes = MembraneClassRanges()
    /// How the tissue is drawn; nil = `.classic`. Optional so that a classic configuration's
    /// `synth.json` carries no `style` key (its bytes stay those of the classic renderer).
    public var style: SynthesisStyle?
    /// Factor on the laid-down DAB optical density (membranes, blush), nil = 1: renders a lab whose
    /// antibody or protocol stains weaker (< 1) or stronger (> 1) than the class bands the truth is
    /// drawn from — the slides `ihc-score calibrate` is for. The truth classes are unchanged
    /// (a 2+ cell stays 2+ however pale its lab makes it). Optional so that a default
    /// configuration's `synth.json` carries no `dabScale` key (its bytes stay the same).
    public var dabScale: Double?
    /// The DAB optical-density direction (RGB, normalised when used) in place of the renderer's
    /// own (Ruifrok–Johnston, or the realistic style's drawn hue), nil = the default; per-slide
    /// rotation still applies. Renders a chromogen whose colour differs from the scorer's default.
    public var dabVector: [Double]?

    /// The DAB factor in effect.
    public var resolvedDABScale: Double { dabScale ?? 1 }

    /// The style in effect.
    public var resolvedStyle: SynthesisStyle { style ?? .classic }

    public init() {}

    /// Whether exact shares were asked for.
    public var hasExplicitPercents: Bool {
        percent3Plus != nil || percent2PlusOrMore != nil || percent1PlusOrMore != nil
    }

    /// The tile file name of tile `t` ("tile-000.png").
    public func tileName(_ t: Int) -> String {
        "tile-" + String(repeating: "0", count: max(0, 3 - String(t).count)) + String(t) + "." + format.fileExtension
    }

    /// The folder name of slide `i` (0-based): "slide-001".
    public static func slideName(_ i: Int) -> String {
        let n = String(i + 1)
        return "slide-" + String(repeating: "0", count: max(0, 3 - n.count)) + n
    }
}
