import ArgumentParser
import Foundation
import StainScore

extension SynthesisTarget: ExpressibleByArgument {
    public init?(argument: String) { self.init(label: argument) }
}

extension SynthesisFormat: ExpressibleByArgument {}

extension RuleSet: ExpressibleByArgument {}

extension SynthesisStyle: ExpressibleByArgument {}

/// `ihc-score synth OUTDIR`: virtual HER2 slides with per-cell ground truth.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render virtual HER2 IHC slides (Beer–Lambert) with per-cell and per-slide ground truth.",
        discussion: """
            Writes OUTDIR/slide-001/tile-000.png …, OUTDIR/labels.csv (truth score per slide), OUTDIR/cells.csv \
            (every nucleus: kind, class, completeness, intensity, membrane width) and OUTDIR/synth.json (every \
            drawn parameter). The same options and seed give byte-identical files; slide i does not depend on \
            --slides. Nuisances are drawn per slide unless set; --clean turns them all off. --style realistic draws \
            pale vesicular tumour nuclei among lymphocytes and fibroblasts in sheets, cords and glands, with the \
            same truth files.
            """)

    @Argument(help: "Output folder (created if missing).")
    var outdir: String

    @Option(help: "Number of slides.")
    var slides = 8

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Target score: 0, null, ultralow, 1+, 2+, 3+ or mixed (cycles through null, ultralow, 1+, 2+, 3+).")
    var score: SynthesisTarget = .mixed

    @Option(help: "Tiles per slide.")
    var tilesPerSlide = 4

    @Option(help: "Tile side in pixels.")
    var size = 1024

    @Option(help: "Pixel size, µm/px: 0.25 (40×) or 0.5 (20×).")
    var mpp = 0.5

    @Option(help: "Tile format: png, jpeg or tiff.")
    var format: SynthesisFormat = .png

    @Option(help: "Tissue style: classic (round, evenly dark nuclei) or realistic (pale vesicular tumour nuclei, lymphocytes, fibroblasts, sheets/cords/glands, physical membrane widths, wider stain and optics ranges).")
    var style: SynthesisStyle = .classic

    @Option(help: "Rule set for the truth score: \(RuleSet.allCases.map(\.rawValue).joined(separator: ", ")).")
    var rules: RuleSet = .breast2018

    @Option(name: .customLong("percent-3plus"), help: "Exact share of 3+ tumour cells, % (near-cutoff slides; no margin).")
    var percent3: Double?

    @Option(name: .customLong("percent-2plus"), help: "Exact share of ≥2+ tumour cells, %.")
    var percent2: Double?

    @Option(name: .customLong("percent-1plus"), help: "Exact share of ≥1+ tumour cells, %.")
    var percent1: Double?

    @Option(help: "Smallest distance of a deciding share from its cut-off, percentage points.")
    var margin = 4.0

    @Flag(help: "Turn every nuisance off (Ruifrok–Johnston vectors, glass 242, no vignetting, blush, blur or noise).")
    var clean = false

    @Option(help: "Stain-vector rotation, degrees (default: random 0.5–4 per slide; 0 = off).")
    var stainRotation: Double?

    @Option(help: "Glass intensity R,G,B (default: random 236–250 with a slight tint; realistic 228–252, cream, grey or lavender).")
    var glass: String?

    @Option(help: "Illumination fall-off at the corners, fraction (default: random 0.01–0.05, realistic 0.02–0.15; 0 = off).")
    var vignetting: Double?

    @Option(help: "Share of tumour cells with cytoplasmic DAB blush (default: random, 0–0.35, realistic 0–0.8; 0 = off).")
    var blush: Double?

    @Option(help: "Out-of-focus patches per tile (default: random 0–2; 0 = off).")
    var blurPatches: Int?

    @Option(help: "Sensor noise σ, 8-bit levels (default: random 1.5–3, realistic 1.5–5; 0 = off).")
    var noise: Double?

    @Option(help: "JPEG quality for --format jpeg (default: random 80–95 per slide; realistic 55–92).")
    var jpegQuality: Int?

    @Option(help: "Realistic style: soft focus over every tile, Gaussian σ in µm (default: random 0.15–0.6 per slide; 0 = off).")
    var focus: Double?

    @Option(help: "Realistic style: linear illumination gradient across a tile, fraction (default: random 0–0.08; 0 = off).")
    var gradient: Double?

    @Option(help: "Factor on the laid-down DAB optical density (default 1): below 1 a weaker lab stain, above 1 a stronger one; the truth classes are unchanged. For calibration experiments.")
    var dabScale: Double?

    @Option(help: "DAB optical-density direction R,G,B (normalised; default Ruifrok–Johnston 0.268,0.570,0.776, realistic: drawn per slide): a chromogen of another colour. Per-slide rotation still applies.")
    var dabVector: String?

    func validate() throws {
        if let s = dabScale, !(s > 0 && s <= 10) { throw ValidationError("--dab-scale must be a factor in (0, 10]") }
        if dabVector != nil, parsedDABVector == nil { throw ValidationError("--dab-vector must be three non-negative numbers R,G,B, not all 0") }
        guard slides >= 1, slides <= 999 else { throw ValidationError("--slides must be 1…999") }
        guard tilesPerSlide >= 1, tilesPerSlide <= 999 else { throw ValidationError("--tiles-per-slide must be 1…999") }
        guard size >= 64, size <= 8192 else { throw ValidationError("--size must be 64…8192") }
        guard mpp >= 0.1, mpp <= 2 else { throw ValidationError("--mpp must be 0.1…2 (0.25 or 0.5 are usual)") }
        for (name, value) in [("--percent-3plus", percent3), ("--percent-2plus", percent2), ("--percent-1plus", percent1)] {
            if let v = value, !(0...100).contains(v) { throw ValidationError("\(name) must be 0…100") }
        }
        if let a = percent3, let b = percent2, a > b { throw ValidationError("--percent-3plus cannot exceed --percent-2plus") }
        if let b = percent2 ?? percent3, let c = percent1, b > c { throw ValidationError("--percent-2plus/3plus cannot exceed --percent-1plus") }
        if let q = jpegQuality, !(1...100).contains(q) { throw ValidationError("--jpeg-quality must be 1…100") }
        if let n = noise, n < 0 { throw ValidationError("--noise must be ≥ 0") }
        if let v = vignetting, !(0..<0.5).contains(v) { throw ValidationError("--vignetting must be 0…0.5") }
        if let b = blush, !(0...1).contains(b) { throw ValidationError("--blush must be 0…1") }
        if let p = blurPatches, p < 0 { throw ValidationError("--blur-patches must be ≥ 0") }
        if let f = focus, !(0...5).contains(f) { throw ValidationError("--focus must be 0…5 µm") }
        if let g = gradient, !(0..<0.5).contains(g) { throw ValidationError("--gradient must be 0…0.5") }
        if style == .classic, focus != nil || gradient != nil { throw ValidationError("--focus and --gradient need --style realistic") }
        if glass != nil, parsedGlass == nil { throw ValidationError("--glass must be R,G,B with values 1…255") }
    }

    var parsedGlass: [Double]? {
        guard let glass else { return nil }
        let parts = glass.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, parts.allSatisfy({ (1...255).contains($0) }) else { return nil }
        return parts
    }

    var parsedDABVector: [Double]? {
        guard let dabVector else { return nil }
        let parts = dabVector.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, parts.allSatisfy({ $0 >= 0 && $0.isFinite }), parts.contains(where: { $0 > 0 }) else { return nil }
        return parts
    }

    func run() throws {
        var c = SynthesisConfiguration()
        c.dabScale = dabScale == 1 ? nil : dabScale
        c.dabVector = parsedDABVector
        c.seed = seed
        c.slides = slides
        c.target = score
        c.tilesPerSlide = tilesPerSlide
        c.tileSize = size
        c.micronsPerPixel = mpp
        c.format = format
        c.ruleSet = rules
        c.percent3Plus = percent3
        c.percent2PlusOrMore = percent2
        c.percent1PlusOrMore = percent1
        c.marginPercent = margin
        c.style = style == .classic ? nil : style
        var n = clean ? NuisanceSettings.clean : NuisanceSettings()
        if let stainRotation { n.stainRotationDegrees = stainRotation }
        if let parsedGlass { n.glass = parsedGlass }
        if let vignetting { n.vignetting = vignetting }
        if let blush { n.blushFraction = blush }
        if let blurPatches { n.blurPatches = blurPatches }
        if let noise { n.noiseSigma = noise }
        if let jpegQuality { n.jpegQuality = jpegQuality }
        if style == .realistic, clean {
            n.focusSigmaMicrons = 0
            n.illuminationGradient = 0
        }
        if let focus { n.focusSigmaMicrons = focus }
        if let gradient { n.illuminationGradient = gradient }
        c.nuisances = n
        var rows = [["SLIDE", "TARGET", "SCORE", "CATEGORY", "≥1+ %", "≥2+ %", "3+ %", "TUMOUR CELLS", "SECONDS"]]
        do {
            try SynthesisWriter.run(c, to: outdir) { recipe, seconds in
                let p = recipe.truth.percentages
                rows.append([recipe.slide, recipe.explicitPercents ? "percent" : recipe.target.rawValue, recipe.truth.score.label,
                             recipe.truth.category.rawValue, String(format: "%.1f", p.onePlusOrMore),
                             String(format: "%.1f", p.twoPlusOrMore), String(format: "%.1f", p.three),
                             String(recipe.truth.tumourCells), String(format: "%.2f", seconds)])
            }
        } catch let error as SynthesisError {
            throw ValidationError(error.message)
        } catch let error as ImageIOError {
            Output.error(error.description)
            throw ExitCodes.cannotWriteOutput
        } catch {
            Output.error("\(outdir): \(error)")
            throw ExitCodes.cannotWriteOutput
        }
        print(Output.table(rows))
        let pixels = Double(slides * tilesPerSlide * size * size) / 1e6
        print("wrote \(slides * tilesPerSlide) tiles (\(String(format: "%.1f", pixels)) MP) at \(mpp) µm/px, labels.csv, cells.csv, synth.json to \(outdir)")
    }
}
