@testable import StainScore
import Testing

/// Truth of virtual slides against the definitions: classes, shares and scores.
@Suite("Synthesis truth")
struct SynthesisTruthTests {
    static func configuration(_ target: SynthesisTarget, rules: RuleSet = .breast2018, seed: UInt64 = 7) -> SynthesisConfiguration {
        var c = SynthesisConfiguration()
        c.seed = seed
        c.target = target
        c.ruleSet = rules
        c.tileSize = 256
        c.tilesPerSlide = 3
        return c
    }

    @Test("every tumour cell's truth class is the classifier's class of its drawn membrane", arguments: RuleSet.allCases)
    func truthClassIsClassifierClass(rules: RuleSet) throws {
        for (index, target) in [SynthesisTarget.ultralow, .one, .two, .three].enumerated() {
            let slide = try SlideSynthesizer.slide(index, configuration: Self.configuration(target, rules: rules))
            let tumour = slide.cells.filter { $0.kind == .tumour }
            #expect(!tumour.isEmpty)
            for cell in tumour {
                #expect(CellClassificationParameters().classify(cell.membrane, rules: rules) == cell.cellClass,
                        "\(target) \(cell.tile) (\(cell.x), \(cell.y)): \(cell.membrane)")
            }
            for cell in slide.cells where cell.kind != .tumour { #expect(cell.cellClass == .zero && cell.intensity == 0) }
        }
    }

