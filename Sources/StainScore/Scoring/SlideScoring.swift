/// Everything that decides a slide's score besides the cells: the rule set, the cell
/// thresholds, and the tool's own named choices (margins, minimum counts).
public struct ScoringRules: Sendable, Hashable, Codable {
    /// The published rule set applied.
    public var ruleSet: RuleSet = .breast2018
    /// Per-cell class thresholds.
    public var cells = CellClassificationParameters()
    /// Below this many tumour cells the slide is `insufficient` and gets no score (breast and
    /// gastric resection rules; a gastric biopsy needs `clusterMinimumCells`, the guideline's
    /// cohesive cluster of ≥ 5 cells, instead).
    public var minimumTumourCells: Int = 100
    /// A deciding percentage within this many percentage points of its cut-off flags the
    /// result `borderline` (when moving it across would change the score).
    public var borderlineMarginPercent: Double = 2.0
    /// The guideline's "intense complete staining in ≤10% of cells → 2+" pattern is applied only
    /// from this share of 3+ cells upwards, so that a few isolated misclassified cells do not
    /// make every slide equivocal (the tool's choice; 0 applies the wording literally).
    public var sparseIntenseMinimumPercent: Double = 1.0
    /// Gastric biopsy: the smallest cohesive cluster that sets the score.
    public var clusterMinimumCells: Int = 5
    /// Gastric biopsy: two cells belong to one cluster when their nuclei are at most this far
    /// apart (µm) — about one tumour-cell diameter.
    public var clusterLinkDistanceMicrons: Double = 18

    public init(ruleSet: RuleSet = .breast2018) { self.ruleSet = ruleSet }

    /// The fewest tumour cells a slide may be scored from under this rule set.
    public var minimumCellsToScore: Int { ruleSet == .gastricBiopsy ? clusterMinimumCells : minimumTumourCells }
}

/// A tumour cell as the slide score sees it.
public struct ClassifiedCell: Sendable, Hashable {
    public var cellClass: HER2Score
    /// Which tile it lies in, and its nucleus centre in µm within that tile (used for clusters).
    public var tile: Int
    public var xMicrons: Double
    public var yMicrons: Double

    public init(cellClass: HER2Score, tile: Int = 0, xMicrons: Double = 0, yMicrons: Double = 0) {
        self.cellClass = cellClass
        self.tile = tile
        self.xMicrons = xMicrons
        self.yMicrons = yMicrons
    }
}

/// Percentages of tumour cells per class (0…100).
public struct ClassPercentages: Sendable, Hashable, Codable {
    public var zero: Double
    public var one: Double
    public var two: Double
    public var three: Double
    public var onePlusOrMore: Double { one + two + three }
    public var twoPlusOrMore: Double { two + three }

    public init(zero: Double, one: Double, two: Double, three: Double) {
        self.zero = zero
        self.one = one
        self.two = two
        self.three = three
    }

    public init(counts: [Int]) {
        let total = Double(max(1, counts.reduce(0, +)))
        self.init(zero: 100 * Double(counts[0]) / total, one: 100 * Double(counts[1]) / total,
                  two: 100 * Double(counts[2]) / total, three: 100 * Double(counts[3]) / total)
    }

    /// Membrane H-score, 0–300: 1 × %1+ + 2 × %2+ + 3 × %3+.
    public var hScore: Double { one + 2 * two + 3 * three }
}

/// The slide-level result of a rule set applied to pooled tumour cells.
public struct SlideScore: Sendable, Hashable, Codable {
    public var score: HER2Score
    public var category: HER2Category
    public var ruleSet: RuleSet
    public var tumourCells: Int
    /// Count of tumour cells per class 0, 1+, 2+, 3+.
    public var classCounts: [Int]
    public var percentages: ClassPercentages
    public var hScore: Double
    /// 2+: reflex in-situ hybridisation required.
    public var ishReflex: Bool
    /// A deciding percentage lies within the margin of its cut-off.
    public var borderline: Bool
    /// Fewer tumour cells than the rules' minimum.
    public var insufficient: Bool
    /// Gastric biopsy: the largest cohesive cluster per class (≥1+, ≥2+, 3+).
    public var largestClusters: [Int]?
    /// Why this score, in words (cut-off that decided).
    public var reason: String
    /// Why the slide may not be given a score at all (too few tumour cells, no readable tile);
    /// nil when it is scored. `score` and `category` then hold what the cells alone would give
    /// and are never reported: slides.csv leaves them empty, report.json writes null.
    public var unscorable: String? = nil

