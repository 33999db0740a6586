/// One-to-one matching of truth nuclei to predicted nuclei within a distance.
///
/// **Rule: globally greedy by increasing distance.** Every (truth, prediction) pair whose
/// centres are at most `maxDistance` apart is a candidate; candidates are taken in order of
/// increasing distance (ties: lower truth index, then lower prediction index) and a pair is
/// accepted when neither of its cells is matched yet. This is not the assignment that maximises
/// the number of matches (Hungarian) — with a 4 µm radius, well under a nucleus diameter
/// (7–10 µm), conflicts are rare and the greedy rule is deterministic, simple and standard for
/// detection scoring. Candidates are found through a grid of `maxDistance`-sized buckets, so the
/// cost is about linear in the number of cells.
public enum CellMatching {
    /// A 2-D point in one frame (tile pixels).
    public struct Point: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// An accepted pair: indices into the truth and prediction arrays, and their distance.
    public struct Match: Sendable, Hashable {
        public var truth: Int
        public var prediction: Int
        public var distance: Double
        public init(truth: Int, prediction: Int, distance: Double) {
            self.truth = truth
            self.prediction = prediction
            self.distance = distance
        }
    }

    /// The greedy matching (see the type's documentation). Pairs are returned in acceptance order.
    public static func greedy(truth: [Point], predictions: [Point], maxDistance: Double) -> [Match] {
        guard maxDistance >= 0, !truth.isEmpty, !predictions.isEmpty else { return [] }
        let cell = max(maxDistance, 1e-9)
        struct Key: Hashable { var gx: Int, gy: Int }
        func key(_ p: Point) -> Key { Key(gx: Int((p.x / cell).rounded(.down)), gy: Int((p.y / cell).rounded(.down))) }
        var buckets: [Key: [Int]] = [:]
        for (j, p) in predictions.enumerated() { buckets[key(p), default: []].append(j) }
        let limit = maxDistance * maxDistance
        var candidates: [(d2: Double, t: Int, p: Int)] = []
        for (i, t) in truth.enumerated() {
            let k = key(t)
            for dy in -1...1 {
                for dx in -1...1 {
                    guard let bucket = buckets[Key(gx: k.gx + dx, gy: k.gy + dy)] else { continue }
                    for j in bucket {
                        let p = predictions[j]
                        let d2 = (t.x - p.x) * (t.x - p.x) + (t.y - p.y) * (t.y - p.y)
                        if d2 <= limit { candidates.append((d2, i, j)) }
                    }
                }
            }
        }
        candidates.sort { ($0.d2, $0.t, $0.p) < ($1.d2, $1.t, $1.p) }
        var truthUsed = [Bool](repeating: false, count: truth.count)
        var predictionUsed = [Bool](repeating: false, count: predictions.count)
        var matches: [Match] = []
        for c in candidates where !truthUsed[c.t] && !predictionUsed[c.p] {
            truthUsed[c.t] = true
            predictionUsed[c.p] = true
            matches.append(Match(truth: c.t, prediction: c.p, distance: c.d2.squareRoot()))
        }
        return matches
    }
}
