/// Matching of truth points to detected cells in one image, and the counts that come of it.
///
/// The rules are those of the independent reference script `eval_points.py`, so the figures can
/// be checked against it:
/// - **Border.** A truth point is kept when `margin ≤ x < width − margin` and
///   `margin ≤ y < height − margin` (pixels); the others are left out — the scorer does not
///   measure cells cut by the image edge. Detected cells are not filtered for recall.
/// - **Matching.** Every detected cell takes part, `tumour` and `excluded` alike; a kept point
///   and a cell are candidates when their centres are at most `radius` apart (Euclidean, the
///   distance itself compared, not its square). Candidates are taken by increasing distance
///   (ties: lower point index, then lower cell index, in file order) and a pair is accepted
///   when neither side is matched yet: one-to-one, nearest pairs first.
/// - A point is *found* when it is matched, *found as tumour* when its cell is `tumour`.
public enum PointMatching {
    /// The border rule above.
    public static func isInside(x: Double, y: Double, width: Int, height: Int, margin: Double) -> Bool {
        margin <= x && x < Double(width) - margin && margin <= y && y < Double(height) - margin
    }

    /// Greedy one-to-one matching within `radius` (see the type's documentation); pairs in
    /// acceptance order. Candidates are found through a grid of `radius`-sized buckets.
    public static func greedy(points: [CellMatching.Point], cells: [CellMatching.Point], radius: Double) -> [CellMatching.Match] {
        guard radius >= 0, !points.isEmpty, !cells.isEmpty else { return [] }
        let size = max(radius, 1e-9)
        struct Key: Hashable { var gx: Int, gy: Int }
        func key(_ p: CellMatching.Point) -> Key {
            Key(gx: Int((p.x / size).rounded(.down)), gy: Int((p.y / size).rounded(.down)))
        }
        var buckets: [Key: [Int]] = [:]
        for (j, c) in cells.enumerated() { buckets[key(c), default: []].append(j) }
        var candidates: [(d: Double, t: Int, c: Int)] = []
        for (i, p) in points.enumerated() {
            let k = key(p)
            for dy in -1...1 {
                for dx in -1...1 {
                    guard let bucket = buckets[Key(gx: k.gx + dx, gy: k.gy + dy)] else { continue }
                    for j in bucket {
                        let c = cells[j]
                        let d = ((p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y)).squareRoot()
                        if d <= radius { candidates.append((d, i, j)) }
                    }
                }
            }
        }
        candidates.sort { ($0.d, $0.t, $0.c) < ($1.d, $1.t, $1.c) }
        var pointUsed = [Bool](repeating: false, count: points.count)
        var cellUsed = [Bool](repeating: false, count: cells.count)
        var matches: [CellMatching.Match] = []
        for m in candidates where !pointUsed[m.t] && !cellUsed[m.c] {
            pointUsed[m.t] = true
            cellUsed[m.c] = true
            matches.append(CellMatching.Match(truth: m.t, prediction: m.c, distance: m.d))
        }
        return matches
    }

    /// Recall counts of one image: its truth points against its detected cells.
    public static func recall(points: [TruthPoint], cells: [PredictedCell], width: Int, height: Int,
                              radiusPixels: Double, marginPixels: Double) -> PointRecallTally {
        var tally = PointRecallTally()
        let kept = points.filter { isInside(x: $0.x, y: $0.y, width: width, height: height, margin: marginPixels) }
        tally.leftOutAtBorder = points.count - kept.count
        for p in kept { tally.add(label: p.label, found: false, tumour: false) }
        let matches = greedy(points: kept.map { .init(x: $0.x, y: $0.y) }, cells: cells.map { .init(x: $0.x, y: $0.y) },
                             radius: radiusPixels)
        for m in matches {
            tally.add(label: kept[m.truth].label, found: true, tumour: cells[m.prediction].kind == .tumour, counted: false)
        }
        return tally
    }