    /// The score to report, nil when the slide is unscorable.
    public var reportedScore: HER2Score? { unscorable == nil ? score : nil }
    /// The category to report, nil when the slide is unscorable.
    public var reportedCategory: HER2Category? { unscorable == nil ? category : nil }

    enum CodingKeys: String, CodingKey {
        case score, category, ruleSet, tumourCells, classCounts, percentages, hScore, ishReflex, borderline, insufficient,
             largestClusters, reason, unscorable
    }

    public init(score: HER2Score, category: HER2Category, ruleSet: RuleSet, tumourCells: Int, classCounts: [Int],
                percentages: ClassPercentages, hScore: Double, ishReflex: Bool, borderline: Bool, insufficient: Bool,
                largestClusters: [Int]?, reason: String, unscorable: String? = nil) {
        self.score = score
        self.category = category
        self.ruleSet = ruleSet
        self.tumourCells = tumourCells
        self.classCounts = classCounts
        self.percentages = percentages
        self.hScore = hScore
        self.ishReflex = ishReflex
        self.borderline = borderline
        self.insufficient = insufficient
        self.largestClusters = largestClusters
        self.reason = reason
        self.unscorable = unscorable
    }

    /// `score` and `category` are null for an unscorable slide, with `unscorable` saying why.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reportedScore, forKey: .score)
        try c.encode(reportedCategory, forKey: .category)
        try c.encode(ruleSet, forKey: .ruleSet)
        try c.encode(tumourCells, forKey: .tumourCells)
        try c.encode(classCounts, forKey: .classCounts)
        try c.encode(percentages, forKey: .percentages)
        try c.encode(hScore, forKey: .hScore)
        try c.encode(ishReflex, forKey: .ishReflex)
        try c.encode(borderline, forKey: .borderline)
        try c.encode(insufficient, forKey: .insufficient)
        try c.encodeIfPresent(largestClusters, forKey: .largestClusters)
        try c.encode(reason, forKey: .reason)
        try c.encode(unscorable, forKey: .unscorable)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        score = try c.decodeIfPresent(HER2Score.self, forKey: .score) ?? .zero
        category = try c.decodeIfPresent(HER2Category.self, forKey: .category) ?? .null
        ruleSet = try c.decode(RuleSet.self, forKey: .ruleSet)
        tumourCells = try c.decode(Int.self, forKey: .tumourCells)
        classCounts = try c.decode([Int].self, forKey: .classCounts)
        percentages = try c.decode(ClassPercentages.self, forKey: .percentages)
        hScore = try c.decode(Double.self, forKey: .hScore)
        ishReflex = try c.decode(Bool.self, forKey: .ishReflex)
        borderline = try c.decode(Bool.self, forKey: .borderline)
        insufficient = try c.decode(Bool.self, forKey: .insufficient)
        largestClusters = try c.decodeIfPresent([Int].self, forKey: .largestClusters)
        reason = try c.decode(String.self, forKey: .reason)
        unscorable = try c.decodeIfPresent(String.self, forKey: .unscorable)
    }

    /// The flags as short names: `ish-reflex`, `borderline`, `insufficient`.
    public var flags: [String] {
        var f: [String] = []
        if ishReflex { f.append("ish-reflex") }
        if borderline { f.append("borderline") }
        if insufficient { f.append("insufficient") }
        return f
    }
}