    @Test("drawn ranges per class: intensity, completeness, width")
    func classRanges() throws {
        let slide = try SlideSynthesizer.slide(0, configuration: Self.configuration(.three))
        let ranges = MembraneClassRanges()
        var faintComplete = 0, ones = 0
        for cell in slide.cells where cell.kind == .tumour {
            switch cell.cellClass {
            case .zero: #expect(cell.intensity == 0 && cell.completeness == 0)
            case .one:
                ones += 1
                #expect(ranges.faintIntensity.contains(cell.intensity))
                if cell.completeness >= 0.9 { faintComplete += 1 } else { #expect(cell.completeness > 0.2 && cell.completeness < 0.8) }
                #expect(abs(cell.membraneWidthMicrons - 0.64) <= 0.64 * 0.2 + 1e-9)
            case .two:
                #expect(ranges.moderateIntensity.contains(cell.intensity) && cell.completeness >= 0.9)
                #expect(abs(cell.membraneWidthMicrons - 1.0) <= 0.2 + 1e-9)
            case .three:
                #expect(ranges.intenseIntensity.contains(cell.intensity) && cell.completeness >= 0.93)
                #expect(abs(cell.membraneWidthMicrons - 2.14) <= 2.14 * 0.2 + 1e-9)
            }
        }
        #expect(faintComplete <= ones)
    }

    @Test("truth score = SlideScorer on the truth cells, meets the target, with a 4-point margin",
          arguments: [SynthesisTarget.null, .ultralow, .zero, .one, .two, .three])
    func truthScore(target: SynthesisTarget) throws {
        for rules in [RuleSet.breast2018, .breast2007, .gastricResection] {
            let c = Self.configuration(target, rules: rules)
            let slide = try SlideSynthesizer.slide(1, configuration: c)
            let cells = slide.cells.filter { $0.kind == .tumour }.map {
                ClassifiedCell(cellClass: $0.cellClass, tile: $0.tileIndex, xMicrons: $0.x * c.micronsPerPixel, yMicrons: $0.y * c.micronsPerPixel)
            }
            let rescored = SlideScorer.score(cells, rules: ScoringRules(ruleSet: rules))
            #expect(rescored == slide.recipe.truth)
            #expect(target.accepts(rescored), "\(target) under \(rules): got \(rescored.score) \(rescored.category)")
            let p = rescored.percentages
            if target != .null, target != .ultralow, p.onePlusOrMore > 0 {
                #expect(ClassFractions(percent3: p.three, percent2OrMore: p.twoPlusOrMore, percent1OrMore: p.onePlusOrMore)
                    .hasMargin(4, target: rescored.score, rules: ScoringRules(ruleSet: rules)))
            }
            if target == .null { #expect(slide.cells.allSatisfy { $0.intensity == 0 && $0.blushOD == 0 }) }
            if target == .ultralow { #expect(p.onePlusOrMore > 0 && p.onePlusOrMore <= 6.5 && p.twoPlusOrMore == 0) }
        }
    }

    @Test("asked-for shares are realised within half a cell", arguments: [(12.0, nil, nil), (12.0, 30.0, 55.0), (nil, 9.5, 11.0)] as [(Double?, Double?, Double?)])
    func exactShares(p3: Double?, p2: Double?, p1: Double?) throws {
        var c = Self.configuration(.mixed)
        c.percent3Plus = p3
        c.percent2PlusOrMore = p2
        c.percent1PlusOrMore = p1
        for index in 0..<3 {
            let slide = try SlideSynthesizer.slide(index, configuration: c)
            let tumour = slide.cells.filter { $0.kind == .tumour }
            let n = Double(tumour.count)
            let half = 50 / n + 1e-9  // half a cell, in percent
            func share(_ minimum: Int) -> Double { 100 * Double(tumour.filter { $0.cellClass.rawValue >= minimum }.count) / n }
            if let p3 { #expect(abs(share(3) - p3) <= half, "3+: \(share(3)) vs \(p3) over \(tumour.count) cells") }
            if let p2 { #expect(abs(share(2) - p2) <= half) }
            if let p1 { #expect(abs(share(1) - p1) <= half) }
            #expect(abs(slide.recipe.truth.percentages.three - share(3)) < 1e-9)
        }
    }

    @Test("mixed cycles through every score; slide i does not depend on the others")
    func mixedCycle() throws {
        let targets = (0..<5).map { SynthesisTarget.mixed.resolved(slide: $0, seed: 3) }
        #expect(Set(targets) == Set(SynthesisTarget.mixedCycle))
        let c = Self.configuration(.mixed, seed: 3)
        let a = try SlideSynthesizer.slide(2, configuration: c)
        var more = c
        more.slides = 50
        let b = try SlideSynthesizer.slide(2, configuration: more)
        #expect(a.cells == b.cells)
        #expect(a.recipe == b.recipe)
    }

    @Test("membrane arcs: completeness and longest arc measured on the drawn bins")
    func arcs() {
        let lengths = [Double](repeating: 1, count: MembraneArcs.binCount)
        var rng = SplitMix64(seed: 5)
        for c in [0.25, 0.5, 0.75, 0.95] {
            for k in 1...3 {
                let draw = MembraneClassRanges.Draw(intensity: 0.2, completeness: c, arcCount: k, basolateral: false, widthMicrons: 1)
                let arcs = MembraneArcs.lay(draw, binLengths: lengths, apicalAngle: 0, rng: &rng)
                #expect(abs(arcs.completeness - c) <= Double(k) / Double(MembraneArcs.binCount) + 1e-9)
                #expect(arcs.arcCount <= k && arcs.arcCount >= 1)
                #expect(arcs.longestArc <= arcs.completeness + 1e-9)
            }
        }
        let baso = MembraneArcs.lay(.init(intensity: 0.2, completeness: 0.6, arcCount: 1, basolateral: true, widthMicrons: 1),
                                    binLengths: lengths, apicalAngle: 0, rng: &rng)
        // Centred opposite the apical side (angle π): the bin at angle 0 is unstained, at ±π stained.
        #expect(!baso.stained[MembraneArcs.bin(ofAngle: 0)])
        #expect(baso.stained[MembraneArcs.bin(ofAngle: Double.pi - 0.01)])
        #expect(abs(baso.longestArc - baso.completeness) < 1e-9)
    }
}