    /// Precision counts of one image whose every nucleus is marked: `instances` labels each
    /// truth nucleus (0 background), `points` are all its truth points (border ones included).
    ///
    /// A detected cell is *on a nucleus* when the instance label at its centre rounded to the
    /// nearest pixel (halves away from zero) is not 0, or a truth point lies within
    /// `radiusPixels` of it. Cells that fail the border rule (`isInside`) are left out.
    public static func precision(cells: [PredictedCell], points: [TruthPoint], instances: Plane<UInt16>,
                                 radiusPixels: Double, marginPixels: Double) -> PointPrecisionTally {
        var tally = PointPrecisionTally()
        tally.images = 1
        let near = PointNeighbourhood(points: points.map { .init(x: $0.x, y: $0.y) }, radius: radiusPixels)
        for c in cells {
            guard isInside(x: c.x, y: c.y, width: instances.width, height: instances.height, margin: marginPixels) else {
                tally.leftOutAtBorder += 1
                continue
            }
            let px = Int(c.x.rounded()), py = Int(c.y.rounded())
            let onMask = px >= 0 && py >= 0 && px < instances.width && py < instances.height && instances[px, py] != 0
            let right = onMask || near.contains(.init(x: c.x, y: c.y))
            tally.cells += 1
            if right { tally.cellsOnNuclei += 1 }
            if c.kind == .tumour {
                tally.tumourCells += 1
                if right { tally.tumourCellsOnNuclei += 1 }
            }
        }
        return tally
    }
}

/// Whether a position lies within a radius of any of a set of points (a grid of buckets).
struct PointNeighbourhood {
    let radius: Double
    let size: Double
    var buckets: [SIMD2<Int>: [CellMatching.Point]] = [:]

    init(points: [CellMatching.Point], radius: Double) {
        self.radius = radius
        size = max(radius, 1e-9)
        for p in points { buckets[key(p), default: []].append(p) }
    }

    func key(_ p: CellMatching.Point) -> SIMD2<Int> {
        SIMD2(Int((p.x / size).rounded(.down)), Int((p.y / size).rounded(.down)))
    }

    func contains(_ q: CellMatching.Point) -> Bool {
        let k = key(q)
        for dy in -1...1 {
            for dx in -1...1 {
                for p in buckets[k &+ SIMD2(dx, dy)] ?? []
                where ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y)).squareRoot() <= radius {
                    return true
                }
            }
        }
        return false
    }
}

/// Point-truth recall counts per label; images add up.
public struct PointRecallTally: Sendable, Hashable {
    /// Per label: kept points, found, found as tumour.
    public var byLabel: [String: PointLabelFigures] = [:]
    /// Truth points left out by the border rule.
    public var leftOutAtBorder = 0

    public init() {}

    mutating func add(label: String, found: Bool, tumour: Bool, counted: Bool = true) {
        var f = byLabel[label] ?? PointLabelFigures(label: label)
        if counted { f.points += 1 }
        if found { f.found += 1 }
        if found && tumour { f.foundTumour += 1 }
        byLabel[label] = f
    }

    public mutating func merge(_ other: PointRecallTally) {
        for (label, f) in other.byLabel {
            var mine = byLabel[label] ?? PointLabelFigures(label: label)
            mine.points += f.points
            mine.found += f.found
            mine.foundTumour += f.foundTumour
            byLabel[label] = mine
        }
        leftOutAtBorder += other.leftOutAtBorder
    }

    /// One entry per label, sorted by label (code-point order, as Python's `sorted`).
    public var labels: [PointLabelFigures] {
        byLabel.values.sorted { Array($0.label.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.label.unicodeScalars.map(\.value)) }
    }

    /// All labels together (label `all`).
    public var total: PointLabelFigures {
        var t = PointLabelFigures(label: "all")
        for f in byLabel.values {
            t.points += f.points
            t.found += f.found
            t.foundTumour += f.foundTumour
        }
        return t
    }
}

/// Recall figures of one truth label (or of all labels together).
public struct PointLabelFigures: Sendable, Hashable, Codable {
    public var label: String
    /// Truth points kept by the border rule.
    public var points = 0
    /// …matched to a detected cell of any kind.
    public var found = 0
    /// …matched to a detected cell called tumour.
    public var foundTumour = 0