/// Applies a rule set to the tumour cells of a slide (pooled over all its tiles).
public enum SlideScorer {
    public static func score(_ cells: [ClassifiedCell], rules: ScoringRules) -> SlideScore {
        var counts = [0, 0, 0, 0]
        for cell in cells { counts[cell.cellClass.rawValue] += 1 }
        let pct = ClassPercentages(counts: counts)
        var clusters: [Int]?
        let score: HER2Score
        let reason: String
        var borderline = false
        if rules.ruleSet == .gastricBiopsy {
            let sizes = largestClusters(cells, linkDistance: rules.clusterLinkDistanceMicrons)
            clusters = sizes
            let best = HER2Score.allCases.reversed().first { $0 != .zero && sizes[$0.rawValue - 1] >= rules.clusterMinimumCells }
            score = best ?? .zero
            reason = best.map { "a cohesive cluster of \(sizes[$0.rawValue - 1]) cells at ≥\($0.label) (≥\(rules.clusterMinimumCells) needed)" }
                ?? "no cohesive cluster of ≥\(rules.clusterMinimumCells) stained cells"
            borderline = sizes.contains { abs($0 - rules.clusterMinimumCells) <= 1 && $0 > 0 }
        } else {
            (score, reason) = decide(pct, rules: rules)
            borderline = isBorderline(pct, score: score, rules: rules)
        }
        let category: HER2Category = switch score {
        case .three: .positive
        case .two: .equivocal
        case .one: .low
        case .zero: pct.onePlusOrMore > 0 ? .ultralow : .null
        }
        let insufficient = cells.count < rules.minimumCellsToScore
        var result = SlideScore(score: score, category: category, ruleSet: rules.ruleSet, tumourCells: cells.count,
                                classCounts: counts, percentages: pct, hScore: pct.hScore, ishReflex: score == .two && !insufficient,
                                borderline: borderline && !insufficient, insufficient: insufficient,
                                largestClusters: clusters, reason: reason)
        if insufficient {
            result.unscorable = "insufficient: \(cells.count) tumour cell\(cells.count == 1 ? "" : "s") < \(rules.minimumCellsToScore)"
            result.reason = result.unscorable!
        }
        return result
    }

    /// The guideline cut-offs each cumulative share (3+, ≥2+, ≥1+) is compared with under
    /// `rules` (the tool's own sparse-intense floor is not a guideline cut-off and is not listed).
    static func cutoffs(_ rules: ScoringRules) -> [(share: Int, value: Double)] {
        switch rules.ruleSet {
        case .breast2007: [(3, 30), (2, 10), (1, 10)]
        default: [(3, 10), (2, 10), (1, 10)]
        }
    }

    /// Borderline: some cumulative share lies within the margin of one of its cut-offs, and
    /// moving that share alone just across the cut-off (keeping 3+ ≤ ≥2+ ≤ ≥1+) changes the score.
    static func isBorderline(_ p: ClassPercentages, score: HER2Score, rules: ScoringRules) -> Bool {
        let margin = rules.borderlineMarginPercent
        guard margin > 0 else { return false }
        let shares = [p.three, p.twoPlusOrMore, p.onePlusOrMore]
        for (share, cut) in cutoffs(rules) {
            let index = 3 - share  // 3+ → 0, ≥2+ → 1, ≥1+ → 2
            let value = shares[index]
            guard abs(value - cut) <= margin else { continue }
            var moved = shares
            moved[index] = value > cut || (value == cut && rules.ruleSet.usesInclusiveCutoffs) ? cut - 0.01 : cut + 0.01
            moved[index] = max(0, min(100, moved[index]))
            for k in 0..<3 where k != index {
                if k < index { moved[k] = min(moved[k], moved[index]) } else { moved[k] = max(moved[k], moved[index]) }
            }
            let changed = ClassPercentages(zero: 100 - moved[2], one: moved[2] - moved[1], two: moved[1] - moved[0], three: moved[0])
            if decide(changed, rules: rules).0 != score { return true }
        }
        return false
    }

