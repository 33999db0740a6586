import Foundation
import Testing
import StainScore

/// Hand-worked cases at and around every cut-off. Each row: class counts [0, 1+, 2+, 3+]
/// over the tumour cells, and the score/category a pathologist applying the rule would give.
@Suite("Rule sets")
struct ScoringRulesTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rules: RuleSet
        var counts: [Int]
        var score: HER2Score
        var category: HER2Category
        var testDescription: String { "\(rules.rawValue) \(counts) → \(score.label) \(category.rawValue)" }
    }

    static let cases: [Case] = [
        // Breast 2018: > 10% cut-offs.
        Case(rules: .breast2018, counts: [899, 0, 0, 101], score: .three, category: .positive),  // 10.1% 3+
        Case(rules: .breast2018, counts: [900, 0, 0, 100], score: .two, category: .equivocal),   // 10.0% 3+: intense ≤10%
        Case(rules: .breast2018, counts: [890, 0, 100, 10], score: .two, category: .equivocal),  // ≥2+ 11%
        Case(rules: .breast2018, counts: [899, 0, 101, 0], score: .two, category: .equivocal),   // ≥2+ 10.1%
        Case(rules: .breast2018, counts: [900, 0, 100, 0], score: .zero, category: .ultralow),   // ≥2+ 10.0%, ≥1+ 10.0%
        Case(rules: .breast2018, counts: [899, 101, 0, 0], score: .one, category: .low),         // 10.1% faint
        Case(rules: .breast2018, counts: [900, 100, 0, 0], score: .zero, category: .ultralow),   // 10.0% faint
        Case(rules: .breast2018, counts: [999, 1, 0, 0], score: .zero, category: .ultralow),     // 0.1% faint
        Case(rules: .breast2018, counts: [1000, 0, 0, 0], score: .zero, category: .null),
        Case(rules: .breast2018, counts: [990, 0, 0, 10], score: .two, category: .equivocal),    // 1.0% 3+ (≥ floor)
        Case(rules: .breast2018, counts: [991, 0, 0, 9], score: .zero, category: .ultralow),    // 0.9% 3+ (< floor)
        Case(rules: .breast2013, counts: [899, 0, 0, 101], score: .three, category: .positive),
        Case(rules: .breast2013, counts: [895, 100, 5, 0], score: .one, category: .low),
        // Breast 2007: 3+ needs > 30%.
        Case(rules: .breast2007, counts: [700, 0, 0, 300], score: .two, category: .equivocal),  // 30.0%
        Case(rules: .breast2007, counts: [699, 0, 0, 301], score: .three, category: .positive), // 30.1%
        Case(rules: .breast2007, counts: [850, 150, 0, 0], score: .one, category: .low),
        // Gastric resection: ≥ 10% cut-offs.
        Case(rules: .gastricResection, counts: [900, 0, 0, 100], score: .three, category: .positive), // 10.0%
        Case(rules: .gastricResection, counts: [901, 0, 0, 99], score: .zero, category: .ultralow),   // 9.9%
        Case(rules: .gastricResection, counts: [900, 0, 100, 0], score: .two, category: .equivocal),
        Case(rules: .gastricResection, counts: [900, 100, 0, 0], score: .one, category: .low),
        Case(rules: .gastricResection, counts: [901, 99, 0, 0], score: .zero, category: .ultralow),
    ]

    @Test("percentage cut-offs", arguments: cases)
    func cutoffs(_ c: Case) {
        var cells: [ClassifiedCell] = []
        for (k, n) in c.counts.enumerated() {
            cells += Array(repeating: ClassifiedCell(cellClass: HER2Score(rawValue: k)!), count: n)
        }
        let result = SlideScorer.score(cells, rules: ScoringRules(ruleSet: c.rules))
        #expect(result.score == c.score)
        #expect(result.category == c.category)
        #expect(result.ishReflex == (c.score == .two))
        #expect(result.tumourCells == c.counts.reduce(0, +))
        #expect(result.classCounts == c.counts)
    }

    @Test("H-score and percentages")
    func hScore() {
        let cells = [ClassifiedCell](repeating: .init(cellClass: .zero), count: 40) + .init(repeating: .init(cellClass: .one), count: 30)
            + .init(repeating: .init(cellClass: .two), count: 20) + .init(repeating: .init(cellClass: .three), count: 10)
        let r = SlideScorer.score(cells, rules: ScoringRules())
        #expect(r.percentages.onePlusOrMore == 60)
        #expect(r.percentages.twoPlusOrMore == 30)
        #expect(r.hScore == 30 + 40 + 30)  // 1×30 + 2×20 + 3×10
    }

    @Test("borderline and insufficient flags")
    func flags() {
        func slide(_ counts: [Int]) -> SlideScore {
            var cells: [ClassifiedCell] = []
            for (k, n) in counts.enumerated() { cells += Array(repeating: ClassifiedCell(cellClass: HER2Score(rawValue: k)!), count: n) }
            return SlideScorer.score(cells, rules: ScoringRules())
        }
        #expect(slide([895, 0, 0, 105]).borderline)      // 10.5% 3+: within 2 points of 10%
        #expect(!slide([850, 0, 0, 150]).borderline)     // 15%
        #expect(slide([880, 120, 0, 0]).borderline)      // 12% ≥1+
        #expect(!slide([700, 300, 0, 0]).borderline)
        #expect(slide([90, 9, 0, 0]).insufficient)       // 99 cells < 100
        #expect(!slide([91, 9, 0, 0]).insufficient)
        #expect(slide([90, 9, 0, 0]).flags == ["borderline", "insufficient"] || slide([90, 9, 0, 0]).flags == ["insufficient"])
    }

    @Test("under the rule set's minimum a slide is unscorable: no score, no category, the reason; JSON null")
    func unscorable() throws {
        func slide(_ n: Int, _ rules: ScoringRules = ScoringRules()) -> SlideScore {
            SlideScorer.score(Array(repeating: ClassifiedCell(cellClass: .two), count: n), rules: rules)
        }
        let few = slide(99)
        #expect(few.unscorable == "insufficient: 99 tumour cells < 100" && few.reason == few.unscorable)
        #expect(few.reportedScore == nil && few.reportedCategory == nil)
        #expect(few.flags == ["insufficient"], "no ISH reflex for a slide without a score")
        let enough = slide(100)
        #expect(enough.unscorable == nil && enough.reportedScore == .two && enough.flags == ["ish-reflex"])
        // A gastric biopsy is scored from a cohesive cluster of ≥ 5 cells: that is its minimum.
        var biopsy = ScoringRules(ruleSet: .gastricBiopsy)
        biopsy.minimumTumourCells = 100
        #expect(slide(4, biopsy).unscorable == "insufficient: 4 tumour cells < 5")
        #expect(slide(5, biopsy).unscorable == nil)
        // JSON: score and category null, the reason given; read back as unscorable.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(few)) as! [String: Any]
        #expect(json["score"] is NSNull && json["category"] is NSNull)
        #expect(json["unscorable"] as? String == "insufficient: 99 tumour cells < 100")
        let back = try JSONDecoder().decode(SlideScore.self, from: JSONEncoder().encode(few))
        #expect(back.unscorable == few.unscorable && back.reportedScore == nil)
        #expect(try JSONDecoder().decode(SlideScore.self, from: JSONEncoder().encode(enough)) == enough)
    }

    @Test("gastric biopsy: a cohesive cluster of ≥5 cells sets the score")
    func clusters() {
        var rules = ScoringRules(ruleSet: .gastricBiopsy)
        rules.clusterLinkDistanceMicrons = 18
        let background = (0..<1000).map { ClassifiedCell(cellClass: .zero, tile: 0, xMicrons: Double($0 % 40) * 15, yMicrons: 500 + Double($0 / 40) * 15) }
        func row(_ n: Int, spacing: Double, cellClass: HER2Score) -> [ClassifiedCell] {
            (0..<n).map { ClassifiedCell(cellClass: cellClass, tile: 0, xMicrons: Double($0) * spacing, yMicrons: 0) }
        }
        #expect(SlideScorer.score(background + row(5, spacing: 15, cellClass: .three), rules: rules).score == .three)
        #expect(SlideScorer.score(background + row(4, spacing: 15, cellClass: .three), rules: rules).score == .zero)
        #expect(SlideScorer.score(background + row(5, spacing: 20, cellClass: .three), rules: rules).score == .zero)
        // 3 intense + 2 moderate in one cluster: a cluster of ≥2+ cells (5), not of 3+ (3).
        let mixed = row(3, spacing: 15, cellClass: .three) + [ClassifiedCell(cellClass: .two, tile: 0, xMicrons: 45, yMicrons: 0),
                                                               ClassifiedCell(cellClass: .two, tile: 0, xMicrons: 60, yMicrons: 0)]
        let result = SlideScorer.score(background + mixed, rules: rules)
        #expect(result.score == .two)
        #expect(result.largestClusters == [5, 5, 3])
        // Cells in different tiles never form one cluster.
        let split = (0..<5).map { ClassifiedCell(cellClass: .three, tile: $0 < 3 ? 0 : 1, xMicrons: Double($0) * 15, yMicrons: 0) }
        #expect(SlideScorer.score(background + split, rules: rules).score == .zero)
    }

    struct CellCase: Sendable, CustomTestStringConvertible {
        var intensity: Double, completeness: Double, arc: Double, rules: RuleSet, expected: HER2Score
        var testDescription: String { "I=\(intensity) C=\(completeness) arc=\(arc) \(rules.rawValue) → \(expected.label)" }
    }

    static let cellCases: [CellCase] = [
        CellCase(intensity: 0.05, completeness: 1.0, arc: 1.0, rules: .breast2018, expected: .zero),  // below stain threshold
        CellCase(intensity: 0.30, completeness: 0.05, arc: 0.05, rules: .breast2018, expected: .zero), // too little membrane
        CellCase(intensity: 0.15, completeness: 0.5, arc: 0.5, rules: .breast2018, expected: .one),   // faint incomplete
        CellCase(intensity: 0.15, completeness: 1.0, arc: 1.0, rules: .breast2018, expected: .one),   // faint complete
        CellCase(intensity: 0.2499, completeness: 0.95, arc: 0.95, rules: .breast2018, expected: .one),
        CellCase(intensity: 0.25, completeness: 0.90, arc: 0.9, rules: .breast2018, expected: .two),  // weak complete, at both edges
        CellCase(intensity: 0.30, completeness: 0.5, arc: 0.5, rules: .breast2018, expected: .one),   // weak incomplete
        CellCase(intensity: 0.45, completeness: 0.5, arc: 0.5, rules: .breast2018, expected: .two),   // moderate incomplete
        CellCase(intensity: 0.55, completeness: 0.90, arc: 0.9, rules: .breast2018, expected: .three),
        CellCase(intensity: 0.60, completeness: 0.89, arc: 0.89, rules: .breast2018, expected: .two), // intense incomplete
        CellCase(intensity: 0.60, completeness: 0.6, arc: 0.55, rules: .gastricResection, expected: .three), // basolateral U
        CellCase(intensity: 0.60, completeness: 0.6, arc: 0.45, rules: .gastricResection, expected: .two),
        CellCase(intensity: 0.30, completeness: 0.6, arc: 0.55, rules: .gastricBiopsy, expected: .two),
    ]

    @Test("cell classes", arguments: cellCases)
    func cellClasses(_ c: CellCase) {
        let staining = MembraneStaining(intensity: c.intensity, completeness: c.completeness, longestArc: c.arc)
        #expect(CellClassificationParameters().classify(staining, rules: c.rules) == c.expected)
    }

    @Test("score labels parse and print")
    func labels() {
        #expect(HER2Score.allCases.map(\.label) == ["0", "1+", "2+", "3+"])
        #expect(HER2Score(label: "2+") == .two && HER2Score(label: "3") == .three && HER2Score(label: "4+") == nil)
    }
}
