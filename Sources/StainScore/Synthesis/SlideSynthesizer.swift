import Foundation

/// Why a virtual slide could not be drawn.
public struct SynthesisError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Everything drawn for one virtual slide (recorded in `synth.json`).
public struct SlideRecipe: Sendable, Hashable, Codable {
    public var slide: String
    /// Seed of the slide's own random stream (derived from the run seed and the slide index).
    public var streamSeed: UInt64
    public var target: SynthesisTarget
    /// The shares asked for (drawn with margin, or given with --percent-*).
    public var requested: ClassFractions
    public var explicitPercents: Bool
    public var tissue: SynthTissueParameters
    public var nuisances: Nuisances
    public var stains: StainVectors
    /// The truth: the rule set applied to the drawn cells.
    public var truth: SlideScore
    /// Class-fraction draws needed until the truth met the target.
    public var attempts: Int
    /// The realistic style's own draws (nil for a classic slide, and then absent from `synth.json`).
    public var realistic: RealisticParameters?
}

/// A drawn virtual slide: its recipe, its cells' truth and the geometry to render its tiles.
public struct SynthesizedSlide: Sendable {
    public var recipe: SlideRecipe
    /// All listed cells (nucleus centre inside a tile), tile by tile.
    public var cells: [SynthCell]
    let layouts: [TissueLayout]
    let stainings: [TileStaining]
    let tileSeeds: [UInt64]
    let configuration: SynthesisConfiguration

    /// Renders tile `t` (deterministic: the same slide gives the same pixels every time).
    public func renderTile(_ t: Int) -> RGBImage {
        var rng = SplitMix64(seed: tileSeeds[t])
        let planes = SynthStainPlanes.rasterise(layout: layouts[t], staining: stainings[t], tissue: recipe.tissue,
                                                realistic: recipe.realistic != nil, rng: &rng)
        return Optics.expose(planes, stains: recipe.stains, nuisances: recipe.nuisances,
                             micronsPerPixel: configuration.micronsPerPixel, realistic: recipe.realistic,
                             dabScale: configuration.resolvedDABScale, rng: &rng)
    }

    /// The stain planes of tile `t` before the optics (tests compare them with the drawn truth).
    func stainPlanes(_ t: Int) -> SynthStainPlanes {
        var rng = SplitMix64(seed: tileSeeds[t])
        return SynthStainPlanes.rasterise(layout: layouts[t], staining: stainings[t], tissue: recipe.tissue,
                                          realistic: recipe.realistic != nil, rng: &rng)
    }
}

