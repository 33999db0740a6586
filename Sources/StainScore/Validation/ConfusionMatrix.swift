/// A k×k confusion matrix: `counts[truth][predicted]` (rows = truth, columns = prediction),
/// with agreement, Cohen's κ (unweighted and quadratic-weighted) and per-class recall/precision.
///
/// Conventions (none of these values is ever NaN — undefined is `nil`, absent from JSON):
/// - **Empty matrix** (N = 0): agreement, both κ, every recall and precision are nil.
/// - **κ** = 1 − Σ wᵢⱼ Oᵢⱼ / Σ wᵢⱼ Eᵢⱼ with Oᵢⱼ the observed proportions, Eᵢⱼ = rowᵢ·colⱼ/N² the
///   proportions expected by chance, and disagreement weights wᵢⱼ = 1 (i ≠ j) for the unweighted κ
///   (equivalently κ = (p_o − p_e)/(1 − p_e)) and wᵢⱼ = (i − j)²/(k − 1)² for the quadratic κ.
/// - **Degenerate κ** (expected disagreement Σ w E = 0): this happens only when truth and
///   prediction both put every item in the same single class, so the observed disagreement is 0
///   too (0/0). By convention κ = **1** then (perfect agreement; `kappaDegenerate` is true). If the
///   expected disagreement were 0 with a non-zero observed one (impossible for counts, kept for
///   safety) κ is nil.
/// - **Recall** of class c = Oᶜᶜ / (truth items of class c): nil when the truth has no item of class c.
///   **Precision** of class c = Oᶜᶜ / (predicted items of class c): nil when nothing was predicted as c.
public struct ConfusionMatrix: Sendable, Hashable, Codable {
    /// Class labels, in order (row i and column i are `labels[i]`).
    public var labels: [String]
    /// `counts[truth][predicted]`.
    public var counts: [[Int]]

    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
    }

    /// Builds the matrix from (truth, prediction) index pairs.
    public init(labels: [String], pairs: [(Int, Int)]) {
        self.init(labels: labels)
        for (t, p) in pairs { add(truth: t, predicted: p) }
    }

    public mutating func add(truth: Int, predicted: Int, count: Int = 1) {
        counts[truth][predicted] += count
    }

    public var classCount: Int { labels.count }
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var agreements: Int { (0..<classCount).reduce(0) { $0 + counts[$1][$1] } }
    public var rowTotals: [Int] { counts.map { $0.reduce(0, +) } }
    public var columnTotals: [Int] { (0..<classCount).map { j in counts.reduce(0) { $0 + $1[j] } } }

    /// Observed agreement p_o (nil when empty).
    public var exactAgreement: Double? { total == 0 ? nil : Double(agreements) / Double(total) }

    /// Agreement expected by chance, p_e = Σ rowᵢ colᵢ / N² (nil when empty).
    public var expectedAgreement: Double? {
        let n = Double(total)
        guard n > 0 else { return nil }
        let r = rowTotals, c = columnTotals
        return (0..<classCount).reduce(0.0) { $0 + Double(r[$1]) * Double(c[$1]) } / (n * n)
    }

    /// Unweighted Cohen's κ.
    public var kappa: Double? { kappa(weight: { $0 == $1 ? 0 : 1 }) }

    /// Quadratic-weighted Cohen's κ (weights (i − j)² / (k − 1)²).
    public var quadraticWeightedKappa: Double? {
        let k = Double(max(1, classCount - 1))
        return kappa(weight: { Double(($0 - $1) * ($0 - $1)) / (k * k) })
    }

    /// Whether κ fell on the 0/0 convention (everything in one class on both sides).
    public var kappaDegenerate: Bool {
        guard total > 0 else { return false }
        let r = rowTotals, c = columnTotals
        return (0..<classCount).contains { r[$0] == total && c[$0] == total }
    }

    /// κ = 1 − Σ w O / Σ w E for a disagreement weight w(i, j) (w(i, i) = 0).
    public func kappa(weight: (Int, Int) -> Double) -> Double? {
        let n = Double(total)
        guard n > 0 else { return nil }
        let r = rowTotals, c = columnTotals
        var observed = 0.0, expected = 0.0
        for i in 0..<classCount {
            for j in 0..<classCount {
                let w = weight(i, j)
                observed += w * Double(counts[i][j]) / n
                expected += w * Double(r[i]) * Double(c[j]) / (n * n)
            }
        }
        if expected <= 1e-15 { return observed <= 1e-15 ? 1 : nil }
        return 1 - observed / expected
    }

    /// Recall of class `i` (nil when the truth has none of it).
    public func recall(_ i: Int) -> Double? {
        let row = rowTotals[i]
        return row == 0 ? nil : Double(counts[i][i]) / Double(row)
    }

    /// Precision of class `i` (nil when nothing was predicted as it).
    public func precision(_ i: Int) -> Double? {
        let column = columnTotals[i]
        return column == 0 ? nil : Double(counts[i][i]) / Double(column)
    }

    /// The summary statistics, ready to encode.
    public var summary: AgreementSummary {
        AgreementSummary(
            n: total, exactAgreement: exactAgreement, expectedAgreement: expectedAgreement, kappa: kappa,
            quadraticWeightedKappa: quadraticWeightedKappa, kappaDegenerate: kappaDegenerate,
            perClass: labels.indices.map {
                ClassAgreement(label: labels[$0], truth: rowTotals[$0], predicted: columnTotals[$0], correct: counts[$0][$0],
                               recall: recall($0), precision: precision($0))
            })
    }
}

/// Agreement statistics of a confusion matrix (see `ConfusionMatrix` for the conventions).
public struct AgreementSummary: Sendable, Hashable, Codable {
    public var n: Int
    public var exactAgreement: Double?
    public var expectedAgreement: Double?
    public var kappa: Double?
    public var quadraticWeightedKappa: Double?
    /// κ set to 1 by the 0/0 convention (one class only, on both sides).
    public var kappaDegenerate: Bool
    public var perClass: [ClassAgreement]
}

/// Recall and precision of one class.
public struct ClassAgreement: Sendable, Hashable, Codable {
    public var label: String
    /// Items of this class in the truth, among predictions, and correctly predicted.
    public var truth: Int
    public var predicted: Int
    public var correct: Int
    public var recall: Double?
    public var precision: Double?
}