    public init(label: String, points: Int = 0, found: Int = 0, foundTumour: Int = 0) {
        self.label = label
        self.points = points
        self.found = found
        self.foundTumour = foundTumour
    }

    /// found / points; nil without points.
    public var foundFraction: Double? { points == 0 ? nil : Double(found) / Double(points) }
    /// foundTumour / points; nil without points.
    public var foundTumourFraction: Double? { points == 0 ? nil : Double(foundTumour) / Double(points) }

    enum CodingKeys: String, CodingKey { case label, points, found, foundTumour, foundFraction, foundTumourFraction }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(label: try c.decode(String.self, forKey: .label), points: try c.decode(Int.self, forKey: .points),
                  found: try c.decode(Int.self, forKey: .found), foundTumour: try c.decode(Int.self, forKey: .foundTumour))
    }

    /// The fractions are written too (nil ones left out), so the JSON carries the printed figures.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(label, forKey: .label)
        try c.encode(points, forKey: .points)
        try c.encode(found, forKey: .found)
        try c.encode(foundTumour, forKey: .foundTumour)
        try c.encodeIfPresent(foundFraction, forKey: .foundFraction)
        try c.encodeIfPresent(foundTumourFraction, forKey: .foundTumourFraction)
    }
}

/// Precision counts over images whose every nucleus is marked (see `PointMatching.precision`);
/// images add up.
public struct PointPrecisionTally: Sendable, Hashable, Codable {
    /// Images compared (those with an instance mask).
    public var images = 0
    /// Detected tumour cells kept by the border rule, and of them those on a truth nucleus.
    public var tumourCells = 0
    public var tumourCellsOnNuclei = 0
    /// All detected cells (tumour and excluded) kept by the border rule, and those on a nucleus.
    public var cells = 0
    public var cellsOnNuclei = 0
    /// Detected cells (any kind) left out by the border rule.
    public var leftOutAtBorder = 0

    public init() {}

    /// tumourCellsOnNuclei / tumourCells; nil without tumour cells.
    public var tumourPrecision: Double? { tumourCells == 0 ? nil : Double(tumourCellsOnNuclei) / Double(tumourCells) }
    /// cellsOnNuclei / cells; nil without cells.
    public var cellPrecision: Double? { cells == 0 ? nil : Double(cellsOnNuclei) / Double(cells) }

    public mutating func merge(_ other: PointPrecisionTally) {
        images += other.images
        tumourCells += other.tumourCells
        tumourCellsOnNuclei += other.tumourCellsOnNuclei
        cells += other.cells
        cellsOnNuclei += other.cellsOnNuclei
        leftOutAtBorder += other.leftOutAtBorder
    }

    enum CodingKeys: String, CodingKey {
        case images, tumourCells, tumourCellsOnNuclei, cells, cellsOnNuclei, leftOutAtBorder, tumourPrecision, cellPrecision
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        images = try c.decode(Int.self, forKey: .images)
        tumourCells = try c.decode(Int.self, forKey: .tumourCells)
        tumourCellsOnNuclei = try c.decode(Int.self, forKey: .tumourCellsOnNuclei)
        cells = try c.decode(Int.self, forKey: .cells)
        cellsOnNuclei = try c.decode(Int.self, forKey: .cellsOnNuclei)
        leftOutAtBorder = try c.decode(Int.self, forKey: .leftOutAtBorder)
    }

    /// The precisions are written too (nil ones left out).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(images, forKey: .images)
        try c.encode(tumourCells, forKey: .tumourCells)
        try c.encode(tumourCellsOnNuclei, forKey: .tumourCellsOnNuclei)
        try c.encode(cells, forKey: .cells)
        try c.encode(cellsOnNuclei, forKey: .cellsOnNuclei)
        try c.encode(leftOutAtBorder, forKey: .leftOutAtBorder)
        try c.encodeIfPresent(tumourPrecision, forKey: .tumourPrecision)
        try c.encodeIfPresent(cellPrecision, forKey: .cellPrecision)
    }
}