/// Draws virtual slides: tissue layout, per-cell classes and membranes, truth score.
public enum SlideSynthesizer {
    /// Draws slide `index` (0-based) of `configuration`. Depends only on the seed, the index and
    /// the slide options — never on how many slides are drawn.
    public static func slide(_ index: Int, configuration c: SynthesisConfiguration) throws -> SynthesizedSlide {
        let streamSeed = SplitMix64.derive(c.seed, UInt64(index))
        var rng = SplitMix64(seed: streamSeed)
        let target = c.target.resolved(slide: index, seed: c.seed)
        // The realistic style draws from its own ranges (and its own stream for its extra parameters).
        var realistic: RealisticParameters?
        if c.resolvedStyle == .realistic {
            var rrng = SplitMix64(seed: SplitMix64.derive(streamSeed, 6))
            var p = RealisticParameters.draw(rng: &rrng)
            p.apply(c.nuisances)
            realistic = p
        }
        let tissue = realistic == nil ? SynthTissueParameters.draw(rng: &rng) : SynthTissueParameters.drawRealistic(rng: &rng)
        var nuisanceRng = SplitMix64(seed: SplitMix64.derive(streamSeed, 1))
        let unstained = target == .null && !c.hasExplicitPercents
        let nuisances = realistic == nil ? c.nuisances.draw(rng: &nuisanceRng, unstained: unstained)
            : c.nuisances.drawRealistic(rng: &nuisanceRng, unstained: unstained)
        let stains: StainVectors
        if let realistic {
            stains = realistic.stainVectors(rotationDegrees: nuisances.stainRotationDegrees, dab: c.dabVector, rng: &nuisanceRng)
        } else {
            let base = c.dabVector.map { StainVectors(hematoxylin: StainVectors.ruifrokJohnston.hematoxylin, dab: $0) }
                ?? StainVectors.ruifrokJohnston
            stains = nuisances.stainRotationDegrees == 0 ? base
                : base.rotated(byDegrees: nuisances.stainRotationDegrees, rng: &nuisanceRng)
        }
        var layouts: [TissueLayout] = []
        for t in 0..<c.tilesPerSlide {
            var trng = SplitMix64(seed: SplitMix64.derive(streamSeed, 2, UInt64(t)))
            if let realistic {
                layouts.append(TissueLayout.generateRealistic(width: c.tileSize, height: c.tileSize, micronsPerPixel: c.micronsPerPixel,
                                                              tissue: tissue, realistic: realistic, rng: &trng))
            } else {
                layouts.append(TissueLayout.generate(width: c.tileSize, height: c.tileSize, micronsPerPixel: c.micronsPerPixel,
                                                     tissue: tissue, rng: &trng))
            }
        }
        if realistic != nil { realistic?.tileArchitectures = layouts.map(\.architecture) }
        // Every tumour seed of the slide; the listed ones (centre inside their tile) are scored.
        var seeds: [(tile: Int, seed: Int)] = []
        var listed: [Int] = []
        for (t, layout) in layouts.enumerated() {
            for i in layout.kind.indices where layout.kind[i] == .tumour {
                if layout.isInTile(i) { listed.append(seeds.count) }
                seeds.append((t, i))
            }
        }
        guard !listed.isEmpty else { throw SynthesisError(message: "slide \(index + 1): no tumour cells in its tiles (tiles too small?)") }
        let rules = ScoringRules(ruleSet: c.ruleSet)
        var crng = SplitMix64(seed: SplitMix64.derive(streamSeed, 3))
        // Clonal order: listed cells ranked by the smooth class field, highest first.
        let order = listed.sorted { a, b in
            let fa = layouts[seeds[a].tile].classField[seeds[a].seed], fb = layouts[seeds[b].tile].classField[seeds[b].seed]
            return fa != fb ? fa > fb : a < b
        }
        for attempt in 1...200 {
            let requested: ClassFractions
            if c.hasExplicitPercents {
                let base = ClassFractions.candidate(for: target, rng: &crng)
                let p3 = c.percent3Plus ?? min(base.percent3, c.percent2PlusOrMore ?? 100, c.percent1PlusOrMore ?? 100)
                let p2 = c.percent2PlusOrMore ?? max(p3, min(base.percent2OrMore, c.percent1PlusOrMore ?? 100))
                requested = ClassFractions(percent3: p3, percent2OrMore: p2, percent1OrMore: c.percent1PlusOrMore ?? max(p2, base.percent1OrMore))
            } else {
                guard let f = ClassFractions.draw(for: target, rules: rules, margin: c.marginPercent, rng: &crng) else {
                    throw SynthesisError(message: "slide \(index + 1): no class shares give \(target.rawValue) under \(c.ruleSet.rawValue) with a \(c.marginPercent)-point margin")
                }
                requested = f
            }
            var counts = requested.counts(total: listed.count)
            if target == .ultralow, !c.hasExplicitPercents, counts[0] == listed.count, listed.count > 1 {
                counts[0] -= 1
                counts[1] += 1
            }
            // Classes: listed cells by rank; unlisted (border) cells by the same field thresholds.
            var cls = [HER2Score](repeating: .zero, count: seeds.count)
            var position = 0
            var thresholds = [Double](repeating: .infinity, count: 4)
            for k in [3, 2, 1] {
                for _ in 0..<counts[k] {
                    let s = order[position]
                    cls[s] = HER2Score(rawValue: k)!
                    thresholds[k] = layouts[seeds[s].tile].classField[seeds[s].seed]
                    position += 1
                }
                if counts[k] == 0 { thresholds[k] = k == 3 ? .infinity : thresholds[k + 1] }
            }
            let isListed = Set(listed)
            for s in seeds.indices where !isListed.contains(s) {
                let f = layouts[seeds[s].tile].classField[seeds[s].seed]
                cls[s] = f >= thresholds[3] ? .three : (f >= thresholds[2] ? .two : (f >= thresholds[1] && counts[1] > 0 ? .one : .zero))
                if counts[cls[s].rawValue] == 0 { cls[s] = .zero }
            }
            // Membranes, drawn until the classifier agrees with the class (it always should).
            var mrng = SplitMix64(seed: SplitMix64.derive(streamSeed, 5, UInt64(attempt)))
            var stainings = layouts.map { TileStaining(seeds: $0.kind.count) }
            var cells: [SynthCell] = []
            var classified: [ClassifiedCell] = []
            let um = 1 / c.micronsPerPixel
            for (s, (t, i)) in seeds.enumerated() {
                let layout = layouts[t]
                let lengths = MembraneArcs.binLengths(of: i, in: layout)
                var draw = c.membranes.draw(cls[s], rng: &mrng)
                var arcs = MembraneArcs.lay(draw, binLengths: lengths, apicalAngle: layout.apicalAngle[i], rng: &mrng)
                var tries = 0
                while cls[s] != .zero, tries < 50,
                      rules.cells.classify(MembraneStaining(intensity: draw.intensity, completeness: arcs.completeness,
                                                            longestArc: arcs.longestArc), rules: c.ruleSet) != cls[s] {
                    draw = c.membranes.draw(cls[s], rng: &mrng)
                    arcs = MembraneArcs.lay(draw, binLengths: lengths, apicalAngle: layout.apicalAngle[i], rng: &mrng)
                    tries += 1
                }
                let blush: Double
                if let realistic {
                    // Heavier in stained cells, always below the cell's own membrane (a class-0 cell ≤ 0.04).
                    let chance = nuisances.blushFraction * [0.3, 0.8, 1.2, 1.5][cls[s].rawValue]
                    let most = cls[s] == .zero ? min(0.04, nuisances.blushMaxOD) : min(nuisances.blushMaxOD, 0.6 * draw.intensity)
                    blush = mrng.chance(chance) ? mrng.uniform(0.02...max(0.0201, most)) : 0
                    let hidden = [1, 1, realistic.hiddenH2, realistic.hiddenH3][cls[s].rawValue]
                    stainings[t].visibleH[i] = hidden < 1 ? min(1, hidden * mrng.uniform(0.85...1.15)) : 1
                    stainings[t].halfWidth[i] = draw.widthMicrons * um / 2
                } else {
                    let blushChance = nuisances.blushFraction * [0.5, 1.0, 1.5, 1.5][cls[s].rawValue]
                    blush = mrng.chance(blushChance) ? mrng.uniform(0.02...max(0.0201, nuisances.blushMaxOD)) : 0
                    stainings[t].halfWidth[i] = max(draw.widthMicrons * um / 2, 0.5)
                }
                stainings[t].intensity[i] = draw.intensity
                stainings[t].blush[i] = blush
                for b in 0..<MembraneArcs.binCount where arcs.stained[b] {
                    stainings[t].stained[i * MembraneArcs.binCount + b] = 1
                }
                guard layout.isInTile(i) else { continue }
                let cell = SynthCell(tile: c.tileName(t), tileIndex: t, x: layout.seedX[i], y: layout.seedY[i], kind: .tumour,
                                     cellClass: cls[s], completeness: arcs.completeness, longestArc: arcs.longestArc,
                                     intensity: draw.intensity, membraneWidthMicrons: draw.widthMicrons, blushOD: blush)
                cells.append(cell)
                classified.append(ClassifiedCell(cellClass: cls[s], tile: t, xMicrons: cell.x * c.micronsPerPixel,
                                                 yMicrons: cell.y * c.micronsPerPixel))
            }
            let truth = SlideScorer.score(classified, rules: rules)
            var accepted = c.hasExplicitPercents || target.accepts(truth)
            if accepted, !c.hasExplicitPercents, target != .null, target != .ultralow, c.ruleSet != .gastricBiopsy,
               truth.percentages.onePlusOrMore > 0 {
                let p = truth.percentages
                accepted = ClassFractions(percent3: p.three, percent2OrMore: p.twoPlusOrMore, percent1OrMore: p.onePlusOrMore)
                    .hasMargin(c.marginPercent, target: truth.score, rules: rules)
            }
            guard accepted else { continue }
            // Other cells: nuclei listed by kind.
            for (t, layout) in layouts.enumerated() {
                for (list, kind) in [(layout.lymphocytes, SynthCellKind.lymphocyte), (layout.fibroblasts, .fibroblast)] {
                    for n in list where n.x >= 0 && n.y >= 0 && n.x < Double(layout.width) && n.y < Double(layout.height) {
                        cells.append(SynthCell(tile: c.tileName(t), tileIndex: t, x: n.x, y: n.y, kind: kind, cellClass: .zero,
                                               completeness: 0, longestArc: 0, intensity: 0, membraneWidthMicrons: 0, blushOD: 0))
                    }
                }
            }
            cells.sort { ($0.tileIndex, $0.y, $0.x) < ($1.tileIndex, $1.y, $1.x) }
            let recipe = SlideRecipe(slide: SynthesisConfiguration.slideName(index), streamSeed: streamSeed, target: target,
                                     requested: requested, explicitPercents: c.hasExplicitPercents, tissue: tissue,
                                     nuisances: nuisances, stains: stains, truth: truth, attempts: attempt,
                                     realistic: realistic)
            let tileSeeds = (0..<c.tilesPerSlide).map { SplitMix64.derive(streamSeed, 4, UInt64($0)) }
            return SynthesizedSlide(recipe: recipe, cells: cells, layouts: layouts, stainings: stainings,
                                    tileSeeds: tileSeeds, configuration: c)
        }
        throw SynthesisError(message: "slide \(index + 1): the drawn cells never scored \(target.rawValue) under \(c.ruleSet.rawValue) (too few tumour cells? try larger or more tiles)")
    }
}
