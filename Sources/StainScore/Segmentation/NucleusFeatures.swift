/// What a cell's nucleus looks like and where it sits among the others, in µm and OD — the
/// features the tumour-cell rules read, written to `cells.csv` so users can train their own
/// classifier on them (as QuPath users do with its detection measurements).
public struct NucleusFeatures: Sendable, Hashable, Codable {
    /// Nucleus area, µm².
    public var areaMicrons2: Double = 0
    /// Mean and standard deviation of the hematoxylin OD over the nucleus (darkness, texture).
    public var hematoxylinMeanOD: Double = 0
    public var hematoxylinSD: Double = 0
    /// Mean background-subtracted hematoxylin OD: how much darker than its surroundings.
    public var contrastOD: Double = 0
    /// √(λ₁/λ₂) of the second moments: 1 for a disk, ≈ length/width for a spindle.
    public var elongation: Double = 1
    /// Width across the short axis (4√λ₂ of the second moments), µm.
    public var minorAxisMicrons: Double = 0
    /// Other nuclei whose centre lies within `NucleusNeighbourhood.radiusMicrons`.
    public var neighbours: Int = 0
    /// Distance to the nearest other nucleus centre, µm (0 when there is none in the tile).
    public var nearestNeighbourMicrons: Double = 0
    /// Found as the pale hole of a closed ring of stained membrane rather than by its own
    /// hematoxylin contrast (`MembraneRingParameters`).
    public var inMembraneRing = false
    /// Median mean-hematoxylin OD of the tile's detected nuclei: what "darker than the nuclei
    /// around it" is measured against (`NucleusNeighbourhood.measure` fills it in).
    public var tileMedianHematoxylinOD: Double = 0
    public init() {}

    /// The features of one detected nucleus at pixel size `mpp` (µm/px); the neighbourhood is
    /// filled in by `NucleusNeighbourhood.measure`.
    public init(_ n: NucleusRegion, pixelSize mpp: Double) {
        areaMicrons2 = Double(n.areaPixels) * mpp * mpp
        hematoxylinMeanOD = n.meanHematoxylin
        hematoxylinSD = n.hematoxylinSD
        contrastOD = n.contrast
        elongation = n.elongation
        minorAxisMicrons = n.minorAxis * mpp
        inMembraneRing = n.inMembraneRing
    }
}

/// Neighbour counts and nearest-neighbour distances of nucleus centres (tumour cells lie in
/// cohesive groups, stromal cells alone or in lines, lymphocytes in dense infiltrates), and the
/// tile's median nucleus darkness.
public enum NucleusNeighbourhood {
    /// The radius of the neighbour count, µm (QuPath smooths its features over 25 µm FWHM).
    public static let radiusMicrons = 25.0

    /// Fills `neighbours`, `nearestNeighbourMicrons` and `tileMedianHematoxylinOD` of `features` (same order as
    /// `centres`, in pixels at `mpp` µm/px). Buckets of the radius' size: each centre looks at
    /// the 3 × 3 buckets around its own.
    public static func measure(_ features: inout [NucleusFeatures], centres: [SIMD2<Double>], pixelSize mpp: Double) {
        precondition(features.count == centres.count)
        guard !centres.isEmpty else { return }
        // The tile's median nucleus darkness (the mean of the two middle values for an even count).
        let darkness = features.map(\.hematoxylinMeanOD).sorted()
        let middle = darkness.count / 2
        let median = darkness.count % 2 == 1 ? darkness[middle] : (darkness[middle - 1] + darkness[middle]) / 2
        for i in features.indices { features[i].tileMedianHematoxylinOD = median }
        let r = radiusMicrons / mpp, r2 = r * r
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for c in centres { minX = min(minX, c.x); minY = min(minY, c.y); maxX = max(maxX, c.x); maxY = max(maxY, c.y) }
        // Buckets of side r in a grid, as index lists sorted by bucket (a counting sort).
        let gw = Int((maxX - minX) / r) + 1, gh = Int((maxY - minY) / r) + 1
        func bucket(_ c: SIMD2<Double>) -> Int { Int((c.y - minY) / r) * gw + Int((c.x - minX) / r) }
        var first = [Int](repeating: 0, count: gw * gh + 1)
        for c in centres { first[bucket(c) + 1] += 1 }
        for i in 0..<(gw * gh) { first[i + 1] += first[i] }
        var fill = first, order = [Int](repeating: 0, count: centres.count)
        for (i, c) in centres.enumerated() { let b = bucket(c); order[fill[b]] = i; fill[b] += 1 }
        for (i, c) in centres.enumerated() {
            let b = bucket(c), bx = b % gw, by = b / gw
            var count = 0, nearest = Double.infinity
            for y in max(0, by - 1)...min(gh - 1, by + 1) {
                for x in max(0, bx - 1)...min(gw - 1, bx + 1) {
                    let k = y * gw + x
                    for j in order[first[k]..<first[k + 1]] where j != i {
                        let d = centres[j] - c
                        let d2 = (d * d).sum()
                        if d2 <= r2 { count += 1 }
                        nearest = min(nearest, d2)
                    }
                }
            }
            if !nearest.isFinite {  // nothing in the 3 × 3 buckets: an isolated nucleus, look at all
                for (j, o) in centres.enumerated() where j != i { let d = o - c; nearest = min(nearest, (d * d).sum()) }
            }
            features[i].neighbours = count
            features[i].nearestNeighbourMicrons = nearest.isFinite ? nearest.squareRoot() * mpp : 0
        }
    }
}