    /// The percentage rules (every rule set but gastric biopsy).
    static func decide(_ p: ClassPercentages, rules: ScoringRules) -> (HER2Score, String) {
        let p3 = p.three, p2 = p.twoPlusOrMore, p1 = p.onePlusOrMore
        func f(_ v: Double) -> String { String(format: "%.1f%%", v) }
        switch rules.ruleSet {
        case .breast2018, .breast2013:
            if p3 > 10 { return (.three, "intense complete staining in \(f(p3)) > 10% of tumour cells") }
            if p2 > 10 { return (.two, "complete weak-moderate or incomplete moderate-intense staining in \(f(p2)) > 10%") }
            if p3 > 0, p3 >= rules.sparseIntenseMinimumPercent {
                return (.two, "intense complete staining in \(f(p3)) ≤ 10% of tumour cells")
            }
            if p1 > 10 { return (.one, "faint/incomplete staining in \(f(p1)) > 10%") }
            return (.zero, "staining in \(f(p1)) ≤ 10% of tumour cells")
        case .breast2007:
            if p3 > 30 { return (.three, "intense complete staining in \(f(p3)) > 30% of tumour cells") }
            if p2 > 10 { return (.two, "complete weak-moderate staining in \(f(p2)) > 10%") }
            if p3 > 0, p3 >= rules.sparseIntenseMinimumPercent {
                return (.two, "intense complete staining in \(f(p3)) ≤ 30% of tumour cells")
            }
            if p1 > 10 { return (.one, "faint/incomplete staining in \(f(p1)) > 10%") }
            return (.zero, "staining in \(f(p1)) ≤ 10% of tumour cells")
        case .gastricResection, .gastricBiopsy:
            if p3 >= 10 { return (.three, "intense complete/basolateral staining in \(f(p3)) ≥ 10%") }
            if p2 >= 10 { return (.two, "weak-moderate complete/basolateral staining in \(f(p2)) ≥ 10%") }
            if p1 >= 10 { return (.one, "faint staining in \(f(p1)) ≥ 10%") }
            return (.zero, "staining in \(f(p1)) < 10% of tumour cells")
        }
    }

    /// Largest connected group of cells with class ≥ 1+, ≥ 2+ and 3+ (single-linkage within a
    /// tile, nuclei at most `linkDistance` µm apart). Grid-bucketed: linear in the cell count.
    static func largestClusters(_ cells: [ClassifiedCell], linkDistance: Double) -> [Int] {
        (1...3).map { minimum in
            let members = cells.filter { $0.cellClass.rawValue >= minimum }
            guard !members.isEmpty, linkDistance > 0 else { return members.isEmpty ? 0 : 1 }
            var parent = Array(members.indices)
            func find(_ i: Int) -> Int {
                var i = i
                while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
                return i
            }
            struct Key: Hashable { var tile: Int, gx: Int, gy: Int }
            var buckets: [Key: [Int]] = [:]
            for (i, c) in members.enumerated() {
                buckets[Key(tile: c.tile, gx: Int((c.xMicrons / linkDistance).rounded(.down)),
                            gy: Int((c.yMicrons / linkDistance).rounded(.down))), default: []].append(i)
            }
            let limit = linkDistance * linkDistance
            for (key, indices) in buckets {
                for dy in -1...1 {
                    for dx in -1...1 {
                        guard let other = buckets[Key(tile: key.tile, gx: key.gx + dx, gy: key.gy + dy)] else { continue }
                        for i in indices {
                            for j in other where j > i {
                                let a = members[i], b = members[j]
                                let d2 = (a.xMicrons - b.xMicrons) * (a.xMicrons - b.xMicrons)
                                    + (a.yMicrons - b.yMicrons) * (a.yMicrons - b.yMicrons)
                                if d2 <= limit { parent[find(i)] = find(j) }
                            }
                        }
                    }
                }
            }
            var sizes: [Int: Int] = [:]
            for i in members.indices { sizes[find(i), default: 0] += 1 }
            return sizes.values.max() ?? 0
        }
    }
}

import Foundation
