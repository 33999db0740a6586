/// The imperfections of a real scan, drawn per slide. Every one is a named parameter with a
/// moderate random default (a careful pathologist still scores the slide easily) and can be set
/// or switched off through `NuisanceSettings`.
public struct Nuisances: Sendable, Hashable, Codable {
    /// Rotation of each stain vector away from Ruifrok–Johnston (degrees): batch variation.
    public var stainRotationDegrees: Double
    /// Glass (background) intensity I0 per channel, 0–255: a slightly tinted light source/slide.
    public var glass: [Double]
    /// Uneven illumination: fractional darkening at the tile corner relative to its brightest point.
    public var vignetting: Double
    /// Share of tumour cells (class ≥1+) with cytoplasmic DAB blush.
    public var blushFraction: Double
    /// Largest cytoplasmic blush DAB OD (each blushing cell draws U[0.02, this]; kept below every membrane).
    public var blushMaxOD: Double
    /// Out-of-focus patches per tile (local Gaussian blur).
    public var blurPatches: Int
    /// Gaussian σ of the out-of-focus blur, µm.
    public var blurSigmaMicrons: Double
    /// Sensor noise σ in 8-bit levels, per channel and pixel.
    public var noiseSigma: Double
    /// JPEG quality when the tiles are written as JPEG.
    public var jpegQuality: Int
}

/// Fixed values for some or all nuisances (nil = draw the random default).
public struct NuisanceSettings: Sendable, Hashable, Codable {
    public var stainRotationDegrees: Double?
    public var glass: [Double]?
    public var vignetting: Double?
    public var blushFraction: Double?
    public var blurPatches: Int?
    public var noiseSigma: Double?
    public var jpegQuality: Int?
    /// Realistic style only: soft focus over the whole tile (Gaussian σ, µm) and the linear
    /// illumination gradient (fraction). nil = drawn (and absent from a classic `synth.json`).
    public var focusSigmaMicrons: Double?
    public var illuminationGradient: Double?

    public init(stainRotationDegrees: Double? = nil, glass: [Double]? = nil, vignetting: Double? = nil,
                blushFraction: Double? = nil, blurPatches: Int? = nil, noiseSigma: Double? = nil, jpegQuality: Int? = nil) {
        self.stainRotationDegrees = stainRotationDegrees
        self.glass = glass
        self.vignetting = vignetting
        self.blushFraction = blushFraction
        self.blurPatches = blurPatches
        self.noiseSigma = noiseSigma
        self.jpegQuality = jpegQuality
    }

    /// Every nuisance off: Ruifrok–Johnston vectors, neutral glass 242, no vignetting, blush,
    /// blur or noise — the rendering whose OD equals the drawn concentrations exactly.
    public static let clean = NuisanceSettings(stainRotationDegrees: 0, glass: [242, 242, 242], vignetting: 0,
                                               blushFraction: 0, blurPatches: 0, noiseSigma: 0)

    /// Draws the per-slide nuisances; fixed values win. A `null` slide (no staining at all) gets no blush.
    func draw(rng: inout SplitMix64, unstained: Bool) -> Nuisances {
        // Draw every random value even when fixed, so fixing one nuisance leaves the others as they were.
        let rotation = rng.uniform(0.5...4)
        let level = rng.uniform(236...250)
        let tint = [rng.uniform(-4...2), rng.uniform(-3...2), rng.uniform(-1...4)]
        let vignette = rng.uniform(0.01...0.05)
        let blush = rng.chance(0.5) ? rng.uniform(0.05...0.35) : 0
        let blushMax = rng.uniform(0.04...0.08)
        let patches = rng.chance(0.6) ? rng.integer(1...2) : 0
        let sigma = rng.uniform(1.0...2.5)
        let noise = rng.uniform(1.5...3)
        let quality = rng.integer(80...95)
        return Nuisances(
            stainRotationDegrees: stainRotationDegrees ?? rotation,
            glass: glass ?? tint.map { min(255, level + $0) },
            vignetting: vignetting ?? vignette,
            blushFraction: unstained ? 0 : (blushFraction ?? blush),
            blushMaxOD: blushMax,
            blurPatches: blurPatches ?? patches,
            blurSigmaMicrons: sigma,
            noiseSigma: noiseSigma ?? noise,
            jpegQuality: jpegQuality ?? quality)
    }
}
