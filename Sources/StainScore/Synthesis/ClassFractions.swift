/// The shares of tumour cells per class a slide is drawn with, as the cumulative percentages the
/// rules use: 3+, ≥2+ and ≥1+ (0…100, `percent3 ≤ percent2OrMore ≤ percent1OrMore`).
public struct ClassFractions: Sendable, Hashable, Codable {
    public var percent3: Double
    public var percent2OrMore: Double
    public var percent1OrMore: Double

    public init(percent3: Double, percent2OrMore: Double, percent1OrMore: Double) {
        self.percent3 = percent3
        self.percent2OrMore = max(percent2OrMore, percent3)
        self.percent1OrMore = max(percent1OrMore, self.percent2OrMore)
    }

    /// Cell counts per class 0, 1+, 2+, 3+ for `total` tumour cells, rounding each cumulative
    /// share to the nearest cell (so every realised share is within half a cell of the request).
    public func counts(total: Int) -> [Int] {
        func n(_ p: Double) -> Int { min(total, Int((p / 100 * Double(total)).rounded())) }
        let c3 = n(percent3), c2 = max(c3, n(percent2OrMore)), c1 = max(c2, n(percent1OrMore))
        return [total - c1, c1 - c2, c2 - c3, c3]
    }

    /// Default margin (percentage points) between every deciding share and its cut-off.
    public static let defaultMarginPercent = 4.0

    /// Draws shares that give `target` under `rules` with every non-zero cumulative share at least
    /// `margin` points from the cut-offs: moving any one of them by ±margin leaves the score
    /// unchanged. Shares that are zero stay zero in this test (an absent class cannot be "near"
    /// the 1% sparse-intense threshold). Returns nil if no draw passes (after many tries).
    public static func draw(for target: SynthesisTarget, rules: ScoringRules, margin: Double = defaultMarginPercent,
                            rng: inout SplitMix64) -> ClassFractions? {
        for _ in 0..<2000 {
            let f = candidate(for: target, rng: &rng)
            if target == .null || target == .ultralow || f.percent1OrMore == 0 { return f }
            if rules.ruleSet == .gastricBiopsy || f.hasMargin(margin, target: target.score, rules: rules) { return f }
        }
        return nil
    }

    /// Whether the score stays `target` when each non-zero cumulative share moves by ±margin.
    public func hasMargin(_ margin: Double, target: HER2Score, rules: ScoringRules) -> Bool {
        let base = [percent3, percent2OrMore, percent1OrMore]
        guard Self.score(base, rules: rules) == target else { return false }
        for k in 0..<3 where base[k] > 0 {
            for delta in [-margin, margin] {
                var moved = base
                moved[k] = max(0, min(100, base[k] + delta))
                // Keep the cumulative order: the others move along only as far as they must.
                for j in 0..<k { moved[j] = min(moved[j], moved[k]) }
                for j in (k + 1)..<3 { moved[j] = max(moved[j], moved[k]) }
                if Self.score(moved, rules: rules) != target { return false }
            }
        }
        return true
    }

    static func score(_ cumulative: [Double], rules: ScoringRules) -> HER2Score {
        let p = ClassPercentages(zero: 100 - cumulative[2], one: cumulative[2] - cumulative[1],
                                 two: cumulative[1] - cumulative[0], three: cumulative[0])
        return SlideScorer.decide(p, rules: rules).0
    }

    /// A raw draw for a target, before the margin test (ranges chosen wide enough for every rule set).
    static func candidate(for target: SynthesisTarget, rng: inout SplitMix64) -> ClassFractions {
        switch target {
        case .null:
            return ClassFractions(percent3: 0, percent2OrMore: 0, percent1OrMore: 0)
        case .ultralow:
            // 1–6% faint cells: IHC 0 with the 4-point margin below the 10% cut-off.
            return ClassFractions(percent3: 0, percent2OrMore: 0, percent1OrMore: rng.uniform(1...6))
        case .zero, .mixed:
            return ClassFractions(percent3: 0, percent2OrMore: 0, percent1OrMore: rng.chance(0.4) ? 0 : rng.uniform(1...6))
        case .one:
            let p2 = rng.chance(0.5) ? 0 : rng.uniform(0.5...5)
            return ClassFractions(percent3: 0, percent2OrMore: p2, percent1OrMore: p2 + rng.uniform(15...75))
        case .two:
            let p3 = rng.chance(0.6) ? 0 : rng.uniform(1.5...5)
            let p2 = p3 + rng.uniform(15...55)
            return ClassFractions(percent3: p3, percent2OrMore: p2, percent1OrMore: min(100, p2 + rng.uniform(5...30)))
        case .three:
            let p3 = rng.uniform(15...80)
            let p2 = min(100, p3 + rng.uniform(3...15))
            return ClassFractions(percent3: p3, percent2OrMore: p2, percent1OrMore: min(100, p2 + rng.uniform(3...15)))
        }
    }
}
